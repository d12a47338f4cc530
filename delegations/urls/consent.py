from django.urls import path

from delegations.views import requests

app_name = "consent"

urlpatterns = [
    path("ask/", requests.consent_ask, name="ask"),
    path("invitations/", requests.consent_invitations, name="invitations"),
    path("invitations/<int:grant_id>/accept/", requests.consent_invitation_accept, name="accept"),
]
