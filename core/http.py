"""The client's address as the portal should record it, behind any number of trusted proxies."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The address of whoever sent the request, or None when it cannot be told.

    With TRUSTED_PROXY_COUNT = N proxies in front, each appends the address it
    received the request from to X-Forwarded-For, so the client is the Nth entry
    from the right; anything further left was written by the client and is not
    believed. With no trusted proxy the socket's address is the client.
    """
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted > 0:
        forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= trusted:
            return _valid(forwarded[-trusted])
        # Fewer entries than proxies: the request did not come through all of them.
    return _valid(request.META.get("REMOTE_ADDR", ""))
