"""Interviews arranged on an application, and the staff's personal calendar feeds (issue 20).

An interview is personal data of the candidate (when and where they meet us, the note we
wrote them, their answer and message): it is in their export, frozen by a restriction and
erased with the application. Its interviewers see the application through the pipeline's
InterviewAssignment, the one mechanism that grants an interviewer access.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recruitment.models.candidates import Application


class Interview(models.Model):
    """One meeting with the candidate of `application`, and the calendar event it is.

    `sequence` is the RFC 5545 SEQUENCE of the event whose UID is derived from `id`: it
    increases on every change the attendees' calendars must apply (a new time, place or
    interviewer, a cancellation), so that an update replaces the event instead of adding one.
    """

    class Kind(models.TextChoices):
        ON_SITE = "on_site", _("On site")
        VIDEO = "video", _("Video call")
        PHONE = "phone", _("Phone call")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        CANCELLED = "cancelled", _("Cancelled")

    class Answer(models.TextChoices):
        NONE = "none", _("No answer yet")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        NEW_TIME = "new_time", _("Asked for another time")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="interviews"
    )
    starts_at = models.DateTimeField(_("starts at"))
    duration_minutes = models.PositiveSmallIntegerField(_("duration (minutes)"))
    # An IANA zone name: the time the invitation shows, in that zone's rules (VTIMEZONE).
    time_zone = models.CharField(_("time zone"), max_length=64)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    address = models.CharField(_("address"), max_length=300, blank=True)
    video_url = models.URLField(_("video call link"), max_length=500, blank=True)
    note_for_candidate = models.TextField(_("note for the candidate"), max_length=2000, blank=True)
    interviewers: "models.ManyToManyField[Any, Any]" = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="InterviewInterviewer",
        related_name="interviews",
        verbose_name=_("interviewers"),
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    sequence = models.PositiveIntegerField(default=0)
    # The candidate's answer, given in the portal; a new time or place asks again.
    answer = models.CharField(max_length=10, choices=Answer.choices, default=Answer.NONE)
    answer_message = models.TextField(_("message"), max_length=2000, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    # When the reminder emails are due, and when they were queued (the sweep sets both
    # in one transaction); null due: none to send (cancelled, or too late to remind).
    reminder_due_at = models.DateTimeField(null=True, blank=True)
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["application", "starts_at"], name="interview_by_application"),
            # The reminder sweep reads only interviews with a reminder to send.
            models.Index(
                fields=["reminder_due_at"],
                name="interview_reminder_due",
                condition=Q(reminder_due_at__isnull=False, reminder_sent_at__isnull=True),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=600),
                name="interview_duration_5_to_600_minutes",
            ),
        ]

    def __str__(self) -> str:
        return f"Interview {self.pk}"

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def uid(self) -> str:
        """The calendar event's UID: stable for the interview's life, reveals nothing."""
        return f"interview-{self.pk}@ats"


class InterviewInterviewer(models.Model):
    """A member of the posting's team on an interview."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="panel")
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["interview", "interviewer"], name="one_seat_per_interviewer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.interviewer_id} on {self.interview_id}"


class CalendarFeedToken(models.Model):
    """A staff member's personal calendar feed link; only the token's SHA-256 is stored.

    Revoking deletes the row (a new link makes a new one): the old URL then opens nothing.
    The feed lists times and links to applications, never a candidate's name or contacts.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user_id}"
