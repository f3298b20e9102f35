"""Data-subject requests (PRIVACY.md P14, P16), once recorded (`register`): handled by the
privacy officer (extended, resolved, refused, assigned), and watched by a daily reminder
until they are closed.

Deadlines count local calendar days (ats.dates): a request received on local day D
is due by the end of local day D + PRIVACY_REQUEST_DEADLINE_DAYS (`original_due_at`). An
extension moves `due_at` (never `original_due_at`) by whole local days, at most
PRIVACY_REQUEST_EXTENSION_DAYS in total, only with a reason, and only while the first due
date has not passed: the candidate must be told before it. So an extension takes effect only
once its notice to the candidate has been sent (`settle_extensions`): until then it is
pending and the first due date stands; a notice that fails, or is not sent before the first
due date, voids it and alerts the officers. Self-service actions in the portal are recorded
resolved at once.

A request is due on the local day of `due_at` and overdue from the next day (a period in
days ends with its last day); every page and email shows that local day.

Locks: a service that writes something about the candidate (a request, an email to them)
first locks the candidate's application rows, the purge's lock. A purge running at the
same time then either finished first (the service refuses: nothing is held any more) or
waits and erases what the service wrote together with the rest. A request still open when
the person is erased is closed as ERASED_UNANSWERED (never "resolved") and the officers are
alerted (`alert_erased_unanswered`).

Staff reminders and alerts hold request ids, kinds and dates only: never the candidate's
name, address or words, so they need not (and do not) go with the candidate.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats.dates import (
    local_date_text,
    local_days_after,
    local_days_between,
    start_of_local_day,
)
from notifications.services import delivery_states, queue_email
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import Application, Candidate, DataSubjectRequest
from recruitment.retention.services import restrictions
from recruitment.rights.services import register, self_service
from recruitment.rights.services.register import Kind, RequestRefused, Status

logger = logging.getLogger(__name__)


# Requests listed in one staff reminder or alert; more go in the next email of the same run.
DIGEST_SIZE = 200
ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class ContactDetails:
    """A person's name and phone as a rectification request asks for them."""

    full_name: str
    phone: str


# --- Deadlines ---------------------------------------------------------------------------------


def _reminder_window_end(now: datetime) -> datetime:
    """The first moment after the last due date within the reminder window."""
    last_day = timezone.localdate(now) + timedelta(days=settings.PRIVACY_REQUEST_REMINDER_DAYS)
    return start_of_local_day(last_day + ONE_DAY)


def extension_days_left(request: DataSubjectRequest) -> int:
    """How many more days the due date may still be moved (the total is capped)."""
    used = local_days_between(request.original_due_at, request.due_at)
    return max(settings.PRIVACY_REQUEST_EXTENSION_DAYS - used, 0)


def extension_refusal(request: DataSubjectRequest, *, now: datetime) -> str | None:
    """Why the request cannot be extended at all now, or None if it can."""
    if request.status != Status.OPEN:
        return str(_("Only an open request can be extended."))
    if request.extension_notice_id is not None:
        return str(
            _(
                "The notice of the last extension has not been sent to the candidate yet: it "
                "takes effect once it is, and only then can the request be extended again."
            )
        )
    if now > request.original_due_at:
        return str(
            _(
                "An extension must be notified before the first due date (%(date)s), and that "
                "has passed."
            )
            % {"date": local_date_text(request.original_due_at)}
        )
    if extension_days_left(request) < 1:
        return str(
            _("The due date has already been extended by the maximum of %(days)d days.")
            % {"days": settings.PRIVACY_REQUEST_EXTENSION_DAYS}
        )
    return None


# --- Selectors -----------------------------------------------------------------------------


def open_requests_due_soon(requests: QuerySet[DataSubjectRequest], *, now: datetime) -> int:
    """How many of `requests` are open and due within the reminder window (or overdue)."""
    return requests.filter(status=Status.OPEN, due_at__lt=_reminder_window_end(now)).count()


def requests_due_a_reminder(*, now: datetime) -> QuerySet[DataSubjectRequest]:
    """Open requests due today or within PRIVACY_REQUEST_REMINDER_DAYS, not reminded yet."""
    return DataSubjectRequest.objects.filter(
        status=Status.OPEN,
        reminder_sent_at__isnull=True,
        due_at__gte=start_of_local_day(timezone.localdate(now)),
        due_at__lt=_reminder_window_end(now),
    )


def requests_due_an_overdue_alert(*, now: datetime) -> QuerySet[DataSubjectRequest]:
    """Open requests whose due date is past, whose overdue alert has not gone out."""
    return DataSubjectRequest.objects.filter(
        status=Status.OPEN,
        overdue_alert_sent_at__isnull=True,
        due_at__lt=start_of_local_day(timezone.localdate(now)),
    )


def candidate_language(candidate_id: UUID) -> str:
    """The language of the candidate's latest application: every email to them uses it."""
    language = (
        Application.objects.filter(candidate_id=candidate_id)
        .order_by("-created_at", "-pk")
        .values_list("language", flat=True)
        .first()
    )
    return language or settings.LANGUAGE_CODE


# --- Writes --------------------------------------------------------------------------------


def _lock_request(request: DataSubjectRequest) -> DataSubjectRequest:
    locked = (
        DataSubjectRequest.objects.select_for_update(of=("self",))
        .select_related("candidate")
        .filter(pk=request.pk)
        .first()
    )
    if locked is None:
        raise RequestRefused(_("This request no longer exists: the person's data has been erased."))
    return locked


@transaction.atomic
def extend_request(
    *,
    request: DataSubjectRequest,
    days: int,
    reason: str,
    actor: Actor,
    now: datetime | None = None,
) -> DataSubjectRequest:
    """Asks to move the due date `days` local days later and tells the candidate why (P16).

    The extension is pending until its notice has been sent (`settle_extensions` then
    moves `due_at`): a candidate who was never told has not been given an extension.
    Refused (RequestRefused, nothing changes) when the reason is blank, `days` is below 1
    or would take the total beyond PRIVACY_REQUEST_EXTENSION_DAYS, the first due date has
    passed, an earlier extension's notice is still unsent, or the request is not open.
    Side effects, in one transaction: locks the candidate's application rows, then the
    request; sets `pending_due_at` and `extension_notice_id`, adds the reason to
    `extension_reason`; writes an EXTEND_REQUEST audit row and queues the
    `request_extended` notice to the candidate in their language. Not idempotent: each
    call extends again (within the cap).
    """
    now = now or timezone.now()
    reason = reason.strip()
    if not reason:
        raise RequestRefused(_("Give the reason for the extension: the candidate is told it."))
    register.lock_candidate_data(request.candidate_id)
    locked = _lock_request(request)
    refusal = extension_refusal(locked, now=now)
    if refusal is not None:
        raise RequestRefused(refusal)
    allowed = extension_days_left(locked)
    if days < 1 or days > allowed:
        raise RequestRefused(
            _("The due date can be moved by 1 to %(days)d more days.") % {"days": allowed}
        )
    candidate = locked.candidate
    if candidate is None:  # erased: its open requests were closed with it
        raise RequestRefused(_("This request is already closed."))
    pending_due_at = local_days_after(locked.due_at, days)
    notice = queue_email(
        to=candidate.email,
        template="rights/emails/request_extended",
        context={
            "full_name": candidate.full_name,
            # Lazy: rendered in the candidate's language by queue_email.
            "kind": Kind(locked.kind).label,
            "reference": str(locked.pk)[:8],
            "received_at": locked.received_at,
            "original_due_at": locked.original_due_at,
            "due_at": pending_due_at,
            "reason": reason,
            "authority": settings.SUPERVISORY_AUTHORITY,
        },
        language=candidate_language(candidate.pk),
        # Goes with the candidate when they are erased.
        subject_ref=candidate.pk,
    )
    locked.pending_due_at = pending_due_at
    locked.extension_notice_id = notice.pk
    locked.extension_reason = (
        f"{locked.extension_reason}\n\n{reason}" if locked.extension_reason else reason
    )
    locked.save(
        update_fields=["pending_due_at", "extension_notice_id", "extension_reason", "updated_at"]
    )
    audit.record_request_access(actor=actor, action=audit.Action.EXTEND_REQUEST, request=locked)
    logger.info("data-subject request %s: extension by %d days awaits its notice", locked.pk, days)
    return locked


def settle_extensions(*, now: datetime | None = None) -> tuple[int, int]:
    """Gives pending extensions their effect once their notice was sent in time, and voids
    the others; returns how many were (applied, voided).

    Applied: the notice was sent before the first due date passed; `due_at` moves to the
    pending date, `extended_at` is when the notice went, the staff reminder comes again
    before the new date. Voided: the notice failed for good, was sent too late, is still
    unsent when the first due date has passed, or is gone; the first due date stands and
    the officers get the `request_extension_void` alert (ids, kinds and dates only). A
    notice still on its way before the first due date is left pending. Each request is
    settled in its own transaction under its row lock. Rerun-safe: a settled request has
    no pending extension.
    """
    now = now or timezone.now()
    pending = [
        (pk, notice_id)
        for pk, notice_id in DataSubjectRequest.objects.filter(
            status=Status.OPEN, extension_notice_id__isnull=False
        ).values_list("pk", "extension_notice_id")
        if notice_id is not None
    ]
    states = delivery_states(email_ids=[notice_id for _pk, notice_id in pending])
    applied = voided = 0
    for pk, notice_id in pending:
        outcome = _settle(pk, states.get(notice_id), now=now)
        applied += outcome == "applied"
        voided += outcome == "voided"
    return applied, voided


@transaction.atomic
def _settle(pk: UUID, state: tuple[str, datetime | None] | None, *, now: datetime) -> str:
    locked = (
        DataSubjectRequest.objects.select_for_update()
        .filter(pk=pk, status=Status.OPEN, extension_notice_id__isnull=False)
        .first()
    )
    if locked is None or locked.pending_due_at is None:
        return "gone"  # settled or closed meanwhile
    status, sent_at = state if state is not None else ("gone", None)
    if status == "sent" and sent_at is not None and sent_at <= locked.original_due_at:
        locked.due_at = locked.pending_due_at
        locked.extended_at = sent_at
        locked.reminder_sent_at = None
        outcome = "applied"
    elif status in {"pending", "sending"} and now <= locked.original_due_at:
        return "waiting"
    else:
        outcome = "voided"
    locked.pending_due_at = None
    locked.extension_notice_id = None
    locked.save(
        update_fields=[
            "due_at",
            "extended_at",
            "reminder_sent_at",
            "pending_due_at",
            "extension_notice_id",
            "updated_at",
        ]
    )
    if outcome == "voided":
        _alert_officers("rights/emails/request_extension_void", [locked], now=now)
        logger.warning("data-subject request %s: extension void, its notice was not sent", pk)
    else:
        logger.info("data-subject request %s extended: its notice was sent", pk)
    return outcome


@transaction.atomic
def resolve_request(
    *,
    request: DataSubjectRequest,
    resolution: str,
    actor: Actor,
    refused: bool = False,
    corrected: ContactDetails | None = None,
    now: datetime | None = None,
) -> DataSubjectRequest:
    """Closes an open request as resolved (or refused), with what was done and why.

    Side effects, in one transaction: locks the candidate's application rows, then the
    request; sets status, `resolution` and `resolved_at`, and the handler if nobody had
    taken the request on; writes a RESOLVE_REQUEST or REFUSE_REQUEST audit row; then
    carries it out as the portal would: resolving an erasure request erases what no legal
    hold keeps (after the confirmation email, which names what is kept); resolving a
    consent withdrawal withdraws every consent given before it was recorded (again: it
    took effect then); resolving a rectification with `corrected` details makes them the
    person's and every application's, as a correction in the portal does; closing a
    restriction request either way lifts the restriction, unless another restriction
    request of the person is still open. Nothing else is sent to the candidate: the answer
    itself goes out by the means the request calls for. Raises RequestRefused for a blank
    resolution or a request that is already closed (so a second submission changes
    nothing).
    """
    now = now or timezone.now()
    resolution = resolution.strip()
    if not resolution:
        raise RequestRefused(_("Describe what was done and why: it is kept with the request."))
    applications = Application.objects.lock_candidate(request.candidate_id)
    locked = _lock_request(request)
    if locked.status != Status.OPEN:
        raise RequestRefused(_("This request is already closed."))
    locked.status = Status.REFUSED if refused else Status.RESOLVED
    locked.resolution = resolution
    locked.resolved_at = now
    if locked.handler_id is None:
        locked.handler = actor.user
    locked.save(update_fields=["status", "resolution", "resolved_at", "handler", "updated_at"])
    # After the status: a restriction ends only once no restriction request is open.
    _carry_out(locked, applications, refused=refused, corrected=corrected)
    audit.record_request_access(
        actor=actor,
        action=audit.Action.REFUSE_REQUEST if refused else audit.Action.RESOLVE_REQUEST,
        request=locked,
    )
    logger.info("data-subject request %s closed (%s)", locked.pk, locked.status)
    return locked


def _carry_out(
    request: DataSubjectRequest,
    applications: list[Application],
    *,
    refused: bool,
    corrected: ContactDetails | None,
) -> None:
    """What closing a request does to the data (see resolve_request); nothing once the
    person's data is gone."""
    candidate = (
        Candidate.objects.filter(pk=request.candidate_id).first() if request.candidate_id else None
    )
    if candidate is None or not applications:  # erased already: nothing left to do
        return
    if request.kind == Kind.RESTRICTION:
        # A restriction lasts while the request is handled: refusing it ends it too.
        restrictions.release_unless_requested(applications)
    elif refused:
        return
    elif request.kind == Kind.ERASURE:
        self_service.request_erasure(candidate=candidate, record=False)
    elif request.kind == Kind.CONSENT_WITHDRAWAL:
        register.withdraw_consents_before(request)
    elif request.kind == Kind.RECTIFICATION and corrected is not None:
        self_service.correct_details(
            candidate=candidate,
            full_name=corrected.full_name,
            phone=corrected.phone,
            record=False,
        )


@transaction.atomic
def assign_request(*, request: DataSubjectRequest, actor: Actor) -> DataSubjectRequest:
    """Makes the acting staff member the request's handler.

    Side effects, in one transaction: locks the request, sets `handler`, writes an
    ASSIGN_REQUEST audit row. Rerun-safe: if they already handle it nothing changes and
    nothing is written. Raises RequestRefused for a closed request.
    """
    locked = _lock_request(request)
    if locked.status != Status.OPEN:
        raise RequestRefused(_("This request is already closed."))
    if locked.handler_id == actor.user.pk:
        return locked
    locked.handler = actor.user
    locked.save(update_fields=["handler", "updated_at"])
    audit.record_request_access(actor=actor, action=audit.Action.ASSIGN_REQUEST, request=locked)
    return locked


# --- Staff reminders -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Digest:
    template: str
    stamp: str


REMINDER = _Digest(template="rights/emails/request_reminder", stamp="reminder_sent_at")
OVERDUE = _Digest(template="rights/emails/request_overdue", stamp="overdue_alert_sent_at")


def send_request_reminders(*, now: datetime | None = None) -> tuple[int, int]:
    """Tells the privacy officers (PRIVACY_OFFICER_EMAILS) about open requests due within
    PRIVACY_REQUEST_REMINDER_DAYS (`request_reminder`) and about overdue ones
    (`request_overdue`); returns how many requests were (reminded, alerted).

    Each request is in one reminder and one overdue alert at most (an extension makes it
    due a new reminder). The emails list request ids, kinds, due dates, days left and links
    to the staff pages: no personal data, so they are not tied to the candidate
    (`subject_ref` None). Side effects: per email, in one transaction, the listed requests
    are locked and stamped (`reminder_sent_at` / `overdue_alert_sent_at`) and one outbox
    email per officer address queued. Rerun-safe and safe to run concurrently: a stamped
    request is no longer due, and rows locked by another run are skipped. With no officer
    address configured nothing is stamped (and a warning is logged).
    """
    now = now or timezone.now()
    if not settings.PRIVACY_OFFICER_EMAILS:
        logger.warning("no PRIVACY_OFFICER_EMAILS: data-subject request reminders not sent")
        return 0, 0
    reminded = _send_all(REMINDER, requests_due_a_reminder(now=now), now=now)
    alerted = _send_all(OVERDUE, requests_due_an_overdue_alert(now=now), now=now)
    return reminded, alerted


def _send_all(digest: _Digest, due: QuerySet[DataSubjectRequest], *, now: datetime) -> int:
    total = 0
    while True:
        sent = _send_digest(digest, due, now=now)
        total += sent
        if sent < DIGEST_SIZE:
            return total


@transaction.atomic
def _send_digest(digest: _Digest, due: QuerySet[DataSubjectRequest], *, now: datetime) -> int:
    """Stamps and lists up to DIGEST_SIZE due requests in one email per officer address."""
    rows = list(
        due.select_for_update(skip_locked=True)
        .only("id", "kind", "due_at", "original_due_at")
        .order_by("due_at", "pk")[:DIGEST_SIZE]
    )
    if not rows:
        return 0
    DataSubjectRequest.objects.filter(pk__in=[row.pk for row in rows]).update(**{digest.stamp: now})
    _alert_officers(digest.template, rows, now=now)
    logger.info("%s queued for %d data-subject request(s)", digest.template, len(rows))
    return len(rows)


def alert_erased_unanswered(requests: list[DataSubjectRequest], *, now: datetime) -> None:
    """Tells the officers that these requests were still open when their person's data was
    erased (closed as ERASED_UNANSWERED): someone must still answer them, through the
    channel they came by. Call it in the purge's transaction. Side effect: one outbox email
    per officer address (ids, kinds and dates only)."""
    if requests:
        _alert_officers("rights/emails/request_erased_unanswered", requests, now=now)


def _alert_officers(template: str, rows: list[DataSubjectRequest], *, now: datetime) -> None:
    """Queues `template` to every officer address, listing `rows`: ids, kinds, due dates,
    days left and links to the staff pages, no personal data (`subject_ref` None)."""
    if not settings.PRIVACY_OFFICER_EMAILS:
        logger.warning("no PRIVACY_OFFICER_EMAILS: %s not sent", template)
        return
    context: dict[str, Any] = {
        "requests": [
            {
                "id": str(row.pk),
                "kind": Kind(row.kind).label,
                "due_at": row.due_at,
                "original_due_at": row.original_due_at,
                "days_left": register.days_left(row, now=now),
                "extended": row.due_at > row.original_due_at,
                "url": _public_url(reverse("staff:request", kwargs={"pk": row.pk})),
            }
            for row in rows
        ],
        "queue_url": _public_url(reverse("staff:requests")),
        "reminder_days": settings.PRIVACY_REQUEST_REMINDER_DAYS,
    }
    for address in settings.PRIVACY_OFFICER_EMAILS:
        queue_email(
            to=address,
            template=template,
            context=context,
            language=settings.LANGUAGE_CODE,
            subject_ref=None,
        )


def _public_url(path: str) -> str:
    return f"{settings.PUBLIC_URL}{path}"
