from django.urls import path

from applications import views

app_name = "applications"

urlpatterns = [
    path("", views.application_list, name="list"),
    path("link/", views.application_link_view, name="link"),
    path("<str:number>/", views.application_detail, name="detail"),
    path("<str:number>/unlink/", views.application_unlink_view, name="unlink"),
    path("<str:number>/decision/", views.application_decision, name="decision"),
]
