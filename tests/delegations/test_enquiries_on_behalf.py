"""Enquiries a grantee sends for a client, and the parliamentary offices' own queue.

Personas: the client who owns the file (`applicant`), a caseworker of a verified MP's
office holding the client's grant, a colleague in the same office, a representative of
a law firm, and an agent of the parliamentary queue.
"""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation

from applications.models import Grant
from core.calendar import add_business_days_among
from core.models import AuditAction, AuditEvent
from enquiries.models import Document, Ticket, TicketState, Topic
from enquiries.on_behalf import PARLIAMENTARY_TOPIC
from enquiries.workspace import ticket_reply
from notifications.models import Channel, Kind, Notification
from tests.delegations.factories import FirmFactory, GrantFactory, MemberFactory, OrganisationFactory, person_grant
from tests.enquiries.client_support import compose_url, form_key
from tests.enquiries.documents_support import pdf_bytes, use_documents_root
from tests.factories import ApplicationFactory, UserFactory, sign_in_with_second_step

# A Wednesday and a Friday with no federal holiday in the following two weeks.
WEDNESDAY = datetime.datetime(2027, 3, 3, 15, 0, tzinfo=datetime.UTC)
FRIDAY = datetime.datetime(2027, 3, 5, 15, 0, tzinfo=datetime.UTC)


@pytest.fixture
def office(db):
    return OrganisationFactory(name_en="Office of the Member for Papineau", name_fr="Bureau du député de Papineau")


@pytest.fixture
def caseworker(office):
    return MemberFactory(organisation=office).account


@pytest.fixture
def colleague(office):
    return MemberFactory(organisation=office).account


@pytest.fixture
def grant(applicant_application, office):
    """The client's consent: the office may see the status and send enquiries for them."""
    return GrantFactory(application=applicant_application, organisation=office, may_act=True)


@pytest.fixture
def as_caseworker(client, caseworker):
    sign_in_with_second_step(client, caseworker)
    return client


@pytest.fixture
def parliamentary_agent(db):
    agent = UserFactory(email="parliamentary.agent@example.com", is_staff=True)
    agent.groups.add(Group.objects.get(name="Agent"))
    agent.user_permissions.add(Permission.objects.get(codename="view_application"))
    Topic.objects.get(code=PARLIAMENTARY_TOPIC).agents.add(agent)
    return agent


def send_for(client, *, application, topic="status", urgency=None, message="Where is this file?", **fields):
    """Open the compose page as the sender would (for its key), then send the form."""
    extra = {"urgency": urgency} if urgency else {}
    page = client.get(compose_url(application=application, topic=topic, **extra))
    assert page.status_code == 200, page.status_code
    data = {
        "application": application.number if application is not None else "none",
        "topic": topic,
        "message": message,
        "language": "en",
        "submission_key": form_key(page.text),
        **extra,
        **fields,
    }
    return client.post(reverse("enquiries:new"), data)


def forged_post(client, *, application, topic="status", language_prefix=None):
    """A POST for a file the sender was never offered, with a key of our own making."""
    url = reverse("enquiries:new")
    if language_prefix:
        with translation.override(language_prefix):
            url = reverse("enquiries:new")
    data = {
        "application": application.number,
        "topic": topic,
        "message": "Please look at this file.",
        "language": "en",
        "submission_key": "forged-key-0123456789",
    }
    return client.post(url, data)


def business_days_after(moment: datetime.datetime, days: int) -> datetime.date:
    return add_business_days_among(timezone.localtime(moment).date(), days, frozenset())


# ---- The form offers the files the sender may act on -------------------------------------------


def test_the_form_offers_the_file_a_grant_lets_the_caseworker_act_on_with_the_clients_initials(
    as_caseworker, grant, applicant_application
):
    page = as_caseworker.get(reverse("enquiries:new")).text

    assert applicant_application.number in page
    assert "(for M. T.)" in page
    assert applicant_application.client.family_name not in page


def test_the_parliamentary_queue_and_the_urgency_are_offered_only_to_parliamentary_office_members(
    client, as_caseworker, grant, applicant
):
    office_page = as_caseworker.get(reverse("enquiries:new")).text
    assert "Parliamentary enquiries" in office_page
    assert "How urgent is it?" in office_page

    client.force_login(applicant)
    client_page = client.get(reverse("enquiries:new")).text
    assert "Parliamentary enquiries" not in client_page
    assert "How urgent is it?" not in client_page


def test_a_client_cannot_send_to_the_parliamentary_queue_by_forging_the_topic(client, applicant, applicant_application):
    client.force_login(applicant)

    response = client.get(compose_url(application=applicant_application, topic=PARLIAMENTARY_TOPIC))

    assert response.status_code == 400
    assert "This topic is not offered any more." in response.text


@pytest.mark.parametrize(
    "grant_fields",
    [
        {"may_act": False},
        {"state": Grant.State.REVOKED, "revoked_at": timezone.now()},
        {
            "starts_at": timezone.now() - datetime.timedelta(days=400),
            "expires_at": timezone.now() - datetime.timedelta(days=1),
        },
    ],
    ids=["may-not-act", "revoked", "expired"],
)
def test_a_grant_that_does_not_let_them_act_offers_nothing_and_a_forged_post_makes_no_ticket(
    as_caseworker, office, applicant_application, grant_fields
):
    GrantFactory(application=applicant_application, organisation=office, **{"may_act": True, **grant_fields})

    page = as_caseworker.get(reverse("enquiries:new")).text
    response = forged_post(as_caseworker, application=applicant_application)

    assert applicant_application.number not in page
    assert response.status_code == 400
    assert "Choose one of your applications from the list." in response.text
    assert not Ticket.objects.exists()


def test_a_file_of_the_same_client_outside_the_grant_is_refused(as_caseworker, grant, applicant_application):
    other_file = ApplicationFactory(client=applicant_application.client)

    page = as_caseworker.get(reverse("enquiries:new")).text
    response = forged_post(as_caseworker, application=other_file)

    assert other_file.number not in page
    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_a_forged_post_is_refused_in_french_too(as_caseworker, office, applicant_application):
    GrantFactory(application=applicant_application, organisation=office, may_act=False)

    response = forged_post(as_caseworker, application=applicant_application, language_prefix="fr")

    assert response.status_code == 400
    assert 'lang="fr"' in response.text
    assert "Choisissez une de vos demandes dans la liste." in response.text
    assert not Ticket.objects.exists()


def test_an_empty_message_is_explained_in_french(as_caseworker, grant, applicant_application):
    with translation.override("fr"):
        page = as_caseworker.get(compose_url(application=applicant_application)).text
        response = as_caseworker.post(
            reverse("enquiries:new"),
            {
                "application": applicant_application.number,
                "topic": "status",
                "message": "   ",
                "language": "fr",
                "submission_key": form_key(page),
            },
        )

    assert response.status_code == 400
    assert "Écrivez votre message." in response.text
    assert not Ticket.objects.exists()


def test_a_removed_member_is_no_longer_offered_the_file_nor_can_send_about_it(
    as_caseworker, caseworker, grant, applicant_application
):
    caseworker.organisation_memberships.update(removed_at=timezone.now())

    response = forged_post(as_caseworker, application=applicant_application)

    assert response.status_code == 400
    assert not Ticket.objects.exists()


def test_an_unverified_office_cannot_send_for_the_client(as_caseworker, office, grant, applicant_application):
    office.verified_at = None
    office.save(update_fields=["verified_at"])

    response = forged_post(as_caseworker, application=applicant_application)

    assert response.status_code == 400
    assert not Ticket.objects.exists()


# ---- What the ticket records, where it goes, and by when ---------------------------------------


@time_machine.travel(WEDNESDAY, tick=False)
def test_an_offices_enquiry_records_the_sender_the_grant_and_the_office_and_goes_to_its_queue(
    as_caseworker, caseworker, grant, office, applicant_application
):
    # Signed in on the day itself: a session from months before would have expired.
    sign_in_with_second_step(as_caseworker, caseworker)
    response = send_for(as_caseworker, application=applicant_application, topic="status")

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.account == caseworker
    assert ticket.on_behalf_grant == grant
    assert ticket.organisation == office
    assert ticket.application == applicant_application
    assert ticket.topic.code == PARLIAMENTARY_TOPIC
    assert not ticket.urgent
    assert ticket.service_standard_days == 10
    assert ticket.due_on == business_days_after(WEDNESDAY, 10) == datetime.date(2027, 3, 17)
    assert ticket.state == TicketState.NEW


@pytest.mark.parametrize(
    ("sent_at", "due_on"),
    [(WEDNESDAY, datetime.date(2027, 3, 5)), (FRIDAY, datetime.date(2027, 3, 9))],
    ids=["wednesday-to-friday", "friday-to-tuesday"],
)
def test_an_urgent_parliamentary_enquiry_is_due_two_business_days_later_and_comes_first(
    as_caseworker, caseworker, grant, applicant_application, sent_at, due_on
):
    with time_machine.travel(sent_at, tick=False):
        sign_in_with_second_step(as_caseworker, caseworker)
        response = send_for(as_caseworker, application=applicant_application, urgency="urgent")

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.urgent
    assert ticket.service_standard_days == 2
    assert ticket.due_on == due_on
    queue = Topic.objects.get(code=PARLIAMENTARY_TOPIC)
    assert ticket.priority > queue.priority


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_holiday_moves_the_urgent_due_date_like_any_other(as_caseworker, caseworker, grant, applicant_application):
    from core.models import Holiday

    Holiday.objects.create(date=datetime.date(2027, 3, 4), name_en="A holiday", name_fr="Un congé")
    sign_in_with_second_step(as_caseworker, caseworker)

    send_for(as_caseworker, application=applicant_application, urgency="urgent")

    assert Ticket.objects.get().due_on == datetime.date(2027, 3, 8)


@time_machine.travel(WEDNESDAY, tick=False)
def test_a_law_firms_representative_writes_to_the_ordinary_queue_without_urgency(client, applicant_application):
    firm = FirmFactory()
    lawyer = MemberFactory(organisation=firm, account=UserFactory(email="counsel@firm.example")).account
    grant = GrantFactory(
        application=applicant_application, organisation=firm, kind=Grant.Kind.REPRESENTATIVE_PAID, may_act=True
    )
    sign_in_with_second_step(client, lawyer)

    assert "How urgent is it?" not in client.get(reverse("enquiries:new")).text
    response = send_for(client, application=applicant_application, topic="document", urgency="urgent")

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.account, ticket.on_behalf_grant, ticket.organisation) == (lawyer, grant, firm)
    assert ticket.topic.code == "document"
    assert not ticket.urgent
    assert ticket.service_standard_days == Topic.objects.get(code="document").service_standard_days


def test_a_designated_person_writes_for_the_client_without_an_organisation(client, applicant_application):
    person = UserFactory(email="sister@example.com")
    grant = person_grant(application=applicant_application, account=person, may_act=True)
    client.force_login(person)

    response = send_for(client, application=applicant_application, topic="contact")

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.account, ticket.on_behalf_grant, ticket.organisation) == (person, grant, None)
    assert ticket.topic.code == "contact"


def test_an_office_member_may_ask_the_parliamentary_queue_about_no_file(as_caseworker, caseworker, office):
    response = send_for(as_caseworker, application=None, topic=PARLIAMENTARY_TOPIC, urgency="normal")

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.account, ticket.organisation, ticket.on_behalf_grant) == (caseworker, office, None)
    assert ticket.topic.code == PARLIAMENTARY_TOPIC


def test_reading_the_file_to_write_about_it_is_audited_with_the_grant(as_caseworker, caseworker, grant):
    send_for(as_caseworker, application=grant.application)

    reads = AuditEvent.objects.filter(action=AuditAction.CASE_READ, actor=caseworker)
    assert reads.exists()
    assert {event.extra.get("grant") for event in reads} == {grant.pk}
    assert {event.extra.get("need") for event in reads} == {"act_on_behalf"}


def test_documents_sent_with_the_enquiry_are_kept_as_sent_by_the_caseworker(
    as_caseworker, caseworker, grant, settings, tmp_path
):
    use_documents_root(settings, tmp_path / "documents")
    letter = SimpleUploadedFile("letter.pdf", pdf_bytes(), content_type="application/pdf")

    response = send_for(as_caseworker, application=grant.application, attachments=[letter])

    assert response.status_code == 302
    document = Document.objects.get()
    assert document.uploaded_by == caseworker
    assert document.ticket == Ticket.objects.get()


# ---- Receipts and answers go to the sender -----------------------------------------------------


def test_the_receipt_and_the_answer_go_to_the_sender_not_the_client(
    as_caseworker, caseworker, applicant, grant, parliamentary_agent
):
    send_for(as_caseworker, application=grant.application)
    ticket = Ticket.objects.get()

    ticket_reply(ticket_id=ticket.pk, agent=parliamentary_agent, body="We have asked the office to review it.")

    receipts = Notification.objects.filter(kind=Kind.ENQUIRY_RECEIPT, channel=Channel.EMAIL)
    answers = Notification.objects.filter(kind=Kind.ENQUIRY_ANSWERED, channel=Channel.EMAIL)
    assert [row.recipient for row in receipts] == [caseworker]
    assert [row.recipient for row in answers] == [caseworker]
    # The client hears only that someone used their consent for the first time, never the enquiry itself.
    told = Notification.objects.filter(recipient=applicant)
    assert set(told.values_list("kind", flat=True)) == {Kind.ACCESS_CHANGED}


def test_an_answer_after_the_client_revoked_the_grant_is_sent_to_nobody(
    as_caseworker, caseworker, grant, parliamentary_agent
):
    send_for(as_caseworker, application=grant.application)
    ticket = Ticket.objects.get()
    Grant.objects.filter(pk=grant.pk).update(state=Grant.State.REVOKED, revoked_at=timezone.now())

    ticket_reply(ticket_id=ticket.pk, agent=parliamentary_agent, body="Here is where the file stands.")

    assert not Notification.objects.filter(kind=Kind.ENQUIRY_ANSWERED).exists()
    assert as_caseworker.get(reverse("enquiries:detail", args=[ticket.reference])).status_code == 404


def test_the_sender_may_reply_while_the_grant_lets_them_act_and_not_after_it_is_narrowed(
    as_caseworker, grant, parliamentary_agent
):
    send_for(as_caseworker, application=grant.application)
    ticket = Ticket.objects.get()
    ticket_reply(ticket_id=ticket.pk, agent=parliamentary_agent, body="Can you send the letter?", wait_for_client=True)
    url = reverse("enquiries:detail", args=[ticket.reference])

    assert "Send my reply" in as_caseworker.get(url).text
    Grant.objects.filter(pk=grant.pk).update(may_act=False)
    page = as_caseworker.get(url)
    response = as_caseworker.post(url, {"message": "Here it is."})

    assert page.status_code == 200
    assert "Send my reply" not in page.text
    assert response.status_code == 400
    assert ticket.messages.count() == 2


# ---- The office's list, and what the client sees ----------------------------------------------


def test_colleagues_see_the_offices_enquiry_read_only_and_a_removed_member_loses_it(
    client, as_caseworker, colleague, grant, office
):
    send_for(as_caseworker, application=grant.application)
    ticket = Ticket.objects.get()
    client.logout()
    sign_in_with_second_step(client, colleague)

    listing = client.get(reverse("enquiries:list")).text
    detail = client.get(reverse("enquiries:detail", args=[ticket.reference]))

    assert ticket.reference in listing
    assert "For Office of the Member for Papineau, sent by" in listing
    assert detail.status_code == 200
    assert "Send my reply" not in detail.text
    assert client.post(reverse("enquiries:detail", args=[ticket.reference]), {"message": "Hi"}).status_code == 400

    colleague.organisation_memberships.update(removed_at=timezone.now())
    assert ticket.reference not in client.get(reverse("enquiries:list")).text
    assert client.get(reverse("enquiries:detail", args=[ticket.reference])).status_code == 404


def test_another_offices_member_never_sees_it(client, as_caseworker, grant):
    send_for(as_caseworker, application=grant.application)
    ticket = Ticket.objects.get()
    stranger = MemberFactory(organisation=OrganisationFactory()).account
    client.logout()
    sign_in_with_second_step(client, stranger)

    assert ticket.reference not in client.get(reverse("enquiries:list")).text
    assert client.get(reverse("enquiries:detail", args=[ticket.reference])).status_code == 404


def test_the_client_sees_in_their_files_history_who_wrote_for_them_but_not_the_conversation(
    client, as_caseworker, applicant, grant, parliamentary_agent
):
    send_for(as_caseworker, application=grant.application, message="Private note from the office")
    ticket = Ticket.objects.get()
    ticket_reply(ticket_id=ticket.pk, agent=parliamentary_agent, body="Answer meant for the office")
    client.logout()
    client.force_login(applicant)

    page = client.get(reverse("applications:detail", args=[grant.application.number])).text

    assert "Office of the Member for Papineau sent an enquiry for you" in page
    assert f"We answered enquiry {ticket.reference}, sent for you by Office of the Member for Papineau" in page
    assert "Private note from the office" not in page
    assert "Answer meant for the office" not in page
    # Not the client's enquiry to open: no link to it, and its page is not theirs.
    assert reverse("enquiries:detail", args=[ticket.reference]) not in page
    assert client.get(reverse("enquiries:detail", args=[ticket.reference])).status_code == 404


def test_the_client_reads_the_history_in_french(client, as_caseworker, applicant, grant):
    send_for(as_caseworker, application=grant.application)
    client.logout()
    client.force_login(applicant)

    with translation.override("fr"):
        page = client.get(reverse("applications:detail", args=[grant.application.number])).text

    assert 'lang="fr"' in page
    assert "Bureau du député de Papineau" in page


# ---- The agents' queue -------------------------------------------------------------------------


def test_agents_of_the_parliamentary_queue_see_the_office_and_the_urgency(
    client, as_caseworker, grant, parliamentary_agent
):
    send_for(as_caseworker, application=grant.application, urgency="urgent")
    ticket = Ticket.objects.get()
    client.logout()
    sign_in_with_second_step(client, parliamentary_agent)

    queue = client.get(reverse("agents:queue")).text
    detail = client.get(reverse("agents:ticket", args=[ticket.reference])).text

    assert ticket.reference in queue
    assert "From Office of the Member for Papineau" in queue
    assert "Urgent" in queue
    assert "Office of the Member for Papineau" in detail
    assert "for the client, under their consent" in detail


def test_agents_of_other_queues_do_not_see_it(client, as_caseworker, grant):
    send_for(as_caseworker, application=grant.application)
    ticket = Ticket.objects.get()
    other = UserFactory(email="status.only@example.com", is_staff=True)
    other.groups.add(Group.objects.get(name="Agent"))
    Topic.objects.get(code="status").agents.add(other)
    client.logout()
    sign_in_with_second_step(client, other)

    assert ticket.reference not in client.get(reverse("agents:queue")).text
    assert client.get(reverse("agents:ticket", args=[ticket.reference])).status_code == 404


def test_the_parliamentary_queue_is_seeded_in_both_languages(db):
    queue = Topic.objects.get(code=PARLIAMENTARY_TOPIC)

    assert queue.kind == Topic.Kind.PARLIAMENTARY
    assert (queue.service_standard_days, queue.urgent_standard_days) == (10, 2)
    assert queue.name_en == "Parliamentary enquiries"
    assert queue.name_fr == "Demandes de renseignements parlementaires"
    assert queue.description_fr


def test_the_owner_still_writes_about_their_own_file_as_before(client, applicant, applicant_application, grant):
    client.force_login(applicant)

    response = send_for(client, application=applicant_application, topic="status")

    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.account, ticket.on_behalf_grant, ticket.organisation) == (applicant, None, None)
    assert ticket.topic.code == "status"


def test_the_compose_page_speaks_of_the_clients_file_to_the_caseworker(as_caseworker, grant, applicant_application):
    page = as_caseworker.get(compose_url(application=applicant_application)).text

    assert "What we already know" in page
    assert "Nothing is waiting on the client right now." in page
    assert "Your application" not in page
    assert "Our answer will come to you" in page
    assert "we answer within 10 business days, or 2 business days if you marked it urgent" in page


def test_a_grantee_reading_the_file_sees_enquiries_sent_for_the_client_but_never_the_clients_own(
    as_caseworker, applicant, grant, parliamentary_agent
):
    from applications.access import Need, application_for_viewer
    from enquiries.selectors import case_timeline_extras
    from tests.enquiries.factories import make_ticket

    own = make_ticket(account=applicant, application=grant.application, body="The client's own question")
    own.messages.create(author_kind="agent", author=parliamentary_agent, body="Answer for the client only")
    send_for(as_caseworker, application=grant.application)
    caseworker = Ticket.objects.get(on_behalf_grant=grant).account

    reached = application_for_viewer(viewer=caseworker, number=grant.application.number, need=Need.STATUS)
    entries = case_timeline_extras(application=reached)

    assert {entry.reference for entry in entries} == {Ticket.objects.get(on_behalf_grant=grant).reference}
    assert all(entry.read_by_grantee and entry.sender for entry in entries)
    assert not any("Answer for the client only" in entry.body for entry in entries)
