"""Crisis channels: on only inside their window, a banner on the home page and the form, their topic
offered first, and enquiries quoting the keyword routed to them, at once, without any cache."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from enquiries.crisis import CRISIS_PRIORITY, crisis_channel_quoted, crisis_channels_on, topics_offered
from enquiries.models import CrisisChannel, Ticket, Topic
from tests.enquiries.client_support import compose_url, make_crisis_channel, send

NOW = datetime.datetime(2027, 5, 10, 14, 0, tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    ("opens", "closes", "active", "on"),
    [
        (-1, None, True, True),
        (-1, 1, True, True),
        (1, None, True, False),  # not open yet
        (-2, -1, True, False),  # closed
        (-2, 0, True, False),  # closes at this very moment
        (0, None, True, True),  # opens at this very moment
        (-1, None, False, False),  # switched off
    ],
)
def test_a_channel_is_on_only_while_switched_on_and_inside_its_window(db, opens, closes, active, on):
    channel = make_crisis_channel(
        opens_at=NOW + datetime.timedelta(hours=opens),
        closes_at=None if closes is None else NOW + datetime.timedelta(hours=closes),
        is_active=active,
    )
    assert (channel in crisis_channels_on(now=NOW)) is on
    assert (Topic.objects.get(code="wildfires") in topics_offered(now=NOW)) is on


def test_its_topic_comes_first_while_it_is_on(db):
    make_crisis_channel()
    codes = [topic.code for topic in topics_offered()]
    assert codes[0] == "wildfires"
    assert codes[1:] == ["status", "document", "contact", "urgent", "technical", "other"]


def test_a_crisis_topic_without_a_channel_is_never_offered(db):
    Topic.objects.create(
        code="old-crisis", kind=Topic.Kind.CRISIS, name_en="Old", name_fr="Ancienne", service_standard_days=2
    )
    assert "old-crisis" not in [topic.code for topic in topics_offered()]


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("We lost everything in the WILDFIRE last week", True),
        ("Notre maison a brûlé dans le Feu de Foret.", True),
        ("le feu-de-forêt nous a chassés", True),
        ("Is there a wildfire-related delay?", True),
        ("Wildfires everywhere", False),  # another word, not the keyword
        ("A fire in the forest", False),
        ("", False),
    ],
)
def test_the_keyword_is_found_in_either_language_whatever_the_case_and_accents(db, text, quoted):
    channel = make_crisis_channel()
    assert (crisis_channel_quoted(text=text, channels=[channel]) == channel) is quoted


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_banner_shows_on_the_home_page_in_each_language(client, db, language):
    make_crisis_channel()
    with translation.override(language):
        page = client.get(reverse("home")).text
    if language == "en":
        assert "Northern wildfires" in page and "If you were evacuated" in page
    else:
        assert "Feux de forêt du Nord" in page and "Si vous avez été évacué" in page
    assert "?topic=wildfires" in page


def test_the_banner_shows_on_the_enquiry_form_signed_in_or_not(client, applicant):
    make_crisis_channel()
    assert "If you were evacuated" in client.get(reverse("enquiries:new")).text
    client.force_login(applicant)
    page = client.get(reverse("enquiries:new") + "?topic=wildfires").text
    assert "If you were evacuated" in page
    assert '<option value="wildfires" selected>' in page


def test_switching_a_channel_off_takes_effect_at_once(client, db):
    channel = make_crisis_channel()
    assert "If you were evacuated" in client.get(reverse("home")).text
    CrisisChannel.objects.filter(pk=channel.pk).update(is_active=False)
    assert "If you were evacuated" not in client.get(reverse("home")).text
    CrisisChannel.objects.filter(pk=channel.pk).update(is_active=True)
    assert "If you were evacuated" in client.get(reverse("home")).text


def test_a_channel_closes_on_time_without_anyone_touching_it(client, db):
    make_crisis_channel(opens_at=NOW - datetime.timedelta(days=3), closes_at=NOW + datetime.timedelta(hours=1))
    with time_machine.travel(NOW, tick=False):
        assert "If you were evacuated" in client.get(reverse("home")).text
    with time_machine.travel(NOW + datetime.timedelta(hours=2), tick=False):
        assert "If you were evacuated" not in client.get(reverse("home")).text


def test_an_enquiry_quoting_the_keyword_goes_to_the_channels_queue_first(client, applicant, applicant_application):
    channel = make_crisis_channel()
    client.force_login(applicant)

    send(client, application=applicant_application, topic="status", message="We fled the Feu de forêt, help")

    ticket = Ticket.objects.get()
    assert ticket.topic.code == "wildfires"
    assert ticket.crisis_channel == channel
    assert ticket.service_standard_days == 2
    assert ticket.priority >= CRISIS_PRIORITY
    assert ticket.priority > max(Topic.objects.exclude(code="wildfires").values_list("priority", flat=True))


def test_choosing_the_crisis_topic_marks_the_ticket_with_its_channel(client, applicant):
    channel = make_crisis_channel()
    client.force_login(applicant)
    send(client, topic="wildfires", message="Evacuated from Yellowknife.")
    ticket = Ticket.objects.get()
    assert (ticket.topic.code, ticket.crisis_channel) == ("wildfires", channel)


def test_the_keyword_of_a_channel_that_is_off_routes_nothing(client, applicant):
    make_crisis_channel(is_active=False)
    client.force_login(applicant)
    send(client, topic="other", message="The wildfire took my papers.")
    ticket = Ticket.objects.get()
    assert (ticket.topic.code, ticket.crisis_channel) == ("other", None)


def test_a_channel_without_a_topic_still_marks_the_ticket(client, applicant):
    channel = make_crisis_channel(with_topic=False)
    client.force_login(applicant)
    send(client, topic="other", message="wildfire")
    ticket = Ticket.objects.get()
    assert (ticket.topic.code, ticket.crisis_channel) == ("other", channel)


def test_the_crisis_topic_switched_off_while_the_form_was_open_is_refused_politely(client, applicant):
    channel = make_crisis_channel()
    client.force_login(applicant)
    page = client.get(compose_url(topic="wildfires")).text
    assert "What we already know" in page
    CrisisChannel.objects.filter(pk=channel.pk).update(closes_at=timezone.now())

    response = send(client, topic="wildfires", key="a-key-from-that-page")

    assert response.status_code == 400
    assert "This topic is not offered any more." in response.text
    assert not Ticket.objects.exists()
