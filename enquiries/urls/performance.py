"""URLs: performance (filled in by the part of the enquiries issue that owns them)."""

app_name = "performance"

urlpatterns: list = []
