"""Pages where applicants see and manage their own applications."""

import datetime
import hashlib
from dataclasses import dataclass
from operator import attrgetter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from applications.access import Basis, Need, application_for_viewer, applications_for_viewer
from applications.forms import LinkApplicationForm
from applications.models import Application
from applications.services import LinkResult, application_link, application_unlink
from core.http import client_ip
from core.i18n import active_language
from enquiries.selectors import case_timeline_extras
from processing_times.estimates import estimate_for_application, estimates_generation_with
from status_tracker.decisions import decision_summary_for_application
from status_tracker.selectors import client_status_for, stages_for_application, timeline_for_application


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    applications = applications_for_viewer(viewer=request.user).select_related("decision")
    rows = [(application, client_status_for(application=application)) for application in applications]
    return render(request, "applications/list.html", {"rows": rows})


def _viewer_may(application: Application) -> dict[str, bool]:
    """What the page may show or offer, from the needs the gate found for this viewer.

    A grantee sees only what the client's grant allows; actions taken in the client's
    name need ACT_ON_BEHALF, which staff never have.
    """
    needs = application.viewer_needs
    return {
        "owner": application.viewer_basis is Basis.OWNER,
        "grantee": application.viewer_basis is Basis.GRANTEE,
        "decision": Need.DECISION in needs,
        "notes": Need.OFFICER_NOTES in needs,
        "act": Need.ACT_ON_BEHALF in needs,
    }


# The rendered stages, status-event history and estimate of a status page live this long
# at most; ingestion and the nightly job change the key long before, this only bounds
# how long an edited stage name or explanation can take to show.
STATUS_PAGE_CACHE_SECONDS = 60 * 60


@dataclass(frozen=True)
class _RenderedEvent:
    """A status event of the history, already rendered: merged by time with the live entries."""

    occurred_at: datetime.datetime
    html: SafeString


def _status_page_inputs(application: Application) -> list:
    """What the page's stages, history and estimate depend on, apart from the estimates' generation.

    Every stored event (history_version, moved by events_ingest), the day (the estimate's
    "today"), the language and the viewer's basis and needs (a grantee's page may differ).
    Nothing personal to the viewer is inside: two viewers with the same basis and needs of
    the same file share what is cached under it.
    """
    return [
        application.pk,
        application.history_version,
        application.status,
        application.current_stage_id,
        active_language(),
        timezone.localdate(),
        application.viewer_basis,
        ",".join(sorted(str(need) for need in application.viewer_needs)),
    ]


def _status_page_key(application: Application, generation: str) -> str:
    """The cache key of what a status page shows of the file's stages, history and estimate.

    Its inputs (_status_page_inputs) and the nightly snapshots' generation (estimates_generation).
    """
    parts = [*_status_page_inputs(application), generation]
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).hexdigest()
    return f"status-page:{application.pk}:{digest}"


def _status_page_parts(application: Application, generation: str) -> dict:
    """The stages, rendered stages, rendered status events and rendered estimate (cached).

    A hit costs one cache read and no query; a miss reads the stages (one query), the
    history (one) and the estimate (at most two), and renders them once for everyone
    who reads this version of the file in this language.
    """
    key = _status_page_key(application, generation)
    parts = cache.get(key)
    if parts is not None:
        return parts
    stages = stages_for_application(application=application)
    estimate = estimate_for_application(application=application)
    template = get_template("applications/_history_event.html").template  # type: ignore[attr-defined]
    context = Context({"event": None}, autoescape=True)
    events = []
    for event in timeline_for_application(application=application):
        context["event"] = event
        events.append((event.occurred_at, str(template.render(context))))
    parts = {
        "stages": stages,
        "stages_html": render_to_string("applications/_stages.html", {"stages": stages}),
        "estimate_html": (
            render_to_string(
                "applications/estimate.html",
                {"application": application, "estimate": estimate, "may": _viewer_may(application)},
            )
            if estimate
            else ""
        ),
        "events": events,
    }
    cache.set(key, parts, timeout=STATUS_PAGE_CACHE_SECONDS)
    return parts


def _status_body_key(application: Application, extras: list) -> str:
    """The cache key of the whole page body below the heading, less the estimates' generation.

    The parts' inputs (_status_page_inputs: every stored event, the day, the language, the
    viewer's basis and needs), every column of the file the body shows, and a digest of the
    documents sent and enquiries read for this request: a new enquiry, answer or document
    changes the key at once, with no writer to keep in step. Like the parts, the body is
    built only from these inputs, so whoever shares the key would have rendered the same
    page. The generation is stored with the body instead of in its key, so that one cache
    read fetches both (processing_times.estimates.estimates_generation_with).
    """
    parts = [
        *_status_page_inputs(application),
        application.outcome,
        application.decided_on,
        application.submitted_on,
        application.channel,
        application.processing_office,
        application.last_updated_at,
        repr(extras),
    ]
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=16).hexdigest()
    return f"status-body:{application.pk}:{digest}"


def _status_page_body(application: Application, may: dict[str, bool]) -> SafeString:
    """The rendered body of the status page (cached): summary, callouts, estimate, stages and history.

    A hit costs the history extras' query (documents sent and enquiries: part of the key)
    and one cache read, which brings the estimates' generation along; a body rendered under
    another generation is a miss. A miss renders the body from the cached parts.
    """
    # For a grantee, only the enquiries sent for the client under a grant (the selector decides).
    extras = case_timeline_extras(application=application)
    key = _status_body_key(application, extras)
    generation, cached = estimates_generation_with(key)
    if cached is not None and cached[0] == generation:
        return mark_safe(cached[1])  # noqa: S308 (rendered by our own template)
    parts = _status_page_parts(application, generation)
    stages = parts["stages"]
    events = [_RenderedEvent(occurred_at=at, html=mark_safe(html)) for at, html in parts["events"]]  # noqa: S308
    context = {
        "application": application,
        "may": may,
        "client_status": client_status_for(application=application),
        "stages_html": mark_safe(parts["stages_html"]),  # noqa: S308 (rendered by our own template)
        "estimate_html": mark_safe(parts["estimate_html"]),  # noqa: S308 (rendered by our own template)
        "waiting_on_you": [row for row in stages if row.waiting_on_client],
        # Status events, documents sent and enquiries, newest first (each has occurred_at).
        "events": sorted([*events, *extras], key=attrgetter("occurred_at"), reverse=True) if extras else events,
    }
    body = render_to_string("applications/_detail_body.html", context)
    cache.set(key, (generation, body), timeout=STATUS_PAGE_CACHE_SECONDS)
    return mark_safe(body)  # noqa: S308 (rendered by our own template)


@login_required
def application_detail(request: HttpRequest, number: str) -> HttpResponse:
    application = application_for_viewer(viewer=request.user, number=number, request=request)
    may = _viewer_may(application)
    context = {"application": application, "may": may, "body_html": _status_page_body(application, may)}
    return render(request, "applications/detail.html", context)


@login_required
@require_safe
def application_decision(request: HttpRequest, number: str) -> HttpResponse:
    application = application_for_viewer(viewer=request.user, number=number, need=Need.DECISION, request=request)
    summary = decision_summary_for_application(application=application)
    if summary is None:
        raise Http404
    context = {"application": application, "summary": summary, "may": _viewer_may(application)}
    return render(request, "applications/decision.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def application_link_view(request: HttpRequest) -> HttpResponse:
    form = LinkApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result, application = application_link(account=request.user, ip_address=client_ip(request), **form.cleaned_data)
        if result is LinkResult.LINKED and application is not None:
            messages.success(
                request, _("Application %(number)s is now linked to your account.") % {"number": application.number}
            )
            return redirect("applications:detail", number=application.number)
        if result is LinkResult.LOCKED:
            form.add_error(
                None,
                _("For your security, linking is paused for 24 hours after too many tries. Please try again later."),
            )
        else:
            form.add_error(
                None,
                _(
                    "We could not link this application with the details you entered. "
                    "Check the application number and your identifiers, then try again."
                ),
            )
    return render(request, "applications/link.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def application_unlink_view(request: HttpRequest, number: str) -> HttpResponse:
    application = application_for_viewer(viewer=request.user, number=number, request=request)
    if application.viewer_basis is not Basis.OWNER:
        # Only the client's own account can give up its link; staff have nothing to unlink.
        return redirect("applications:detail", number=application.number)
    if request.method == "POST":
        application_unlink(account=request.user, application=application, ip_address=client_ip(request))
        messages.success(
            request, _("Application %(number)s is no longer linked to your account.") % {"number": application.number}
        )
        return redirect("applications:list")
    return render(request, "applications/unlink.html", {"application": application})
