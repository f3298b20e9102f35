"""Celery tasks of CVs: reading a CV's text after its upload, and the sweep that finds the
ones still to read. Thin: ids in, a service call, the retry policy. Names keep the
`recruitment.` prefix, like every task's."""

from uuid import UUID

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from recruitment.cvs import extraction
from recruitment.cvs.storage import StorageUnavailable


@shared_task(
    name=extraction.READ_CV_TEXT_TASK,
    autoretry_for=(StorageUnavailable, OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
    # A PDF of a few KB can hold a content stream that expands to megabytes of text
    # operators: the checks pass it (they never run page content), and pypdf then needs
    # most of a minute for its one page, where the page budget of recruitment.cvs.text
    # cannot stop it. The prefork worker interrupts the task at the soft limit, inside
    # pypdf's parse: the parse gives up ("" text, as for any error in it) and the CV is
    # stored without text, never read again. Interrupted elsewhere (storage, a lock), the
    # task fails and the CV stays pending for the sweep. The hard limit kills a child that
    # ignores it.
    soft_time_limit=settings.CV_TEXT_SECONDS,
    time_limit=settings.CV_TEXT_SECONDS + 40,
)
def read_cv_text(cv_id: str) -> bool:
    """Reads one pending CV's text for the talent pool's search (enqueued after its
    upload, and by the sweep), within settings.CV_TEXT_SECONDS. Takes the CV's random id,
    nothing personal. Rerun-safe (so retried while storage or the database is
    unreachable; past the retries, the sweep)."""
    return extraction.read_text(UUID(cv_id))


@shared_task(name="recruitment.read_pending_cv_texts")
def read_pending_cv_texts() -> int:
    """Enqueues the reading of every CV whose own message was lost or that waited for a
    restriction to be lifted (run by beat). Rerun-safe."""
    return extraction.read_pending_texts(timezone.now())
