"""python manage.py create_api_client NAME: a token printed once, stored as a digest; --revoke."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from status_tracker.api_clients import token_digest
from status_tracker.models import ApiClient
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_client", *args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue()


def test_it_prints_a_token_that_works_and_stores_only_its_digest():
    ApplicationFactory(number="E500000001")

    token, note = run("gcms-production")

    client = ApiClient.objects.get(name="gcms-production")
    assert token.startswith("csp_") and len(token) > 40
    assert "shown only now" in note and token not in note
    assert client.token_hash == token_digest(token=token)
    assert client.token_prefix == token[: len(client.token_prefix)] and len(client.token_prefix) == 12
    response = Client().get("/api/v1/applications/E500000001/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200


def test_each_client_gets_its_own_token():
    first, _ = run("one")
    second, _ = run("two")

    assert first != second


def test_it_refuses_a_name_already_taken():
    run("gcms")

    with pytest.raises(CommandError, match="already exists"):
        run("gcms")
    assert ApiClient.objects.count() == 1


@pytest.mark.parametrize("name", ["   ", "n" * 81])
def test_it_refuses_a_blank_or_too_long_name(name):
    with pytest.raises(CommandError):
        run(name)
    assert not ApiClient.objects.exists()


def test_revoke_stops_the_token():
    ApplicationFactory(number="E500000002")
    token, _ = run("leaving")

    message, _ = run("leaving", "--revoke")

    assert "Revoked" in message
    assert ApiClient.objects.get(name="leaving").revoked_at is not None
    response = Client().get("/api/v1/applications/E500000002/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_revoke_explains_an_unknown_or_already_revoked_name():
    run("gone")
    run("gone", "--revoke")

    with pytest.raises(CommandError, match="already revoked"):
        run("gone", "--revoke")
    with pytest.raises(CommandError, match="no API client"):
        run("never-was", "--revoke")
