"""Whether the signed-in person sees cases for others or works for an organisation, for the header's links."""

from django.utils.functional import SimpleLazyObject

from delegations.liaison import is_liaison_officer
from delegations.selectors import delegate_roles_for


def delegate_menu(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Read only when the header is drawn, and then from the cache: most people hold no role.
    menu = {"delegate_roles": SimpleLazyObject(lambda: delegate_roles_for(account=user))}
    if user.is_staff:
        # Only staff can be liaison officers: nobody else pays the group lookup.
        menu["liaison_officer"] = SimpleLazyObject(lambda: is_liaison_officer(user))
    return menu
