"""Public pages about processing times (under /en/ and /fr/)."""

from django.urls import path  # noqa: F401 - pages are added by the processing-times views

app_name = "processing_times"

urlpatterns: list = []
