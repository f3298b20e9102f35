"""Published versions of what candidates are told: the privacy notice and the consent text.

Each version is what a candidate saw, so it is append-only (PRIVACY.md P3, P19): written once
by `recruitment.notices.services` and never updated or deleted; applications and
consents point at the version they were given under (PROTECT), and a purge never reaches it.
A version holds no candidate personal data: configuration, texts, and which staff account
published it.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class VersionQuerySet(models.QuerySet[Any]):
    def in_effect(self, now: datetime) -> "VersionQuerySet":
        """Versions that have taken effect by `now` (the current one is the latest of them)."""
        return self.filter(effective_at__lte=now)


class PublishedVersion(models.Model):
    """What every published version has: its number, when it takes effect, when and by whom
    it was published."""

    number = models.PositiveIntegerField(unique=True)
    effective_at = models.DateTimeField()
    published_at = models.DateTimeField()
    # Null: created by the system (version 1 on a fresh database), or the account is gone.
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = VersionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-number"]


class NoticeVersion(PublishedVersion):
    """One version of the privacy notice for applicants.

    `content` is a snapshot of the configuration the notice is generated from, taken at
    publication: controller, jurisdiction and law, purposes and legal bases (as keys the
    page translates), retention, recipients, the rights' deadlines, the minimum age and the
    supervisory authority.

    `texts` is the notice itself in every configured language ({code: HTML}), rendered from
    `content` by our own template when the version was published, and `sha256` the
    fingerprint of each ({code: hex}). The page shows `texts`, never a fresh rendering, so a
    deploy or a catalogue edit cannot change what a published version says; an application's
    `notice_version` with its `language` names the exact text its candidate was shown, and
    the fingerprint proves it. Written once, by the publishing service; never edited (see
    recruitment.notices.texts on why the stored HTML is trusted).
    """

    change_summary = models.TextField(blank=True)
    content = models.JSONField()
    texts = models.JSONField()
    sha256 = models.JSONField()

    class Meta(PublishedVersion.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="notice_number_positive"),
            # Never retroactive: a version takes effect when published or later.
            models.CheckConstraint(
                condition=Q(effective_at__gte=F("published_at")),
                name="notice_not_retroactive",
            ),
        ]

    def __str__(self) -> str:
        return f"Notice version {self.number}"


class ConsentTextVersion(PublishedVersion):
    """One version of the talent-pool consent text, and how long a consent under it lasts.

    `texts` holds the exact text in every configured language ({code: text}), rendered when
    the version was published; `sha256` the fingerprint of each ({code: hex}), which is what
    a consent records as its `text_version`. A consent given under this version lasts
    `months`; publishing a new version never changes consents already given.
    """

    months = models.PositiveSmallIntegerField()
    texts = models.JSONField()
    sha256 = models.JSONField()

    class Meta(PublishedVersion.Meta):
        constraints = [
            models.CheckConstraint(condition=Q(number__gte=1), name="consent_text_number_positive"),
            models.CheckConstraint(condition=Q(months__gte=1), name="consent_text_months_positive"),
            models.CheckConstraint(
                condition=Q(effective_at__gte=F("published_at")),
                name="consent_text_not_retroactive",
            ),
        ]

    def __str__(self) -> str:
        return f"Consent text version {self.number}"
