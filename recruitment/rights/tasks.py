"""Celery tasks of the data-subject rights: portal links, request reminders and extensions,
data exports. Thin: ids in, a service call, the retry policy. Task names keep their original
`recruitment.` prefix: queued messages and the beat schedule name them."""

from uuid import UUID

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError

from recruitment.cvs import storage
from recruitment.rights.services import exports, portal_access, requests


@shared_task(
    name="recruitment.send_portal_link",
    # A database that is briefly away: the typed address stays in the cache until this runs.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_portal_link(request_id: str) -> bool:
    """Emails the portal link a visitor asked for, if the address they typed is known
    (PRIVACY.md P15). Takes the request's random id, never the address: that waits in the
    cache and is deleted here. Rerun-safe: one run sends, a second finds nothing.
    """
    return portal_access.send_requested_link(request_id=request_id)


@shared_task(
    name="recruitment.send_request_reminders",
    # Run once a day: a database that is briefly away must not cost a day's reminders.
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_request_reminders() -> dict[str, int]:
    """Emails the privacy officers about data-subject requests due soon, and about overdue
    ones (PRIVACY.md P16). Run daily by beat. Rerun-safe (so retried on transient database
    errors): each request is in one reminder and one overdue alert at most.
    """
    reminded, alerted = requests.send_request_reminders()
    return {"reminded": reminded, "alerted": alerted}


@shared_task(name="recruitment.settle_request_extensions")
def settle_request_extensions() -> dict[str, int]:
    """Gives each pending extension of a data-subject request its effect once the notice to
    the candidate was sent in time, and voids (and reports to the officers) those whose
    notice failed or came too late (PRIVACY.md P16). Run by beat every few minutes.
    Rerun-safe: a settled extension is no longer pending.
    """
    applied, voided = requests.settle_extensions()
    return {"applied": applied, "voided": voided}


@shared_task(
    name="recruitment.build_export",
    bind=True,
    # Only storage trouble is worth another try; anything else is a bug, and the hourly
    # run enqueues a build that stays PENDING again.
    autoretry_for=(storage.StorageUnavailable,),
    retry_backoff=30,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
)
def build_export(self: Task, export_id: str) -> None:
    """Builds one candidate's data export ZIP and uploads it (PRIVACY.md P10, P11).

    Takes the export's random id only. Rerun-safe: a missing, expired or finished export is
    a no-op. Storage trouble is retried with backoff; the last attempt marks it FAILED.
    """
    exports.build_export(
        export_id=UUID(export_id), last_attempt=self.request.retries >= (self.max_retries or 0)
    )


@shared_task(name="recruitment.delete_expired_exports")
def delete_expired_exports() -> dict[str, int]:
    """Erases expired and failed data exports (object, then row), and re-enqueues builds
    whose message was lost. Run hourly by beat. Rerun-safe."""
    deleted = exports.delete_expired_exports()
    requeued = exports.requeue_stale_exports()
    return {"deleted": deleted, "requeued": requeued}
