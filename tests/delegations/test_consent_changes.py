"""Revoking, narrowing, and nobody else's grant: the client's control over access already given."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from applications.access import Need, application_for_viewer
from applications.models import Grant
from core.models import AuditAction, AuditEvent
from delegations.consent import grant_narrow, grant_revoke_by_client
from notifications.models import Kind
from tests.delegations.consent_support import *  # noqa: F403 (its fixtures)
from tests.delegations.consent_support import in_app, reload
from tests.delegations.factories import GrantFactory
from tests.factories import sign_in


@pytest.fixture
def grant(files, office):
    return GrantFactory(application=files[0], organisation=office, scope=Grant.Scope.DECISION, may_act=True)


def test_revocation_takes_effect_on_the_next_request(client, client_account, files, caseworker, grant):
    sign_in(client, caseworker)
    status_page = reverse("applications:detail", kwargs={"number": files[0].number})
    assert client.get(status_page).status_code == 200

    grant_revoke_by_client(account=client_account, grant_id=grant.pk)

    assert client.get(status_page).status_code == 404
    with pytest.raises(Http404):
        application_for_viewer(viewer=caseworker, number=files[0].number)
    assert reload(grant).state == Grant.State.REVOKED
    assert AuditEvent.objects.filter(action=AuditAction.GRANT_REVOKED, case_number=files[0].number).count() == 1


def test_revocation_tells_both_sides_once(client_account, caseworker, grant):
    grant_revoke_by_client(account=client_account, grant_id=grant.pk)
    grant_revoke_by_client(account=client_account, grant_id=grant.pk)

    assert in_app(client_account, Kind.ACCESS_CHANGED).filter(dedupe_key=f"grant:{grant.pk}:revoked").count() == 1
    told = in_app(caseworker, Kind.DELEGATE_ACCESS).get(dedupe_key=f"grant:{grant.pk}:revoked")
    # Not attached to the file, so the caseworker can still read it after losing access.
    assert told.application_id is None
    assert AuditEvent.objects.filter(action=AuditAction.GRANT_REVOKED).count() == 1


def test_the_revoke_page_asks_first(client, client_account, grant):
    sign_in(client, client_account)
    url = reverse("access:revoke", kwargs={"grant_id": grant.pk})

    page = client.get(url)
    assert page.status_code == 200
    assert "Yes, remove the access" in page.content.decode()
    assert reload(grant).state == Grant.State.ACTIVE

    assert client.post(url).status_code == 302
    assert reload(grant).state == Grant.State.REVOKED


def test_narrowing_the_scope_hides_the_decision_at_once(client_account, files, caseworker, grant):
    application_for_viewer(viewer=caseworker, number=files[0].number, need=Need.DECISION)

    grant_narrow(account=client_account, grant_id=grant.pk, scope=Grant.Scope.STATUS, may_act=False)

    with pytest.raises(Http404):
        application_for_viewer(viewer=caseworker, number=files[0].number, need=Need.DECISION)
    assert application_for_viewer(viewer=caseworker, number=files[0].number).pk == files[0].pk
    assert (reload(grant).scope, grant.may_act) == (Grant.Scope.STATUS, False)
    changed = AuditEvent.objects.get(action=AuditAction.GRANT_CHANGED)
    assert changed.extra["before"]["scope"] == Grant.Scope.DECISION
    assert in_app(caseworker, Kind.DELEGATE_ACCESS).count() == 1


def test_narrowing_an_end_date_ends_sooner(client_account, grant):
    last_day = timezone.localdate() + datetime.timedelta(days=10)
    grant_narrow(account=client_account, grant_id=grant.pk, last_day=last_day)
    assert timezone.localtime(reload(grant).expires_at).date() == last_day + datetime.timedelta(days=1)


@pytest.mark.parametrize(
    "wider",
    [
        {"scope": Grant.Scope.NOTES},
        {"last_day": datetime.date(2099, 1, 1)},
        {"last_day": datetime.date(2000, 1, 1)},
    ],
)
def test_narrowing_never_widens(client_account, grant, wider):
    before = (grant.scope, grant.may_act, grant.expires_at)
    with pytest.raises(ValidationError):
        grant_narrow(account=client_account, grant_id=grant.pk, **wider)
    reload(grant)
    assert (grant.scope, grant.may_act, grant.expires_at) == before


def test_acting_for_the_client_cannot_be_added_by_narrowing(client_account, files, office):
    grant = GrantFactory(application=files[0], organisation=office, may_act=False)
    with pytest.raises(ValidationError):
        grant_narrow(account=client_account, grant_id=grant.pk, may_act=True)


def test_the_narrow_page_offers_only_less(client, client_account, grant):
    sign_in(client, client_account)
    url = reverse("access:narrow", kwargs={"grant_id": grant.pk})
    page = client.get(url).content.decode()
    assert 'value="notes"' not in page and 'value="decision"' in page

    assert client.post(url, {"scope": "notes"}).status_code == 400
    assert client.post(url, {"scope": "status"}).status_code == 302
    assert reload(grant).scope == Grant.Scope.STATUS


@pytest.mark.parametrize("page", ["access:narrow", "access:revoke", "access:answer"])
def test_another_clients_grant_is_not_found(client, other_applicant, grant, page):
    sign_in(client, other_applicant)
    url = reverse(page, kwargs={"grant_id": grant.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"scope": "status"}).status_code == 404
    assert reload(grant).state == Grant.State.ACTIVE


def test_another_clients_grant_cannot_be_revoked_by_the_service(other_applicant, grant):
    with pytest.raises(Http404):
        grant_revoke_by_client(account=other_applicant, grant_id=grant.pk)
    with pytest.raises(Http404):
        grant_narrow(account=other_applicant, grant_id=grant.pk, scope=Grant.Scope.STATUS)
    assert reload(grant).state == Grant.State.ACTIVE


def test_the_page_lists_every_grant(client, client_account, files, office, grant):
    GrantFactory(application=files[1], organisation=office, state=Grant.State.REVOKED, revoked_at=timezone.now())
    sign_in(client, client_account)
    page = client.get(reverse("access:index")).content.decode()
    assert page.count("Office of the Member for Papineau") >= 2
    assert reverse("access:revoke", kwargs={"grant_id": grant.pk}) in page
    assert "Revoked" in page


def test_the_page_is_anonymous_proof(client):
    assert client.get(reverse("access:index")).status_code == 302


@pytest.mark.parametrize("language", ["en", "fr"])
def test_every_consent_page_renders_in_both_languages(client, client_account, files, office, caseworker, language):
    from django.utils import translation

    from delegations.consent import grant_request

    grant = GrantFactory(application=files[0], organisation=office)
    grant_request(
        requester=caseworker, number=files[1].number, family_name="Gagnon-Lévesque", kind="", organisation=office
    )
    requested = Grant.objects.get(state=Grant.State.REQUESTED)
    with translation.override(language):
        client_pages = [
            reverse("access:index"),
            reverse("access:give"),
            reverse("access:narrow", kwargs={"grant_id": grant.pk}),
            reverse("access:revoke", kwargs={"grant_id": grant.pk}),
            reverse("access:answer", kwargs={"grant_id": requested.pk}),
        ]
        grantee_pages = [reverse("consent:ask"), reverse("consent:invitations")]
    sign_in(client, client_account)
    for url in client_pages:
        answer = client.get(url)
        assert answer.status_code == 200, url
        assert f'lang="{language}"' in answer.content.decode()
    sign_in(client, caseworker)
    for url in grantee_pages:
        assert client.get(url).status_code == 200, url


def test_my_applications_links_to_who_can_see_my_files(client, client_account):
    sign_in(client, client_account)
    assert reverse("access:index") in client.get(reverse("applications:list")).content.decode()
