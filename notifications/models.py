"""The transactional outbox: one row per email, written in the same transaction as its cause."""

import uuid

from django.db import models
from django.db.models import Q


class OutboundEmail(models.Model):
    """An email to send. Holds personal data (the address and the rendered text).

    `subject_ref` is the id of what the email is about (e.g. an application), so the owner
    of that data can find and purge every copy without this app knowing what it is.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    to_address = models.EmailField(max_length=254)
    subject = models.CharField(max_length=255)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    template = models.CharField(max_length=100)
    language = models.CharField(max_length=12)
    subject_ref = models.UUIDField(null=True, blank=True, db_index=True)
    # The name of a personal link (settings.OUTBOX_PERSONAL_LINKS) minted at delivery and put
    # in place of PERSONAL_LINK_PLACEHOLDER: a one-time link never rests in this table.
    personal_link = models.CharField(max_length=40, blank=True)
    # An RFC 5545 calendar object (an interview invitation, update or cancellation) sent
    # with the email as a `text/calendar` part with this METHOD; personal data like the
    # body, exported and purged with the row.
    calendar_text = models.TextField(blank=True)
    calendar_method = models.CharField(max_length=10, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    # The exception class of the last failure: never a message, which may quote the address.
    last_error = models.CharField(max_length=100, blank=True)
    # When the sweep may next pick the row up (the first delivery is enqueued at commit).
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [
            # The sweep reads only undelivered rows; keep that index small.
            models.Index(
                fields=["next_attempt_at"],
                name="outbox_undelivered_due",
                condition=Q(status__in=["pending", "sending"]),
            ),
        ]

    def __str__(self) -> str:
        return f"OutboundEmail {self.pk} ({self.status})"
