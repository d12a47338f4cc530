"""The health check answers JSON: 200 when the database (and Redis, when configured) answer."""

import pytest


@pytest.mark.django_db
def test_it_is_healthy_with_the_database_and_no_redis_configured(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "not configured"}}


@pytest.mark.django_db
def test_it_checks_the_real_redis_when_configured(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


@pytest.mark.django_db
def test_it_answers_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "redis": "failing"}


@pytest.mark.django_db
def test_it_answers_503_when_the_database_fails(client, monkeypatch):
    from portal import views

    def broken_cursor():
        raise views.connection.OperationalError if hasattr(views.connection, "OperationalError") else RuntimeError

    monkeypatch.setattr(views.connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "failing"
