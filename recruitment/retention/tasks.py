"""Celery tasks of retention: the purge sweeps, storage reconciliation, consent and hold
reminders. Thin: ids in, a service call, the retry policy. Task names keep their original
`recruitment.` prefix: queued messages and the beat schedule name them."""

from datetime import timedelta
from uuid import UUID

from celery import Task, shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from recruitment.retention.services import consents, holds, purge, reconciliation


@shared_task(name="recruitment.sweep_retention")
def sweep_retention() -> dict[str, int]:
    """Purges every application whose purge is due (run by beat), having frozen first what
    an open restriction request covers (`purge.sweep`). Rerun-safe."""
    report = purge.sweep()
    return {
        "frozen": report.frozen,
        "erased": report.erased,
        "failed": report.failed,
        "skipped": report.skipped,
    }


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
