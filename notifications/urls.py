from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.notification_centre, name="centre"),
    path("read-all/", views.notification_read_all, name="read_all"),
    path("<int:notification_id>/read/", views.notification_read, name="read"),
    path("preferences/", views.notification_preferences, name="preferences"),
    path("unsubscribe/<str:token>/", views.email_unsubscribe_view, name="unsubscribe"),
]
