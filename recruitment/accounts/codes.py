"""The current TOTP code for a secret: what an authenticator app would show.

For `manage.py demo_totp` (demo accounts only) and the tests; the product itself only checks
codes (allauth). Uses allauth's own HOTP so the two cannot disagree.
"""

import time

from allauth.mfa import app_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def current_code(secret: str, *, at: float | None = None) -> str:
    """The code an app holding base32 `secret` shows at `at` (epoch seconds; default now)."""
    moment = time.time() if at is None else at
    return format_hotp_value(hotp_value(secret, int(moment) // app_settings.TOTP_PERIOD))


def lasting_code(secret: str, *, for_at_least: int = 5) -> str:
    """The current code for `secret`, first waiting for the next one when the current one has
    fewer than `for_at_least` seconds left (blocks up to that long; no other side effect).

    Codes are accepted only in their own 30-second step (allauth's tolerance is 0), so a code
    read in the last second of its step is refused if entering it takes longer, as it does in
    a browser on a loaded machine. A person would wait for the next code too.
    """
    left = seconds_left()
    if left < for_at_least:
        time.sleep(left + 0.05)
    return current_code(secret)


def seconds_left(*, at: float | None = None) -> int:
    """Seconds until the code changes."""
    moment = time.time() if at is None else at
    return app_settings.TOTP_PERIOD - int(moment) % app_settings.TOTP_PERIOD
