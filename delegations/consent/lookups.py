"""Reads for the client's and the grantee's consent pages: the client behind an account, their files and grants."""

from allauth.account.models import EmailAddress
from django.http import Http404

from applications.models import Application, Client, Grant


def client_for_account(account) -> Client | None:
    """The client this account speaks for (set by its first link), or None."""
    if account is None or not account.is_authenticated:
        return None
    return Client.objects.filter(account=account).first()


def client_applications(*, account, client: Client):
    """The client's applications this account holds a link to: the ones it may give access to."""
    return Application.objects.filter(client=client, links__account=account).order_by("-submitted_on", "number")


def grant_for_client(*, account, grant_id: int) -> Grant:
    """One of the grants of the client this account speaks for; anyone else's is a 404."""
    if account is None or not account.is_authenticated:
        raise Http404
    grant = (
        Grant.objects.select_related("client", "application", "organisation", "grantee_account")
        .filter(pk=grant_id, client__account=account)
        .first()
    )
    if grant is None:
        raise Http404
    return grant


def verified_addresses(account) -> set[str]:
    return {
        address.lower()
        for address in EmailAddress.objects.filter(user=account, verified=True).values_list("email", flat=True)
    }
