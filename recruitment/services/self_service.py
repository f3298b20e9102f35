"""What a candidate does for themselves in the privacy portal (PRIVACY.md P4, P12-P14).

Every action is also a data-subject request: self-service ones are recorded resolved at
once; restriction and objection go to the privacy officer's queue. Each service owns its
transaction and locks the candidate's application rows (the purge's lock) first, so a
purge running at the same time either finishes first (and the action finds nothing) or
waits for the action.
"""

import logging
from dataclasses import dataclass
from typing import IO
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import queue_email
from recruitment import storage
from recruitment.models import (
    DECIDED_STAGES,
    Application,
    ApplicationEvent,
    Candidate,
    CurriculumVitae,
    DataSubjectRequest,
    LegalHold,
)
from recruitment.services import requests, retention
from recruitment.services.applying import compensate_upload, record_cv
from recruitment.uploads import InspectedCv

logger = logging.getLogger(__name__)

Kind = DataSubjectRequest.Kind
PURGE_CANDIDATE_TASK = "recruitment.purge_candidate"


class ActionRefused(Exception):
    """The action cannot be done now; `message` says why, for the candidate."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def _lock(candidate_id: UUID) -> list[Application]:
    applications = list(
        Application.objects.select_for_update(of=("self",))
        .select_related("posting")
        .filter(candidate_id=candidate_id)
        .order_by("pk")
    )
    if not applications:
        raise ActionRefused(_("We no longer hold any application of yours."))
    return applications


def _events(applications: list[Application], kind: str, **fields: str) -> None:
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=application, kind=kind, **fields)
        for application in applications
    )


@transaction.atomic
def correct_details(*, candidate: Candidate, full_name: str, phone: str) -> Candidate:
    """Rectification (P12): the candidate's name and phone. Recruiters see the new values
    and an event on each application says the candidate corrected them. Rerun-safe: no
    change, no event."""
    applications = _lock(candidate.pk)
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    if (locked.full_name, locked.phone) == (full_name, phone):
        return locked
    locked.full_name, locked.phone = full_name, phone
    locked.save(update_fields=["full_name", "phone", "updated_at"])
    _events(applications, ApplicationEvent.Kind.DETAILS_CORRECTED)
    requests.record_self_service(
        candidate=locked,
        kind=Kind.RECTIFICATION,
        resolution=_("The candidate corrected their contact details in the portal."),
    )
    return locked


def replace_cv(
    *,
    candidate: Candidate,
    application_id: UUID,
    cv: IO[bytes],
    cv_filename: str,
    inspected: InspectedCv,
) -> CurriculumVitae:
    """Rectification (P12): a new CV for one of the candidate's applications, checked like
    the apply form's. The new object is stored first; then, in one transaction, its row
    replaces the old ones; after commit the old objects are deleted (reconciliation
    catches any that could not be). If the transaction fails, the new object is deleted.
    Raises ActionRefused or storage.StorageUnavailable.
    """
    key = storage.put_cv(cv, content_type=inspected.content_type)
    try:
        new_cv, old_keys = _record_replacement(
            candidate=candidate,
            application_id=application_id,
            key=key,
            cv_filename=cv_filename,
            inspected=inspected,
        )
    except BaseException:
        compensate_upload(key)
        raise
    if old_keys:
        try:
            storage.delete_keys(old_keys)
        except storage.StorageUnavailable:
            logger.warning("replaced CV objects not deleted; reconcile_storage will")
    return new_cv


@transaction.atomic
def _record_replacement(
    *,
    candidate: Candidate,
    application_id: UUID,
    key: str,
    cv_filename: str,
    inspected: InspectedCv,
) -> tuple[CurriculumVitae, list[str]]:
    applications = {a.pk: a for a in _lock(candidate.pk)}
    application = applications.get(application_id)
    if application is None:
        raise ActionRefused(_("That application is not one of yours."))
    if application.restricted:
        raise ActionRefused(_("Processing of this application is restricted at your request."))
    old = list(application.cvs.all())
    new_cv = record_cv(
        application=application, key=key, cv_filename=cv_filename, inspected=inspected
    )
    CurriculumVitae.objects.filter(pk__in=[cv.pk for cv in old]).delete()
    _events([application], ApplicationEvent.Kind.CV_REPLACED)
    requests.record_self_service(
        candidate=candidate,
        kind=Kind.RECTIFICATION,
        resolution=_("The candidate replaced their CV in the portal."),
    )
    return new_cv, [cv.storage_key for cv in old]


@transaction.atomic
def withdraw_application(*, candidate: Candidate, application_id: UUID) -> Application:
    """The candidate withdraws one application: it is then erased under the retention rules
    (at once if its process is already concluded, else at conclusion). Rerun-safe."""
    applications = {a.pk: a for a in _lock(candidate.pk)}
    application = applications.get(application_id)
    if application is None:
        raise ActionRefused(_("That application is not one of yours."))
    if application.stage == Application.Stage.WITHDRAWN:
        return application
    if application.stage in DECIDED_STAGES:
        raise ActionRefused(_("A decision has already been made on this application."))
    from_stage = application.stage
    application.stage = Application.Stage.WITHDRAWN
    application.decided_at = timezone.now()
    application.save(update_fields=["stage", "decided_at", "updated_at"])
    _events(
        [application],
        ApplicationEvent.Kind.WITHDRAWN,
        from_stage=from_stage,
        to_stage=Application.Stage.WITHDRAWN,
    )
    retention.recompute(Application.objects.filter(pk=application.pk))
    retention.sweep_after_commit(PURGE_CANDIDATE_TASK, str(candidate.pk))
    return application


@dataclass(frozen=True)
class ErasureRefused:
    """Why the data cannot be erased now: the legal holds that keep it."""

    holds: list[LegalHold]


@transaction.atomic
def request_erasure(*, candidate: Candidate, record: bool = True) -> ErasureRefused | None:
    """Erasure on request (P13). Unless a legal hold keeps some of the data (then nothing
    changes and the holds are returned, so the candidate can be told why and how to
    complain), every application is scheduled for erasure now (a restriction ends: the
    candidate no longer opposes erasure), a confirmation email is queued (the purge waits
    for it: it is the last email to this address), and after commit a worker purges the
    candidate. The request is recorded as resolved unless `record` is off (the privacy
    officer resolving a request that arrived by email records it themselves). Rerun-safe.
    """
    applications = _lock(candidate.pk)
    holds = list(
        LegalHold.objects.filter(application__in=applications, lifted_at__isnull=True).order_by(
            "placed_at"
        )
    )
    if holds:
        if not record:
            return ErasureRefused(holds=holds)
        requests.record_request(
            candidate=candidate,
            kind=Kind.ERASURE,
            channel=DataSubjectRequest.Channel.PORTAL,
            details=_("Refused in the portal while a legal hold applies."),
        )
        return ErasureRefused(holds=holds)
    now = timezone.now()
    pending = [a for a in applications if a.erasure_requested_at is None]
    for application in pending:
        application.erasure_requested_at = now
        application.restricted = False
    Application.objects.bulk_update(pending, ["erasure_requested_at", "restricted"])
    _events(pending, ApplicationEvent.Kind.ERASURE_REQUESTED)
    retention.recompute(Application.objects.filter(candidate_id=candidate.pk))
    if pending:
        first = applications[0]
        queue_email(
            to=candidate.email,
            template="data_erased_on_request",
            context={"full_name": candidate.full_name},
            language=first.language,
            # About an application, so the purge waits for its delivery before erasing.
            subject_ref=first.pk,
        )
        if record:
            requests.record_self_service(
                candidate=candidate,
                kind=Kind.ERASURE,
                resolution=_("Erased at the candidate's request from the portal."),
            )
    retention.sweep_after_commit(PURGE_CANDIDATE_TASK, str(candidate.pk))
    return None


@transaction.atomic
def restrict_processing(*, candidate: Candidate, details: str) -> DataSubjectRequest:
    """Restriction (P14): freezes every application at once (no stage moves, no emails,
    no purge while it lasts) and opens a request for the privacy officer, who lifts it."""
    applications = _lock(candidate.pk)
    frozen = [a for a in applications if not a.restricted]
    for application in frozen:
        application.restricted = True
    Application.objects.bulk_update(frozen, ["restricted"])
    _events(frozen, ApplicationEvent.Kind.RESTRICTED)
    retention.recompute(Application.objects.filter(candidate_id=candidate.pk))
    return requests.record_request(
        candidate=candidate,
        kind=Kind.RESTRICTION,
        channel=DataSubjectRequest.Channel.PORTAL,
        details=details,
    )


@transaction.atomic
def object_to_processing(*, candidate: Candidate, details: str) -> DataSubjectRequest:
    """Objection (P14): recorded for the privacy officer, who answers within the deadline."""
    _lock(candidate.pk)
    return requests.record_request(
        candidate=candidate,
        kind=Kind.OBJECTION,
        channel=DataSubjectRequest.Channel.PORTAL,
        details=details,
    )


@transaction.atomic
def lift_restriction(*, candidate: Candidate) -> int:
    """Ends a restriction (the privacy officer, when the request is resolved): the
    applications move and are erased under the usual rules again. Returns how many."""
    applications = [a for a in _lock(candidate.pk) if a.restricted]
    for application in applications:
        application.restricted = False
    Application.objects.bulk_update(applications, ["restricted"])
    _events(applications, ApplicationEvent.Kind.RESTRICTION_LIFTED)
    retention.recompute(Application.objects.filter(candidate_id=candidate.pk))
    return len(applications)
