"""The register of data-subject requests (PRIVACY.md P14, P16): recording a request with its
legal deadline and the effect it has at once, and recording the rights a candidate exercised
themselves in the portal. The other rights services (the portal's actions, exports, the
officer's handling in `requests`) write to it; it imports none of them.

Deadlines count local calendar days (ats.dates): a request received on local day D is due by
the end of local day D + PRIVACY_REQUEST_DEADLINE_DAYS.

Locks: recording first locks the candidate's application rows, the purge's lock, so a purge
running at the same time either finished first (RequestRefused: nothing is held any more) or
waits and erases the request with the rest.
"""

import logging
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats.dates import local_days_after, local_days_between
from ats.refusals import ServiceRefused
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import Application, Candidate, DataSubjectRequest, RetentionConsent
from recruitment.pipeline.services import interviews, messaging
from recruitment.pool.services import invitations
from recruitment.retention.services import consents, restrictions

logger = logging.getLogger(__name__)

Kind = DataSubjectRequest.Kind
Channel = DataSubjectRequest.Channel
Status = DataSubjectRequest.Status


class RequestRefused(ServiceRefused):
    """The request cannot be changed that way; `message` says why, fit to show the user."""


def due_date_for(received_at: datetime) -> datetime:
    """When a request received at `received_at` must be answered (without extension): the
    end of the local day PRIVACY_REQUEST_DEADLINE_DAYS after the local day it arrived."""
    return local_days_after(received_at, settings.PRIVACY_REQUEST_DEADLINE_DAYS)


def days_left(request: DataSubjectRequest, *, now: datetime) -> int:
    """Calendar days from today to the due date: 0 on the due date, negative once overdue."""
    return local_days_between(now, request.due_at)


def lock_candidate_data(candidate_id: UUID | None) -> list[Application]:
    """Locks the candidate's application rows (the purge's lock) in a stable order and
    returns them.

    Raises RequestRefused when none is left: the candidate's data has been erased.
    """
    locked = Application.objects.lock_candidate(candidate_id)
    if not locked:
        raise RequestRefused(_("No data is held about this person any more."))
    return locked


@transaction.atomic
def record_request(
    *,
    candidate: Candidate,
    kind: str,
    channel: str,
    details: str = "",
    received_at: datetime | None = None,
    actor: Actor | None = None,
) -> DataSubjectRequest:
    """Records an open request, due PRIVACY_REQUEST_DEADLINE_DAYS after it was received,
    and gives it the effect it has at once, however it arrived (P23): a restriction
    freezes every application of the person; a consent withdrawal withdraws every consent
    given before the request was recorded.

    `received_at` may lie in the past (a letter read late; the deadline still runs from
    its arrival), never in the future. `actor` None: the candidate asked in the portal;
    otherwise a staff member entered it, which is audited. Side effects, in one transaction:
    the candidate's application rows are locked, the request row, its effect and (staff
    only) a RECORD_REQUEST audit row are written. Raises RequestRefused. Not idempotent:
    each call records one more request.
    """
    if kind not in Kind.values or channel not in Channel.values:
        raise ValueError(f"unknown request kind {kind!r} or channel {channel!r}")
    now = timezone.now()
    received_at = received_at or now
    if received_at > now:
        raise RequestRefused(_("The date the request was received cannot be in the future."))
    lock_candidate_data(candidate.pk)
    due_at = due_date_for(received_at)
    request = DataSubjectRequest.objects.create(
        candidate_id=candidate.pk,
        kind=kind,
        channel=channel,
        details=details.strip(),
        received_at=received_at,
        original_due_at=due_at,
        due_at=due_at,
    )
    if kind == Kind.RESTRICTION:
        # Queried again now that the request is written: an application committed since
        # the lock above is frozen too (see restrictions.freeze_if_requested).
        restrictions.freeze(Application.objects.lock_candidate(candidate.pk))
    elif kind == Kind.CONSENT_WITHDRAWAL:
        withdraw_consents_before(request)
    if kind in (Kind.RESTRICTION, Kind.OBJECTION):
        # Nothing more reaches them meanwhile: messages, interview emails and invitations
        # from the talent pool that staff queued are withheld.
        application_ids = list(
            Application.objects.filter(candidate_id=candidate.pk).values_list("pk", flat=True)
        )
        messaging.withhold_queued(application_ids=application_ids)
        interviews.withhold_queued(application_ids=application_ids)
        invitations.withhold_queued(candidate_id=candidate.pk)
    if actor is not None:
        audit.record_request_access(
            actor=actor, action=audit.Action.RECORD_REQUEST, request=request
        )
    logger.info("data-subject request %s recorded (%s, %s)", request.pk, kind, channel)
    return request


@transaction.atomic
def record_self_service(
    *, candidate: Candidate, kind: str, resolution: str, now: datetime | None = None
) -> DataSubjectRequest:
    """Records a right the candidate exercised themselves in the portal: channel PORTAL,
    resolved the moment it was received (P16: self-service actions complete at once).

    Call it inside the transaction of the action itself. Side effects: locks the
    candidate's application rows (already held if the caller locked them) and writes one
    request row. Raises RequestRefused if nothing is held any more. Not idempotent: each
    call records one more request.
    """
    if kind not in Kind.values:
        raise ValueError(f"unknown request kind {kind!r}")
    if not str(resolution).strip():
        raise ValueError("a self-service request needs its resolution")
    now = now or timezone.now()
    lock_candidate_data(candidate.pk)
    due_at = due_date_for(now)
    request = DataSubjectRequest.objects.create(
        candidate_id=candidate.pk,
        kind=kind,
        channel=Channel.PORTAL,
        status=Status.RESOLVED,
        received_at=now,
        original_due_at=due_at,
        due_at=due_at,
        resolution=str(resolution).strip(),
        resolved_at=now,
    )
    logger.info("data-subject request %s done by the candidate (%s)", request.pk, kind)
    return request


def withdraw_consents_before(request: DataSubjectRequest) -> None:
    """Withdraws the person's consents given before `request` was recorded (one given
    later, in the portal, is a newer wish). Not "before it was received": a letter's day
    starts at midnight, and a consent given that morning is what the letter withdraws.
    Locks the application rows (held already)."""
    if request.candidate_id is None:
        return
    for consent in RetentionConsent.objects.filter(
        candidate_id=request.candidate_id,
        withdrawn_at__isnull=True,
        given_at__lte=request.created_at,
    ).order_by("pk"):
        consents.withdraw_consent(consent=consent)
