"""Reads of the privacy notice and consent text versions."""

from datetime import datetime

from django.db.models import QuerySet

from recruitment.models import ConsentTextVersion, NoticeVersion


def notice_versions(*, now: datetime, include_scheduled: bool) -> QuerySet[NoticeVersion]:
    """Notice versions, newest first: those in effect, and scheduled ones if asked."""
    versions = (
        NoticeVersion.objects.all() if include_scheduled else NoticeVersion.objects.in_effect(now)
    )
    return versions.order_by("-number")


def consent_text_versions() -> QuerySet[ConsentTextVersion]:
    """Every consent text version, scheduled ones included, newest first."""
    return ConsentTextVersion.objects.select_related("published_by").order_by("-number")


def notice_version(*, number: int, now: datetime, include_scheduled: bool) -> NoticeVersion | None:
    """Notice version `number` if it is in effect (or scheduled, if asked), else None."""
    return (
        notice_versions(now=now, include_scheduled=include_scheduled).filter(number=number).first()
    )
