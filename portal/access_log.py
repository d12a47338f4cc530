"""Gunicorn's access log without the secrets that travel in URLs.

Password-reset keys, unsubscribe tokens, survey links and email-confirmation links
put a credential in the path: anyone who reads the log could use it. Every text
field of a log line (request line, path, query, referrer, headers) is written with
each such segment replaced by `[masked]`. Used with `gunicorn --logger-class portal.access_log.MaskingLogger`.
"""

import re

from gunicorn.glogging import Logger

# A path segment that follows one of these words is a credential (with or without the language prefix).
SECRET_SEGMENT = re.compile(
    r"(?P<before>/(?:password/reset/key|unsubscribe|survey|confirm-email|enquiries/confirm)/)[^/?#\s]+"
)
# Query parameters that carry credentials.
SECRET_PARAMETER = re.compile(r"(?P<before>(?:^|[?&])(?:token|key|code|signature)=)[^&#\s]*", re.IGNORECASE)
MASK = "[masked]"


def mask_secrets(text: str | None) -> str | None:
    if not text:
        return text
    text = SECRET_SEGMENT.sub(lambda match: match["before"] + MASK, text)
    return SECRET_PARAMETER.sub(lambda match: match["before"] + MASK, text)


class MaskingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Every text atom: the request line, path, query and referrer, and the header and
        # environ atoms ({raw_uri}e, {referer}i…) that a custom log format could name.
        return {name: mask_secrets(value) if isinstance(value, str) else value for name, value in atoms.items()}
