"""URLs: client (filled in by the part of the enquiries issue that owns them)."""

app_name = "enquiries"

urlpatterns: list = []
