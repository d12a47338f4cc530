"""News about a file for the people the client let follow it: who is told, how it reads, and what is withdrawn.

Personas: the client who owns the file (`applicant`), two caseworkers of a verified MP's
office holding the client's status-only grant, and a designated person with a wider grant.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Grant
from notifications.content import message_render
from notifications.models import Channel, Kind, Notification, State
from notifications.selectors import visible_in_app_notifications
from notifications.services import (
    Outcome,
    digests_create,
    notification_deliver,
    notifications_deliver_many,
    notifications_withdraw_unseen,
)
from status_tracker.models import EventKind
from tests.delegations.factories import GrantFactory, MemberFactory, OrganisationFactory, person_grant
from tests.factories import UserFactory, ingest_event, sign_in_with_second_step
from tests.notifications_support import make_event, make_notification, running_fake_notify

EVENT_MESSAGE_EN = "We received your biometrics."
EVENT_MESSAGE_FR = "Nous avons reçu vos données biométriques."


@pytest.fixture(autouse=True)
def site_url(settings):
    settings.SITE_URL = "https://portal.example.gc.ca"
    settings.ENQUIRY_URL = "https://example.gc.ca/enquiry"


@pytest.fixture
def office(db):
    return OrganisationFactory(name_en="Office of the Member for Papineau", name_fr="Bureau du député de Papineau")


@pytest.fixture
def first_member(office):
    return MemberFactory(organisation=office).account


@pytest.fixture
def second_member(office):
    return MemberFactory(organisation=office).account


@pytest.fixture
def grant(applicant_application, office, first_member, second_member):
    """The client's status-only consent to the office, whose two caseworkers follow the file."""
    return GrantFactory(application=applicant_application, organisation=office)


def stage_event(application, *, notify=True):
    return ingest_event(
        application=application,
        kind=EventKind.STAGE,
        stage="completeness",
        state="in_progress",
        message_en=EVENT_MESSAGE_EN,
        message_fr=EVENT_MESSAGE_FR,
        notify=notify,
    )


def told(*, channel=Channel.IN_APP, kind=None) -> set:
    rows = Notification.objects.filter(channel=channel)
    if kind is not None:
        rows = rows.filter(kind=kind)
    return {row.recipient for row in rows}


def email_to(person) -> Notification:
    return Notification.objects.get(recipient=person, channel=Channel.EMAIL)


# ---- Who is told -------------------------------------------------------------------------------


def test_a_status_event_tells_the_owner_and_both_members_of_the_office(
    applicant, applicant_application, grant, first_member, second_member
):
    stage_event(applicant_application)

    assert told(channel=Channel.IN_APP) == {applicant, first_member, second_member}
    assert told(channel=Channel.EMAIL) == {applicant, first_member, second_member}


@pytest.mark.parametrize(
    "change",
    [
        {"state": Grant.State.REVOKED, "revoked_at": timezone.now()},
        {"expires_at": timezone.now() - datetime.timedelta(hours=1)},
        {"state": Grant.State.REQUESTED},
    ],
    ids=["revoked", "expired", "not-yet-given"],
)
def test_a_grant_not_in_force_tells_the_office_nothing(applicant, applicant_application, grant, change):
    Grant.objects.filter(pk=grant.pk).update(**change)

    stage_event(applicant_application)

    assert told() == {applicant}


def test_a_removed_member_is_not_told_and_the_other_still_is(
    applicant, applicant_application, grant, first_member, second_member
):
    first_member.organisation_memberships.update(removed_at=timezone.now())

    stage_event(applicant_application)

    assert told() == {applicant, second_member}


def test_an_unverified_office_is_not_told(applicant, applicant_application, grant, office):
    office.verified_at = None
    office.save(update_fields=["verified_at"])

    stage_event(applicant_application)

    assert told() == {applicant}


def test_a_decision_reaches_only_grantees_whose_scope_includes_decisions(
    applicant, applicant_application, grant, first_member
):
    sister = UserFactory(email="sister@example.com")
    person_grant(application=applicant_application, account=sister, scope=Grant.Scope.DECISION)

    ingest_event(application=applicant_application, kind=EventKind.DECISION, outcome="approved", notify=True)

    assert told(kind=Kind.DECISION) == {applicant, sister}
    body = message_render(notification=email_to(sister)).body
    assert "approved" not in body.lower()
    assert "we do not put the decision in an email" in body


# ---- Withdrawn when access ends before delivery ------------------------------------------------


def test_messages_written_before_the_grant_was_revoked_are_withdrawn_and_hidden(
    applicant, applicant_application, grant, first_member, second_member
):
    stage_event(applicant_application)
    pending = list(Notification.objects.filter(state=State.PENDING).values_list("pk", flat=True))
    Grant.objects.filter(pk=grant.pk).update(state=Grant.State.REVOKED, revoked_at=timezone.now())

    withdrawn = notifications_withdraw_unseen(notification_ids=pending)

    assert withdrawn == 2
    assert email_to(first_member).state == State.WITHDRAWN
    assert email_to(second_member).state == State.WITHDRAWN
    assert email_to(applicant).state == State.PENDING
    assert not visible_in_app_notifications(user=first_member).exists()
    assert visible_in_app_notifications(user=applicant).count() == 1


def test_a_member_removed_after_the_message_was_written_gets_it_withdrawn_at_delivery(
    applicant_application, grant, first_member, second_member
):
    stage_event(applicant_application)
    first_member.organisation_memberships.update(removed_at=timezone.now())

    assert notification_deliver(notification_id=email_to(first_member).pk) == Outcome.WITHDRAWN
    assert email_to(first_member).state == State.WITHDRAWN
    assert email_to(second_member).state == State.PENDING


def test_held_digest_rows_of_a_revoked_grant_never_reach_the_digest(applicant_application, grant, first_member):
    from notifications.models import NotificationPreference

    NotificationPreference.objects.create(user=first_member, daily_digest=True)
    stage_event(applicant_application)
    assert email_to(first_member).state == State.HELD
    Grant.objects.filter(pk=grant.pk).update(state=Grant.State.REVOKED, revoked_at=timezone.now())

    assert digests_create() == []
    assert email_to(first_member).state == State.WITHDRAWN


# ---- How it reads ------------------------------------------------------------------------------


def test_the_owner_reads_about_their_application_and_a_member_about_the_one_they_follow(
    applicant, applicant_application, grant, first_member
):
    stage_event(applicant_application)
    number = applicant_application.number

    owner = message_render(notification=email_to(applicant))
    member = message_render(notification=email_to(first_member))

    assert owner.subject == f"Update on your application {number}"
    assert "There is an update on your application" in owner.body
    assert member.subject == f"Update on application {number} that you follow"
    assert f"There is an update on the application {number}" in member.body
    assert "that you follow for M. T." in member.body
    assert f"What we told the client:\n{EVENT_MESSAGE_EN}" in member.body
    assert "your application" not in member.body.lower()
    assert "clients gave you access to their application files" in member.body
    # Never the client's full name by email.
    assert applicant_application.client.family_name not in member.body + member.subject


@pytest.mark.parametrize(
    ("kind", "subject", "phrase"),
    [
        (
            Kind.ACTION_REQUIRED,
            "Action needed on application {number} that you follow",
            "We need something from the client",
        ),
        (Kind.DECISION, "A decision has been made on application {number} that you follow", "For the client's privacy"),
        (
            Kind.OVERDUE,
            "Application {number} that you follow is taking longer than usual",
            "past the normal processing",
        ),
    ],
)
def test_each_kind_of_news_reads_as_a_followed_file(applicant_application, grant, first_member, kind, subject, phrase):
    row = make_notification(recipient=first_member, application=applicant_application, kind=kind)

    email = message_render(notification=row)
    text = message_render(
        notification=make_notification(
            recipient=first_member, application=applicant_application, kind=kind, channel=Channel.SMS
        )
    )

    assert email.subject == subject.format(number=applicant_application.number)
    assert phrase in email.body
    assert "M. T." in email.body
    assert "your application" not in email.body.lower()
    assert "that you follow for M. T." in text.body
    assert "your application" not in text.body.lower()


def test_a_grantee_with_their_own_file_reads_about_their_own_as_theirs(applicant, applicant_application, grant):
    """The same person may own one file and follow another: each message reads for its own file."""
    from tests.factories import ApplicationFactory, link

    own = ApplicationFactory()
    member = grant.organisation.members.first().account
    link(user=member, application=own)

    mine = message_render(notification=make_notification(recipient=member, application=own))
    followed = message_render(notification=make_notification(recipient=member, application=applicant_application))

    assert mine.subject == f"Update on your application {own.number}"
    assert followed.subject == f"Update on application {applicant_application.number} that you follow"


def test_a_delivery_task_reads_who_follows_its_files_once_and_sends_each_its_own_wording(
    applicant, applicant_application, grant, first_member, second_member, django_assert_num_queries, settings
):
    """Per row, only the claim and the finish: the followers' initials are read once for the task."""
    stage_event(applicant_application)
    ids = [email_to(person).pk for person in (applicant, first_member, second_member)]

    with running_fake_notify() as (base_url, store):
        settings.NOTIFY_BASE_URL = base_url
        # Withdraw the unseen, read the rows, read who owns their files; then a claim and a finish per row.
        with django_assert_num_queries(3 + 2 * len(ids)):
            outcomes = notifications_deliver_many(notification_ids=ids)
        sent = {message["email_address"]: message for message in store.messages()}

    assert outcomes == {Outcome.SENT: 3}
    number = applicant_application.number
    assert sent[applicant.email]["subject"] == f"Update on your application {number}"
    for member in (first_member, second_member):
        assert sent[member.email]["subject"] == f"Update on application {number} that you follow"
        assert "that you follow for M. T." in sent[member.email]["body"]


@pytest.mark.parametrize("channel", [Channel.EMAIL, Channel.SMS])
def test_in_french_the_owner_and_the_member_each_read_their_own_wording(
    applicant, applicant_application, grant, first_member, channel
):
    stage_event(applicant_application, notify=False)
    rows = {
        person: make_notification(recipient=person, application=applicant_application, channel=channel, language="fr")
        for person in (applicant, first_member)
    }

    owner = message_render(notification=rows[applicant])
    member = message_render(notification=rows[first_member])

    with translation.override("fr"):
        owner_phrase = translation.gettext("Update on your application %(number)s") % {
            "number": applicant_application.number
        }
    if channel == Channel.EMAIL:
        assert owner.subject == owner_phrase
        assert owner.body.startswith("Bonjour,")
        assert member.body.startswith("Bonjour,")
    assert "M. T." in member.body
    assert "M. T." not in owner.body
    assert member.body != owner.body
    assert "votre demande" not in member.body.lower()


def test_the_unread_badge_counts_the_owners_in_one_query_and_a_followed_file_only_while_the_grant_is_in_force(
    applicant, applicant_application, grant, first_member, django_assert_num_queries
):
    from notifications.selectors import unread_count_for_user

    stage_event(applicant_application)
    stage_event(applicant_application)
    with django_assert_num_queries(1):  # the owner's own file: no access policy query
        assert unread_count_for_user(user=applicant) == 2
    with django_assert_num_queries(2):  # a followed file goes through the grants
        assert unread_count_for_user(user=first_member) == 2
    Grant.objects.filter(pk=grant.pk).update(state=Grant.State.REVOKED, revoked_at=timezone.now())
    assert unread_count_for_user(user=first_member) == 0
    assert unread_count_for_user(user=applicant) == 2


def test_the_notification_centre_tells_a_member_about_the_file_they_follow(
    client, applicant_application, grant, first_member
):
    stage_event(applicant_application)
    sign_in_with_second_step(client, first_member)

    page = client.get(reverse("notifications:centre")).text

    assert applicant_application.number in page
    assert "There is an update on the application you follow for M. T." in page
    assert f"What we told the client: {EVENT_MESSAGE_EN}" in page
    assert "There is an update on your application." not in page


def test_the_centre_still_tells_the_owner_about_their_application(client, applicant, applicant_application, grant):
    stage_event(applicant_application)
    client.force_login(applicant)

    page = client.get(reverse("notifications:centre")).text

    assert "There is an update on your application." in page
    assert "What we told the client:" not in page


def test_a_digest_mixing_own_and_followed_files_reads_for_each(applicant_application, grant, first_member):
    from notifications.models import NotificationPreference
    from tests.factories import ApplicationFactory, link

    own = ApplicationFactory()
    link(user=first_member, application=own)
    NotificationPreference.objects.create(user=first_member, daily_digest=True)
    make_event(application=own)
    stage_event(applicant_application)
    ingest_event(application=own, kind=EventKind.STAGE, stage="completeness", state="in_progress", notify=True)

    (digest_id,) = digests_create()
    body = message_render(notification=Notification.objects.get(pk=digest_id)).body

    assert "the ones you follow" in body
    assert f"{applicant_application.number} (" in body
    assert "There is an update on the application you follow for M. T." in body
    assert "There is an update on your application." in body
