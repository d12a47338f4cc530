"""Signed-in pages and authenticated API answers are never stored by a browser or a shared cache."""

from django.test import Client
from django.urls import reverse

from status_tracker.api_clients import api_client_create
from status_tracker.models import ApiScope


def cache_control(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_signed_in_case_page_is_private_and_not_stored(client, applicant, applicant_application):
    client.force_login(applicant)
    for url in [
        reverse("applications:detail", args=[applicant_application.number]),
        reverse("applications:list"),
        reverse("notifications:centre"),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert {"private", "no-store"} <= cache_control(response), url


def test_the_upstream_read_back_is_not_stored(db, applicant_application):
    _api_client, token = api_client_create(name="gcms", actor=None, scopes=ApiScope.values)
    response = Client().get(
        f"/api/v1/applications/{applicant_application.number}/", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    assert {"private", "no-store"} <= cache_control(response)


def test_public_pages_keep_their_own_caching(client, db):
    public_api = client.get("/api/v1/processing-times/")
    assert "public" in cache_control(public_api)
    assert "no-store" not in cache_control(client.get(reverse("home")))
