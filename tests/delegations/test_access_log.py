"""The client's access log: who else opened their files, in plain words, in a constant number of queries."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from applications.access import Need, application_for_viewer
from applications.audit import case_audit_record
from applications.models import Grant
from core.models import AuditAction, AuditEvent
from delegations.access_log import access_log_page
from delegations.consent import GranteeChoice, grant_give, grant_revoke_by_client
from tests.delegations.consent_support import *  # noqa: F403 (its fixtures)
from tests.delegations.consent_support import SIGNATURE
from tests.delegations.factories import GrantFactory, person_grant
from tests.factories import UserFactory, sign_in


def at(event: AuditEvent, when: datetime.datetime) -> None:
    AuditEvent.objects.filter(pk=event.pk).update(occurred_at=when)


MARCH_12 = datetime.datetime(2027, 3, 12, 14, 2, tzinfo=zoneinfo.ZoneInfo("America/Toronto"))


class FakeMatch:
    url_name = "detail"


class FakeRequest:
    resolver_match = FakeMatch()
    META: dict = {"REMOTE_ADDR": "127.0.0.1"}


def sentences(account, language="en"):
    with translation.override(language):
        _page, entries = access_log_page(account=account, page_number=1)
    return [entry.sentence for entry in entries]


def test_a_caseworkers_read_reads_as_a_sentence(client_account, files, office, caseworker):
    GrantFactory(application=files[0], organisation=office)
    application_for_viewer(viewer=caseworker, number=files[0].number, request=FakeRequest())
    at(AuditEvent.objects.get(action=AuditAction.CASE_READ), MARCH_12)

    (english,) = sentences(client_account)
    (french,) = sentences(client_account, "fr")

    assert english == (
        "Caseworker A. Tremblay, Office of the Member for Papineau, looked at the status page of your "
        f"application {files[0].number} on March 12, 2027 at 2:02 p.m."
    )
    assert "Bureau du député de Papineau" in french
    assert "12 mars 2027" in french and "14 h 02" in french


def test_staff_reads_name_no_one(client_account, files, staff_user):
    application_for_viewer(viewer=staff_user, number=files[0].number, need=Need.DECISION)
    (sentence,) = sentences(client_account)
    assert sentence.startswith("An employee of the department looked at the decision on your application")
    assert staff_user.email not in sentence


def test_a_designated_person_is_named(client_account, files):
    paul = UserFactory(first_name="Paul", last_name="Gagnon")
    person_grant(application=files[1], account=paul)
    application_for_viewer(viewer=paul, number=files[1].number)
    (sentence,) = sentences(client_account)
    assert sentence.startswith(f"P. Gagnon looked at the status page of your application {files[1].number}")


def test_a_check_without_signing_in_is_shown(client_account, files):
    case_audit_record(action=AuditAction.STATUS_CHECKED, application=files[0], actor=None, basis="anonymous")
    (sentence,) = sentences(client_account)
    assert sentence.startswith(f"Someone checked the status of your application {files[0].number} without signing in")


def test_the_clients_own_doings_and_other_files_are_left_out(
    client_account, files, office, other_application, staff_user
):
    grant_give(
        account=client_account,
        kind=Grant.Kind.PARLIAMENTARY,
        grantee=GranteeChoice(organisation=office),
        applications=[files[0]],
        signed_name=SIGNATURE,
    )
    grant_revoke_by_client(account=client_account, grant_id=Grant.objects.get().pk)
    application_for_viewer(viewer=staff_user, number=other_application.number)
    assert sentences(client_account) == []


def test_a_request_and_an_all_files_grant_change_are_shown(client_account, files, office, caseworker, staff_user):
    from delegations.consent import Basis, grant_request, grant_revoke

    grant_request(
        requester=caseworker, number=files[0].number, family_name="Gagnon-Lévesque", kind="", organisation=office
    )
    everything = GrantFactory(client=files[0].client, application=None, organisation=office)
    grant_revoke(actor=staff_user, grant=everything, basis=Basis.STAFF)

    found = sentences(client_account)
    assert any("asked you for access to your application" in sentence for sentence in found)
    assert any(
        sentence.startswith("An employee of the department ended the access of Office of the Member for Papineau")
        for sentence in found
    )


def make_reads(*, files, readers, count):
    rows = []
    for index in range(count):
        reader = readers[index % len(readers)]
        rows.append(
            AuditEvent(
                action=AuditAction.CASE_READ,
                actor=reader["account"],
                subject_type="application",
                subject_id=str(files[0].pk),
                case_number=files[0].number,
                basis=reader["basis"],
                extra=reader["extra"],
            )
        )
    AuditEvent.objects.bulk_create(rows)


@pytest.fixture
def readers(office, caseworker, staff_user):
    organisation = {
        "page": "detail",
        "need": "status",
        "organisation": office.pk,
        "organisation_en": office.name_en,
        "organisation_fr": office.name_fr,
    }
    others = [UserFactory(last_name=f"Reader{index}") for index in range(5)]
    return [
        {"account": caseworker, "basis": "grantee", "extra": organisation},
        {"account": staff_user, "basis": "staff", "extra": {"need": "status"}},
        *({"account": other, "basis": "grantee", "extra": {"need": "decision"}} for other in others),
    ]


def page_queries(client, account) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("access:index"))
    assert response.status_code == 200
    return len(captured)


def test_the_page_costs_the_same_whatever_the_log_length(client, client_account, files, readers):
    sign_in(client, client_account)
    make_reads(files=files, readers=readers, count=3)
    client.get(reverse("access:index"))  # the first page of a session loads what later ones reuse
    few = page_queries(client, client_account)
    make_reads(files=files, readers=readers, count=200)
    many = page_queries(client, client_account)
    assert many == few
    assert many <= 12


def test_the_log_is_paginated(client, client_account, files, readers):
    sign_in(client, client_account)
    make_reads(files=files, readers=readers, count=60)
    first = client.get(reverse("access:index")).content.decode()
    third = client.get(reverse("access:index") + "?page=3").content.decode()
    assert first.count("looked at") == 25
    assert third.count("looked at") == 10
    assert "Page 3 of 3" in third


def test_the_log_query_uses_the_case_number_index(client_account, files, office):
    from delegations.access_log import access_log_events

    GrantFactory(client=files[0].client, application=None, organisation=office)
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action=AuditAction.CASE_READ,
            subject_type="application",
            subject_id=str(index),
            case_number=f"X{index:09d}",
            basis="staff",
        )
        for index in range(5000)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE core_auditevent")
    plan = access_log_events(account=client_account).explain()
    assert "audit_case_idx" in plan
    assert "Seq Scan on core_auditevent" not in plan


def test_the_log_lists_newest_first(client_account, files, staff_user):
    first = case_audit_record(action=AuditAction.CASE_READ, application=files[0], actor=staff_user, basis="staff")
    second = case_audit_record(action=AuditAction.CASE_READ, application=files[1], actor=staff_user, basis="staff")
    at(first, timezone.now() - datetime.timedelta(days=2))
    found = sentences(client_account)
    assert files[1].number in found[0] and files[0].number in found[1]
    assert second.pk
