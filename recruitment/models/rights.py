"""Candidates exercising their rights: portal access links, requests, and data exports.

Tokens and exports go with the candidate when the candidate is erased; requests stay,
anonymised, as the record that each was answered (see DataSubjectRequest.candidate).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recruitment.models.candidates import Application, Candidate


class PortalToken(models.Model):
    """A single-purpose link to the candidate's privacy portal (PRIVACY.md P15).

    Only the SHA-256 of the token is stored; the token itself exists in the email sent and
    nowhere else. One use, then it is spent; it expires either way.
    """

    class Purpose(models.TextChoices):
        ACCESS = "access", _("Portal access")
        RENEWAL = "renewal", _("Consent renewal")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="portal_tokens")
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"PortalToken {self.pk} ({self.purpose})"


class RequestQuerySet(models.QuerySet["DataSubjectRequest"]):
    def standing_objections(self) -> "RequestQuerySet":
        """Objections that stand: pending (the person is not contacted while it is decided)
        or upheld. A refused one was decided against. They keep the person out of the
        talent pool and stop messages and interviews to them."""
        return self.filter(
            kind=DataSubjectRequest.Kind.OBJECTION,
            status__in=(DataSubjectRequest.Status.OPEN, DataSubjectRequest.Status.RESOLVED),
        )


class DataSubjectRequest(models.Model):
    """A right exercised by a candidate, tracked against the legal deadline (P14, P16).

    Self-service actions in the portal are recorded and resolved at once; requests that
    arrive by email are entered by staff and handled by the privacy officer.
    """

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access")
        PORTABILITY = "portability", _("Portability")
        RECTIFICATION = "rectification", _("Rectification")
        ERASURE = "erasure", _("Erasure")
        RESTRICTION = "restriction", _("Restriction")
        OBJECTION = "objection", _("Objection")
        CONSENT_WITHDRAWAL = "consent_withdrawal", _("Consent withdrawal")

    class Channel(models.TextChoices):
        PORTAL = "portal", _("Candidate portal")
        EMAIL = "email", _("Email")
        OTHER = "other", _("Other (letter, phone, in person)")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        REFUSED = "refused", _("Refused")
        # Still open when the person's data was erased (a retention purge, the under-age
        # flag): closed without an answer, which someone still owes; never "resolved".
        ERASED_UNANSWERED = "erased_unanswered", _("Erased before it was answered")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Null once the candidate is erased: the purge keeps the request as a record that it
    # was received and answered in time, with every free text cleared (no personal data).
    candidate = models.ForeignKey(
        Candidate, on_delete=models.SET_NULL, null=True, blank=True, related_name="requests"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.OPEN
    )
    # The candidate's own words (personal data; goes with the candidate).
    details = models.TextField(_("details"), blank=True)
    received_at = models.DateTimeField(_("received at"))
    # received_at + the jurisdiction's deadline; an extension moves due_at, never this.
    original_due_at = models.DateTimeField(_("original due date"))
    due_at = models.DateTimeField(_("due at"))
    # When the extension took effect: when its notice was sent to the candidate.
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extension_reason = models.TextField(_("extension reason"), blank=True)
    # An extension asked for whose notice has not been sent yet: it takes effect (due_at
    # moves here) only once the candidate has been told (services.requests.settle_extensions).
    pending_due_at = models.DateTimeField(_("extension pending to"), null=True, blank=True)
    # The outbox email of that notice (a plain id: the outbox is another app's).
    extension_notice_id = models.UUIDField(null=True, blank=True)
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handler"),
    )
    resolution = models.TextField(_("resolution"), blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    # Staff reminders, sent once each by the daily task.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    overdue_alert_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_at"]
        # The privacy officer's powers (recruitment.access.can_manage_retention): requests,
        # erasure, exports of anyone, legal holds, retention, privacy texts. Not the audit
        # log, which stays on view_accessevent.
        permissions = [("act_as_privacy_officer", "Can act as privacy officer")]
        indexes = [
            models.Index(fields=["due_at"], name="dsr_open_due", condition=Q(status="open")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_at__gte=models.F("original_due_at")),
                name="dsr_due_not_before_original",
            ),
            models.CheckConstraint(
                condition=Q(status="open", resolved_at__isnull=True)
                | (~Q(status="open") & Q(resolved_at__isnull=False)),
                name="dsr_resolved_at_iff_closed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} request {self.pk}"


class DataExport(models.Model):
    """A ZIP of everything held about a candidate (P10, P11), in object storage under a
    random key (`export/<uuid>`) until it expires; then the object and the row are deleted.

    An export the candidate asks for in the portal that would copy other people's words
    (interview notes, staff-written stage reasons: GDPR Art. 15(4)) waits IN_REVIEW, with an
    open access request (`request`) whose deadline runs, until a privacy officer has decided
    every such passage (ExportPassageReview) and released it; it is then built with the
    decisions applied.
    """

    class Status(models.TextChoices):
        IN_REVIEW = "in_review", _("Awaiting privacy review")
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="exports")
    # Null: the candidate asked in the portal; otherwise the staff member who produced it.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    storage_key = models.CharField(max_length=64, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    # Counted from the release for an export that was reviewed; an export IN_REVIEW never
    # expires (its request's deadline is what runs).
    expires_at = models.DateTimeField()
    # The open access request an export IN_REVIEW answers (resolved when it is released).
    request = models.ForeignKey(
        DataSubjectRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exports",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"DataExport {self.pk} ({self.status})"


class ExportPassageReview(models.Model):
    """A privacy officer's decision on one passage of other people's words in an export
    (GDPR Art. 15(4)): release it as it is, or replace it with a redaction text.

    Keyed by the passage's source row; `text_sha256` is the passage as it was reviewed, so a
    passage edited afterwards counts as undecided again. Candidate-related data (the
    replacement text may describe them): it goes with its export and with its application.
    """

    class Source(models.TextChoices):
        NOTE_BODY = "note_body", _("Interview note")
        NOTE_SCORECARD = "note_scorecard", _("Interview scorecard")
        EVENT_REASON = "event_reason", _("Reason given for a stage change")

    class Decision(models.TextChoices):
        RELEASE = "release", _("Released as it is")
        REDACT = "redact", _("Redacted")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    export = models.ForeignKey(DataExport, on_delete=models.CASCADE, related_name="passage_reviews")
    # The application the passage is about: the review goes with it when it is purged.
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="export_passage_reviews"
    )
    source = models.CharField(max_length=20, choices=Source.choices)
    source_id = models.UUIDField()
    text_sha256 = models.CharField(max_length=64)
    decision = models.CharField(max_length=10, choices=Decision.choices)
    replacement = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        ordering = ["decided_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["export", "source", "source_id"], name="export_passage_review_once"
            ),
            models.CheckConstraint(
                condition=Q(decision="release", replacement="")
                | (Q(decision="redact") & ~Q(replacement="")),
                name="export_passage_redaction_has_text",
            ),
        ]

    def __str__(self) -> str:
        return f"ExportPassageReview {self.pk} ({self.decision})"
