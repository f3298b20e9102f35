"""Retention rules: when each application must be erased (PRIVACY.md P1-P8, P17).

The promise: "If your application is unsuccessful, we will retain your personal data until
the recruitment process has been formally concluded. Any retention beyond that point will
take place only on the basis of your explicit consent."

`purge_due_at` is a state the database can compute, not an event that can be lost: every
service that changes something it depends on calls `recompute`, and the sweep in
`recruitment.retention.services.purge` erases whatever is due. A lost broker message, a
flushed Redis or a dead worker only delays a purge until the next sweep.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import models, transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats import enqueue
from notifications.services import queue_email
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import (
    Application,
    LegalHold,
    Posting,
    RetentionConsent,
)

logger = logging.getLogger(__name__)

Stage = Application.Stage
# The purge tasks (retention/tasks.py), by name: services enqueue them after commit.
PURGE_POSTING_TASK = "recruitment.purge_posting"
PURGE_CANDIDATE_TASK = "recruitment.purge_candidate"


class Reason(models.TextChoices):
    """Why an application is erased. The ledger stores the code (hashed into its chain, so
    a code never changes); staff pages show the label, in the reader's language."""

    PROCESS_CONCLUDED = "process_concluded", _("Process concluded")
    CONSENT_ENDED = "consent_ended", _("Consent ended")
    UNDER_AGE = "under_age", _("Under the minimum age")
    ERASURE_REQUESTED = "erasure_requested", _("Erasure requested by the candidate")
    HIRED_RETENTION_ENDED = "hired_retention_ended", _("Hired, hand-over period ended")


@dataclass(frozen=True)
class Due:
    at: datetime | None
    reason: str = ""


NOT_DUE = Due(at=None)


# --- The rules ------------------------------------------------------------------------------


def covers(consent: RetentionConsent, application: Application) -> bool:
    """Whether `consent` counts for `application`: confirmed by the owner of the address,
    not withdrawn, and given for this application or (in the portal) for all of them."""
    return (
        consent.confirmed_at is not None
        and consent.withdrawn_at is None
        and consent.application_id in (None, application.pk)
    )


def _consent_until(
    consents: Iterable[RetentionConsent], application: Application
) -> datetime | None:
    """Until when the candidate's explicit consent lets us keep this application, if at all."""
    valid = [c.expires_at for c in consents if covers(c, application)]
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
    - hired: kept (the application is handed over to HR) unless HIRED_RETENTION_DAYS is set;
    - any other application, once the process is formally concluded (the conclusion ends it,
      whatever its stage: one the candidate had frozen by a restriction stays in its stage):
      due at conclusion plus the grace period, or, with a confirmed consent covering it,
      when that consent expires;
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
    if posting.concluded_at is not None:
        at_conclusion = posting.concluded_at + timedelta(days=settings.RETENTION_GRACE_DAYS)
        consent_until = _consent_until(consents, application)
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


def recompute(applications: QuerySet[Application], *, notify: bool = False) -> int:
    """Recomputes `purge_due_at` for these applications; returns how many changed.

    With `notify`, every application this schedules for erasure after its process
    concluded (from "not scheduled") gets the notice of what happens to the data, through
    the outbox: "being deleted", or "kept with your consent until ...". Callers notify when
    what they change can start that clock: the conclusion itself, and the end of whatever
    paused it (a restriction, a legal hold). Call it in the transaction of the change.
    Rerun-safe: a second run finds nothing newly scheduled.
    """
    changed: list[Application] = []
    facts = with_retention_facts(applications)
    if notify:
        facts = facts.select_related("candidate")
    for application in facts.iterator(chunk_size=500):
        due = due_for(application)
        if application.purge_due_at != due.at:
            if notify and application.purge_due_at is None:
                _tell_candidate(application, due)
            application.purge_due_at = due.at
            changed.append(application)
    Application.objects.bulk_update(changed, ["purge_due_at"], batch_size=500)
    return len(changed)


def _tell_candidate(application: Application, due: Due) -> None:
    """Queues the notice of what happens to an application's data now that its process
    has concluded (PRIVACY.md P1, P2): nothing for other reasons (an erasure the candidate
    asked for has its own confirmation; under-age data goes without delay)."""
    if due.reason not in {Reason.PROCESS_CONCLUDED, Reason.CONSENT_ENDED}:
        return
    # A consent that ended while a hold or a restriction paused the clock keeps nothing now.
    kept = due.reason == Reason.CONSENT_ENDED and due.at is not None and due.at > timezone.now()
    queue_email(
        to=application.candidate.email,
        template="retention/emails/data_kept_with_consent"
        if kept
        else "retention/emails/data_deleted",
        context={
            "full_name": application.candidate.full_name,
            "posting_title": application.posting.title,
            "kept_until": due.at if kept else None,
        },
        language=application.language,
        subject_ref=application.id,
    )


# --- Triggers -------------------------------------------------------------------------------


def process_concluded(*, posting: Posting) -> None:
    """Called in the transaction that formally concludes `posting` (PRIVACY.md P1).

    The conclusion ends every application that is not hired, whatever its stage. Schedules
    their erasure, tells each candidate what happens to their data (deletion, or until when
    it is kept with their consent) through the outbox, except where a hold or a restriction
    pauses it (they are told when that ends), and, after commit, asks a worker to sweep this
    posting at once. The beat sweep catches up if that message is lost.
    """
    recompute(Application.objects.filter(posting=posting), notify=True)
    enqueue.send_on_commit(PURGE_POSTING_TASK, posting.pk)


# --- Under age (P17) ------------------------------------------------------------------------


@transaction.atomic
def flag_under_age(
    *, application: Application, actor: Actor, now: datetime | None = None
) -> list[UUID]:
    """Marks the person behind `application` as below the minimum age: every application
    of theirs, in any posting (the flagger may see only this one), is due for erasure at
    once, and with the last of them the person (P17). Returns the flagged applications'
    ids.

    Side effects, in one transaction: locks the person's application rows (the purge's
    lock), sets `under_age_flagged_at` where unset, recomputes, and writes the
    FLAG_UNDER_AGE audit row for the application the flagger acted on. A legal hold or a
    restriction still keeps what it covers. Rerun-safe (each call is audited).
    """
    now = now or timezone.now()
    locked = Application.objects.lock_candidate(application.candidate_id)
    unflagged = [a for a in locked if a.under_age_flagged_at is None]
    for flagged in unflagged:
        flagged.under_age_flagged_at = now
    Application.objects.bulk_update(unflagged, ["under_age_flagged_at"])
    recompute(Application.objects.filter(candidate_id=application.candidate_id))
    audit.record_application_access(
        actor=actor, action=audit.Action.FLAG_UNDER_AGE, application=application
    )
    return [a.pk for a in locked]
