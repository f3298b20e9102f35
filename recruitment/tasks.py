"""Celery tasks of the recruitment domain. Thin: ids in, a service call, the retry policy."""

from datetime import timedelta
from uuid import UUID

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from recruitment.audit import services as audit
from recruitment.cvs import storage
from recruitment.retention.services import consents, holds, purge, reconciliation
from recruitment.rights.services import exports, portal_access, requests


@shared_task(name="recruitment.sweep_retention")
def sweep_retention() -> dict[str, int]:
    """Purges every application whose purge is due (run by beat). Rerun-safe."""
    report = purge.sweep()
    return {"erased": report.erased, "failed": report.failed, "skipped": report.skipped}


@shared_task(name="recruitment.purge_posting", bind=True, max_retries=10)
def purge_posting(self: Task, posting_id: int) -> dict[str, int]:
    """The same sweep for one posting, enqueued when its process concludes. Rerun-safe.

    Purges wait for the candidates' last emails ("your data is being deleted"); while some
    wait, the task looks again shortly instead of leaving them to the next beat sweep.
    """
    report = purge.sweep(posting_id=posting_id)
    # Past the retry budget the beat sweep finishes the job; that is not an error.
    if report.deferred and self.request.retries < (self.max_retries or 0):
        raise self.retry(countdown=settings.OUTBOX_RETRY_AFTER_SECONDS)
    return {"erased": report.erased, "failed": report.failed, "skipped": report.skipped}


@shared_task(name="recruitment.purge_candidate", bind=True, max_retries=10)
def purge_candidate(self: Task, candidate_id: str) -> dict[str, int]:
    """The sweep for one candidate's applications, enqueued when they withdraw consent or
    an application, or ask for erasure; while the purge waits for their last email (the
    erasure confirmation) it looks again shortly, like `purge_posting`.

    Takes the candidate's random id, never anything personal. Rerun-safe.
    """
    report = purge.sweep(candidate_id=UUID(candidate_id))
    if report.deferred and self.request.retries < (self.max_retries or 0):
        raise self.retry(countdown=settings.OUTBOX_RETRY_AFTER_SECONDS)
    return {"erased": report.erased, "failed": report.failed, "skipped": report.skipped}


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


@shared_task(name="recruitment.reconcile_storage")
def reconcile_storage() -> int:
    """Deletes CV and export objects older than an hour that no row references. Rerun-safe."""
    report = reconciliation.reconcile_storage(execute=True, min_age=timedelta(hours=1))
    return report.deleted


@shared_task(name="recruitment.send_consent_reminders")
def send_consent_reminders() -> int:
    """Queues the reminder for each talent-pool consent about to expire (PRIVACY.md P5).

    Run daily by beat. Rerun-safe: each consent is reminded of once.
    """
    return consents.send_expiry_reminders()


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
    name="recruitment.send_hold_review_reminders",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_hold_review_reminders() -> int:
    """Emails the privacy officers the legal holds whose review date has passed (PRIVACY.md
    P7). Run hourly by beat so that the day's digest goes out early in the local day; it
    goes out at most once a day. Rerun-safe (so retried on transient database errors).
    """
    return holds.send_overdue_review_digest()


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


@shared_task(name="recruitment.delete_old_audit_events")
def delete_old_audit_events() -> int:
    """Deletes audit log rows past ATS_AUDIT_RETENTION_DAYS, in batches (run daily by beat).
    Never touches the erasure ledger or the statistics. Rerun-safe."""
    return audit.delete_old_events()
