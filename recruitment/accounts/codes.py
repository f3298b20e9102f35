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


def seconds_left(*, at: float | None = None) -> int:
    """Seconds until the code changes."""
    moment = time.time() if at is None else at
    return app_settings.TOTP_PERIOD - int(moment) % app_settings.TOTP_PERIOD
