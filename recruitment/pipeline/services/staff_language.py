"""The language of the emails sent to staff (issue 20): each staff member's choice on their
notifications page (`StaffNotificationSetting.language`), else the site's language.

Read-only. A stored language the site no longer offers (LANGUAGES changed) falls back to
the site's language rather than to an untranslated email.
"""

from collections.abc import Iterable

from django.conf import settings

from recruitment.models import StaffNotificationSetting


def offered(language: str) -> bool:
    """Whether the site has this language (settings.LANGUAGES)."""
    return language in dict(settings.LANGUAGES)


def email_language_of(user_id: int) -> str:
    """The language to write to this staff member in."""
    return email_languages_of([user_id])[user_id]


def email_languages_of(user_ids: Iterable[int]) -> dict[int, str]:
    """The language of each of these staff members' emails, in one query."""
    ids = set(user_ids)
    chosen = dict(
        StaffNotificationSetting.objects.filter(user_id__in=ids).values_list("user_id", "language")
    )
    return {
        user_id: chosen[user_id] if offered(chosen.get(user_id, "")) else settings.LANGUAGE_CODE
        for user_id in ids
    }
