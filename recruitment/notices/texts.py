"""Texts shown to candidates at collection time, and the versions that prove what they saw.

The consent text is rendered from its duration and the active language. Each published
consent text version (recruitment.models.ConsentTextVersion) keeps the text rendered in every
language, and every consent stores the SHA-256 of the text it was given under (PRIVACY.md P3),
so a later change of wording never widens what an earlier candidate agreed to.

A privacy notice version stores purposes and legal bases as keys; the words for them, in the
reader's language, are here. Its text is rendered once, at publication, in every configured
language (`render_notice_texts`) and stored with the version, each with its SHA-256, so that
a later template or catalogue change never rewrites what an earlier candidate read.

Why the notice is stored as HTML, not as structured text: what must be frozen is the page a
candidate read, headings, lists and link included, and structured text would need a template
again at display time, which is exactly what drifts. The HTML is trusted because of where it
comes from: only `render_notice_texts` writes it, from our own template with autoescaping on
(every configuration value is escaped; the catalogues are part of the code, like the
template), at publication, into an append-only row that no form, admin page or service ever
edits. The page shows it as it is; the Content-Security-Policy (no inline script without the
page's nonce) stands behind that.
"""

import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recruitment.models import ConsentTextVersion, NoticeVersion, Question

NOTICE_TEXT_TEMPLATE = "privacy/_notice_text.html"

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
    """The exact text of `version` a reader in `language` is shown, always as published: in
    that language, or, if the language was added after publication, in the default language
    (LANGUAGE_CODE, else the first published). Never translated afresh: a fresh translation
    could change with the next catalogue edit, and then the text a consent's fingerprint
    (`text_version`) was taken of could no longer be shown. Publishing a new version gives
    the new language its own text (the staff page says one is due)."""
    return str(version.texts[_published_language(version.texts, language)])


def render_notice_texts(content: Mapping[str, Any]) -> dict[str, str]:
    """The text of a notice with snapshot `content`, rendered from NOTICE_TEXT_TEMPLATE in
    every configured language ({code: HTML}), as publishing stores it. Reads no database."""
    texts = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            purposes = [
                (
                    PURPOSES.get(item["purpose"], item["purpose"]),
                    LEGAL_BASES.get(item["legal_basis"], item["legal_basis"]),
                )
                for item in content["purposes"]
            ]
            # Notices published before questions existed list no categories (the key is absent).
            categories = [
                Question.Category(key).label
                for key in content.get("data_categories", [])
                if key in Question.Category.values
            ]
            html = render_to_string(
                NOTICE_TEXT_TEMPLATE,
                {"notice": content, "purposes": purposes, "categories": categories},
            )
        texts[code] = html.strip()
    return texts


def fingerprints(texts: Mapping[str, str]) -> dict[str, str]:
    """{code: SHA-256} of each text, as a version stores them in `sha256`."""
    return {code: text_version(text) for code, text in texts.items()}


def notice_text_in(version: NoticeVersion, language: str) -> tuple[str, SafeString]:
    """The stored text of `version` in `language`, as (language, HTML): the language asked
    for if the version was published in it, else the default language (LANGUAGE_CODE), else
    the first it was published in. Never rendered afresh: a language added after publication
    reads the version as it was published until a new version is published. The HTML is
    marked safe because only `render_notice_texts` wrote it (see the module docstring)."""
    code = _published_language(version.sha256, language)
    return code, mark_safe(version.texts[code])  # noqa: S308 - our template's output, frozen


def notice_fingerprint_in(version: NoticeVersion, language: str) -> str:
    """The SHA-256 of the text of `version` a reader in `language` is shown (with the same
    fallback as `notice_text_in`); needs only the version's `sha256`, not its texts."""
    return str(version.sha256[_published_language(version.sha256, language)])


def _published_language(published: Mapping[str, str], language: str) -> str:
    for code in (language, settings.LANGUAGE_CODE, *published):
        if code in published:
            return code
    raise LookupError("a notice version holds no text")


def text_version(text: str) -> str:
    """A stable fingerprint of a text: SHA-256 of its UTF-8 bytes."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
