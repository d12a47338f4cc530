"""The satisfaction survey: a signed link without sign-in, one answer per ticket, reasons for low ratings."""

import datetime
import zoneinfo

import pytest
from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from enquiries.models import SurveyResponse, Ticket, TicketState, Topic
from enquiries.references import reference_new
from enquiries.services import ticket_transition
from enquiries.survey import (
    SURVEY_MAX_AGE_SECONDS,
    SURVEY_SALT,
    SurveyNotOpen,
    survey_path,
    survey_reasons_add,
    survey_record,
    survey_ticket,
    survey_token,
)
from tests.concurrency import in_parallel
from tests.enquiries.factories import make_ticket
from tests.factories import sign_in

TORONTO = zoneinfo.ZoneInfo("America/Toronto")


def answered_ticket(*, account=None, state=TicketState.ANSWERED) -> Ticket:
    ticket = make_ticket(account=account)
    ticket_transition(ticket=ticket, to_state=TicketState.ANSWERED)
    if state != TicketState.ANSWERED:
        ticket_transition(ticket=ticket, to_state=state)
    return ticket


def answer_url(ticket_or_token, language="en") -> str:
    token = ticket_or_token if isinstance(ticket_or_token, str) else survey_token(ticket=ticket_or_token)
    with translation.override(language):
        return reverse("survey:answer", kwargs={"token": token})


def why_url(ticket, language="en") -> str:
    with translation.override(language):
        return reverse("survey:why", kwargs={"token": survey_token(ticket=ticket)})


# --- The link ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_valid_link_shows_the_one_question_without_sign_in(client):
    ticket = answered_ticket()

    response = client.get(answer_url(ticket))

    assert response.status_code == 200
    html = response.text
    assert "<legend>Overall, how satisfied are you with the answer to your enquiry?" in html
    assert html.count('type="radio" name="rating"') == 5
    assert html.index("Very dissatisfied") < html.index("Very satisfied")
    assert 'name="comment"' in html and 'maxlength="2000"' in html
    assert ticket.reference in html
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "fr"])
def test_a_tampered_link_gets_a_friendly_404_in_the_language_of_the_address(client, language):
    token = survey_token(ticket=answered_ticket())
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")

    response = client.get(answer_url(tampered, language))

    assert response.status_code == 404
    assert f'<html lang="{language}">' in response.text
    expected = "This survey link does not work" if language == "en" else "<h1>"
    assert expected in response.text


@pytest.mark.django_db
@pytest.mark.parametrize(
    "token",
    [
        "junk",
        "a:b:c",
        "%00",
        "x" * 3000,
        "%F0%9F%92%A9",
        signing.dumps({"ticket": "1", "ref": "AAA-AAA-AAA"}, salt=SURVEY_SALT),
        signing.dumps({"ticket": 1}, salt="another.salt"),
    ],
    # Fixed names: the signed tokens carry a timestamp, and parallel workers must collect the same tests.
    ids=["junk", "colons", "nul", "very-long", "emoji", "ticket-id-not-a-number", "another-salt"],
)
def test_junk_links_are_404_never_500(client, token):
    ticket = answered_ticket()
    assert client.get(answer_url(token)).status_code == 404
    assert client.post(answer_url(token), {"rating": "5"}).status_code == 404
    assert not SurveyResponse.objects.filter(ticket=ticket).exists()


@pytest.mark.django_db
def test_a_link_naming_another_reference_is_refused():
    ticket = answered_ticket()
    forged = signing.dumps({"ticket": ticket.pk, "ref": "ZZZ-ZZZ-ZZZ"}, salt=SURVEY_SALT, compress=True)
    assert survey_ticket(token=forged) is None
    assert survey_ticket(token=survey_token(ticket=ticket)) == ticket


@pytest.mark.django_db
def test_an_expired_link_is_a_404(client, time_machine):
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, tzinfo=TORONTO), tick=False)
    ticket = answered_ticket()
    url = answer_url(ticket)
    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=SURVEY_MAX_AGE_SECONDS - 60), tick=False)
    assert client.get(url).status_code == 200

    time_machine.move_to(timezone.now() + datetime.timedelta(seconds=120), tick=False)
    response = client.post(url, {"rating": "5"})

    assert response.status_code == 404
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("state", [TicketState.NEW, TicketState.OPEN, TicketState.WAITING_ON_CLIENT])
def test_a_ticket_not_answered_cannot_be_rated(client, state):
    ticket = make_ticket()
    if state != TicketState.NEW:
        ticket_transition(ticket=ticket, to_state=state)

    page = client.get(answer_url(ticket))
    posted = client.post(answer_url(ticket), {"rating": "1"})

    assert page.status_code == posted.status_code == 200
    assert "This enquiry cannot be rated yet" in page.text
    assert 'name="rating"' not in page.text
    assert not SurveyResponse.objects.exists()
    with pytest.raises(SurveyNotOpen):
        survey_record(ticket=ticket, rating=5)


@pytest.mark.django_db
def test_a_reopened_ticket_waits_for_its_next_answer(client):
    ticket = answered_ticket()
    ticket_transition(ticket=ticket, to_state=TicketState.OPEN)
    assert "cannot be rated yet" in client.get(answer_url(ticket)).text


# --- Answering ---------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("state", [TicketState.ANSWERED, TicketState.CLOSED])
def test_a_good_rating_is_recorded_and_thanked(client, state):
    ticket = answered_ticket(state=state)

    token = survey_token(ticket=ticket)

    response = client.post(answer_url(token), {"rating": "4", "comment": "  Clear and quick.  "})

    assert response.status_code == 302
    assert response["Location"] == reverse("survey:thanks", kwargs={"token": token})
    survey = SurveyResponse.objects.get(ticket=ticket)
    assert (survey.rating, survey.comment, survey.reasons) == (4, "Clear and quick.", [])
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200
    assert "We have recorded your answer" in thanks.text


@pytest.mark.django_db
def test_a_second_answer_is_thanked_and_changes_nothing(client):
    ticket = answered_ticket()
    client.post(answer_url(ticket), {"rating": "5"})

    again = client.post(answer_url(ticket), {"rating": "1", "comment": "changed my mind"})
    page = client.get(answer_url(ticket))

    assert again.status_code == page.status_code == 200
    assert "You have already told us how satisfied you are" in again.text
    assert 'name="rating"' not in page.text
    survey = SurveyResponse.objects.get(ticket=ticket)
    assert (survey.rating, survey.comment) == (5, "")


@pytest.mark.django_db
@pytest.mark.parametrize("rating", ["1", "2"])
def test_a_bad_rating_is_recorded_then_asks_why(client, rating):
    ticket = answered_ticket()

    response = client.post(answer_url(ticket), {"rating": rating})

    assert response.status_code == 302
    assert response["Location"].endswith("/why/")
    assert SurveyResponse.objects.get(ticket=ticket).rating == int(rating)
    why = client.get(response["Location"])
    assert why.status_code == 200
    assert "<legend>What went wrong? Choose all that apply.</legend>" in why.text
    assert why.text.count('type="checkbox" name="reasons"') == 5
    assert "The answer did not answer my question" in why.text
    assert 'name="details"' in why.text


@pytest.mark.django_db
def test_a_neutral_rating_does_not_ask_why(client):
    ticket = answered_ticket()
    response = client.post(answer_url(ticket), {"rating": "3"})
    assert response["Location"].endswith("/thanks/")
    assert client.get(why_url(ticket))["Location"].endswith("/thanks/")


@pytest.mark.django_db
def test_the_reasons_are_added_once(client):
    ticket = answered_ticket()
    client.post(answer_url(ticket), {"rating": "1"})

    first = client.post(why_url(ticket), {"reasons": ["too_long", "asked_again"], "details": "Three weeks."})
    second = client.post(why_url(ticket), {"reasons": ["other"], "details": "Something else."})

    assert first.status_code == second.status_code == 302
    survey = SurveyResponse.objects.get(ticket=ticket)
    assert survey.reasons == ["too_long", "asked_again"]
    assert survey.comment == "Three weeks."


@pytest.mark.django_db
def test_words_without_a_reason_count_as_something_else_and_a_first_comment_is_kept(client):
    ticket = answered_ticket()
    client.post(answer_url(ticket), {"rating": "2", "comment": "It was not what I asked."})

    page = client.get(why_url(ticket))
    client.post(why_url(ticket), {"details": "ignored: the comment already says it"})

    assert 'name="details"' not in page.text  # their words are already in the comment
    survey = SurveyResponse.objects.get(ticket=ticket)
    assert survey.comment == "It was not what I asked."
    assert survey.reasons == []  # nothing ticked and no room for words: nothing added

    other = answered_ticket()
    client.post(answer_url(other), {"rating": "2"})
    client.post(why_url(other), {"details": "The office was closed."})
    assert SurveyResponse.objects.get(ticket=other).reasons == ["other"]


@pytest.mark.django_db
def test_skipping_why_keeps_the_rating(client):
    ticket = answered_ticket()
    client.post(answer_url(ticket), {"rating": "1"})
    thanks = client.get(reverse("survey:thanks", kwargs={"token": survey_token(ticket=ticket)}))
    assert thanks.status_code == 200
    assert SurveyResponse.objects.get(ticket=ticket).rating == 1


@pytest.mark.django_db
def test_a_missing_rating_is_explained(client):
    ticket = answered_ticket()

    response = client.post(answer_url(ticket), {"comment": "no rating"})

    assert response.status_code == 400
    assert "There is a problem" in response.text
    assert 'href="#id_rating"' in response.text
    assert 'id="id_rating"' in response.text
    assert "Choose how satisfied you are." in response.text
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data",
    [
        {"rating": "abc"},
        {"rating": "9"},
        {"rating": "0"},
        {"rating": "-1"},
        {"rating": "5\x00"},
        {"rating": ["4", "5"], "comment": ["a", "b"]},
        {"rating": "4", "comment": "x" * 2001},
        {"rating": "4", "comment": "nul \x00 inside"},
        {"rating": "1", "reasons": ["evil"]},
    ],
)
def test_junk_posts_are_explained_or_absorbed_never_a_500(client, data):
    ticket = answered_ticket()

    response = client.post(answer_url(ticket), data)

    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert not SurveyResponse.objects.exists()
    else:
        assert SurveyResponse.objects.get(ticket=ticket).reasons == []


@pytest.mark.django_db
def test_bytes_that_are_not_utf8_are_absorbed(client):
    ticket = answered_ticket()
    response = client.post(
        answer_url(ticket), b"rating=4&comment=%ED%A0%80%FF%FE", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code in (302, 400)


@pytest.mark.django_db
def test_junk_reasons_on_the_second_page_are_explained(client):
    ticket = answered_ticket()
    client.post(answer_url(ticket), {"rating": "1"})

    response = client.post(why_url(ticket), {"reasons": ["evil", "too_long"], "details": "x" * 2001})

    assert response.status_code == 400
    assert "Choose reasons from the list." in response.text
    assert SurveyResponse.objects.get(ticket=ticket).reasons == []


@pytest.mark.django_db
def test_the_survey_speaks_french_under_fr(client):
    ticket = answered_ticket()

    response = client.get(answer_url(ticket, "fr"))
    posted = client.post(answer_url(ticket, "fr"), {"rating": "1"})

    assert response.status_code == 200
    assert '<html lang="fr">' in response.text
    assert posted["Location"].startswith("/fr/survey/")


# --- The services ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_survey_record_validates_its_inputs():
    ticket = answered_ticket()
    for bad in ({"rating": 0}, {"rating": 6}, {"rating": 4, "comment": "x" * 2001}, {"rating": 1, "reasons": ["x"]}):
        with pytest.raises(ValueError):
            survey_record(ticket=ticket, **bad)
    assert not SurveyResponse.objects.exists()


@pytest.mark.django_db
def test_reasons_are_kept_only_for_ratings_that_ask_why():
    happy, unhappy = answered_ticket(), answered_ticket()
    assert survey_record(ticket=happy, rating=5, reasons=["too_long"])[0].reasons == []
    response, created = survey_record(ticket=unhappy, rating=2, reasons=["other", "too_long"])
    assert created and response.reasons == ["too_long", "other"]
    assert survey_reasons_add(response=response, reasons=["asked_again"]) is False


@pytest.mark.django_db
def test_survey_path_is_the_answer_page_below_the_language_prefix():
    ticket = answered_ticket()
    assert "/en/" + survey_path(ticket=ticket) == answer_url(ticket)


# --- The offer on the client's enquiry page -----------------------------------------------------------


@pytest.mark.django_db
def test_the_offer_links_to_a_working_survey_once_answered(client):
    open_ticket = make_ticket()
    ticket = answered_ticket()

    assert render_to_string("enquiries/survey/_offer.html", {"ticket": open_ticket}).strip() == ""
    html = render_to_string(
        "enquiries/survey/_offer.html", {"ticket": Ticket.objects.select_related("survey").get(pk=ticket.pk)}
    )

    assert "How did we do?" in html
    url = html.split('<a href="', 1)[1].split('"', 1)[0]
    assert client.get(url).status_code == 200

    survey_record(ticket=ticket, rating=5)
    thanked = render_to_string("enquiries/survey/_offer.html", {"ticket": Ticket.objects.get(pk=ticket.pk)})
    assert "Thank you for telling us" in thanked
    assert "<a href" not in thanked


# --- Two answers at the same moment -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_eight_simultaneous_answers_record_one():
    topic, _ = Topic.objects.get_or_create(
        code="survey-race", defaults={"name_en": "Race", "name_fr": "Course", "service_standard_days": 5}
    )
    ticket = Ticket.objects.create(
        reference=reference_new(),
        topic=topic,
        state=TicketState.ANSWERED,
        language="en",
        contact_email="race@example.com",
        service_standard_days=5,
    )

    results = in_parallel(
        [lambda rating=rating: survey_record(ticket=ticket, rating=rating) for rating in (1, 2, 3, 4, 5, 1, 2, 3)]
    )

    assert not [result for result in results if isinstance(result, Exception)], results
    assert [created for _response, created in results].count(True) == 1
    assert SurveyResponse.objects.filter(ticket=ticket).count() == 1
    assert len({response.rating for response, _created in results}) == 1


PERSONAS = ["anonymous", "applicant", "other_applicant", "agent", "other_agent", "supervisor", "staff_user"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_link_is_the_only_key_whoever_is_signed_in(client, request, persona, applicant):
    """No sign-in is needed, and being signed in as anyone changes nothing: the signed link decides."""
    ticket = answered_ticket(account=applicant)
    if persona != "anonymous":
        sign_in(client, request.getfixturevalue(persona))

    token = survey_token(ticket=ticket)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")

    assert client.get(answer_url(token)).status_code == 200
    assert client.get(answer_url(tampered)).status_code == 404
