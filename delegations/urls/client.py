from django.urls import path

from delegations.views import client

app_name = "access"

urlpatterns = [
    path("", client.access_index, name="index"),
    path("give/", client.access_give, name="give"),
    path("<int:grant_id>/narrow/", client.access_narrow, name="narrow"),
    path("<int:grant_id>/revoke/", client.access_revoke, name="revoke"),
    path("requests/<int:grant_id>/", client.access_answer, name="answer"),
]
