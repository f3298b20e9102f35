"""Queue email in the outbox and deliver it.

Delivery is at-least-once: claim the row (one atomic UPDATE), commit, send over SMTP outside
any transaction, mark it sent. A worker that dies between sending and marking leaves a stale
claim that the sweep hands out again after `OUTBOX_RETRY_AFTER_SECONDS`.
"""

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from smtplib import SMTPException
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.module_loading import import_string

from ats import enqueue
from notifications.models import OutboundEmail

logger = logging.getLogger(__name__)

DELIVER_TASK = "notifications.deliver_email"
# Stands in the stored text for a personal link until delivery (see queue_email).
PERSONAL_LINK_PLACEHOLDER = "__ATS_PERSONAL_LINK__"
# The iTIP methods an email's calendar part may carry ("" : no calendar part).
CALENDAR_METHODS = ("", "REQUEST", "CANCEL", "PUBLISH")


class _CalendarEmail(EmailMultiAlternatives):
    """An email whose `text/calendar` alternative carries its iTIP METHOD as a parameter
    (`text/calendar; method=REQUEST; charset="utf-8"`), which Outlook, Gmail and Apple
    Mail need to show the invitation's accept buttons; Django would take everything after
    the slash as the subtype."""

    def _create_mime_attachment(self, content: Any, mimetype: str) -> Any:
        if mimetype.startswith("text/calendar;"):
            method = mimetype.partition("method=")[2]
            part = SafeMIMEText(content, "calendar", self.encoding or settings.DEFAULT_CHARSET)
            part.set_param("method", method)
            return part
        return super()._create_mime_attachment(content, mimetype)  # type: ignore[misc]


class DeliveryFailed(Exception):
    """Sending failed for a reason that may pass (SMTP peer down, timeout); recorded on the row."""


def queue_email(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    language: str,
    subject_ref: UUID | None = None,
    personal_link: str = "",
    calendar_text: str = "",
    calendar_method: str = "",
) -> OutboundEmail:
    """Renders `template` in `language` and writes it to the outbox.

    Call it inside the transaction of the change that causes the email, so the email exists
    exactly when the change does. Side effects: one row now; after commit, one broker message
    (if the broker is down that is logged and the outbox sweep sends the email later).
    `compose_email` describes the arguments.
    """
    email = compose_email(
        to=to,
        template=template,
        context=context,
        language=language,
        subject_ref=subject_ref,
        personal_link=personal_link,
        calendar_text=calendar_text,
        calendar_method=calendar_method,
    )
    email.save(force_insert=True)
    enqueue.send_on_commit(DELIVER_TASK, str(email.id))
    return email


def compose_email(
    *,
    to: str,
    template: str,
    context: Mapping[str, Any],
    language: str,
    subject_ref: UUID | None = None,
    personal_link: str = "",
    calendar_text: str = "",
    calendar_method: str = "",
) -> OutboundEmail:
    """`template` rendered in `language` as an outbox row, not yet saved. No side effects.

    `queue_email` saves it and enqueues its delivery.

    `template` is a template path without its extension, owned by the domain that sends the
    email (e.g. "careers/emails/application_received"): `<template>_subject.txt`,
    `<template>.txt` and `<template>.html` are rendered, and the row keeps `template` so that
    `sent_recently` can find it.

    `personal_link` names an entry of settings.OUTBOX_PERSONAL_LINKS: the template gets
    `personal_link` as a placeholder, and each delivery attempt asks that function for the
    real link (e.g. a one-time portal token) and sends it in the placeholder's place. So
    the stored email never holds the link, only the message that leaves does.

    `calendar_text` is an RFC 5545 calendar object (built by the caller, e.g. an interview
    invitation) sent with the email as a `text/calendar; method=<calendar_method>`
    alternative and as an `invite.ics` attachment, which calendar clients offer to accept;
    `calendar_method` is its METHOD (REQUEST, CANCEL...).
    """
    if personal_link and personal_link not in settings.OUTBOX_PERSONAL_LINKS:
        raise ValueError(f"unknown personal link {personal_link!r}")
    if bool(calendar_text) != bool(calendar_method) or calendar_method not in CALENDAR_METHODS:
        raise ValueError("a calendar part needs its METHOD, and a METHOD its calendar part")
    full_context = {
        **context,
        "controller": settings.CONTROLLER,
        "personal_link": PERSONAL_LINK_PLACEHOLDER if personal_link else "",
    }
    with translation.override(language):
        subject = render_to_string(f"{template}_subject.txt", full_context)
        body_text = render_to_string(f"{template}.txt", full_context)
        body_html = render_to_string(f"{template}.html", full_context)
    return OutboundEmail(
        to_address=to,
        # A header must be one line, whatever the template's whitespace.
        subject=" ".join(subject.split())[:255],
        body_text=body_text,
        body_html=body_html,
        template=template,
        language=language,
        subject_ref=subject_ref,
        personal_link=personal_link,
        calendar_text=calendar_text,
        calendar_method=calendar_method,
        next_attempt_at=timezone.now() + timedelta(seconds=settings.OUTBOX_RETRY_AFTER_SECONDS),
    )


def deliver_email(*, email_id: UUID) -> bool:
    """Sends one outbox email if it is still undelivered. Returns True if this call sent it.

    Safe to run twice or concurrently: the claim is a single conditional UPDATE, so only one
    caller sends; a sent, failed or missing row is a no-op. Raises DeliveryFailed (after
    recording the failure on the row) when the SMTP peer could not take the message.
    """
    now = timezone.now()
    stale_claim = now - timedelta(seconds=settings.OUTBOX_RETRY_AFTER_SECONDS)
    claimed = OutboundEmail.objects.filter(
        Q(status=OutboundEmail.Status.PENDING)
        | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=stale_claim),
        pk=email_id,
    ).update(
        status=OutboundEmail.Status.SENDING,
        claimed_at=now,
        attempts=F("attempts") + 1,
        updated_at=now,
    )
    if not claimed:
        return False
    email = OutboundEmail.objects.get(pk=email_id)
    body_text, body_html = email.body_text, email.body_html
    if email.personal_link:
        link = _mint_personal_link(email)
        body_text = body_text.replace(PERSONAL_LINK_PLACEHOLDER, link)
        body_html = body_html.replace(PERSONAL_LINK_PLACEHOLDER, escape(link))
    message = _CalendarEmail(
        subject=email.subject,
        body=body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
        # A reply reaches a person who can act on it (a withdrawal, a request), not the
        # sending address, which may be nobody's.
        reply_to=[settings.EMAIL_REPLY_TO] if settings.EMAIL_REPLY_TO else None,
        headers={"Auto-Submitted": "auto-generated"},
    )
    if body_html:
        message.attach_alternative(body_html, "text/html")
    if email.calendar_text:
        message.attach_alternative(
            email.calendar_text, f"text/calendar;method={email.calendar_method}"
        )
        # Clients that ignore the alternative (and people who save it) get the same file.
        message.attach("invite.ics", email.calendar_text, "application/ics")
    try:
        message.send()
    except (SMTPException, OSError) as exc:
        _record_failure(email, claimed_at=now, error=exc)
        raise DeliveryFailed(type(exc).__name__) from exc
    OutboundEmail.objects.filter(pk=email.pk, claimed_at=now).update(
        status=OutboundEmail.Status.SENT,
        sent_at=timezone.now(),
        claimed_at=None,
        last_error="",
        updated_at=timezone.now(),
    )
    return True


def _mint_personal_link(email: OutboundEmail) -> str:
    """The link for this delivery, from the function the email's personal link names. It
    runs outside any transaction, before sending: a failed send wastes one unused link."""
    mint = import_string(settings.OUTBOX_PERSONAL_LINKS[email.personal_link])
    return str(mint(subject_ref=email.subject_ref))


def _record_failure(email: OutboundEmail, *, claimed_at: Any, error: Exception) -> None:
    """Releases the claim with a backoff, or gives up after OUTBOX_MAX_ATTEMPTS."""
    attempts = email.attempts
    gave_up = attempts >= settings.OUTBOX_MAX_ATTEMPTS
    backoff = timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))
    OutboundEmail.objects.filter(pk=email.pk, claimed_at=claimed_at).update(
        status=OutboundEmail.Status.FAILED if gave_up else OutboundEmail.Status.PENDING,
        claimed_at=None,
        last_error=type(error).__name__,
        next_attempt_at=timezone.now() + backoff,
        updated_at=timezone.now(),
    )
    logger.warning(
        "outbox email %s delivery attempt %d failed (%s)%s",
        email.pk,
        attempts,
        type(error).__name__,
        "; giving up" if gave_up else "",
    )


def requeue_due_emails(*, limit: int = 500) -> int:
    """Enqueues delivery for every undelivered email whose next attempt is due.

    Catches what the on-commit enqueue missed (broker down, message lost, worker killed).
    Each row's next attempt moves forward first, so a backed-up queue is not flooded with
    copies. Safe to rerun: delivery claims are idempotent. Returns how many were enqueued.
    """
    now = timezone.now()
    retry_after = timedelta(seconds=settings.OUTBOX_RETRY_AFTER_SECONDS)
    due = OutboundEmail.objects.filter(
        Q(status=OutboundEmail.Status.PENDING, next_attempt_at__lte=now)
        | Q(status=OutboundEmail.Status.SENDING, claimed_at__lt=now - retry_after)
    ).order_by("next_attempt_at")
    ids = list(due.values_list("id", flat=True)[:limit])
    if not ids:
        return 0
    # A claim this old belongs to a worker that died mid-send: release it, and push every
    # picked row's next attempt forward so the following sweep does not pick it again.
    OutboundEmail.objects.filter(pk__in=ids).update(
        status=OutboundEmail.Status.PENDING,
        claimed_at=None,
        next_attempt_at=now + retry_after,
        updated_at=now,
    )
    enqueued = 0
    for email_id in ids:
        if not enqueue.send(DELIVER_TASK, str(email_id)):
            break  # the broker is down: the rest would fail the same way
        enqueued += 1
    return enqueued


def purge_emails(*, subject_refs: list[UUID]) -> int:
    """Deletes every outbox email about these subjects (sent or not); returns how many.

    The owner of the subject calls this when it erases the subject. Rerun-safe.
    """
    deleted, _ = OutboundEmail.objects.filter(subject_ref__any_of=subject_refs).delete()
    return deleted


def undelivered_subjects(*, subject_refs: list[UUID], created_after: datetime) -> set[UUID]:
    """Which of these subjects still have an email, queued after `created_after`, not yet sent."""
    refs = OutboundEmail.objects.filter(
        subject_ref__any_of=subject_refs,
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.SENDING],
        created_at__gt=created_after,
    ).values_list("subject_ref", flat=True)
    return {ref for ref in refs if ref is not None}


def sent_recently(*, subject_ref: UUID, template: str, since: datetime) -> bool:
    """Whether an email from `template` about `subject_ref` was queued after `since` (so a
    repeated trigger does not flood an inbox). Read-only."""
    return OutboundEmail.objects.filter(
        subject_ref=subject_ref, template=template, created_at__gt=since
    ).exists()


def delivery_states(*, email_ids: list[UUID]) -> dict[UUID, tuple[str, datetime | None]]:
    """Each existing email's status and when it was sent (one query; gone emails are
    missing). Read-only."""
    rows = OutboundEmail.objects.filter(pk__in=email_ids).values_list("pk", "status", "sent_at")
    return {pk: (status, sent_at) for pk, status, sent_at in rows}


def count_emails(*, subject_refs: list[UUID]) -> dict[UUID, int]:
    """How many outbox emails there are about each of these subjects (one query)."""
    rows = (
        OutboundEmail.objects.filter(subject_ref__any_of=subject_refs)
        .order_by()
        .values("subject_ref")
        .annotate(n=Count("pk"))
    )
    return {row["subject_ref"]: row["n"] for row in rows}


def emails_about(*, subject_refs: list[UUID]) -> list[dict[str, Any]]:
    """Every outbox email about these subjects, oldest first, as plain values: for the
    owner of the subjects to show them their data (a data export). No side effects."""
    rows = (
        OutboundEmail.objects.filter(subject_ref__any_of=subject_refs)
        .order_by("created_at", "pk")
        .values(
            "subject_ref",
            "to_address",
            "subject",
            "body_text",
            "calendar_text",
            "template",
            "language",
            "status",
            "created_at",
            "sent_at",
        )
    )
    return [dict(row) for row in rows]


def cancel_undelivered_about(*, subject_refs: list[UUID], templates: list[str]) -> set[UUID]:
    """`cancel_undelivered` for the emails about these subjects made from these templates
    (for a domain that does not keep its emails' ids); returns the subjects of which an
    email was cancelled. Rerun-safe."""
    subjects: dict[UUID, UUID] = {
        pk: subject
        for pk, subject in OutboundEmail.objects.filter(
            subject_ref__in=subject_refs, template__in=templates
        ).values_list("pk", "subject_ref")
        if subject is not None  # always, by the filter; the column allows none
    }
    cancelled = cancel_undelivered(email_ids=list(subjects))
    return {subjects[pk] for pk in cancelled}


def cancel_undelivered(*, email_ids: list[UUID]) -> set[UUID]:
    """Deletes those of these emails that have not left and are not being sent (pending, or
    given up on); returns their ids. One being handed to the SMTP peer right now (claimed)
    is not touched: it goes. Call it in the transaction of the change that makes the emails
    unwanted (a restriction). Rerun-safe."""
    unsent = OutboundEmail.objects.filter(
        pk__in=email_ids,
        status__in=[OutboundEmail.Status.PENDING, OutboundEmail.Status.FAILED],
    )
    ids = set(unsent.select_for_update().values_list("pk", flat=True))
    OutboundEmail.objects.filter(pk__in=ids).delete()
    return ids
