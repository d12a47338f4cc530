"""The portal's URLs plus the benchmark-only ceiling views, which never ships in portal/."""

from django.urls import path

from bench import views
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/bare/", views.bare, name="bench_bare"),
    path("bench/bare-signed-in/", views.bare_signed_in, name="bench_bare_signed_in"),
    *portal_urlpatterns,
]
