"""That a reminder went out: a consent's expiry reminder (PRIVACY.md P5), kept beside the
consent, and the daily digest of overdue legal-hold reviews (P7).

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


class HoldReviewDigest(models.Model):
    """The privacy officers' digest of overdue legal-hold reviews went out on this local day.

    One row per day on which a digest was sent: its unique day makes the digest go out at
    most once a day, however often or concurrently the task runs. Holds no personal data.
    """

    sent_on = models.DateField(unique=True)
    sent_at = models.DateTimeField()
    holds = models.PositiveIntegerField()

    class Meta:
        ordering = ["-sent_on"]

    def __str__(self) -> str:
        return f"Hold review digest of {self.sent_on}"
