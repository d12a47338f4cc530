"""An unexpected failure answers 500: under /api/ as a problem body (never HTML), elsewhere as the page."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def broken(*args, **kwargs):
    raise RuntimeError("an unexpected failure")


@pytest.fixture
def visitor() -> Client:
    # As a browser or an integrator sees it: the failure becomes an answer instead of an exception.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_an_unexpected_api_failure_is_a_500_problem_body(visitor, monkeypatch, language):
    monkeypatch.setattr("processing_times.api.programs_for_public", broken)

    response = visitor.get("/api/v1/processing-times/?program=study-permit", headers={"Accept-Language": language})

    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == 500
    assert body["title"] == "Internal Server Error"
    assert body["detail"]
    assert "an unexpected failure" not in response.text


def test_an_unexpected_failure_of_a_page_is_still_the_html_page(visitor, monkeypatch):
    monkeypatch.setattr("portal.views.crisis_banners", broken)

    response = visitor.get("/en/")

    assert response.status_code == 500
    assert response["Content-Type"].startswith("text/html")
