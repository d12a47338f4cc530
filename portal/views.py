"""Cross-cutting views: home, language switch, the health check and the 404 and 500 handlers."""

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from core.api.problems import api_server_error
from enquiries.crisis import crisis_banners
from portal.date_modified import date_modified


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"banners": crisis_banners()})


def _other_language_path(path: str, other: str) -> str:
    """The same address with the other language's prefix; the other home page if it has none."""
    for code, _name in settings.LANGUAGES:
        if path.startswith(f"/{code}/"):
            return f"/{other}/{path[len(code) + 2 :]}"
    return f"/{other}/"


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404: our page, in the site's layout and in the language of the address."""
    other = "fr" if (translation.get_language() or "en").startswith("en") else "en"
    # No page here in either language: the switch offers the other language's home page.
    return render(
        request,
        "404.html",
        {"error_page": True, "other_language_url": f"/{other}/"},
        status=404,
    )


def _error_page_language(request: HttpRequest) -> str:
    """The language of the address (/en/… or /fr/…), else the one already chosen, else English."""
    return (
        translation.get_language_from_path(request.path_info) or translation.get_language() or settings.LANGUAGE_CODE
    )[:2]


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: under /api/ a problem body (every API error is one), elsewhere our page.

    The page is drawn without the request's context processors: the failure may be the
    database itself, and the menu for a signed-in person needs it. So the page shows the
    menu of a visitor, and offers the other language as a plain link (no form, no CSRF token).
    """
    if request.path_info.startswith("/api/"):
        return api_server_error(request)
    language = _error_page_language(request)
    other = "fr" if language == "en" else "en"
    with translation.override(language):
        body = loader.get_template("500.html").render(
            {
                "error_page": True,
                "date_modified": date_modified(),
                "other_language_code": other,
                "other_language_name": "Français" if other == "fr" else "English",
                "other_language_url": _other_language_path(request.path_info, other),
            }
        )
    return HttpResponse(body, status=500)


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
