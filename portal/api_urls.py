"""API v1 wiring: the public processing times, the upstream endpoints, the schema and its documentation page."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from core.api.problems import api_not_found
from enquiries import api as enquiries_api
from enquiries.api_performance import ServicePerformanceApi
from processing_times.api import ProcessingTimesApi
from status_tracker.api import applications, docs, events

app_name = "api"

urlpatterns = [
    path("processing-times/", ProcessingTimesApi.as_view(), name="processing_times"),
    path("service-performance/", ServicePerformanceApi.as_view(), name="service_performance"),
    path("events/", events.EventsIngestApi.as_view(), name="events"),
    # Before the application route below, whose number would swallow "/documents/...".
    re_path(
        r"^applications/(?P<number>[^/\x00]+)/documents/$",
        enquiries_api.ApplicationDocumentsApi.as_view(),
        name="application_documents",
    ),
    re_path(
        r"^applications/(?P<number>[^/\x00]+)/documents/(?P<document_id>[^/\x00]+)/$",
        enquiries_api.ApplicationDocumentFileApi.as_view(),
        name="application_document",
    ),
    # Any number at all, even with a slash or a newline in it, reaches the view and gets a problem body.
    re_path(
        r"^applications/(?P<number>[^\x00]+?)/$",
        applications.ApplicationForUpstreamApi.as_view(),
        name="application",
    ),
    # The schema and its page describe the API and expose no data: public.
    path("schema/", SpectacularAPIView.as_view(authentication_classes=[]), name="schema"),
    path("docs/", docs.ApiDocsView.as_view(), name="docs"),
    re_path(r"^[\s\S]*$", api_not_found),
]
