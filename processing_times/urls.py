"""Public pages about processing times (under /en/ and /fr/); no sign-in needed."""

from django.urls import path

from processing_times import views

app_name = "processing_times"

urlpatterns = [
    path("", views.processing_times, name="index"),
    path("methodology/", views.methodology, name="methodology"),
]
