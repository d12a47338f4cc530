"""The public, read-only part of API v1."""

from django.urls import path  # noqa: F401 - endpoints are added by the processing-times API

app_name = "api"

urlpatterns: list = []
