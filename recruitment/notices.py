"""Texts shown to candidates at collection time, and the versions that prove what they saw.

The consent text is rendered from its duration and the active language. Each published
consent text version (recruitment.models.ConsentTextVersion) keeps the text rendered in every
language, and every consent stores the SHA-256 of the text it was given under (PRIVACY.md P3),
so a later change of wording never widens what an earlier candidate agreed to.

A privacy notice version stores purposes and legal bases as keys; the words for them, in the
reader's language, are here.
"""

import hashlib

from django.conf import settings
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recruitment.models import ConsentTextVersion

# Keys stored in a notice version's snapshot. Never remove or reword a key's meaning: old
# versions must keep rendering as they were published (add a new key instead).
PURPOSES: dict[str, Promise] = {
    "assess_application": _(
        "To assess your application for the position and to take steps, at your request, "
        "towards a possible employment contract."
    ),
    "talent_pool": _(
        "Only if you tick the optional talent-pool box: to keep your application after the "
        "recruitment process ends and to contact you about future openings."
    ),
}
LEGAL_BASES: dict[str, Promise] = {
    "pre_contract_steps": _(
        "Steps taken at your request before entering into a contract, and our legitimate "
        "interest in recruiting."
    ),
    "consent": _("Your explicit consent, which you can withdraw at any time."),
}


def talent_pool_consent_text(months: int | None = None) -> str:
    """The consent text in the active language for a consent lasting `months` (default:
    TALENT_POOL_CONSENT_MONTHS), exactly as the form shows it."""
    months = settings.TALENT_POOL_CONSENT_MONTHS if months is None else months
    return ngettext(
        "Optional: keep my application and CV for %(months)d month after this recruitment "
        "process ends, so that you may contact me about future openings. I can withdraw "
        "this consent at any time.",
        "Optional: keep my application and CV for %(months)d months after this recruitment "
        "process ends, so that you may contact me about future openings. I can withdraw "
        "this consent at any time.",
        months,
    ) % {"months": months}


def consent_text_in(version: ConsentTextVersion, language: str) -> str:
    """The exact text of `version` in `language`: as published, or rendered now (in that
    language, for the version's duration) if the language was added after publication."""
    published = version.texts.get(language)
    if published is not None:
        return str(published)
    with translation.override(language):
        return talent_pool_consent_text(version.months)


def text_version(text: str) -> str:
    """A stable fingerprint of a text: SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
