"""applications.access: the one policy. Needs per basis, audited reads, recipients, losing access at once."""

import pytest
from django.http import Http404
from django.urls import reverse

from applications.access import (
    Basis,
    Need,
    application_for_viewer,
    applications_for_viewer,
    audience_q,
    recipients_for,
    visible_q,
)
from applications.models import Application
from applications.services import application_unlink
from core.models import AuditAction, AuditEvent
from tests.factories import ApplicationFactory, UserFactory, link, sign_in_with_second_step


@pytest.fixture
def staff_without_permission(db):
    return UserFactory(email="clerk@example.com", is_staff=True)


PERSONAS = ["anonymous", "owner", "other_applicant", "staff_user", "staff_without_permission", "former_owner"]

# What each persona may reach, by need: True means the application comes back, False a 404.
EXPECTED = {
    "anonymous": {need: False for need in Need},
    "owner": {need: True for need in Need},
    "other_applicant": {need: False for need in Need},
    "staff_user": {Need.STATUS: True, Need.DECISION: True, Need.OFFICER_NOTES: True, Need.ACT_ON_BEHALF: False},
    "staff_without_permission": {need: False for need in Need},
    "former_owner": {need: False for need in Need},
}


@pytest.fixture
def personas(request, applicant, applicant_application, other_applicant, staff_user, staff_without_permission):
    from django.contrib.auth.models import AnonymousUser

    former = UserFactory(email="former@example.com")
    shared = ApplicationFactory(client=applicant_application.client)
    link(user=applicant, application=shared)
    link_former = ApplicationFactory()
    link(user=former, application=link_former)
    application_unlink(account=former, application=link_former)
    return {
        "anonymous": (AnonymousUser(), applicant_application),
        "owner": (applicant, applicant_application),
        "other_applicant": (other_applicant, applicant_application),
        "staff_user": (staff_user, applicant_application),
        "staff_without_permission": (staff_without_permission, applicant_application),
        "former_owner": (former, link_former),
    }


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("need", list(Need))
def test_the_policy_table(personas, persona, need):
    viewer, application = personas[persona]
    allowed = EXPECTED[persona][need]
    if allowed:
        found = application_for_viewer(viewer=viewer, number=application.number, need=need)
        assert found.pk == application.pk
    else:
        with pytest.raises(Http404):
            application_for_viewer(viewer=viewer, number=application.number, need=need)
    in_filter = Application.objects.filter(visible_q(viewer=viewer, need=need), pk=application.pk).exists()
    assert in_filter == allowed


def test_a_number_that_does_not_exist_looks_like_someone_elses(applicant):
    with pytest.raises(Http404):
        application_for_viewer(viewer=applicant, number="E000000001")


def test_numbers_are_matched_without_spaces_or_case(applicant, applicant_application):
    number = " " + applicant_application.number.lower()
    assert application_for_viewer(viewer=applicant, number=number).pk == applicant_application.pk


def test_owners_reads_are_not_audited_but_staff_reads_are(applicant, applicant_application, staff_user):
    application_for_viewer(viewer=applicant, number=applicant_application.number)
    assert not AuditEvent.objects.filter(action=AuditAction.CASE_READ).exists()
    found = application_for_viewer(viewer=staff_user, number=applicant_application.number, need=Need.DECISION)
    assert found.viewer_basis is Basis.STAFF
    event = AuditEvent.objects.get(action=AuditAction.CASE_READ)
    assert (event.actor, event.case_number, event.basis) == (staff_user, applicant_application.number, "staff")
    assert event.extra == {"need": "decision"}


def test_a_staff_read_of_the_status_page_is_audited_with_the_address(client, staff_user, applicant_application):
    sign_in_with_second_step(client, staff_user)
    response = client.get(reverse("applications:detail", args=[applicant_application.number]), REMOTE_ADDR="192.0.2.9")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.CASE_READ)
    assert event.ip_address == "192.0.2.9"


def test_staff_who_own_a_file_read_it_as_owners(staff_user):
    own = ApplicationFactory()
    link(user=staff_user, application=own)
    assert application_for_viewer(viewer=staff_user, number=own.number).viewer_basis is Basis.OWNER
    assert not AuditEvent.objects.exists()


def test_my_applications_lists_only_what_the_viewer_holds(
    applicant, applicant_application, staff_user, other_application
):
    assert list(applications_for_viewer(viewer=applicant)) == [applicant_application]
    assert list(applications_for_viewer(viewer=staff_user)) == []


def test_recipients_are_the_active_owners_only(applicant, applicant_application, other_application, staff_user):
    silent = ApplicationFactory()
    recipients = recipients_for(application_ids=[applicant_application.pk, other_application.pk, silent.pk])
    assert recipients[applicant_application.pk] == [applicant]
    assert silent.pk not in recipients
    applicant.is_active = False
    applicant.save(update_fields=["is_active"])
    assert applicant_application.pk not in recipients_for(application_ids=[applicant_application.pk])
    assert not Application.objects.filter(audience_q(), pk=applicant_application.pk).exists()


def test_unlinking_hides_the_file_and_its_recipient_at_once(applicant, applicant_application):
    application_unlink(account=applicant, application=applicant_application)
    with pytest.raises(Http404):
        application_for_viewer(viewer=applicant, number=applicant_application.number)
    assert recipients_for(application_ids=[applicant_application.pk]) == {}
    assert not applications_for_viewer(viewer=applicant).exists()


def test_the_gate_reads_each_file_for_each_viewer_in_one_query_with_what_its_pages_show(
    applicant, applicant_application, other_applicant, other_application, django_assert_num_queries
):
    """The gate's query is compiled once per process and run with each number and viewer (access.py)."""
    for viewer, application in [(applicant, applicant_application), (other_applicant, other_application)]:
        with django_assert_num_queries(1):
            found = application_for_viewer(viewer=viewer, number=f" {application.number.lower()} ")
            assert (found.pk, found.number) == (application.pk, application.number)
            assert found.program.name == application.program.name
            assert found.client.family_name == application.client.family_name
            assert found.current_stage_id == application.current_stage_id
        assert found.viewer_basis is Basis.OWNER
    for viewer, number in [(other_applicant, applicant_application.number), (applicant, "E999999999")]:
        with pytest.raises(Http404):
            application_for_viewer(viewer=viewer, number=number)
