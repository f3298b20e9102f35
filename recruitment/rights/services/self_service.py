"""What a candidate does for themselves in the privacy portal (PRIVACY.md P4, P12-P14).

Every action is also a data-subject request: self-service ones are recorded resolved at
once; restriction and objection go to the privacy officer's queue. Each service owns its
transaction and locks the candidate's application rows (the purge's lock) first, so a
purge running at the same time either finishes first (and the action finds nothing) or
waits for the action.
"""

import logging
from typing import IO
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ats import enqueue
from ats.refusals import ServiceRefused
from notifications.services import queue_email
from recruitment.careers.services import compensate_upload, record_cv
from recruitment.cvs import search_index, storage
from recruitment.cvs.checks import InspectedCv
from recruitment.models import (
    DECIDED_STAGES,
    Application,
    ApplicationEvent,
    Candidate,
    CurriculumVitae,
    DataSubjectRequest,
    LegalHold,
)
from recruitment.pipeline.services import stages as pipeline
from recruitment.retention.services import restrictions
from recruitment.retention.services import schedule as retention
from recruitment.rights.services import register

logger = logging.getLogger(__name__)

Kind = DataSubjectRequest.Kind


class ActionRefused(ServiceRefused):
    """The action cannot be done now; `message` says why, for the candidate."""


def _lock(candidate_id: UUID) -> list[Application]:
    """The person's applications, with their postings, under the one candidate lock."""
    applications = Application.objects.select_related("posting").lock_candidate(candidate_id)
    if not applications:
        raise ActionRefused(_("We no longer hold any application of yours."))
    return applications


def _events(applications: list[Application], kind: str, **fields: str) -> None:
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=application, kind=kind, **fields)
        for application in applications
    )


@transaction.atomic
def correct_details(
    *, candidate: Candidate, full_name: str, phone: str, record: bool = True
) -> Candidate:
    """Rectification (P12): the candidate's name and phone, confirmed by the owner of the
    address, become the person's and every application's (replacing whatever was typed
    into each form). Recruiters see the new values and an event on each changed
    application says the candidate corrected them. The request is recorded as resolved
    unless `record` is off (the privacy officer resolving a rectification that arrived by
    email records it themselves). Rerun-safe: no change, no event."""
    applications = _lock(candidate.pk)
    locked = Candidate.objects.select_for_update().get(pk=candidate.pk)
    changed = [a for a in applications if (a.full_name, a.phone) != (full_name, phone)]
    if (locked.full_name, locked.phone) == (full_name, phone) and not changed:
        return locked
    locked.full_name, locked.phone = full_name, phone
    locked.save(update_fields=["full_name", "phone", "updated_at"])
    for application in changed:
        application.full_name, application.phone = full_name, phone
    Application.objects.bulk_update(changed, ["full_name", "phone"])
    _events(changed, ApplicationEvent.Kind.DETAILS_CORRECTED)
    if record:
        register.record_self_service(
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
    key = storage.put_cv(cv, content_type=inspected.content_type, filename=cv_filename)
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
    # The talent pool finds the new CV's text, and no longer the old one's.
    search_index.refresh_search_vectors(Application.objects.filter(pk=application.pk))
    _events([application], ApplicationEvent.Kind.CV_REPLACED)
    register.record_self_service(
        candidate=candidate,
        kind=Kind.RECTIFICATION,
        resolution=_("The candidate replaced their CV in the portal."),
    )
    return new_cv, [cv.storage_key for cv in old]


@transaction.atomic
def withdraw_application(*, candidate: Candidate, application_id: UUID) -> Application:
    """The candidate withdraws one application: it is then erased under the retention rules
    (at once if its process is already concluded, else at conclusion). Refused once a
    decision was made. Side effects: the stage, a WITHDRAWN event, retention recomputed,
    a purge of the person asked for after commit. Rerun-safe."""
    applications = {a.pk: a for a in _lock(candidate.pk)}
    application = applications.get(application_id)
    if application is None:
        raise ActionRefused(_("That application is not one of yours."))
    if application.stage == Application.Stage.WITHDRAWN:
        return application
    if application.stage in DECIDED_STAGES:
        raise ActionRefused(_("A decision has already been made on this application."))
    # The pipeline's own stage change, as the candidate's: no actor, its own event kind.
    # Neither a restriction nor the process's state keeps a person from withdrawing.
    pipeline.record_stage(
        application, to_stage=Application.Stage.WITHDRAWN, kind=ApplicationEvent.Kind.WITHDRAWN
    )
    retention.recompute(Application.objects.filter(pk=application.pk))
    enqueue.send_on_commit(retention.PURGE_CANDIDATE_TASK, str(candidate.pk))
    return application


@transaction.atomic
def request_erasure(*, candidate: Candidate, record: bool = True) -> list[LegalHold]:
    """Erasure on request (P13): everything no legal hold keeps. Returns the holds that
    keep part of the data (empty: everything goes), so the candidate can be told what is
    kept, why, and where to complain.

    Every application is marked for erasure now (a restriction ends, and open restriction
    requests are resolved as superseded: the candidate no longer opposes erasure); those a
    hold keeps are erased once their last hold is lifted. A confirmation email names what
    is kept, if anything; the purge waits for it (it is the last email to this address
    when nothing is kept). After commit a worker purges the candidate. The request is
    recorded as resolved unless `record` is off (the privacy officer resolving a request
    that arrived by email records it themselves). Rerun-safe: a second call marks and
    sends nothing new.
    """
    applications = _lock(candidate.pk)
    holds = list(
        LegalHold.objects.filter(application__in=applications, lifted_at__isnull=True)
        .select_related("application__posting")
        .order_by("placed_at")
    )
    now = timezone.now()
    # Every restriction ends, also one asked for since an earlier erasure request (found by
    # tests/promise/test_promise_model.py): the latest wish is erasure.
    restrictions.end_for_erasure(applications)
    pending = [a for a in applications if a.erasure_requested_at is None]
    for application in pending:
        application.erasure_requested_at = now
    Application.objects.bulk_update(pending, ["erasure_requested_at"])
    _events(pending, ApplicationEvent.Kind.ERASURE_REQUESTED)
    retention.recompute(Application.objects.filter(candidate_id=candidate.pk))
    if pending:
        held = {hold.application_id for hold in holds}
        # About an application, so the purge waits for its delivery before erasing it: a
        # kept one when something is kept (the email then stays with what is kept).
        subject = next((a for a in applications if a.pk in held), applications[0])
        queue_email(
            to=candidate.email,
            template="rights/emails/data_erased_on_request",
            context={
                "full_name": candidate.full_name,
                "kept": [
                    {
                        "posting_title": hold.application.posting.title,
                        "reason": hold.reason,
                        "review_at": hold.review_at,
                        "review_overdue": hold.review_is_overdue,
                    }
                    for hold in holds
                ],
                "authority": settings.SUPERVISORY_AUTHORITY,
            },
            language=subject.language,
            subject_ref=subject.pk,
        )
        if record:
            register.record_self_service(
                candidate=candidate,
                kind=Kind.ERASURE,
                resolution=_(
                    "Erased at the candidate's request from the portal, except what legal "
                    "holds keep."
                )
                if holds
                else _("Erased at the candidate's request from the portal."),
            )
    enqueue.send_on_commit(retention.PURGE_CANDIDATE_TASK, str(candidate.pk))
    return holds


@transaction.atomic
def restrict_processing(*, candidate: Candidate, details: str) -> DataSubjectRequest:
    """Restriction (P14): opens a request for the privacy officer, which freezes every
    application at once (no stage moves, no emails, no purge while it lasts; see
    recruitment.retention.services.restrictions)."""
    _lock(candidate.pk)
    return register.record_request(
        candidate=candidate,
        kind=Kind.RESTRICTION,
        channel=DataSubjectRequest.Channel.PORTAL,
        details=details,
    )


@transaction.atomic
def object_to_processing(*, candidate: Candidate, details: str) -> DataSubjectRequest:
    """Objection (P14): recorded for the privacy officer, who answers within the deadline."""
    _lock(candidate.pk)
    return register.record_request(
        candidate=candidate,
        kind=Kind.OBJECTION,
        channel=DataSubjectRequest.Channel.PORTAL,
        details=details,
    )
