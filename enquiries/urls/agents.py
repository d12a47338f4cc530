"""URLs of the agent workspace (/en|fr/agents/): the queue, a ticket, and one POST address per action."""

from django.urls import path

from enquiries.views import agents

app_name = "agents"

urlpatterns = [
    path("", agents.queue, name="queue"),
    path("<str:reference>/", agents.ticket_detail, name="ticket"),
    path("<str:reference>/claim/", agents.ticket_claim_view, name="claim"),
    path("<str:reference>/assign/", agents.ticket_assign_view, name="assign"),
    path("<str:reference>/transfer/", agents.ticket_transfer_view, name="transfer"),
    path("<str:reference>/note/", agents.ticket_note_view, name="note"),
    path("<str:reference>/reply/", agents.ticket_reply_view, name="reply"),
    path("<str:reference>/merge/", agents.ticket_merge_view, name="merge"),
    path("<str:reference>/spam/", agents.ticket_spam_view, name="spam"),
]
