"""URLs: documents (/documents/): send documents for a *waiting on you* request; download one."""

from django.urls import path

from enquiries.views import documents

app_name = "documents"

urlpatterns = [
    path("send/<str:number>/<slug:stage_code>/", documents.documents_send, name="send"),
    path("<int:pk>/download/", documents.document_download, name="download"),
]
