"""The status check without an account: a form, and the status shown in the answer to it.

The identifiers travel only in the POST body and the answer is never cached, so the
status is not left in a URL, a proxy or the browser's history.
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_http_methods

from applications.forms import LinkApplicationForm
from applications.status_check import CheckResult, status_check_perform, status_check_rate_hit
from core.http import client_ip
from processing_times.estimates import estimate_for_application
from status_tracker.selectors import client_status_for, stages_for_application


@cache_control(private=True, no_store=True)
@require_http_methods(["GET", "POST"])
def status_check_view(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return render(request, "applications/check_status.html", {"form": LinkApplicationForm()})
    ip_address = client_ip(request)
    rate = status_check_rate_hit(ip_address=ip_address)
    if not rate.allowed:
        minutes = max(1, -(-rate.retry_after // 60))
        response = render(request, "applications/check_status_limited.html", {"minutes": minutes}, status=429)
        response["Retry-After"] = str(rate.retry_after)
        return response
    form = LinkApplicationForm(request.POST)
    if form.is_valid():
        check = status_check_perform(ip_address=ip_address, **form.cleaned_data)
        if check.result is CheckResult.FOUND and check.application is not None:
            return _render_status(request, application=check.application)
        if check.result is CheckResult.LOCKED:
            form.add_error(
                None,
                _(
                    "For your security, status checks are paused for 24 hours after too many tries. Please try again later."
                ),
            )
        else:
            # The same words whether the number exists or not.
            form.add_error(
                None,
                _(
                    "We could not find an application with the details you entered. "
                    "Check the application number and your identifiers, then try again."
                ),
            )
    return render(request, "applications/check_status.html", {"form": form}, status=400)


def _render_status(request: HttpRequest, *, application) -> HttpResponse:
    """The status page's reads, without the decision, the officer's notes, the history or any contact."""
    stages = stages_for_application(application=application)
    context = {
        "application": application,
        "client_status": client_status_for(application=application),
        "stages": stages,
        "waiting_on_you": [row for row in stages if row.waiting_on_client],
        "estimate": estimate_for_application(application=application),
    }
    return render(request, "applications/check_status_result.html", context)
