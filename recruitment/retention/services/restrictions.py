"""Restriction of processing (PRIVACY.md P14, P23): freezing a person's applications, and
letting them go again once no restriction request of theirs remains open.

One mechanism for every way a restriction arrives: the portal's button and a request
received by email or letter that staff record. While restricted, an application changes no
stage, gets no email and is never purged (recruitment.retention.services.schedule). Callers lock the
candidate's application rows first (the purge's lock) and pass them in.
"""

from uuid import UUID

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from recruitment.models import Application, ApplicationEvent, DataSubjectRequest
from recruitment.retention.services import schedule as retention


def freeze(applications: list[Application]) -> list[Application]:
    """Restricts these locked applications; returns the ones that were not yet restricted.

    Side effects, in the caller's transaction: the `restricted` flag, a RESTRICTED event
    on each newly frozen application, `purge_due_at` recomputed. Rerun-safe."""
    frozen = [a for a in applications if not a.restricted]
    for application in frozen:
        application.restricted = True
    Application.objects.bulk_update(frozen, ["restricted"])
    _events(frozen, ApplicationEvent.Kind.RESTRICTED)
    retention.recompute(_all_of(applications))
    return frozen


@transaction.atomic
def freeze_if_requested(candidate_id: UUID) -> list[Application]:
    """Restricts the person's applications if a restriction request of theirs is open;
    returns the ones newly frozen. For an application that arrived while one is open (a
    restriction lasts while its request is open, P23); the caller calls it once the
    application is committed.

    Why no application escapes: this locks the person's application rows before it looks
    for a request, and `recruitment.rights.services.register.record_request` freezes the rows it
    finds in a query after writing its request. Whichever takes the locks second sees the
    other's committed rows. Side effects: as `freeze`. Rerun-safe.
    """
    applications = Application.objects.lock_candidate(candidate_id)
    requested = DataSubjectRequest.objects.filter(
        candidate_id=candidate_id,
        kind=DataSubjectRequest.Kind.RESTRICTION,
        status=DataSubjectRequest.Status.OPEN,
    ).exists()
    return freeze(applications) if requested else []


def freeze_requested() -> int:
    """Freezes the applications an open restriction request covers that are not frozen:
    one saved while `freeze_if_requested` could not run after it (the database failed just
    after the application was committed: recruitment.careers.services). Returns how many.

    Each person in their own transaction, through `freeze_if_requested` (their lock, then
    the request looked up again). Side effects: as `freeze`. Rerun-safe; every purge sweep
    runs it before it purges (`purge.sweep`)."""
    candidate_ids = (
        DataSubjectRequest.objects.filter(
            kind=DataSubjectRequest.Kind.RESTRICTION,
            status=DataSubjectRequest.Status.OPEN,
            candidate__applications__restricted=False,
        )
        .values_list("candidate_id", flat=True)
        .distinct()
    )
    return sum(len(freeze_if_requested(candidate_id)) for candidate_id in candidate_ids)


def release_unless_requested(applications: list[Application]) -> list[Application]:
    """Lifts the restriction of these locked applications (all one person's) unless a
    restriction request of that person is still open; returns the ones released.

    A restriction lasts while any restriction request of the person is open (P23): closing
    one of two leaves them frozen. Side effects, in the caller's transaction: the flag, a
    RESTRICTION_LIFTED event each, `purge_due_at` recomputed, and the notice of what
    happens to the data for applications whose process concluded meanwhile. Rerun-safe.
    """
    if not applications:
        return []
    still_requested = DataSubjectRequest.objects.filter(
        candidate_id=applications[0].candidate_id,
        kind=DataSubjectRequest.Kind.RESTRICTION,
        status=DataSubjectRequest.Status.OPEN,
    ).exists()
    if still_requested:
        return []
    released = [a for a in applications if a.restricted]
    for application in released:
        application.restricted = False
    Application.objects.bulk_update(released, ["restricted"])
    _events(released, ApplicationEvent.Kind.RESTRICTION_LIFTED)
    retention.recompute(_all_of(applications), notify=True)
    return released


def end_for_erasure(applications: list[Application]) -> list[Application]:
    """Ends the restriction of these locked applications (all one person's) because the
    person asked for erasure: they no longer oppose it (Art. 18(1)(b) GDPR). Their open
    restriction requests are resolved as superseded, so that no request left open keeps
    anything frozen; returns the applications released.

    Side effects, in the caller's transaction: the requests' status and resolution, the
    flag, a RESTRICTION_LIFTED event each. The caller recomputes `purge_due_at`. Rerun-safe.
    """
    if not applications:
        return []
    now = timezone.now()
    DataSubjectRequest.objects.filter(
        candidate_id=applications[0].candidate_id,
        kind=DataSubjectRequest.Kind.RESTRICTION,
        status=DataSubjectRequest.Status.OPEN,
    ).update(
        status=DataSubjectRequest.Status.RESOLVED,
        resolved_at=now,
        # In the site's language, like every staff-facing text stored on a request.
        resolution=gettext("Ended by the candidate's later request for erasure."),
    )
    released = [a for a in applications if a.restricted]
    for application in released:
        application.restricted = False
    Application.objects.bulk_update(released, ["restricted"])
    _events(released, ApplicationEvent.Kind.RESTRICTION_LIFTED)
    return released


def _all_of(applications: list[Application]) -> QuerySet[Application]:
    return Application.objects.filter(pk__in=[a.pk for a in applications])


def _events(applications: list[Application], kind: str) -> None:
    ApplicationEvent.objects.bulk_create(
        ApplicationEvent(application=application, kind=kind) for application in applications
    )
