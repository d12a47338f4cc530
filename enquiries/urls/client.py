"""URLs of the client's side of enquiries (below /en|fr/enquiries/)."""

from django.urls import path

from enquiries.views import client

app_name = "enquiries"

urlpatterns = [
    path("", client.enquiry_list, name="list"),
    path("new/", client.enquiry_new, name="new"),
    path("new/answered/", client.enquiry_deflect, name="deflect"),
    path("check-your-email/", client.enquiry_guest_sent, name="guest_sent"),
    path("confirm/<str:token>/", client.enquiry_confirm, name="confirm"),
    path("<str:reference>/", client.enquiry_detail, name="detail"),
    path("<str:reference>/sent/", client.enquiry_sent, name="sent"),
]
