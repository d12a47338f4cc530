"""allauth hooks: remember the sign-up language and greet people in it."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.urls import reverse
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        language = translation.get_language() or settings.LANGUAGE_CODE
        user.preferred_language = language[:2] if language[:2] in ("en", "fr") else "en"
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        # After sign-in, land on the dashboard in the person's own language.
        user = request.user
        language = getattr(user, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            return reverse(settings.LOGIN_REDIRECT_URL)
