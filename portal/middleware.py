"""Idle sign-out after 30 minutes without rewriting the session on every request."""

import time

from django.conf import settings

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
