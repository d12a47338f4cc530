"""Admin for API clients: add by name, see the token once, revoke; the digest is never shown or edited."""

import pytest
from django.test import Client

from core.models import AuditAction, AuditEvent
from status_tracker.api_clients import api_client_create, token_digest
from status_tracker.models import ApiClient
from tests.factories import ApplicationFactory, sign_in_with_second_step

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/status_tracker/apiclient/"
ADD = CHANGELIST + "add/"


@pytest.fixture
def admin_browser(admin_user):
    browser = Client()
    sign_in_with_second_step(browser, admin_user)
    return browser


def test_the_add_form_asks_for_a_name_and_scopes_and_offers_only_status_reading(admin_browser):
    response = admin_browser.get(ADD)

    assert response.status_code == 200
    form = response.context["adminform"].form
    assert list(form.fields) == ["name", "scopes"]
    assert list(form.fields["scopes"].initial) == ["status:read"]


def test_adding_shows_the_token_once_and_it_works(admin_browser):
    ApplicationFactory(number="E600000001")

    response = admin_browser.post(ADD, {"name": "gcms-admin", "scopes": ["status:read"]}, follow=True)

    assert response.status_code == 200
    client = ApiClient.objects.get(name="gcms-admin")
    shown = [str(message) for message in response.context["messages"]]
    (token_message,) = [message for message in shown if "never be shown again" in message]
    token = next(word for word in token_message.split() if word.startswith("csp_")).rstrip(".")
    assert client.token_hash == token_digest(token=token)
    api = Client(headers={"Authorization": f"Bearer {token}"})
    assert api.get("/api/v1/applications/E600000001/").status_code == 200

    # Never again: not on the list, not on the client's page.
    for page in (CHANGELIST, f"{CHANGELIST}{client.pk}/change/"):
        again = admin_browser.get(page)
        assert again.status_code == 200
        assert token.encode() not in again.content
        assert client.token_hash.encode() not in again.content
        assert client.token_prefix.encode() in again.content


def test_a_duplicate_name_is_a_form_error(admin_browser):
    api_client_create(name="taken", actor=None)

    response = admin_browser.post(ADD, {"name": "taken", "scopes": ["status:read"]})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"]
    assert ApiClient.objects.count() == 1


def test_the_client_page_edits_only_the_scopes_and_audits_the_change(admin_browser, admin_user):
    client, _token = api_client_create(name="fixed", actor=None)

    admin_browser.post(
        f"{CHANGELIST}{client.pk}/change/",
        {"name": "renamed", "token_hash": "0" * 64, "scopes": ["events:write", "status:read"]},
    )

    client.refresh_from_db()
    assert (client.name, client.token_hash) != ("renamed", "0" * 64)
    assert client.name == "fixed"
    assert client.scopes == ["events:write", "status:read"]
    audit = AuditEvent.objects.get(action=AuditAction.API_TOKEN_SCOPES_CHANGED)
    assert audit.actor == admin_user
    assert (audit.extra["before"], audit.extra["after"]) == (["status:read"], ["events:write", "status:read"])


def test_a_client_cannot_be_left_without_any_scope(admin_browser):
    client, _token = api_client_create(name="fixed", actor=None)

    response = admin_browser.post(f"{CHANGELIST}{client.pk}/change/", {"scopes": []})

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["scopes"]
    client.refresh_from_db()
    assert client.scopes == ["status:read"]


def test_the_revoke_action_stops_the_selected_tokens(admin_browser):
    ApplicationFactory(number="E600000002")
    first, first_token = api_client_create(name="first", actor=None)
    second, _ = api_client_create(name="second", actor=None)
    keep, keep_token = api_client_create(name="keep", actor=None)

    response = admin_browser.post(
        CHANGELIST, {"action": "revoke", "_selected_action": [first.pk, second.pk]}, follow=True
    )

    assert "Revoked 2 clients." in [str(message) for message in response.context["messages"]]
    assert set(ApiClient.objects.filter(revoked_at__isnull=False).values_list("name", flat=True)) == {"first", "second"}
    url = "/api/v1/applications/E600000002/"
    assert Client(headers={"Authorization": f"Bearer {first_token}"}).get(url).status_code == 401
    assert Client(headers={"Authorization": f"Bearer {keep_token}"}).get(url).status_code == 200


def test_staff_without_permission_cannot_see_clients(staff_user):
    browser = Client()
    sign_in_with_second_step(browser, staff_user)

    assert browser.get(CHANGELIST).status_code == 403


def test_the_new_token_never_travels_in_a_cookie(admin_browser):
    response = admin_browser.post(ADD, {"name": "gcms-cookie", "scopes": ["status:read"]})
    assert response.status_code == 302
    assert "messages" not in response.cookies
    page = admin_browser.get(response["Location"])
    assert "never be shown again" in page.text
    assert "messages" not in page.cookies
