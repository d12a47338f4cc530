from django.urls import path

from applications import check_views

app_name = "check_status"

urlpatterns = [
    path("", check_views.status_check_view, name="check"),
]
