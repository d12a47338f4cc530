"""Asking a client for access, the client's answer, and accepting an invitation sent by email."""

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse

from applications.access import application_for_viewer
from applications.models import Grant
from core.models import AuditAction, AuditEvent
from delegations.consent import (
    Answer,
    GranteeChoice,
    RequestAnswer,
    grant_accept_invitation,
    grant_give,
    grant_request,
    grant_request_answer,
)
from notifications.models import Kind
from tests.delegations.consent_support import *  # noqa: F403 (its fixtures)
from tests.delegations.consent_support import SIGNATURE, in_app, reload
from tests.factories import UserFactory, sign_in


def ask(requester, number, family_name="GAGNON LEVESQUE", **choices):
    choices.setdefault("kind", Grant.Kind.DESIGNATED)
    return grant_request(requester=requester, number=number, family_name=family_name, **choices)


def test_an_office_asks_and_the_client_is_told(client_account, files, office, caseworker):
    assert ask(caseworker, files[0].number, organisation=office) == RequestAnswer.SENT

    grant = Grant.objects.get()
    assert (grant.state, grant.kind, grant.organisation, grant.requested_by) == (
        Grant.State.REQUESTED,
        Grant.Kind.PARLIAMENTARY,
        office,
        caseworker,
    )
    assert grant.expires_at is not None
    assert in_app(client_account, Kind.ACCESS_CHANGED).count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.GRANT_REQUESTED, case_number=files[0].number).exists()
    with pytest.raises(Http404):
        application_for_viewer(viewer=caseworker, number=files[0].number)


@pytest.mark.parametrize(("number", "family_name"), [("E999999999", "Gagnon-Lévesque"), (None, "Smith")])
def test_a_mismatch_answers_the_same_and_creates_nothing(
    client_account, files, caseworker, office, number, family_name
):
    answer = ask(caseworker, number or files[0].number, family_name=family_name, organisation=office)
    assert answer == RequestAnswer.SENT
    assert not Grant.objects.exists()
    assert in_app(client_account).count() == 0
    assert not AuditEvent.objects.exclude(case_number="").exists()


def test_the_page_says_the_same_whether_or_not_the_details_match(client, client_account, files, caseworker):
    sign_in(client, caseworker)
    url = reverse("consent:ask")
    form = {"organisation": str(caseworker.organisation_memberships.get().organisation_id), "scope": "status"}
    matched = client.post(
        url, {**form, "application_number": files[0].number, "family_name": "gagnon-levesque"}, follow=True
    )
    missed = client.post(url, {**form, "application_number": "E000000001", "family_name": "Nobody"}, follow=True)
    assert matched.status_code == missed.status_code == 200
    notice = "If the details match an application, its client will get your request"
    assert notice in matched.content.decode() and notice in missed.content.decode()
    assert Grant.objects.count() == 1


def test_asking_twice_makes_one_request(client_account, files, caseworker, office):
    ask(caseworker, files[0].number, organisation=office)
    ask(caseworker, files[0].number, organisation=office)
    assert Grant.objects.count() == 1
    assert in_app(client_account).count() == 1


def test_a_person_cannot_ask_in_the_name_of_an_office_they_do_not_work_for(files, office, client_account):
    outsider = UserFactory()
    with pytest.raises(Http404):
        ask(outsider, files[0].number, organisation=office)


def test_many_requests_are_slowed_down(files, caseworker, office):
    answers = [ask(caseworker, "E000000001", family_name="x", organisation=office) for _ in range(21)]
    assert answers[-1] == RequestAnswer.TOO_MANY


@pytest.fixture
def requested(client_account, files, office, caseworker):
    ask(caseworker, files[0].number, organisation=office, scope=Grant.Scope.DECISION, may_act=True)
    return Grant.objects.get()


def test_the_client_accepts_as_asked(client_account, files, caseworker, requested):
    grant_request_answer(account=client_account, grant_id=requested.pk, answer=Answer.ACCEPT, signed_name=SIGNATURE)
    grant = reload(requested)
    assert (grant.state, grant.scope, grant.may_act) == (Grant.State.ACTIVE, Grant.Scope.DECISION, True)
    assert grant.given_by == client_account and grant.given_at is not None
    assert files[0].number in grant.consent_text_en and grant.consent_text_fr
    assert application_for_viewer(viewer=caseworker, number=files[0].number).pk == files[0].pk
    assert in_app(caseworker, Kind.DELEGATE_ACCESS).count() == 1


def test_the_client_accepts_for_less(client_account, files, caseworker, requested):
    grant_request_answer(
        account=client_account,
        grant_id=requested.pk,
        answer=Answer.ACCEPT,
        scope=Grant.Scope.STATUS,
        may_act=False,
        signed_name=SIGNATURE,
    )
    grant = reload(requested)
    assert (grant.scope, grant.may_act) == (Grant.Scope.STATUS, False)
    assert AuditEvent.objects.get(action=AuditAction.GRANT_GIVEN).extra["asked"]["scope"] == Grant.Scope.DECISION


def test_the_client_cannot_give_more_than_asked(client_account, requested):
    requested.scope = Grant.Scope.STATUS
    requested.save()
    with pytest.raises(ValidationError):
        grant_request_answer(
            account=client_account,
            grant_id=requested.pk,
            answer=Answer.ACCEPT,
            scope=Grant.Scope.NOTES,
            signed_name=SIGNATURE,
        )
    assert reload(requested).state == Grant.State.REQUESTED


def test_accepting_needs_the_signature(client_account, requested):
    with pytest.raises(ValidationError):
        grant_request_answer(account=client_account, grant_id=requested.pk, answer=Answer.ACCEPT, signed_name="")


def test_the_client_refuses(client_account, files, caseworker, requested):
    grant_request_answer(account=client_account, grant_id=requested.pk, answer=Answer.REFUSE)
    assert reload(requested).state == Grant.State.REFUSED
    with pytest.raises(Http404):
        application_for_viewer(viewer=caseworker, number=files[0].number)
    assert in_app(caseworker, Kind.DELEGATE_ACCESS).get().dedupe_key == f"grant:{requested.pk}:refused"
    with pytest.raises(ValidationError):
        grant_request_answer(account=client_account, grant_id=requested.pk, answer=Answer.ACCEPT, signed_name=SIGNATURE)


def test_the_answer_page(client, client_account, requested):
    sign_in(client, client_account)
    url = reverse("access:answer", kwargs={"grant_id": requested.pk})
    assert client.get(url).status_code == 200
    assert client.post(url, {"answer": "accept", "scope": "status", "signed_name": ""}).status_code == 400
    assert client.post(url, {"answer": "accept", "scope": "status", "signed_name": SIGNATURE}).status_code == 302
    assert (reload(requested).state, requested.scope) == (Grant.State.ACTIVE, Grant.Scope.STATUS)


def test_the_index_lists_requests_waiting(client, client_account, requested):
    sign_in(client, client_account)
    page = client.get(reverse("access:index")).content.decode()
    assert reverse("access:answer", kwargs={"grant_id": requested.pk}) in page


# --- invitations ---------------------------------------------------------------------------------------


@pytest.fixture
def invitation(client_account, files):
    (grant,) = grant_give(
        account=client_account,
        kind=Grant.Kind.DESIGNATED,
        grantee=GranteeChoice(email="paul@example.com", name="Paul Gagnon"),
        applications=[files[0]],
        signed_name=SIGNATURE,
    )
    return grant


def test_the_invited_verified_address_accepts(client, client_account, files, invitation):
    paul = UserFactory(email="Paul@example.com")
    sign_in(client, paul)
    accept = reverse("consent:accept", kwargs={"grant_id": invitation.pk})
    assert accept in client.get(reverse("consent:invitations")).content.decode()
    answer = client.post(reverse("consent:accept", kwargs={"grant_id": invitation.pk}))
    assert answer.status_code == 302
    grant = reload(invitation)
    assert (grant.state, grant.grantee_account) == (Grant.State.ACTIVE, paul)
    assert client.get(reverse("applications:detail", kwargs={"number": files[0].number})).status_code == 200
    assert AuditEvent.objects.filter(action=AuditAction.GRANT_ACCEPTED, actor=paul).count() == 1
    assert in_app(client_account).filter(dedupe_key=f"grant:{grant.pk}:accepted").count() == 1


def test_an_unverified_address_cannot_accept(invitation):
    paul = UserFactory(email="paul@example.com")
    EmailAddress.objects.filter(user=paul).update(verified=False)
    with pytest.raises(Http404):
        grant_accept_invitation(account=paul, grant_id=invitation.pk)
    assert reload(invitation).state == Grant.State.INVITED


def test_another_address_cannot_accept(client, invitation):
    someone = UserFactory(email="someone@example.com")
    sign_in(client, someone)
    assert "Paul" not in client.get(reverse("consent:invitations")).content.decode()
    assert client.post(reverse("consent:accept", kwargs={"grant_id": invitation.pk})).status_code == 404
    assert reload(invitation).state == Grant.State.INVITED


def test_an_invitation_is_accepted_once(invitation):
    paul = UserFactory(email="paul@example.com")
    grant_accept_invitation(account=paul, grant_id=invitation.pk)
    with pytest.raises(Http404):
        grant_accept_invitation(account=paul, grant_id=invitation.pk)


def test_a_revoked_invitation_cannot_be_accepted(client_account, invitation):
    from delegations.consent import grant_revoke_by_client

    grant_revoke_by_client(account=client_account, grant_id=invitation.pk)
    paul = UserFactory(email="paul@example.com")
    with pytest.raises(Http404):
        grant_accept_invitation(account=paul, grant_id=invitation.pk)


def test_a_person_asks_as_themselves_and_sees_the_file_once_accepted(client, client_account, files):
    friend = UserFactory(email="friend@example.com", first_name="Luc", last_name="Roy")
    sign_in(client, friend)
    form = {
        "organisation": "",
        "application_number": f" {files[1].number.lower()} ",
        "family_name": "gagnon levesque",
        "kind": Grant.Kind.REPRESENTATIVE_UNPAID,
        "scope": "status",
        "note": "I help Marie with her forms.",
    }
    assert client.post(reverse("consent:ask"), form).status_code == 302
    grant = Grant.objects.get()
    assert (grant.grantee_account, grant.organisation, grant.kind, grant.expires_at) == (
        friend,
        None,
        Grant.Kind.REPRESENTATIVE_UNPAID,
        None,
    )
    grant_request_answer(account=client_account, grant_id=grant.pk, answer=Answer.ACCEPT, signed_name=SIGNATURE)
    assert client.get(reverse("applications:detail", kwargs={"number": files[1].number})).status_code == 200


def test_a_person_must_say_what_they_are_for_the_client(client, files):
    sign_in(client, UserFactory())
    form = {"organisation": "", "application_number": files[0].number, "family_name": "x", "scope": "status"}
    answer = client.post(reverse("consent:ask"), form)
    assert answer.status_code == 400
    assert not Grant.objects.exists()
