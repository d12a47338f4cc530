"""Ceilings: views that do one primary-key query and return a few bytes, signed out and signed in."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse

from applications.models import Application


def bare(request: HttpRequest) -> HttpResponse:
    application = Application.objects.only("id", "number").get(pk=settings.BENCH_BARE_APPLICATION_ID)
    return HttpResponse(application.number, content_type="text/plain")


@login_required
def bare_signed_in(request: HttpRequest) -> HttpResponse:
    """The floor of any signed-in page: session read and rewrite, the user, one query."""
    return bare(request)
