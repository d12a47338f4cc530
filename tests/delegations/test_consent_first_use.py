"""The first read under a grant tells the client exactly once, even when several reads arrive together."""

import pytest
from django.urls import reverse

from applications.access import application_for_viewer
from notifications.models import Kind, Notification
from tests.concurrency import in_parallel
from tests.delegations.consent_support import *  # noqa: F403 (its fixtures)
from tests.delegations.consent_support import in_app, reload
from tests.delegations.factories import GrantFactory, MemberFactory
from tests.factories import sign_in


def test_the_first_read_tells_the_client(client, client_account, files, office, caseworker):
    grant = GrantFactory(application=files[0], organisation=office)
    sign_in(client, caseworker)
    status_page = reverse("applications:detail", kwargs={"number": files[0].number})

    client.get(status_page)
    client.get(status_page)

    told = in_app(client_account, Kind.ACCESS_CHANGED).get()
    assert told.dedupe_key == f"grant:{grant.pk}:first_used"
    assert "Caseworker A. Tremblay, Office of the Member for Papineau" in told.message_en
    assert "Bureau du député de Papineau" in told.message_fr
    assert files[0].number in told.message_en
    assert reload(grant).first_used_at is not None


def test_a_second_grant_tells_again_once(client_account, files, office, caseworker):
    GrantFactory(application=files[0], organisation=office)
    GrantFactory(application=files[1], organisation=office)
    for _ in range(3):
        application_for_viewer(viewer=caseworker, number=files[0].number)
        application_for_viewer(viewer=caseworker, number=files[1].number)
    assert in_app(client_account, Kind.ACCESS_CHANGED).count() == 2


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests empty every table afterwards, the programs the migrations loaded included."""
    from applications.models import Program, ProgramStage, Stage
    from applications.reference_data import reference_data_load

    reference_data_load(stage_model=Stage, program_model=Program, program_stage_model=ProgramStage)


@pytest.mark.django_db(transaction=True)
def test_parallel_first_reads_tell_the_client_once(reference_data, client_account, files, office):
    grant = GrantFactory(application=files[0], organisation=office)
    readers = [MemberFactory(organisation=office).account for _ in range(8)]

    results = in_parallel(
        [lambda reader=reader: application_for_viewer(viewer=reader, number=files[0].number).pk for reader in readers]
    )

    assert results == [files[0].pk] * len(readers)
    rows = Notification.objects.filter(recipient=client_account, dedupe_key=f"grant:{grant.pk}:first_used")
    assert rows.filter(channel="in_app").count() == 1
    assert rows.filter(channel="email").count() == 1
