"""That a consent's expiry reminder went out (PRIVACY.md P5), kept beside the consent.

A RetentionConsent is append-only, so "reminded" cannot be a column on it. One row here per
consent, written in the transaction that queues the email; the unique key makes the reminder
go out once however often, or however concurrently, the daily task runs.
"""

from django.db import models

from recruitment.models.candidates import RetentionConsent


class ConsentReminder(models.Model):
    """The expiry reminder for one consent was queued. No personal data of its own.

    Deleted with its consent (CASCADE), so with the application or candidate it belongs to.
    """

    consent = models.OneToOneField(
        RetentionConsent, on_delete=models.CASCADE, related_name="expiry_reminder"
    )
    sent_at = models.DateTimeField()

    class Meta:
        ordering = ["sent_at"]

    def __str__(self) -> str:
        return f"Reminder for consent {self.consent_id}"
