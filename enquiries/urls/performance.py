"""URLs: the public service dashboard (no sign-in)."""

from django.urls import path

from enquiries.views import performance

app_name = "performance"

urlpatterns = [
    path("", performance.service_performance, name="index"),
]
