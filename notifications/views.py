"""The notification centre, the preferences page and the one-click unsubscribe page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from notifications.content import client_initials, item_summary, unsubscribe_user_id
from notifications.forms import NotificationPreferenceForm
from notifications.models import NotificationPreference
from notifications.selectors import centre_notifications_for_user, notification_for_viewer
from notifications.services import (
    email_unsubscribe,
    notification_mark_read,
    notification_preferences_update,
    notifications_mark_all_read,
)

PAGE_SIZE = 20


def _back_to_centre(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        target = reverse("notifications:centre")
    return redirect(target)


@login_required
def notification_centre(request: HttpRequest) -> HttpResponse:
    page = Paginator(centre_notifications_for_user(user=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for notification in page.object_list:
        # News about a file the person follows for a client reads as such.
        followed = notification.application is not None and not notification.recipient_owns
        notification.followed_for = (client_initials(notification.application) or "–") if followed else ""
        notification.summary = item_summary(kind=notification.kind, client=notification.followed_for)
    return render(request, "notifications/centre.html", {"page": page})


@login_required
@require_POST
def notification_read(request: HttpRequest, notification_id: int) -> HttpResponse:
    notification = notification_for_viewer(viewer=request.user, notification_id=notification_id)
    notification_mark_read(notification=notification)
    messages.success(request, _("Notification marked as read."))
    return _back_to_centre(request)


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = notifications_mark_all_read(user=request.user)
    messages.success(request, _("All notifications marked as read.") if count else _("Nothing left to mark as read."))
    return _back_to_centre(request)


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request: HttpRequest) -> HttpResponse:
    instance = NotificationPreference.objects.filter(user=request.user).first() or NotificationPreference(
        user=request.user
    )
    form = NotificationPreferenceForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        notification_preferences_update(user=request.user, values=form.cleaned_data, request=request)
        messages.success(request, _("Your notification choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form}, status=400 if form.errors else 200)


# The signed token is the credential, and mail providers' one-click unsubscribe
# (RFC 8058) posts without any cookie or CSRF token.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_unsubscribe_view(request: HttpRequest, token: str) -> HttpResponse:
    try:
        user_id = unsubscribe_user_id(token=token)
    except signing.BadSignature:
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    if request.method == "GET":
        # Mail scanners open links: showing the button changes nothing.
        return render(request, "notifications/unsubscribe.html", {"token": token})
    if not email_unsubscribe(user_id=user_id, request=request):
        return render(request, "notifications/unsubscribe_invalid.html", status=400)
    return render(request, "notifications/unsubscribe_done.html")
