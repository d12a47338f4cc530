"""Every change to a client's grants: given, invited and accepted, asked for and answered, narrowed, revoked.

This is the one writer of grants. Each function checks what it is given, changes the
grant in one transaction, writes the audit event in that transaction (named by the
application number when the grant names one, so the client's access log shows it),
and tells the client and the grantee through the notification outbox. Nothing here
decides who may read a case: that is `applications.access`.

The package's modules, from the bottom up: `rules` (shared by the forms and the services),
`lookups`, `telling` (messages and audit), `giving` (online consent and invitations),
`requests` (asked for by a grantee, answered by the client), `changes` (narrowed,
revoked) and `paper` (recorded by staff). Callers import from the package.
"""

from delegations.consent.changes import grant_narrow, grant_revoke, grant_revoke_by_client
from delegations.consent.giving import (
    grant_accept_invitation,
    grant_give,
    invitations_for,
)
from delegations.consent.lookups import client_applications, client_for_account, grant_for_client, verified_addresses
from delegations.consent.paper import grant_record_paper, grants_of_client, requests_for_client
from delegations.consent.requests import Answer, RequestAnswer, grant_request, grant_request_answer
from delegations.consent.rules import (
    PARLIAMENTARY_MONTHS,
    REPRESENTATIVE_KINDS,
    REQUESTS_PER_HOUR,
    SCOPE_ORDER,
    Basis,
    GranteeChoice,
    client_name,
    day_start,
    expiry_for,
    kind_problem,
    number_of,
    person_short_name,
    signed_name_problem,
    terms_for,
)
from delegations.consent.telling import client_tell

__all__ = [
    "Answer",
    "Basis",
    "GranteeChoice",
    "PARLIAMENTARY_MONTHS",
    "REPRESENTATIVE_KINDS",
    "REQUESTS_PER_HOUR",
    "RequestAnswer",
    "SCOPE_ORDER",
    "client_applications",
    "client_for_account",
    "client_name",
    "client_tell",
    "day_start",
    "expiry_for",
    "grant_accept_invitation",
    "grant_for_client",
    "grant_give",
    "grant_narrow",
    "grant_record_paper",
    "grant_request",
    "grant_request_answer",
    "grant_revoke",
    "grant_revoke_by_client",
    "grants_of_client",
    "invitations_for",
    "kind_problem",
    "number_of",
    "person_short_name",
    "requests_for_client",
    "signed_name_problem",
    "terms_for",
    "verified_addresses",
]
