"""Giving consent online: each kind of grantee, the least scope by default, the office's 12 months, the checks."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from applications.models import Grant
from core.dates import add_months
from core.models import AuditAction, AuditEvent
from delegations.consent import GranteeChoice, day_start, grant_give
from notifications.models import Kind
from tests.delegations.consent_support import *  # noqa: F403 (its fixtures)
from tests.delegations.consent_support import SIGNATURE, in_app
from tests.factories import sign_in


def give(account, **choices):
    choices.setdefault("kind", Grant.Kind.PARLIAMENTARY)
    choices.setdefault("signed_name", SIGNATURE)
    return grant_give(account=account, **choices)


def test_it_gives_an_office_status_only_access_to_one_application(client_account, files, office, caseworker):
    (grant,) = give(client_account, grantee=GranteeChoice(organisation=office), applications=[files[0]])

    assert grant.state == Grant.State.ACTIVE
    assert grant.scope == Grant.Scope.STATUS
    assert grant.may_act is False
    assert grant.source == Grant.Source.ONLINE
    assert grant.given_by == client_account
    assert grant.signed_name == SIGNATURE
    assert files[0].number in grant.consent_text_en and files[0].number in grant.consent_text_fr
    assert "I, Marie Gagnon-Lévesque, allow" in grant.consent_text_en
    assert grant.consent_text_fr != grant.consent_text_en
    assert AuditEvent.objects.filter(action=AuditAction.GRANT_GIVEN, case_number=files[0].number).count() == 1
    assert in_app(client_account, Kind.ACCESS_CHANGED).count() == 1
    assert in_app(caseworker, Kind.DELEGATE_ACCESS).count() == 1


def test_a_parliamentary_office_access_ends_after_twelve_months_at_most(client_account, files, office):
    today = timezone.localdate()
    (capped,) = give(
        client_account,
        grantee=GranteeChoice(organisation=office),
        applications=[files[0]],
        last_day=today + datetime.timedelta(days=800),
    )
    (shorter,) = give(
        client_account,
        grantee=GranteeChoice(organisation=office),
        applications=[files[1]],
        last_day=today + datetime.timedelta(days=30),
    )

    assert capped.expires_at == day_start(add_months(today, months=12))
    assert shorter.expires_at == day_start(today + datetime.timedelta(days=31))


def test_an_office_without_an_end_date_gets_twelve_months(client_account, files, office):
    (grant,) = give(client_account, grantee=GranteeChoice(organisation=office), applications=None)

    assert grant.application is None
    assert grant.expires_at == day_start(add_months(timezone.localdate(), months=12))
    assert "all my applications" in grant.consent_text_en


def test_several_applications_give_one_grant_each(client_account, files, firm, lawyer):
    grants = give(
        client_account,
        kind=Grant.Kind.REPRESENTATIVE_PAID,
        grantee=GranteeChoice(organisation=firm),
        applications=files,
        licence_number="LSO-12345",
        scope=Grant.Scope.DECISION,
    )

    assert sorted(grant.application_id for grant in grants) == sorted(file.pk for file in files)
    assert {grant.licence_number for grant in grants} == {"LSO-12345"}
    assert all(grant.expires_at is None for grant in grants)
    assert in_app(lawyer, Kind.DELEGATE_ACCESS).count() == 2


def test_a_person_is_invited_until_they_accept(client_account, files):
    (grant,) = give(
        client_account,
        kind=Grant.Kind.DESIGNATED,
        grantee=GranteeChoice(email="Brother@Example.com", name="Paul Gagnon"),
        applications=[files[0]],
    )

    assert grant.state == Grant.State.INVITED
    assert grant.grantee_email == "brother@example.com"
    assert grant.grantee_account is None
    from notifications.models import Notification

    invitation = Notification.objects.get(address="brother@example.com", kind=Kind.DELEGATE_ACCESS)
    assert invitation.recipient is None


@pytest.mark.parametrize(
    ("choices", "field"),
    [
        ({"signed_name": ""}, "signed_name"),
        ({"signed_name": "Marie Tremblay"}, "signed_name"),
        ({"last_day": datetime.date(2000, 1, 1)}, "last_day"),
        ({"kind": Grant.Kind.DESIGNATED}, "kind"),
        ({"applications": []}, "applications"),
    ],
)
def test_it_refuses_choices_that_do_not_hold(client_account, files, office, choices, field):
    choices = {"grantee": GranteeChoice(organisation=office), "applications": [files[0]], **choices}
    with pytest.raises(ValidationError) as refused:
        give(client_account, **choices)
    assert field in refused.value.message_dict
    assert not Grant.objects.exists()


def test_a_paid_representative_needs_a_licence(client_account, files):
    with pytest.raises(ValidationError) as refused:
        give(
            client_account,
            kind=Grant.Kind.REPRESENTATIVE_PAID,
            grantee=GranteeChoice(email="rep@example.com", name="Rep"),
            applications=[files[0]],
        )
    assert "licence_number" in refused.value.message_dict


def test_an_unverified_office_cannot_be_chosen(client_account, files, office):
    office.verified_at = None
    office.save()
    with pytest.raises(ValidationError) as refused:
        give(client_account, grantee=GranteeChoice(organisation=office), applications=[files[0]])
    assert "organisation" in refused.value.message_dict


def test_the_signature_ignores_accents_case_and_hyphens(client_account, files, office):
    (grant,) = give(
        client_account,
        grantee=GranteeChoice(organisation=office),
        applications=[files[0]],
        signed_name="  marie GAGNON levesque ",
    )
    assert grant.signed_name == "marie GAGNON levesque"


def test_another_clients_application_cannot_be_given(client_account, files, office, other_application):
    with pytest.raises(ValidationError):
        give(client_account, grantee=GranteeChoice(organisation=office), applications=[other_application])


# --- the page --------------------------------------------------------------------------------------------


def choose(office, number, **extra):
    return {"step": "choose", "grantee_type": "office", "office": office.pk, "applications": [number], **extra}


def test_the_page_shows_the_consent_then_gives_access(client, client_account, files, office):
    sign_in(client, client_account)
    url = reverse("access:give")

    assert client.get(url).status_code == 200
    preview = client.post(url, choose(office, files[0].pk, scope="status"))
    assert preview.status_code == 200
    assert "I, Marie Gagnon-Lévesque, allow" in preview.content.decode()
    assert not Grant.objects.exists()

    done = client.post(
        url, choose(office, files[0].pk, scope="status", step="confirm", signed_name=SIGNATURE, confirm="on")
    )
    assert done.status_code == 302
    grant = Grant.objects.get()
    assert grant.consent_language == "en"
    assert grant.scope == Grant.Scope.STATUS


def test_the_page_explains_a_wrong_signature_in_english(client, client_account, files, office):
    sign_in(client, client_account)
    answer = client.post(
        reverse("access:give"),
        choose(office, files[0].pk, scope="status", step="confirm", signed_name="John Smith", confirm="on"),
    )
    assert answer.status_code == 400
    assert "including your family name" in answer.content.decode()
    assert not Grant.objects.exists()


def test_the_page_explains_its_errors_in_french(client, client_account, files, office):
    sign_in(client, client_account)
    with translation.override("fr"):
        url = reverse("access:give")
        answer = client.post(url, {"step": "choose", "grantee_type": "office", "scope": "status"})
        signature = client.post(
            url, choose(office, files[0].pk, scope="status", step="confirm", signed_name="John Smith", confirm="on")
        )
        expected = translation.gettext(
            "Type your full name as it appears on your application, including your family name."
        )
        required = translation.gettext("Choose an office from the list.")
    assert answer.status_code == 400
    assert 'lang="fr"' in answer.content.decode()
    assert required in answer.content.decode()
    assert signature.status_code == 400
    assert escape(expected) in signature.content.decode()  # the French has an apostrophe, escaped in HTML


def test_the_default_choice_is_the_least_scope(client, client_account, files):
    sign_in(client, client_account)
    page = client.get(reverse("access:give")).content.decode()
    scope_inputs = re.findall(r'<input type="radio" name="scope"[^>]*>', page)
    assert [tag for tag in scope_inputs if "checked" in tag] == [tag for tag in scope_inputs if 'value="status"' in tag]
    (may_act,) = re.findall(r'<input type="checkbox" name="may_act"[^>]*>', page)
    assert "checked" not in may_act


def test_a_person_without_a_client_is_sent_to_link_first(client, other_applicant):
    sign_in(client, other_applicant)
    assert client.get(reverse("access:give")).status_code == 302


def test_the_page_invites_a_person_for_all_applications(client, client_account, files):
    sign_in(client, client_account)
    form = {
        "grantee_type": "person",
        "grantee_name": "Paul Gagnon",
        "grantee_email": "paul@example.com",
        "kind": Grant.Kind.DESIGNATED,
        "all_applications": "on",
        "scope": "decision",
    }
    assert client.post(reverse("access:give"), {**form, "step": "choose"}).status_code == 200
    done = client.post(reverse("access:give"), {**form, "step": "confirm", "signed_name": SIGNATURE, "confirm": "on"})
    assert done.status_code == 302
    grant = Grant.objects.get()
    assert (grant.state, grant.application, grant.grantee_email, grant.scope) == (
        Grant.State.INVITED,
        None,
        "paul@example.com",
        Grant.Scope.DECISION,
    )


def test_the_page_refuses_another_clients_application(client, client_account, office, other_application):
    sign_in(client, client_account)
    answer = client.post(reverse("access:give"), choose(office, other_application.pk, scope="status"))
    assert answer.status_code == 400
    assert not Grant.objects.exists()


def test_changing_the_choices_goes_back_to_the_first_step(client, client_account, files, office):
    sign_in(client, client_account)
    answer = client.post(reverse("access:give"), choose(office, files[0].pk, scope="status", step="edit"))
    assert answer.status_code == 200
    assert "Continue to the consent" in answer.content.decode()
    assert not Grant.objects.exists()


def test_the_consent_text_is_stored_in_both_languages_whatever_the_page_language(client_account, files, office):
    with translation.override("fr"):
        (grant,) = give(client_account, grantee=GranteeChoice(organisation=office), applications=[files[0]])
    assert grant.consent_language == "fr"
    assert grant.consent_text_en.startswith("Whom I allow: Office of the Member for Papineau")
    assert "I, Marie Gagnon-Lévesque, allow them to see" in grant.consent_text_en
    assert "Bureau du député de Papineau" in grant.consent_text_fr
