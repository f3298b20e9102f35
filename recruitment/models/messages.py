"""Messages between staff and candidates (issue 20): editable templates, the thread on each
application, and each staff member's choice of notification digest.

Personal data: every CandidateMessage (what staff wrote to the person, and what they
answered in the portal). It belongs to its application: in the person's data export, and
erased with the application by every purge (recruitment.retention.services.purge), like
the outbox email that carried it. Templates and notification settings hold no candidate
data.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruitment.models.candidates import Application


class MessageTemplate(models.Model):
    """A message staff may start from, with one text per language (MessageTemplateText).

    `builtin` names the templates the product ships (migration 0026); recruiters may edit
    their texts like any other, but not delete them. No personal data.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    builtin = models.SlugField(max_length=50, unique=True, null=True, blank=True, editable=False)
    # Kept as a name when the account goes, like the audit log's actor.
    updated_by_username = models.CharField(max_length=150, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MessageTemplateText(models.Model):
    """A template's subject and body in one language, with {placeholders}
    (recruitment.pipeline.services.templates.PLACEHOLDERS)."""

    template = models.ForeignKey(MessageTemplate, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=12)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))

    class Meta:
        ordering = ["template", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["template", "language"], name="one_template_text_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"{self.template_id} ({self.language})"


class CandidateMessage(models.Model):
    """One message of an application's thread: written by staff and emailed to the candidate
    through the outbox, or written by the candidate in the portal. Personal data.

    `subject` and `body` are the text as the candidate got it (placeholders filled in, in
    their language), except the portal link, which the outbox mints at delivery and stores
    nowhere. `email_id` is that outbox email (a plain id: the outbox is another app's).
    """

    class Direction(models.TextChoices):
        TO_CANDIDATE = "to_candidate", _("To the candidate")
        FROM_CANDIDATE = "from_candidate", _("From the candidate")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="thread")
    direction = models.CharField(max_length=20, choices=Direction.choices)
    # Null for the candidate's own messages, or once the account is deleted; the name stays.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    author_username = models.CharField(max_length=150, blank=True)
    template = models.ForeignKey(
        MessageTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    language = models.CharField(_("language"), max_length=12)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("message"))
    email_id = models.UUIDField(null=True, blank=True)
    # The candidate restricted processing (or objected) before the outbox delivered it: the
    # email was cancelled and the message never left.
    withheld_at = models.DateTimeField(_("withheld at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(fields=["application", "created_at"], name="message_thread"),
            # The staff digest counts candidates' replies since a time.
            models.Index(
                fields=["created_at"],
                name="message_replies",
                condition=models.Q(direction="from_candidate"),
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk}"


def default_email_language() -> str:
    """The site's language (read when a row is made, not at import)."""
    return settings.LANGUAGE_CODE


class StaffNotificationSetting(models.Model):
    """How one staff member hears of new applications, candidates' replies and interview
    answers on the postings they recruit for: at once, in a daily digest, or not at all;
    and the language of every email the product sends them (`language`).

    The digest covers what happened after `covered_until`; `next_due_at` is when the beat
    sweep (recruitment.send_staff_digests) next looks (no long ETAs: a stored due date).
    No personal data of candidates.
    """

    class Frequency(models.TextChoices):
        IMMEDIATE = "immediate", _("At once (within a few minutes)")
        DAILY = "daily", _("Once a day")
        OFF = "off", _("Off")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="notification_setting",
    )
    frequency = models.CharField(
        _("notifications"), max_length=10, choices=Frequency.choices, default=Frequency.DAILY
    )
    language = models.CharField(
        _("language of my emails"), max_length=12, default=default_email_language
    )
    covered_until = models.DateTimeField()
    next_due_at = models.DateTimeField(db_index=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["next_due_at"]

    def __str__(self) -> str:
        return f"Notifications of user {self.user_id}"
