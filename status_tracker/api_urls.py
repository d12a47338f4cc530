"""The public, read-only part of API v1."""

from django.urls import path

from status_tracker import api

app_name = "api"

urlpatterns = [
    path("processing-times/", api.ProcessingTimesApi.as_view(), name="processing_times"),
]
