"""Reading a CV's text for the talent pool's search, in the worker, after the upload.

An upload is answered as soon as the CV passed its checks and its rows are written: its
row is saved with `text_pending` and, once committed, `read_text` is enqueued with the
CV's id (`read_after_commit`). Reading the text of a PDF costs pypdf more than every check
together (about 10 ms for two pages of text, on a web worker that answers an application
in about 20), so it is not done while the candidate waits. The worker reads the object
back from storage, checks it again (`inspect_cv` with `read_text`: the checks are the
parse the text is read from), and writes the text and the application's search vector.

Nothing is read for an application whose processing is restricted (only storage is
allowed then) or that is about to be erased (erasure requested, flagged under age): its CV
stays pending; a lifted restriction lets the sweep (`read_pending_texts`, run by beat)
pick it up, and an erasure removes the row. The sweep also recovers a message the broker
lost. The text, like the file, is never logged, and the task carries only the CV's id.
"""

import io
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from ats import enqueue
from recruitment.cvs import search_index, storage
from recruitment.cvs.checks import CvRejected, inspect_cv
from recruitment.models import Application, CurriculumVitae

READ_CV_TEXT_TASK = "recruitment.read_cv_text"
# A pending CV younger than this has its own message on the way: the sweep leaves it alone.
SWEEP_GRACE = timedelta(minutes=10)
# At most this many messages per sweep; the next sweep enqueues the rest.
SWEEP_BATCH = 1000


def read_after_commit(cv: CurriculumVitae) -> None:
    """Enqueues the reading of `cv`'s text once the current transaction commits (nothing
    if it rolls back; a broker that is down is logged, and the sweep enqueues it later)."""
    enqueue.send_on_commit(READ_CV_TEXT_TASK, str(cv.pk))


def _readable(applications: QuerySet[Application]) -> QuerySet[Application]:
    """Applications whose CVs may be read: not restricted, not about to be erased."""
    return applications.filter(
        restricted=False,
        erasure_requested_at__isnull=True,
        under_age_flagged_at__isnull=True,
    )


def read_text(cv_id: UUID | str) -> bool:
    """Reads the text of a pending CV and stores it with the application's search vector.
    Returns whether it did; False when there is nothing to do (read already, replaced,
    erased, or its application restricted or about to be erased: left pending).

    Side effects: one GET from storage; in one transaction, under the person's lock (the
    purge's and the restriction's), the CV's text and `text_pending`, and the
    application's search vector. Rerun-safe: a second run finds nothing pending. Raises
    storage.StorageUnavailable (the task retries) if the object cannot be read now.
    """
    pending = (
        CurriculumVitae.objects.filter(
            pk=cv_id, text_pending=True, application__in=_readable(Application.objects.all())
        )
        .values_list("application_id", "storage_key")
        .first()
    )
    if pending is None:
        return False
    application_id, key = pending
    text = text_of(storage.read_object(key))
    with transaction.atomic():
        application = Application.objects.lock_application(application_id)
        # Asked again under the lock: a restriction or an erasure may have come meanwhile.
        if application is None or not _readable(Application.objects.filter(pk=application.pk)):
            return False
        stored = CurriculumVitae.objects.filter(
            pk=cv_id, text_pending=True, storage_key=key
        ).update(text=text, text_pending=False)
        if stored:
            search_index.refresh_search_vectors(Application.objects.filter(pk=application.pk))
    return bool(stored)


def text_of(data: bytes) -> str:
    """The text of a stored CV's bytes, read by its checks; "" if they refuse it now (it
    passed them at upload; checks may have been tightened since), and "" if the parse is
    interrupted (the task's soft time limit: recruitment.cvs.tasks), which the parse
    takes as it takes any other error of pypdf's. No side effects."""
    try:
        inspected = inspect_cv(io.BytesIO(data), max_bytes=settings.CV_MAX_BYTES, read_text=True)
    except CvRejected:
        return ""
    return inspected.text or ""


def read_pending_texts(now: datetime) -> int:
    """Enqueues `read_text` for pending CVs older than SWEEP_GRACE whose applications may be
    read (at most SWEEP_BATCH); returns how many. Run by beat. Rerun-safe: a CV enqueued
    twice is read once."""
    ids = list(
        CurriculumVitae.objects.filter(
            text_pending=True,
            created_at__lt=now - SWEEP_GRACE,
            application__in=_readable(Application.objects.all()),
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_BATCH]
    )
    # A message the broker does not take is logged by `send`; the next sweep tries again.
    return sum(enqueue.send(READ_CV_TEXT_TASK, str(pk)) for pk in ids)
