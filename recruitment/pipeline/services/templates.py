"""Message templates (issue 20): placeholders, their validation, and rendering a text for
one candidate.

A template's subject and body may use these placeholders, written in braces:
{first_name}, {posting_title}, {portal_link}, {company_name}, {recruiter_name}. Anything
else in braces is refused with a message naming it, when a template is saved and when a
message written freely is sent, so a typo never reaches a candidate as "{frist_name}".
`{portal_link}` becomes the outbox's personal-link placeholder: the real one-time portal
link is minted at delivery and stored nowhere.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ats.catalogs import to_cyrillic
from recruitment.access import Actor
from recruitment.models import Application, MessageTemplate, MessageTemplateText

PLACEHOLDERS = ("first_name", "posting_title", "portal_link", "company_name", "recruiter_name")
# Anything in braces is meant as a placeholder; a lone brace is left as text.
_BRACED = re.compile(r"\{([^{}\s]*)\}")


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def unknown_placeholders(text: str) -> list[str]:
    """The braced names in `text` that are not placeholders, each once, in order."""
    names = (match.group(1) for match in _BRACED.finditer(text))
    return list(dict.fromkeys(name for name in names if name not in PLACEHOLDERS))


def braced(names: Iterable[str]) -> str:
    """Names as placeholders are written: "{first_name}, {posting_title}"."""
    return ", ".join(f"{{{name}}}" for name in names)


def check_placeholders(text: str) -> None:
    """Raises ValidationError naming every unknown placeholder in `text`."""
    unknown = unknown_placeholders(text)
    if unknown:
        raise ValidationError(
            _("Unknown placeholder %(unknown)s. You can use: %(known)s."),
            code="unknown_placeholder",
            params={
                "unknown": braced(unknown),
                "known": braced(PLACEHOLDERS),
            },
        )


def first_name(full_name: str) -> str:
    parts = full_name.split()
    return parts[0] if parts else full_name


def placeholder_values(
    *, application: Application, sender: Any, portal_link: str
) -> dict[str, str]:
    """What each placeholder stands for in a message to this application's candidate."""
    full_name = sender.get_full_name() if hasattr(sender, "get_full_name") else ""
    return {
        "first_name": first_name(application.candidate.full_name),
        "posting_title": application.posting.title,
        "portal_link": portal_link,
        "company_name": str(settings.CONTROLLER.get("name", "")),
        "recruiter_name": full_name or sender.get_username(),
    }


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with every known placeholder replaced (unknown ones are refused before this)."""
    return _BRACED.sub(lambda m: values.get(m.group(1), m.group(0)), text)


@dataclass(frozen=True)
class Text:
    subject: str
    body: str


def text_for(template: MessageTemplate, language: str) -> Text | None:
    """The template's text in `language`, or None if it has none (uses prefetched texts)."""
    for text in template.texts.all():
        if text.language == language:
            return Text(text.subject, text.body)
    return None


@transaction.atomic
def save_template(
    *, actor: Actor, name: str, texts: dict[str, Text], template: MessageTemplate | None = None
) -> MessageTemplate:
    """Creates `template` (or updates it) with one text per language of settings.LANGUAGES.

    A missing Cyrillic Serbian text is generated from the Latin one. Raises ValidationError
    for an unknown placeholder or a missing language; then nothing changes. Side effects:
    the template row and its texts, replaced in one transaction. Rerun-safe (same result).
    """
    texts = dict(texts)
    if "sr" not in texts and "sr-latn" in texts:
        latin = texts["sr-latn"]
        texts["sr"] = Text(to_cyrillic(latin.subject), to_cyrillic(latin.body))
    missing = [code for code in language_codes() if code not in texts]
    if missing:
        raise ValidationError(
            _("Write the message in every language (missing: %(missing)s)."),
            params={"missing": ", ".join(missing)},
        )
    for text in texts.values():
        check_placeholders(text.subject)
        check_placeholders(text.body)
    if template is None:
        template = MessageTemplate(name=name)
    template.name = name
    template.updated_by_username = actor.user.get_username()
    template.save()
    template.texts.all().delete()
    MessageTemplateText.objects.bulk_create(
        MessageTemplateText(
            template=template,
            language=code,
            subject=texts[code].subject.strip(),
            body=texts[code].body.strip(),
        )
        for code in language_codes()
    )
    return template
