"""Celery tasks of CVs: reading a CV's text after its upload, and the sweep that finds the
ones still to read. Thin: ids in, a service call, the retry policy. Names keep the
`recruitment.` prefix, like every task's."""

from uuid import UUID

from celery import shared_task
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from recruitment.cvs import extraction
from recruitment.cvs.storage import StorageUnavailable


@shared_task(
    name=extraction.READ_CV_TEXT_TASK,
    autoretry_for=(StorageUnavailable, OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def read_cv_text(cv_id: str) -> bool:
    """Reads one pending CV's text for the talent pool's search (enqueued after its
    upload, and by the sweep). Takes the CV's random id, nothing personal. Rerun-safe (so
    retried while storage or the database is unreachable; past the retries, the sweep)."""
    return extraction.read_text(UUID(cv_id))


@shared_task(name="recruitment.read_pending_cv_texts")
def read_pending_cv_texts() -> int:
    """Enqueues the reading of every CV whose own message was lost or that waited for a
    restriction to be lifted (run by beat). Rerun-safe."""
    return extraction.read_pending_texts(timezone.now())
