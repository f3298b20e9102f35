"""Retention: when each application must be erased, and erasing it (PRIVACY.md P1-P8, P17).

The promise: "If your application is unsuccessful, we will retain your personal data until
the recruitment process has been formally concluded. Any retention beyond that point will
take place only on the basis of your explicit consent."

`purge_due_at` is a state the database can compute, not an event that can be lost: every
service that changes something it depends on calls `recompute`, and the beat sweep erases
whatever is due. A lost broker message, a flushed Redis or a dead worker only delays a purge
until the next sweep.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, QuerySet
from django.utils import timezone

from notifications.services import has_undelivered, purge_emails, queue_email
from recruitment import storage
from recruitment.models import (
    Application,
    Candidate,
    LegalHold,
    Posting,
    RetentionConsent,
)
from recruitment.services.statistics_archive import record_purged_application

logger = logging.getLogger(__name__)

Stage = Application.Stage
ENDED_UNSUCCESSFULLY = (Stage.UNSUCCESSFUL, Stage.WITHDRAWN)
PURGE_POSTING_TASK = "recruitment.purge_posting"


class Reason:
    """Why an application is erased (stored in the ledger)."""

    PROCESS_CONCLUDED = "process_concluded"
    CONSENT_ENDED = "consent_ended"
    UNDER_AGE = "under_age"
    HIRED_RETENTION_ENDED = "hired_retention_ended"


@dataclass(frozen=True)
class Due:
    at: datetime | None
    reason: str = ""


NOT_DUE = Due(at=None)


# --- The rules ------------------------------------------------------------------------------


def _consent_until(consents: Iterable[RetentionConsent]) -> datetime | None:
    """Until when the candidate's explicit consent lets us keep their data, if at all."""
    valid = [c.expires_at for c in consents if c.withdrawn_at is None]
    return max(valid) if valid else None


def compute_due(
    application: Application,
    *,
    posting: Posting,
    consents: Iterable[RetentionConsent],
    on_hold: bool,
) -> Due:
    """When `application` must be erased, and why; NOT_DUE while nothing schedules it.

    - a legal hold or a restriction: not due while it lasts;
    - flagged under-age: due at once;
    - unsuccessful or withdrawn, once the process is formally concluded: due at conclusion
      plus the grace period, or, with valid consent, when that consent expires;
    - hired: kept (the application is handed over to HR) unless HIRED_RETENTION_DAYS is set;
    - anything else: the process is still running.
    """
    if on_hold or application.restricted:
        return NOT_DUE
    if application.under_age_flagged_at is not None:
        return Due(at=application.under_age_flagged_at, reason=Reason.UNDER_AGE)
    if application.stage == Stage.HIRED:
        days = settings.HIRED_RETENTION_DAYS
        if days is None or application.decided_at is None:
            return NOT_DUE
        return Due(
            at=application.decided_at + timedelta(days=days), reason=Reason.HIRED_RETENTION_ENDED
        )
    if application.stage in ENDED_UNSUCCESSFULLY and posting.concluded_at is not None:
        at_conclusion = posting.concluded_at + timedelta(days=settings.RETENTION_GRACE_DAYS)
        consent_until = _consent_until(consents)
        if consent_until is not None and consent_until > at_conclusion:
            return Due(at=consent_until, reason=Reason.CONSENT_ENDED)
        return Due(at=at_conclusion, reason=Reason.PROCESS_CONCLUDED)
    return NOT_DUE


def _with_retention_facts(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.select_related("posting").prefetch_related(
        Prefetch(
            "candidate__consents",
            queryset=RetentionConsent.objects.filter(scope=RetentionConsent.Scope.TALENT_POOL),
        ),
        Prefetch(
            "legal_holds",
            queryset=LegalHold.objects.filter(lifted_at__isnull=True),
            to_attr="active_holds",
        ),
    )


def _due_for(application: Application) -> Due:
    return compute_due(
        application,
        posting=application.posting,
        consents=application.candidate.consents.all(),
        on_hold=bool(application.active_holds),  # type: ignore[attr-defined]
    )


def recompute(applications: QuerySet[Application]) -> int:
    """Recomputes `purge_due_at` for these applications; returns how many changed.

    Call it in the transaction of any change that affects retention. Rerun-safe.
    """
    changed: list[Application] = []
    for application in _with_retention_facts(applications).iterator(chunk_size=500):
        due = _due_for(application)
        if application.purge_due_at != due.at:
            application.purge_due_at = due.at
            changed.append(application)
    Application.objects.bulk_update(changed, ["purge_due_at"], batch_size=500)
    return len(changed)


# --- Triggers -------------------------------------------------------------------------------


def process_concluded(*, posting: Posting) -> None:
    """Called in the transaction that formally concludes `posting` (PRIVACY.md P1).

    Schedules the purge of every unsuccessful or withdrawn application without consent,
    tells each such candidate what happens to their data (deletion, or until when it is kept
    with their consent) through the outbox, and, after commit, asks a worker to sweep this
    posting at once. The beat sweep catches up if that message is lost.
    """
    ended = Application.objects.filter(posting=posting, stage__in=ENDED_UNSUCCESSFULLY)
    recompute(Application.objects.filter(posting=posting))
    for application in _with_retention_facts(ended.select_related("candidate")).iterator(
        chunk_size=500
    ):
        due = _due_for(application)
        if due.at is None:
            continue  # held or restricted: no notice of a deletion that is not happening
        kept = due.reason == Reason.CONSENT_ENDED
        queue_email(
            to=application.candidate.email,
            template="data_kept_with_consent" if kept else "data_deleted",
            context={
                "full_name": application.candidate.full_name,
                "posting_title": posting.title,
                "kept_until": due.at if kept else None,
            },
            language=application.language,
            subject_ref=application.id,
        )
    posting_id = posting.pk
    transaction.on_commit(lambda: _enqueue_posting_sweep(posting_id), robust=True)


def _enqueue_posting_sweep(posting_id: int) -> None:
    try:
        current_app.send_task(PURGE_POSTING_TASK, args=[posting_id])
    except Exception as exc:  # the beat sweep covers a lost message; see module docstring
        logger.warning("posting %s sweep not enqueued (%s)", posting_id, type(exc).__name__)


# --- Purging --------------------------------------------------------------------------------


class Outcome:
    ERASED = "erased"
    NOT_DUE = "not_due"
    DEFERRED = "deferred"  # waiting for the candidate's last email to be delivered
    GONE = "gone"
    FAILED = "failed"


def purge_application(
    application_id: UUID, *, actor: str = "system", now: datetime | None = None
) -> str:
    """Erases one application if, inside its row lock, it is still due. Returns an Outcome.

    Order: lock the row; re-check eligibility (a consent or hold that arrived meanwhile
    wins); delete its CV objects, every version; delete its notes, events, assignments,
    holds, consents, outbox emails, the application and, if no other application keeps it,
    the candidate; append an ErasureRecord. All rows go in one transaction with the record.

    The object deletion deliberately happens while the row lock is held: anything that
    would keep the data (a consent, a hold) locks the same row first, so it either waits
    and finds the application gone, or wins and the purge skips. Never "kept but deleted".
    If storage fails, nothing is deleted from the database, the failure is recorded and
    the purge is retried later with backoff. Rerun-safe and safe to run concurrently: a
    second run finds the row gone and writes nothing.
    """
    from recruitment.services import ledger

    now = now or timezone.now()
    try:
        with transaction.atomic():
            application = (
                _with_retention_facts(
                    Application.objects.select_for_update(of=("self",)).select_related("candidate")
                )
                .filter(pk=application_id)
                .first()
            )
            if application is None:
                return Outcome.GONE
            due = _due_for(application)
            if due.at is None or due.at > now:
                if application.purge_due_at != due.at:
                    application.purge_due_at = due.at
                    application.save(update_fields=["purge_due_at"])
                return Outcome.NOT_DUE
            wait_from = now - timedelta(hours=settings.RETENTION_NOTICE_WAIT_HOURS)
            if due.reason != Reason.UNDER_AGE and has_undelivered(
                subject_ref=application.id, created_after=wait_from
            ):
                # The candidate's last email (e.g. "your data is deleted") goes out first.
                application.purge_due_at = now + timedelta(
                    seconds=settings.OUTBOX_RETRY_AFTER_SECONDS
                )
                application.save(update_fields=["purge_due_at"])
                return Outcome.DEFERRED
            # Read before deleting: Django clears an instance's primary key on delete().
            erased_id, posting_id, stage = application.id, application.posting_id, application.stage
            keys = list(application.cvs.values_list("storage_key", flat=True))
            objects_deleted = storage.erase_objects(keys)
            record_purged_application(application)
            rows = _delete_rows(application)
            ledger.append(
                application_id=erased_id,
                posting_id=posting_id,
                reason=due.reason,
                stage_reached=stage,
                objects_deleted=objects_deleted,
                rows_deleted=rows,
                actor=actor,
                erased_at=now,
            )
            return Outcome.ERASED
    except storage.StorageUnavailable as exc:
        _record_failure(application_id, now=now, error=exc)
        return Outcome.FAILED


def _delete_rows(application: Application) -> dict[str, int]:
    """Deletes every row holding this application's personal data; returns counts by kind."""
    candidate = application.candidate
    counts = {
        "notes": application.notes.count(),
        "events": application.events.count(),
        "assignments": application.assignments.count(),
        "legal_holds": application.legal_holds.count(),
        "cvs": application.cvs.count(),
        "consents": application.consents.count(),
    }
    subjects = [application.id]
    keep_candidate = candidate.applications.exclude(pk=application.pk).exists()
    if not keep_candidate:
        subjects.append(candidate.id)
        counts["consents"] += candidate.consents.filter(application__isnull=True).count()
    counts["emails"] = purge_emails(subject_refs=subjects)
    application.delete()  # cascades to notes, events, assignments, holds, CVs, consents
    counts["applications"] = 1
    counts["candidates"] = 0
    if not keep_candidate:
        candidate.delete()  # and the candidate-wide consents
        counts["candidates"] = 1
    return counts


def _record_failure(application_id: UUID, *, now: datetime, error: Exception) -> None:
    application = Application.objects.filter(pk=application_id).first()
    if application is None:
        return
    failures = application.purge_failures + 1
    backoff = timedelta(minutes=min(2 ** (failures - 1), 60))
    Application.objects.filter(pk=application_id).update(
        purge_failures=failures,
        purge_last_error=type(error).__name__,
        purge_due_at=now + backoff,
    )
    logger.warning(
        "purge of application %s failed (%s), attempt %d; retrying later",
        application_id,
        type(error).__name__,
        failures,
    )


def due_applications(
    *, now: datetime, posting_id: int | None = None, candidate_id: UUID | None = None
) -> QuerySet[Application]:
    """Applications whose purge is due (uses the partial index on purge_due_at)."""
    # purge_due_at is already null while held or restricted; this guards the sweep anyway.
    active_hold = LegalHold.objects.filter(application=OuterRef("pk"), lifted_at__isnull=True)
    due = Application.objects.filter(purge_due_at__lte=now, restricted=False).exclude(
        Exists(active_hold)
    )
    if posting_id is not None:
        due = due.filter(posting_id=posting_id)
    if candidate_id is not None:
        due = due.filter(candidate_id=candidate_id)
    return due.order_by("purge_due_at")


@dataclass
class SweepReport:
    erased: int = 0
    failed: int = 0
    skipped: int = 0
    # Of the skipped: waiting for the candidate's last email, due again within a minute.
    deferred: int = 0


def sweep(
    *,
    now: datetime | None = None,
    posting_id: int | None = None,
    candidate_id: UUID | None = None,
    limit: int | None = None,
) -> SweepReport:
    """Purges every due application, in batches, one purge transaction each.

    Rerun-safe; several sweeps may run at once (row locks keep each purge single).
    """
    now = now or timezone.now()
    batch = limit or settings.RETENTION_BATCH_SIZE
    report = SweepReport()
    # Every outcome moves an application out of "due" (erased, rescheduled or unscheduled);
    # `seen` only guards against looping should one ever stay due.
    seen: set[UUID] = set()
    while True:
        batch_ids = list(
            due_applications(now=now, posting_id=posting_id, candidate_id=candidate_id).values_list(
                "pk", flat=True
            )[:batch]
        )
        ids = [pk for pk in batch_ids if pk not in seen]
        if not ids:
            return report
        for application_id in ids:
            seen.add(application_id)
            try:
                outcome = purge_application(application_id, now=now)
            except Exception as exc:
                # One broken application must not stop the sweep for everyone else. Its
                # transaction rolled back, so its rows are intact; it is retried with backoff.
                logger.exception("purge of application %s raised", application_id)
                _record_failure(application_id, now=now, error=exc)
                outcome = Outcome.FAILED
            if outcome == Outcome.ERASED:
                report.erased += 1
            elif outcome == Outcome.FAILED:
                report.failed += 1
            else:
                report.skipped += 1
                report.deferred += outcome == Outcome.DEFERRED


# --- Under age (P17) ------------------------------------------------------------------------


@transaction.atomic
def flag_under_age(*, application: Application, now: datetime | None = None) -> None:
    """Marks the application as below the minimum age: due for erasure at once."""
    now = now or timezone.now()
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.under_age_flagged_at is None:
        locked.under_age_flagged_at = now
        locked.save(update_fields=["under_age_flagged_at"])
    recompute(Application.objects.filter(pk=application.pk))


def erase_now(*, application: Application, actor: str) -> str:
    """Flags `application` under-age and erases it immediately (PRIVACY.md P17).

    Returns the purge Outcome: ERASED, NOT_DUE (a legal hold or a restriction keeps it) or
    FAILED (storage down: the sweep retries; nothing was reported erased).
    """
    flag_under_age(application=application)
    return purge_application(application.pk, actor=actor)


def candidates_without_applications() -> QuerySet[Candidate]:
    """Candidates left with no application (should not exist after purges)."""
    return Candidate.objects.filter(applications__isnull=True)
