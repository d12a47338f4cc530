"""URLs: the pages of people who see cases for others (mounted at delegate/)."""

from django.urls import path

from delegations.views import grantee

app_name = "delegate"

urlpatterns = [
    path("", grantee.cases_index, name="cases"),
    path("organisation/", grantee.organisation_choose, name="organisation_choose"),
    path("organisation/<int:pk>/", grantee.organisation_detail, name="organisation"),
    path("organisation/<int:pk>/invite/", grantee.organisation_invite, name="organisation_invite"),
    path("organisation/<int:pk>/members/<int:member_pk>/remove/", grantee.member_remove_view, name="member_remove"),
    path(
        "organisation/<int:pk>/invitations/<int:invitation_pk>/withdraw/",
        grantee.invitation_withdraw_view,
        name="invitation_withdraw",
    ),
    path("invitations/<str:token>/", grantee.invitation_accept, name="invitation"),
]
