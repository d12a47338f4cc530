"""URLs: the public directory of parliamentary offices (mounted at parliamentary-offices/)."""

from django.urls import path

from delegations.views import directory

app_name = "directory"

urlpatterns = [
    path("", directory.directory_index, name="index"),
]
