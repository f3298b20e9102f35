"""Erasing what retention says is due (PRIVACY.md P1, P6, P13, P17).

One mechanism for every trigger: the beat sweep, the sweep enqueued when a process
concludes or a consent is withdrawn, the under-age flag. See `purge_batch` for the order
of work and why the objects are erased while the row locks are held.
"""

import logging
from collections import Counter
from collections.abc import Callable
from concurrent import futures
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import (
    CASCADE,
    SET_NULL,
    Count,
    Exists,
    Model,
    OuterRef,
    ProtectedError,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from notifications.services import count_emails, purge_emails, undelivered_subjects
from recruitment.access import Actor
from recruitment.cvs import storage
from recruitment.models import (
    Answer,
    Application,
    ApplicationEvent,
    Candidate,
    CandidateMessage,
    CurriculumVitae,
    DataExport,
    DataSubjectRequest,
    ErasureRecord,
    Interview,
    InterviewAssignment,
    InterviewNote,
    Invitation,
    LegalHold,
    RetentionConsent,
)
from recruitment.retention import signals
from recruitment.retention.services import ledger, restrictions
from recruitment.retention.services.schedule import (
    Due,
    Reason,
    due_for,
    flag_under_age,
    with_retention_facts,
)
from recruitment.retention.services.statistics_archive import record_purged_applications

logger = logging.getLogger(__name__)

# Replaces a request's resolution when the candidate is erased (the original may quote them).
ERASED_REQUEST_NOTE = "The candidate's data was erased; this record keeps no personal data."


class Outcome:
    ERASED = "erased"
    NOT_DUE = "not_due"
    DEFERRED = "deferred"  # waiting for the candidate's last email to be delivered
    GONE = "gone"
    BUSY = "busy"  # locked by another transaction right now; the next sweep retries
    FAILED = "failed"


def purge_application(
    application_id: UUID, *, actor: str = "system", now: datetime | None = None
) -> str:
    """Erases one application if, inside its row lock, it is still due. Returns an Outcome.

    Waits for the row lock if someone holds it (a purge elsewhere, a consent being given),
    so a second purge of the same application finds it GONE. See `purge_batch`.
    """
    return purge_batch([application_id], actor=actor, now=now, skip_locked=False)[application_id]


def purge_batch(
    application_ids: list[UUID],
    *,
    actor: str = "system",
    now: datetime | None = None,
    skip_locked: bool = True,
) -> dict[UUID, str]:
    """Erases those of these applications that are still due, together. Returns each one's
    Outcome.

    In one transaction: lock the rows (skipping rows another transaction holds, unless
    `skip_locked` is off); re-check eligibility inside the lock (a consent or hold that
    arrived meanwhile wins); wait for each candidate's last email; erase their CV objects
    and their candidates' data exports (a copy of the same data), every version, with
    batched DeleteObjects; delete every row holding their personal data (notes, events,
    assignments, holds, CVs, consents, exports, outbox emails, the applications, and the
    candidates nothing else keeps); count them anonymously; append one ErasureRecord each to
    the hash chain (a candidate's export objects count on their first application's).

    The objects are erased while the row locks are held: anything that would keep the data
    (a consent, a hold) locks the same rows first, so it either waits and then finds the
    application gone, or wins and the purge skips it. Never "kept but deleted". The rows
    are deleted while storage works (in a second thread), but the transaction commits only
    once every object is confirmed gone: an application whose object could not be erased
    keeps every row and is retried later with backoff; if storage cannot be reached at all,
    nothing is deleted and every due one is retried. Rerun-safe, and safe to run
    concurrently: one effect, one record each.
    """
    now = now or timezone.now()
    outcomes: dict[UUID, str] = dict.fromkeys(application_ids, Outcome.GONE)
    erasable: list[tuple[Application, Due]] = []
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update(of=("self",), skip_locked=skip_locked)
            applications = list(
                with_retention_facts(locked.select_related("candidate"))
                .filter(pk__any_of=application_ids)
                .order_by("pk")
            )
            if skip_locked:
                found = {a.pk for a in applications}
                busy = Application.objects.filter(pk__in=set(application_ids) - found)
                for pk in busy.values_list("pk", flat=True):
                    outcomes[pk] = Outcome.BUSY  # someone else holds it; the next sweep retries
            erasable = _check_eligibility(applications, now=now, outcomes=outcomes)
            cv_keys: dict[UUID, list[str]] = {a.pk: [] for a, _ in erasable}
            for application_id, key in CurriculumVitae.objects.filter(
                application_id__any_of=list(cv_keys)
            ).values_list("application_id", "storage_key"):
                cv_keys[application_id].append(key)
            if not erasable:
                return outcomes
            exports = _lock_exports(erasable)
            keys_by_application = _object_keys(erasable, cv_keys, exports)
            keys = [key for keys in keys_by_application.values() for key in keys]
            # Storage erases the objects while the rows are deleted below, uncommitted: the
            # two waits overlap, and nothing commits before storage has answered.
            erasing_objects = storage.erase_objects_in_background(keys)
            rows_deleted = transaction.savepoint()
            try:
                _delete_exports(exports)
                _erase_rows(erasable, keys_by_application, actor=actor, now=now)
            finally:
                futures.wait([erasing_objects])  # even when the rows fail: one thing at a time
            failed_keys = erasing_objects.result()  # or raises StorageUnavailable
            failed = [
                (application, due)
                for application, due in erasable
                if failed_keys.intersection(keys_by_application[application.pk])
            ]
            if not failed:
                outcomes.update(dict.fromkeys((a.pk for a, _ in erasable), Outcome.ERASED))
                return outcomes
            # Some objects are still there: their applications keep every row. Undo, and
            # delete again without them (their objects, if any went, are retried with them).
            transaction.savepoint_rollback(rows_deleted)
            for application, _due in failed:
                outcomes[application.pk] = Outcome.FAILED
                _record_failure(application.pk, now=now, error=storage.StorageUnavailable())
            erasing = [(a, due) for a, due in erasable if outcomes[a.pk] != Outcome.FAILED]
            # An export whose object went is deleted even if its candidate stays: a row must
            # not point at nothing (and the candidate may ask for a new one).
            _delete_exports(exports, refused=failed_keys)
            keys_by_application = _object_keys(erasing, cv_keys, exports, refused=failed_keys)
            _erase_rows(erasing, keys_by_application, actor=actor, now=now)
            outcomes.update(dict.fromkeys((a.pk for a, _ in erasing), Outcome.ERASED))
            return outcomes
    except storage.StorageUnavailable as exc:
        for application, _due in erasable:
            outcomes[application.pk] = Outcome.FAILED
            _record_failure(application.pk, now=now, error=exc)
        return outcomes


@dataclass(frozen=True)
class _Export:
    pk: UUID
    candidate_id: UUID
    storage_key: str  # "" while it is being built


def _lock_exports(erasable: list[tuple[Application, Due]]) -> list[_Export]:
    """The data exports of these applications' candidates, locked.

    An export is a copy of the candidate's data, this application's included, so it goes
    with it even when the candidate stays. The lock makes a build that finishes right now
    wait, then find its export gone and erase its own upload (exports.build_export); a build
    that finished just before is seen with its object's key.
    """
    candidate_ids = list({application.candidate_id for application, _ in erasable})
    rows = (
        DataExport.objects.select_for_update()
        .filter(candidate_id__any_of=candidate_ids)
        .order_by("pk")
        .values_list("pk", "candidate_id", "storage_key")
    )
    return [_Export(pk, candidate_id, key) for pk, candidate_id, key in rows]


def _object_keys(
    erasing: list[tuple[Application, Due]],
    cv_keys: dict[UUID, list[str]],
    exports: list[_Export],
    *,
    refused: set[str] | frozenset[str] = frozenset(),
) -> dict[UUID, list[str]]:
    """The objects each application takes with it: its CVs, and for the first application
    of each candidate (by id), the candidate's export objects (except `refused` ones)."""
    keys = {application.pk: list(cv_keys[application.pk]) for application, _ in erasing}
    first: dict[UUID, UUID] = {}
    for application, _ in erasing:
        first.setdefault(application.candidate_id, application.pk)
    for export in exports:
        # A candidate none of whose applications is erased now (storage refused one of their
        # objects) counts their export objects nowhere, though they may be gone already.
        counted = export.candidate_id in first
        if export.storage_key and export.storage_key not in refused and counted:
            keys[first[export.candidate_id]].append(export.storage_key)
    return keys


def _delete_exports(
    exports: list[_Export], *, refused: set[str] | frozenset[str] = frozenset()
) -> None:
    """Deletes these export rows, except those whose object storage refused to erase."""
    ids = [export.pk for export in exports if export.storage_key not in refused]
    if ids:
        DataExport.objects.filter(pk__any_of=ids).delete()


def _erase_rows(
    erasing: list[tuple[Application, Due]],
    keys_by_application: dict[UUID, list[str]],
    *,
    actor: str,
    now: datetime,
) -> None:
    """Counts these applications anonymously, deletes every row of their personal data and
    appends their ErasureRecords, in the caller's transaction."""
    if not erasing:
        return
    record_purged_applications([application for application, _ in erasing])
    counts = _delete_rows_batch([application for application, _ in erasing])
    ledger.append_many(
        [
            ErasureRecord(
                application_id=application.pk,
                posting_id=application.posting_id,
                reason=due.reason,
                stage_reached=application.stage,
                objects_deleted=len(keys_by_application[application.pk]),
                rows_deleted=counts[application.pk],
                actor=actor,
                erased_at=now,
            )
            for application, due in erasing
        ]
    )


def _check_eligibility(
    applications: list[Application], *, now: datetime, outcomes: dict[UUID, str]
) -> list[tuple[Application, Due]]:
    """Which locked applications may be erased now; reschedules the others (in bulk)."""
    wait_from = now - timedelta(hours=settings.RETENTION_NOTICE_WAIT_HOURS)
    waiting = undelivered_subjects(
        subject_refs=[application.pk for application in applications], created_after=wait_from
    )
    erasable: list[tuple[Application, Due]] = []
    rescheduled: list[Application] = []
    for application in applications:
        due = due_for(application)
        if due.at is None or due.at > now:
            outcomes[application.pk] = Outcome.NOT_DUE
            if application.purge_due_at != due.at:
                application.purge_due_at = due.at
                rescheduled.append(application)
        elif due.reason != Reason.UNDER_AGE and application.pk in waiting:
            # The candidate's last email (e.g. "your data is deleted") goes out first.
            outcomes[application.pk] = Outcome.DEFERRED
            application.purge_due_at = now + timedelta(seconds=settings.OUTBOX_RETRY_AFTER_SECONDS)
            rescheduled.append(application)
        else:
            erasable.append((application, due))
    Application.objects.bulk_update(rescheduled, ["purge_due_at"])
    return erasable


def _rows_per_application(ids: list[UUID]) -> dict[UUID, dict[str, int]]:
    """How many rows of each kind every application has, in one query (a correlated count
    per kind): the id list is compiled once, not once per kind."""

    def count(model: type[Model]) -> Coalesce:
        rows = model._default_manager.filter(application=OuterRef("pk")).order_by()
        return Coalesce(Subquery(rows.values("application").annotate(n=Count("pk")).values("n")), 0)

    kinds = {
        "notes": InterviewNote,
        "events": ApplicationEvent,
        "assignments": InterviewAssignment,
        "legal_holds": LegalHold,
        "cvs": CurriculumVitae,
        "consents": RetentionConsent,
        # An invitation the person applied through goes with that application.
        "invitations": Invitation,
        # The thread: what staff wrote to the candidate and what they answered (issue 20).
        "messages": CandidateMessage,
        # Answers to the posting's questions (the question versions hold no personal data
        # and stay: other applications' answers may point at them).
        "answers": Answer,
        "interviews": Interview,
    }
    rows = (
        Application.objects.filter(pk__any_of=ids)
        .values("pk")
        .annotate(**{kind: count(model) for kind, model in kinds.items()})
    )
    return {row.pop("pk"): row for row in rows}


def _delete_rows_batch(applications: list[Application]) -> dict[UUID, dict[str, int]]:
    """Deletes every row holding these applications' personal data, in a fixed number of
    queries; returns the counts by kind for each application (for its ErasureRecord)."""
    ids = [application.pk for application in applications]
    per_application = _rows_per_application(ids)
    candidate_ids = {application.candidate_id for application in applications}
    kept = set(
        Application.objects.filter(candidate_id__any_of=list(candidate_ids))
        .exclude(pk__any_of=ids)
        .values_list("candidate_id", flat=True)
    )
    leaving = candidate_ids - kept
    candidate_wide = RetentionConsent.objects.filter(application__isnull=True)
    candidate_consents = dict(
        candidate_wide.filter(candidate_id__any_of=list(leaving))
        .order_by()
        .values("candidate_id")
        .annotate(n=Count("pk"))
        .values_list("candidate_id", "n")
    )
    # Invitations go with the application made through them, and the rest with the person;
    # their emails with them. Each email is counted on the application or person it goes with.
    invitation_owner = {
        invitation_id: application_id or candidate_id
        for invitation_id, application_id, candidate_id in Invitation.objects.filter(
            Q(application_id__any_of=ids) | Q(candidate_id__any_of=list(leaving))
        ).values_list("pk", "application_id", "candidate_id")
    }
    candidate_invitations = Counter(
        owner for owner in invitation_owner.values() if owner in leaving
    )
    # The interviewers' copies of interview emails are about the interview.
    interview_owner = dict(
        Interview.objects.filter(application_id__any_of=ids).values_list("pk", "application_id")
    )
    refs = [*ids, *leaving, *invitation_owner, *interview_owner]
    owner = {**invitation_owner, **interview_owner}
    emails: Counter[UUID] = Counter()
    for ref, n in count_emails(subject_refs=refs).items():
        emails[owner.get(ref, ref)] += n
    purge_emails(subject_refs=refs)
    counts: dict[UUID, dict[str, int]] = {}
    # The first application of a leaving candidate carries the candidate-wide rows.
    claimed: set[UUID] = set()
    for application in applications:
        row = dict(per_application[application.pk])
        row["emails"] = emails.get(application.pk, 0)
        row["applications"] = 1
        row["candidates"] = 0
        candidate_id = application.candidate_id
        if candidate_id in leaving and candidate_id not in claimed:
            claimed.add(candidate_id)
            row["candidates"] = 1
            row["consents"] += candidate_consents.get(candidate_id, 0)
            row["invitations"] += candidate_invitations[candidate_id]
            row["emails"] += emails.get(candidate_id, 0)
        counts[application.pk] = row
    # Cascades to notes, events, assignments, holds, CVs, answers, consents and their
    # reminders, invitations applied through, and interviews with their panels.
    _delete_cascading(Application.objects.filter(pk__any_of=ids))
    _anonymise_requests(list(leaving))
    # And the candidate-wide consents and invitations.
    _delete_cascading(Candidate.objects.filter(pk__any_of=list(leaving)))
    return counts


def _anonymise_requests(candidate_ids: list[UUID]) -> None:
    """Keeps the leaving candidates' data-subject requests as anonymous records (kind,
    channel, dates, status, handler): the free texts, which may quote the candidate, are
    cleared. A request still open was not answered, and the record must not say it was: it
    is closed as ERASED_UNANSWERED and the officers are alerted, so that someone answers it
    (telling the person their data has been erased) through the channel it came by.

    Why close rather than hold the purge: the promise lets nothing be kept past its basis,
    and an answer to an access request may describe the data as held when it is sent; an
    erasure under the retention rules is the routine it would describe (a pending extension
    goes too: its notice is erased with the person)."""
    now = timezone.now()
    requests_of = DataSubjectRequest.objects.filter(candidate_id__any_of=candidate_ids)
    unanswered = list(
        requests_of.filter(status=DataSubjectRequest.Status.OPEN).only(
            "id", "kind", "due_at", "original_due_at"
        )
    )
    requests_of.filter(pk__in=[request.pk for request in unanswered]).update(
        status=DataSubjectRequest.Status.ERASED_UNANSWERED,
        resolved_at=now,
        pending_due_at=None,
        extension_notice_id=None,
    )
    requests_of.update(
        candidate=None,
        details="",
        extension_reason="",
        resolution=ERASED_REQUEST_NOTE,
        updated_at=now,
    )
    if unanswered:
        signals.requests_erased_unanswered.send(sender=__name__, requests=unanswered, now=now)


def _delete_cascading(rows: QuerySet[Any]) -> None:
    """Deletes `rows` and everything that cascades from them, one DELETE per table, without
    loading a single model instance (Django's collector loads every parent row, which cost
    more than the rest of a large purge together).

    Follows the models' `on_delete`: CASCADE recurses; SET_NULL clears the reference (a note
    written after an interview: both go with the application, in either order); any other
    rule refuses (ProtectedError) while a referencing row exists. The purged models have no
    delete signals, which this would skip (tests/recruitment/retention/test_purge_rows.py
    keeps it that way).
    """
    model = rows.model
    for relation in model._meta.related_objects:
        referencing = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": rows.values("pk")}
        )
        if relation.on_delete is CASCADE:
            _delete_cascading(referencing)
        elif relation.on_delete is SET_NULL:
            referencing.update(**{relation.field.name: None})
        elif referencing.exists():
            raise ProtectedError(
                f"{model.__name__} rows are still referenced by {relation.related_model.__name__}",
                set(),
            )
    rows._raw_delete(rows.db)


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
    # Applications an open restriction request covers that were not frozen yet: frozen
    # first, so the purge leaves them (restrictions.freeze_requested).
    frozen: int = 0
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
    on_batch: Callable[[SweepReport], None] | None = None,
) -> SweepReport:
    """Purges every due application, in batches, one purge transaction each; calls
    `on_batch` with the running totals after each batch (for progress). First freezes
    whatever an open restriction request covers and is not frozen yet (an application
    whose freeze was lost when the database failed just after it was saved), so that no
    purge erases it.

    Rerun-safe; several sweeps may run at once (row locks keep each purge single).
    """
    now = now or timezone.now()
    batch = limit or settings.RETENTION_BATCH_SIZE
    report = SweepReport(frozen=restrictions.freeze_requested())
    # Every outcome moves an application out of "due" (erased, rescheduled or unscheduled),
    # except BUSY; `seen` keeps the loop from spinning on those until the next sweep.
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
        seen.update(ids)
        for outcome in _purge_isolating_errors(ids, now=now).values():
            _count(report, outcome)
        if on_batch is not None:
            on_batch(report)


def _purge_isolating_errors(ids: list[UUID], *, now: datetime) -> dict[UUID, str]:
    """Purges a batch; if it raises unexpectedly, purges its applications one at a time so a
    single broken application cannot hold back the others (its rows stay; it is retried)."""
    try:
        return purge_batch(ids, now=now)
    except Exception:
        logger.exception("purge batch of %d raised; purging one at a time", len(ids))
    outcomes: dict[UUID, str] = {}
    for application_id in ids:
        try:
            outcomes[application_id] = purge_batch([application_id], now=now)[application_id]
        except Exception as exc:
            logger.exception("purge of application %s raised", application_id)
            _record_failure(application_id, now=now, error=exc)
            outcomes[application_id] = Outcome.FAILED
    return outcomes


def _count(report: SweepReport, outcome: str) -> None:
    if outcome == Outcome.ERASED:
        report.erased += 1
    elif outcome == Outcome.FAILED:
        report.failed += 1
    else:
        report.skipped += 1
        report.deferred += outcome == Outcome.DEFERRED


def erase_now(*, application: Application, actor: Actor) -> str:
    """Flags the person behind `application` under-age and erases every application of
    theirs immediately, the person with the last (PRIVACY.md P17).

    Returns the purge Outcome of `application` (the one the flagger sees): ERASED, NOT_DUE
    (a legal hold or a restriction keeps it) or FAILED (storage down: the sweep retries;
    nothing was reported erased). The person's other applications follow the same rules
    (a hold keeps what it covers; the sweep retries a failure).
    """
    ids = flag_under_age(application=application, actor=actor)
    outcomes = purge_batch(ids, actor=actor.user.get_username(), skip_locked=False)
    outcome = outcomes.get(application.pk, Outcome.GONE)
    return Outcome.ERASED if outcome == Outcome.GONE else outcome  # gone is erased
