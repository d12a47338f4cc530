"""core.http.client_ip: the address recorded for a request, behind zero or more trusted proxies."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from applications.models import LinkAttempt
from core.http import client_ip
from core.models import AuditAction, AuditEvent


@pytest.mark.parametrize(
    ("proxies", "forwarded_for", "remote_addr", "expected"),
    [
        (0, "", "203.0.113.5", "203.0.113.5"),
        (0, "198.51.100.7", "203.0.113.5", "203.0.113.5"),  # no proxy trusted: the header is the client's word
        (1, "198.51.100.7", "10.0.0.2", "198.51.100.7"),
        (1, "6.6.6.6, 198.51.100.7", "10.0.0.2", "198.51.100.7"),  # a forged left part is ignored
        (2, "198.51.100.7, 10.0.0.3", "10.0.0.2", "198.51.100.7"),
        (2, "198.51.100.7", "10.0.0.2", "10.0.0.2"),  # fewer entries than proxies: not through them all
        (1, "", "10.0.0.2", "10.0.0.2"),
        (1, "not-an-address", "10.0.0.2", None),
        (1, " 2001:db8::1 ", "10.0.0.2", "2001:db8::1"),
        (0, "", "", None),
    ],
)
def test_it_takes_the_address_the_nearest_trusted_proxy_saw(settings, proxies, forwarded_for, remote_addr, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    meta = {"REMOTE_ADDR": remote_addr}
    if forwarded_for:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded_for
    request = RequestFactory().get("/", **meta)
    assert client_ip(request) == expected


def test_link_attempts_record_the_client_not_the_proxy(client, settings, applicant, applicant_application):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(applicant)
    client.post(
        reverse("applications:link"),
        {"application_number": "E000000000", "uci": "12345678"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    attempt = LinkAttempt.objects.get(application_number="E000000000")
    assert attempt.ip_address == "198.51.100.7"


def test_unlinking_is_audited_with_the_client_address(client, settings, applicant, applicant_application):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(applicant)
    url = reverse("applications:unlink", args=[applicant_application.number])
    client.post(url, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.8")
    event = AuditEvent.objects.get(action=AuditAction.CASE_UNLINKED)
    assert (event.actor, event.case_number, event.ip_address) == (
        applicant,
        applicant_application.number,
        "198.51.100.8",
    )
    assert LinkAttempt.objects.get(result="unlinked").ip_address == "198.51.100.8"
