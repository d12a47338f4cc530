"""URLs: survey (filled in by the part of the enquiries issue that owns them)."""

app_name = "survey"

urlpatterns: list = []
