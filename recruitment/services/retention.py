"""Retention rules: when each application must be erased (PRIVACY.md P1-P8, P17).

The promise: "If your application is unsuccessful, we will retain your personal data until
the recruitment process has been formally concluded. Any retention beyond that point will
take place only on the basis of your explicit consent."

`purge_due_at` is a state the database can compute, not an event that can be lost: every
service that changes something it depends on calls `recompute`, and the sweep in
`recruitment.services.purge` erases whatever is due. A lost broker message, a flushed Redis
or a dead worker only delays a purge until the next sweep.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from celery import current_app
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from notifications.services import queue_email
from recruitment.models import (
    Application,
    LegalHold,
    Posting,
    RetentionConsent,
)

logger = logging.getLogger(__name__)

Stage = Application.Stage
ENDED_UNSUCCESSFULLY = (Stage.UNSUCCESSFUL, Stage.WITHDRAWN)
PURGE_POSTING_TASK = "recruitment.purge_posting"


class Reason:
    """Why an application is erased (stored in the ledger)."""

    PROCESS_CONCLUDED = "process_concluded"
    CONSENT_ENDED = "consent_ended"
    UNDER_AGE = "under_age"
    ERASURE_REQUESTED = "erasure_requested"
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
    - flagged under-age, or the candidate asked for erasure: due at once;
    - unsuccessful or withdrawn, once the process is formally concluded: due at conclusion
      plus the grace period, or, with valid consent, when that consent expires;
    - hired: kept (the application is handed over to HR) unless HIRED_RETENTION_DAYS is set;
    - anything else: the process is still running.
    """
    if on_hold or application.restricted:
        return NOT_DUE
    if application.under_age_flagged_at is not None:
        return Due(at=application.under_age_flagged_at, reason=Reason.UNDER_AGE)
    if application.erasure_requested_at is not None:
        return Due(at=application.erasure_requested_at, reason=Reason.ERASURE_REQUESTED)
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


def with_retention_facts(applications: QuerySet[Application]) -> QuerySet[Application]:
    return applications.select_related("posting").prefetch_related(
        # Into plain lists (to_attr): a related manager per application would build a new
        # queryset for every rule evaluation, which dominated large sweeps.
        Prefetch(
            "candidate__consents",
            queryset=RetentionConsent.objects.filter(scope=RetentionConsent.Scope.TALENT_POOL),
            to_attr="talent_pool_consents",
        ),
        Prefetch(
            "legal_holds",
            queryset=LegalHold.objects.filter(lifted_at__isnull=True),
            to_attr="active_holds",
        ),
    )


def due_for(application: Application) -> Due:
    return compute_due(
        application,
        posting=application.posting,
        consents=application.candidate.talent_pool_consents,  # type: ignore[attr-defined]
        on_hold=bool(application.active_holds),  # type: ignore[attr-defined]
    )


def recompute(applications: QuerySet[Application]) -> int:
    """Recomputes `purge_due_at` for these applications; returns how many changed.

    Call it in the transaction of any change that affects retention. Rerun-safe.
    """
    changed: list[Application] = []
    for application in with_retention_facts(applications).iterator(chunk_size=500):
        due = due_for(application)
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
    for application in with_retention_facts(ended.select_related("candidate")).iterator(
        chunk_size=500
    ):
        due = due_for(application)
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
    sweep_after_commit(PURGE_POSTING_TASK, posting.pk)


def sweep_after_commit(task_name: str, scope_id: int | str) -> None:
    """After the current transaction commits, asks a worker to sweep one scope (a posting,
    a candidate) at once. A broker failure is logged, never raised: the beat sweep finds the
    same purges from the database (see the module docstring)."""

    def enqueue() -> None:
        try:
            current_app.send_task(task_name, args=[scope_id])
        except Exception as exc:
            logger.warning("%s %s not enqueued (%s)", task_name, scope_id, type(exc).__name__)

    transaction.on_commit(enqueue, robust=True)


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
