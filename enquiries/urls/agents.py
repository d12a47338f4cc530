"""URLs: agents (filled in by the part of the enquiries issue that owns them)."""

app_name = "agents"

urlpatterns: list = []
