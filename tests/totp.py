"""TOTP codes for tests that post them to allauth.

A code read with `pyotp.TOTP(secret).now()` in the last moment of its 30-second step may
be checked by the server in the next step, where allauth (no tolerance) refuses it. CI
met that once. `totp_code` waits out the end of a step before it reads the code.
"""

import time

import pyotp

STEP_SECONDS = 30
SAFE_MARGIN_SECONDS = 4


def totp_code(secret: str) -> str:
    left = STEP_SECONDS - time.time() % STEP_SECONDS
    if left < SAFE_MARGIN_SECONDS:
        time.sleep(left + 0.05)
    return pyotp.TOTP(secret).now()
