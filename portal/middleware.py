"""Cross-cutting request handling: idle sign-out without a write per page, and private caching for signed-in answers."""

import time

from django.conf import settings
from django.utils.cache import patch_cache_control

REFRESHED_AT_KEY = "_idle_refreshed_at"


class IdleSessionRefreshMiddleware:
    """Push a signed-in session's expiry forward, at most once per SESSION_REFRESH_SECONDS.

    Saving the session on every request (SESSION_SAVE_EVERY_REQUEST) costs a
    database write and a commit per page. Refreshing once a minute keeps the
    idle timeout within a minute of 30 while most pages only read the session.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - session.get(REFRESHED_AT_KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                session[REFRESHED_AT_KEY] = now  # marks the session modified, so it is saved with a new expiry
        return response


class PrivateResponsesMiddleware:
    """Keep what a signed-in person or a service token was shown out of every shared and browser cache.

    Applies `Cache-Control: private, no-store` to responses for a signed-in session and to
    the authenticated API, unless the view chose its own caching (the public processing
    times do). The browser's back button then refetches a case page after sign-out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or "HTTP_AUTHORIZATION" in request.META:
            patch_cache_control(response, private=True, no_store=True)
        return response
