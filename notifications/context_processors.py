"""The unread count shown in the site header, for signed-in people only."""

from functools import cached_property

from notifications.selectors import unread_count_for_user


class _UnreadCount:
    """Counted on first use, once per request; never for pages that do not show it."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def value(self) -> int:
        return unread_count_for_user(user=self._user)


def unread_notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": _UnreadCount(user)}
