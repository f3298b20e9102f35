"""Texts shown to candidates at collection time, and the versions that prove what they saw.

The consent text is rendered from configuration and the active language; its SHA-256 is
stored with every consent (PRIVACY.md P3), so a later change of wording never widens what
an earlier candidate agreed to.
"""

import hashlib

from django.conf import settings
from django.utils.translation import ngettext


def talent_pool_consent_text() -> str:
    """The consent text in the active language, exactly as the form shows it."""
    months = settings.TALENT_POOL_CONSENT_MONTHS
    return ngettext(
        "Optional: keep my application and CV for %(months)d month after this recruitment "
        "process ends, so that you may contact me about future openings. I can withdraw "
        "this consent at any time.",
        "Optional: keep my application and CV for %(months)d months after this recruitment "
        "process ends, so that you may contact me about future openings. I can withdraw "
        "this consent at any time.",
        months,
    ) % {"months": months}


def text_version(text: str) -> str:
    """A stable fingerprint of a text: SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
