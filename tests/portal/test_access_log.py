"""The access log masks credentials that travel in URLs, and leaves everything else as it was."""

import datetime
from types import SimpleNamespace

import pytest
from gunicorn.config import Config

from portal.access_log import MaskingLogger, mask_secrets

SECRET = "Zx9_secret-Token:abc"


@pytest.mark.parametrize(
    "path",
    [
        f"/en/accounts/password/reset/key/3f-{SECRET}/",
        f"/fr/notifications/unsubscribe/{SECRET}/",
        f"/en/survey/{SECRET}/",
        f"/en/accounts/confirm-email/{SECRET}/",
        f"/fr/enquiries/confirm/{SECRET}/",
        f"/en/anything/?token={SECRET}&page=2",
    ],
)
def test_a_credential_in_the_path_or_query_is_masked(path):
    masked = mask_secrets(path)
    assert SECRET not in masked
    assert "[masked]" in masked


def test_ordinary_paths_are_left_alone():
    for path in ("/en/applications/E123456789/", "/fr/processing-times/?program=study-permit", "/api/v1/events/"):
        assert mask_secrets(path) == path


def test_gunicorn_access_lines_carry_no_token():
    logger = MaskingLogger(Config())
    path = f"/en/notifications/unsubscribe/{SECRET}/"
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.9",
        "HTTP_REFERER": f"https://mail.example/?u=https://portal.example{path}",
    }
    response = SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = SimpleNamespace(headers=[("REFERER", environ["HTTP_REFERER"])])

    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))

    line = " ".join(str(value) for value in atoms.values())
    assert SECRET not in line
    assert atoms["r"] == "GET /en/notifications/unsubscribe/[masked]/ HTTP/1.1"
