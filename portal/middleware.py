"""Cross-cutting request handling: idle sign-out without a write per page, private caching for
signed-in answers, and two-step verification for every staff account and organisation member."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from core.second_step import has_second_step, signed_in_with_second_step
from delegations.selectors import delegate_roles_for

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


# Pages a staff member needs before the second step: signing in and out, setting it up, the language.
SECOND_STEP_EXEMPT_PREFIXES = ("account_", "mfa_")
SECOND_STEP_EXEMPT_NAMES = {"set_language", "healthz"}


class StaffSecondStepMiddleware:
    """Staff accounts (administrators, agents, every role that reads other people's files) and every
    active member of an organisation (an MP's office, a firm) must have signed in with two-step
    verification; applicants choose for themselves.

    Whoever it concerns and whose session did not use a second step is sent to set one up (when
    they have none) or to confirm with a code (when they have one), then back where they were.
    Membership is read from a cache (delegations.selectors.delegate_roles_for), so other people's
    pages pay no query for it. The upstream API is not concerned: it takes service tokens, never
    sessions.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        match = request.resolver_match
        name = (match.url_name or "") if match else ""
        if name.startswith(SECOND_STEP_EXEMPT_PREFIXES) or name in SECOND_STEP_EXEMPT_NAMES:
            return None
        if request.path.startswith("/api/"):
            return None
        if not user.is_staff and not delegate_roles_for(account=user).member:
            return None
        if signed_in_with_second_step(request):
            return None
        if not has_second_step(user):
            if user.is_staff:
                messages.warning(
                    request, _("Staff accounts must use two-step verification. Set it up now to continue.")
                )
            else:
                messages.warning(
                    request,
                    _(
                        "Members of an organisation must use two-step verification, because they see other "
                        "people's files. Set it up now to continue."
                    ),
                )
            return redirect(reverse("mfa_activate_totp"))
        return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': request.get_full_path()})}")
