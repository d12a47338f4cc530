"""Cross-cutting views: home, language switch, the health check and the 500 handler."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from core.api.problems import api_server_error
from enquiries.crisis import crisis_banners


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"banners": crisis_banners()})


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: under /api/ a problem body (every API error is one), elsewhere Django's page."""
    if request.path_info.startswith("/api/"):
        return api_server_error(request)
    return defaults.server_error(request)


@require_POST
def switch_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, plus remembering the choice on the account."""
    response = set_language(request)
    language = request.POST.get("language")
    user = request.user
    if user.is_authenticated and language in dict(settings.LANGUAGES) and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    return response


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


def _check_redis() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
        return bool(client.ping())
    except Exception:  # noqa: BLE001 - any failure means unhealthy
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    checks = {"database": "ok" if _check_database() else "failing"}
    if settings.REDIS_URL:
        checks["redis"] = "ok" if _check_redis() else "failing"
    else:
        checks["redis"] = "not configured"
    healthy = all(value != "failing" for value in checks.values())
    return JsonResponse({"status": "ok" if healthy else "failing", "checks": checks}, status=200 if healthy else 503)
