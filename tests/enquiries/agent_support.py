"""Signing agents in as the workspace requires: password, then a real TOTP code, through allauth's own pages.

`agent_client(client, user)` gives the user a TOTP authenticator (as turning it on
in the account pages would) unless they have one, then signs in with the password and
the current code. allauth records both steps in the session, which is what
`enquiries.access.agent_verified` reads. A code is accepted once per user and time
step, so sign one user in once per test.
"""

import datetime

import pyotp
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from allauth.mfa.utils import decrypt
from django.urls import reverse
from django.utils import timezone

from enquiries import clock
from enquiries.models import Ticket, TicketState, Topic
from enquiries.references import reference_new
from tests.totp import totp_code

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def totp_secret_for(user) -> str:
    """The user's TOTP secret, creating their authenticator the way allauth's activation does."""
    authenticator = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if authenticator is None:
        secret = pyotp.random_base32()
        TOTP.activate(user, secret)
        return secret
    return decrypt(authenticator.data["secret"])


def agent_client(client, user):
    """`client` signed in as `user` with password and TOTP code; returns the client."""
    secret = totp_secret_for(user)
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("mfa_authenticate"), response
    response = client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert response.status_code == 302, "the TOTP code was refused (used twice in one time step?)"
    return client


def signed_in_without_code(client, user):
    """`client` signed in as `user` by some other way than allauth's two steps (no record of either)."""
    client.force_login(user)
    return client


def bulk_tickets(*, count: int, topic: Topic | str = "status", state: str = TicketState.NEW, **fields) -> list[Ticket]:
    """`count` queued tickets in one insert, due one business-ish day apart from tomorrow: for sizes, not stories."""
    if isinstance(topic, str):
        topic = Topic.objects.get(code=topic)
    today = clock.office_date(timezone.now())
    now = timezone.now()
    tickets = [
        Ticket(
            **{
                "reference": reference_new(),
                "topic": topic,
                "state": state,
                "language": "fr" if index % 3 == 0 else "en",
                "contact_email": f"bulk{index}@example.com",
                "contact_name": f"Bulk Person {index}",
                "priority": topic.priority,
                "service_standard_days": topic.service_standard_days,
                "queued_at": now,
                "clock_started_on": today,
                "due_on": today + datetime.timedelta(days=1 + index % 20),
                **fields,
            }
        )
        for index in range(count)
    ]
    return Ticket.objects.bulk_create(tickets)
