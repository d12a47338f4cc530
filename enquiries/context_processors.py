"""Whether the signed-in person works the enquiry queues, for the link to the workspace in the header."""

from django.utils.functional import SimpleLazyObject

from enquiries.access import is_agent


def agent_workspace(request):
    user = getattr(request, "user", None)
    # Only staff can be agents: nobody else pays the group lookup.
    if user is None or not user.is_authenticated or not user.is_staff:
        return {}
    return {"works_enquiries": SimpleLazyObject(lambda: is_agent(user))}
