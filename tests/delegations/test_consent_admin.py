"""Staff record consent from a signed paper form with its scan, read grants, and revoke on the client's word."""

import datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from applications.models import Grant
from core.models import AuditAction, AuditEvent
from delegations.consent_models import ConsentEvidence
from notifications.models import Kind
from tests.delegations.consent_support import *  # noqa: F403 (its fixtures)
from tests.delegations.consent_support import in_app, reload
from tests.delegations.factories import GrantFactory
from tests.enquiries.documents_support import pdf_bytes, stored_files, upload, use_documents_root
from tests.factories import UserFactory, sign_in


@pytest.fixture
def clerk(db):
    """Staff allowed to record and revoke grants, not a superuser."""
    user = UserFactory(email="clerk@example.com", is_staff=True)
    for codename in ("add_grant", "change_grant", "view_grant", "view_consentevidence"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def store(settings, tmp_path):
    return use_documents_root(settings, tmp_path)


def paper_form(files, office, **fields):
    return {
        "uci": files[0].client.uci,
        "application_numbers": files[0].number,
        "organisation": office.pk,
        "kind": Grant.Kind.PARLIAMENTARY,
        "scope": "status",
        "signed_name": "Marie Gagnon-Lévesque",
        "signed_on": (timezone.localdate() - datetime.timedelta(days=2)).isoformat(),
        "consent_language": "fr",
        "scan": upload("formulaire.pdf", pdf_bytes(), "application/pdf"),
        **fields,
    }


def test_staff_record_a_paper_consent_with_its_scan(client, clerk, client_account, files, office, caseworker, store):
    sign_in(client, clerk)
    url = reverse("admin:applications_grant_add")
    assert client.get(url).status_code == 200

    answer = client.post(url, paper_form(files, office))

    assert answer.status_code == 302, answer.content.decode()[:2000]
    grant = Grant.objects.get()
    assert (grant.source, grant.state, grant.given_by, grant.consent_language) == (
        Grant.Source.PAPER,
        Grant.State.ACTIVE,
        clerk,
        "fr",
    )
    evidence = ConsentEvidence.objects.get()
    assert list(evidence.grants.all()) == [grant]
    assert evidence.content_type == "application/pdf"
    assert len(stored_files(store)) == 1
    event = AuditEvent.objects.get(action=AuditAction.GRANT_GIVEN)
    assert (event.case_number, event.basis, event.extra["evidence"]) == (files[0].number, "staff", evidence.pk)
    assert in_app(client_account, Kind.ACCESS_CHANGED).count() == 1
    assert in_app(caseworker, Kind.DELEGATE_ACCESS).count() == 1


def test_a_refused_scan_records_nothing(client, clerk, files, office, store):
    sign_in(client, clerk)
    answer = client.post(
        reverse("admin:applications_grant_add"),
        paper_form(files, office, scan=upload("form.pdf", b"not a pdf at all", "application/pdf")),
    )
    assert answer.status_code == 400
    assert not Grant.objects.exists() and not ConsentEvidence.objects.exists()
    assert stored_files(store) == []


def test_another_clients_application_cannot_be_named(client, clerk, files, office, other_application, store):
    sign_in(client, clerk)
    answer = client.post(
        reverse("admin:applications_grant_add"), paper_form(files, office, application_numbers=other_application.number)
    )
    assert answer.status_code == 400
    assert not Grant.objects.exists()


def test_staff_without_the_permission_cannot_record(client, staff_user, files, office, store):
    sign_in(client, staff_user)
    assert client.get(reverse("admin:applications_grant_add")).status_code == 403


def test_the_revoke_action_is_audited_and_effective(client, clerk, client_account, files, office, caseworker):
    grant = GrantFactory(application=files[0], organisation=office)
    sign_in(client, clerk)
    answer = client.post(
        reverse("admin:applications_grant_changelist"),
        {"action": "revoke_selected", "_selected_action": [grant.pk]},
    )
    assert answer.status_code == 302
    assert reload(grant).state == Grant.State.REVOKED and grant.revoked_by == clerk
    event = AuditEvent.objects.get(action=AuditAction.GRANT_REVOKED)
    assert (event.actor, event.basis, event.case_number) == (clerk, "staff", files[0].number)
    sign_in(client, caseworker)
    assert client.get(reverse("applications:detail", kwargs={"number": files[0].number})).status_code == 404


def test_the_grant_page_is_read_only(client, clerk, files, office):
    grant = GrantFactory(application=files[0], organisation=office)
    sign_in(client, clerk)
    page = client.get(reverse("admin:applications_grant_change", args=[grant.pk]))
    assert page.status_code == 200
    client.post(reverse("admin:applications_grant_change", args=[grant.pk]), {"scope": "notes"})
    assert reload(grant).scope == Grant.Scope.STATUS


def test_opening_a_scan_is_audited(client, clerk, files, office, store):
    sign_in(client, clerk)
    client.post(reverse("admin:applications_grant_add"), paper_form(files, office))
    evidence = ConsentEvidence.objects.get()
    answer = client.get(reverse("admin:delegations_consentevidence_scan", args=[evidence.pk]))
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content).startswith(b"%PDF")
    assert AuditEvent.objects.filter(action=AuditAction.DOCUMENT_READ, subject_type="consent_evidence").count() == 1
