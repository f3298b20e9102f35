"""Candidates' data exports (PRIVACY.md P10 access, P11 portability): request, build,
download, expire.

A request writes a PENDING `DataExport` and, after commit, enqueues `recruitment.build_export`
with the export's id. The build reads everything held about the candidate
(`export_contents`), streams a ZIP into a temporary file, uploads it under a random key
(`export/<uuid>`) and marks the row READY. A ready export can be downloaded through a
60-second presigned link until `expires_at` (EXPORT_EXPIRY_HOURS); the hourly
`recruitment.delete_expired_exports` then erases the object and deletes the row, and
re-enqueues builds whose message was lost. An export is a copy of the candidate's data: the
purge erases it with them (`purge.purge_batch`), and the reconciliation deletes any export
object no row references.

Storage trouble during a build leaves the export PENDING so the task can retry it with
backoff; the last attempt marks it FAILED, and FAILED rows are deleted by the next hourly run
(the requester can simply ask again).

Other people's words (GDPR Art. 15(4)): an export the candidate asks for in the portal that
would hold interview notes or staff-written stage reasons (`export_contents.passages_of`)
is not built at once. It waits IN_REVIEW with an open access request, whose legal deadline
runs and is shown in the officer's queue and in the portal, until a privacy officer has
released or redacted every passage (`review_passage`, audited) and released the export
(`release_reviewed_export`, audited; it resolves the request). It is then built with the
decisions applied, and expires EXPORT_EXPIRY_HOURS after the release. A passage written or
edited after its review sends the export back to review instead of being exported. Exports
staff produce skip the review: they go to the privacy officer or admin who produced them,
who reviews what they send on.
"""

import hashlib
import logging
import tempfile
from datetime import datetime, timedelta
from typing import IO
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats import enqueue
from ats.refusals import ServiceRefused
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.cvs import storage
from recruitment.models import (
    Application,
    Candidate,
    DataExport,
    DataSubjectRequest,
    ExportPassageReview,
)
from recruitment.rights.services import export_contents, register, requests

logger = logging.getLogger(__name__)

BUILD_TASK = "recruitment.build_export"
# A PENDING export this old has lost its message (or its worker): the hourly run enqueues it
# again. Longer than a build normally takes, so a build in progress is rarely duplicated
# (and a duplicate is harmless: the first to finish wins, the other erases its upload).
STALE_AFTER = timedelta(minutes=10)
DELETE_BATCH = 500
HASH_CHUNK = 1024 * 1024
# How long the portal reloads itself while an export is being built: a build normally takes
# seconds; one still pending after this is stuck (the hourly run retries it), and reloading
# for ever would keep the portal session alive as long as it is stuck.
PORTAL_REFRESH_FOR = timedelta(minutes=2)
REVIEW_REQUEST_DETAILS = _(
    "Asked in the portal for a copy of their data. The copy holds other people's words "
    "(interview notes, reasons given for decisions): it is released once a privacy officer "
    "has reviewed them."
)

Status = DataExport.Status


class ExportNotReady(Exception):
    """The export cannot be downloaded: not built (yet), failed, or expired."""


class ReviewRefused(ServiceRefused):
    """A review action cannot be done; `message` says why, fit to show the officer."""


def _still_wanted(now: datetime) -> Q:
    """Exports a new request reuses: in review (they never expire), or unexpired and ready
    or being prepared."""
    return Q(status=Status.IN_REVIEW) | Q(
        status__in=[Status.READY, Status.PENDING], expires_at__gt=now
    )


def request_export(
    *, candidate: Candidate, requested_by: User | None = None, now: datetime | None = None
) -> DataExport:
    """Asks for a ZIP of everything held about `candidate`; returns the export.

    `requested_by` is the staff user producing it, or None when the candidate asked in the
    portal. If this requester already has an unexpired export of this candidate that is READY
    or still being prepared, that one is returned and nothing new is created: a double click,
    or asking again while the link is valid, gives the same file (ask again after it expires,
    or after a purge removed it, for a fresh one). A PENDING one that looks stuck is
    enqueued again.

    Side effects, in one transaction: locks the candidate's application rows (the purge's
    lock, `Application.objects.lock_candidate`: a purge in progress finishes first, then the purge
    never sees an export it missed) and the candidate row (so concurrent requests make one
    export, and a candidate erased meanwhile raises Candidate.DoesNotExist), and writes a
    PENDING DataExport expiring after EXPORT_EXPIRY_HOURS; after commit, one broker message
    with the export's id (a broker failure is logged, and the hourly run enqueues it).
    """
    now = now or timezone.now()
    with transaction.atomic():
        Application.objects.lock_candidate(candidate.pk)
        Candidate.objects.select_for_update().only("pk").get(pk=candidate.pk)
        reusable = (
            DataExport.objects.filter(_still_wanted(now), candidate_id=candidate.pk)
            .filter(requested_by=requested_by)
            .order_by("-created_at")
            .first()
        )
        if reusable is not None:
            if reusable.status == Status.PENDING and reusable.created_at <= now - STALE_AFTER:
                enqueue.send_on_commit(BUILD_TASK, str(reusable.pk))
            return reusable
        export = DataExport(
            candidate_id=candidate.pk,
            requested_by=requested_by,
            status=Status.PENDING,
            created_at=now,
            expires_at=now + timedelta(hours=settings.EXPORT_EXPIRY_HOURS),
        )
        if export_contents.needs_review(export) and export_contents.passages_of(candidate.pk):
            export.status = Status.IN_REVIEW
            export.save(force_insert=True)
            _open_review_request(export, received_at=now)
        else:
            export.save(force_insert=True)
            enqueue.send_on_commit(BUILD_TASK, str(export.pk))
    return export


def request_portal_export(*, candidate: Candidate, now: datetime | None = None) -> DataExport:
    """The candidate asks in the portal for a copy of their data (P10, P11).

    Side effects, in one transaction: those of `request_export`; an export that goes to
    review opens its access request there (tracked until the export is released); any other
    is recorded as an access request answered at once (self-service), as is asking again
    for one that is ready or being built. Asking again while one is in review records
    nothing more: its request is open. Raises Candidate.DoesNotExist and
    register.RequestRefused when nothing is held any more.
    """
    with transaction.atomic():
        export = request_export(candidate=candidate, now=now)
        if export.status != Status.IN_REVIEW:
            register.record_self_service(
                candidate=candidate,
                kind=DataSubjectRequest.Kind.ACCESS,
                resolution=str(_("The candidate downloaded their data from the portal.")),
                now=now,
            )
    return export


def _open_review_request(export: DataExport, *, received_at: datetime) -> None:
    """Opens the access request an export in review answers, received when the candidate
    asked (its deadline runs from then). Locks the application rows (held already)."""
    export.request = register.record_request(
        candidate=export.candidate,
        kind=DataSubjectRequest.Kind.ACCESS,
        channel=DataSubjectRequest.Channel.PORTAL,
        details=str(REVIEW_REQUEST_DETAILS),
        received_at=received_at,
    )
    export.save(update_fields=["request"])


def produce_export(
    *, application: Application, actor: Actor, now: datetime | None = None
) -> DataExport:
    """A staff member produces the candidate's export (a request that arrived by email),
    from one of the candidate's applications. Callers check the actor may (access.py).

    Side effects, in one transaction: those of `request_export` (requested by the actor) and
    an EXPORT_CANDIDATE_DATA audit row for the application. Each call is audited; the export
    itself is reused as `request_export` says.
    """
    with transaction.atomic():
        export = request_export(candidate=application.candidate, requested_by=actor.user, now=now)
        audit.record_application_access(
            actor=actor, action=audit.Action.EXPORT_CANDIDATE_DATA, application=application
        )
    return export


def build_export(*, export_id: UUID, last_attempt: bool = True) -> None:
    """Builds the ZIP of a PENDING export, uploads it and marks the export READY.

    A missing, expired or no longer PENDING export is a no-op, so this is safe to run twice,
    or twice at once (the first to finish wins; the other erases its own upload). The data
    is read under the purge's lock (`_collect_locked`), so no export of data a purge erased
    is ever marked READY; nothing holds a database transaction while storage works. The ZIP
    is written to a temporary file that is removed whatever happens; CVs are copied from
    storage in chunks.

    If storage fails, any partial upload is deleted and the export stays PENDING: this raises
    storage.StorageUnavailable so the task can retry, unless `last_attempt`, in which case
    the export is marked FAILED and this returns. If the export (or the candidate) was deleted
    while it was being built, the upload is erased: nothing is left behind.
    """
    now = timezone.now()
    collected = _collect_locked(export_id, now=now)
    if collected is None:
        return
    export, contents = collected
    try:
        with tempfile.TemporaryFile(prefix="ats-export-") as archive_file:
            export_contents.write_archive(archive_file, contents=contents)
            size, sha256 = _measure(archive_file)
            # Erases its own partial upload on failure.
            key = storage.put_export(archive_file, filename=export_filename(export))
    except storage.StorageUnavailable:
        if not last_attempt:
            logger.warning("export %s: storage unavailable; will retry", export_id)
            raise
        logger.warning("export %s: storage unavailable on the last attempt; failed", export_id)
        DataExport.objects.filter(pk=export_id, status=Status.PENDING).update(status=Status.FAILED)
        return
    try:
        finished = _mark_ready(export_id, key=key, size=size, sha256=sha256)
    except BaseException:
        _erase_quietly(key)
        raise
    if not finished:
        _erase_quietly(key)


def _collect_locked(
    export_id: UUID, *, now: datetime
) -> tuple[DataExport, export_contents.Contents] | None:
    """The export and what it holds, read under the purge's lock (the candidate's application
    rows, then the export row), or None if the export is missing, expired or no longer
    PENDING.

    The lock makes the reading one moment of the candidate's data: a purge either erased
    its applications before (they are not read) or waits until this has read them, and
    then finds this PENDING export and deletes it with them (`_mark_ready` then erases the
    upload). Held for the database reads only, never while storage works.
    """
    with transaction.atomic():
        if not _lock_person_of(export_id):
            return None
        export = (
            DataExport.objects.select_for_update(of=("self",))
            .select_related("candidate")
            .filter(pk=export_id, status=Status.PENDING, expires_at__gt=now)
            .first()
        )
        if export is None:
            return None
        contents = export_contents.collect(candidate=export.candidate, export=export, now=now)
        if contents.undecided:
            _back_to_review(export, now=now)
            return None
        return export, contents


def _back_to_review(export: DataExport, *, now: datetime) -> None:
    """A passage was written or edited after the review: the export waits for a decision
    on it, and is again tracked by an open request (still due from the first asking)."""
    logger.info("export %s holds passages not reviewed; back to review", export.pk)
    export.status = Status.IN_REVIEW
    export.save(update_fields=["status"])
    request = export.request
    if request is None or request.status != DataSubjectRequest.Status.OPEN:
        _open_review_request(export, received_at=request.received_at if request else now)


def _measure(archive_file: IO[bytes]) -> tuple[int, str]:
    """The file's size and SHA-256, read in chunks."""
    archive_file.seek(0)
    digest = hashlib.sha256()
    size = 0
    while chunk := archive_file.read(HASH_CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()


def _mark_ready(export_id: UUID, *, key: str, size: int, sha256: str) -> bool:
    """Records the upload on the export if it is still PENDING. Returns False if it is gone
    (the candidate was erased, it expired) or another run finished it first."""
    with transaction.atomic():
        # The purge locks the candidate's exports before erasing their objects: this waits
        # for it, and then finds the row gone instead of recording an object it missed.
        export = (
            DataExport.objects.select_for_update()
            .filter(pk=export_id, status=Status.PENDING)
            .first()
        )
        if export is None:
            return False
        export.status = Status.READY
        export.storage_key = key
        export.size = size
        export.sha256 = sha256
        export.ready_at = timezone.now()
        export.save(update_fields=["status", "storage_key", "size", "sha256", "ready_at"])
    return True


def _erase_quietly(key: str) -> None:
    try:
        refused = storage.erase_objects([key])
    except storage.StorageUnavailable:
        refused = {key}
    if refused:
        logger.warning("export object %s not erased; the reconciliation will delete it", key)


def export_download_url(*, export: DataExport, now: datetime | None = None) -> str:
    """A 60-second download link to a READY, unexpired export, named
    `my-data-YYYY-MM-DD.zip` (the day it was requested). Raises ExportNotReady otherwise.

    No side effects (callers audit the download where staff download it).
    """
    now = now or timezone.now()
    if export.status != Status.READY or not export.storage_key or export.expires_at <= now:
        raise ExportNotReady
    return storage.presigned_export_url(export.storage_key, filename=export_filename(export))


def export_filename(export: DataExport) -> str:
    """`my-data-YYYY-MM-DD.zip`, the local day the export was requested: no personal data."""
    return f"my-data-{timezone.localdate(export.created_at):%Y-%m-%d}.zip"


def staff_download_url(*, application: Application, export: DataExport, actor: Actor) -> str:
    """`export_download_url` for a staff member, audited (DOWNLOAD_CANDIDATE_EXPORT on the
    application the export was reached from). Raises ExportNotReady, and then audits nothing.
    Not idempotent: each call is one audited download."""
    url = export_download_url(export=export)
    audit.record_application_access(
        actor=actor, action=audit.Action.DOWNLOAD_CANDIDATE_EXPORT, application=application
    )
    return url


def delete_expired_exports(*, now: datetime | None = None) -> int:
    """Erases the objects of expired and FAILED exports, then deletes their rows; returns
    how many rows went. An export in review does not expire (it waits for its release).

    Objects first: a row goes only once its object is confirmed erased (every version), so
    no object is ever left without a row pointing at it; a refused key keeps its row for the
    next run. A row whose build finished meanwhile (it gained a key) is kept for the next run
    too. Rerun-safe. Raises storage.StorageUnavailable (nothing deleted; the next run retries).
    """
    now = now or timezone.now()
    due = list(
        DataExport.objects.filter(Q(expires_at__lte=now) | Q(status=Status.FAILED))
        .exclude(status=Status.IN_REVIEW)
        .order_by("pk")
        .values_list("pk", "storage_key")
    )
    deleted = 0
    for start in range(0, len(due), DELETE_BATCH):
        batch = due[start : start + DELETE_BATCH]
        keys = [key for _, key in batch if key]
        refused = storage.erase_objects(keys)
        erased = [key for key in keys if key not in refused]
        keyless = [pk for pk, key in batch if not key]
        if erased:
            deleted += DataExport.objects.filter(storage_key__any_of=erased).delete()[0]
        if keyless:
            deleted += DataExport.objects.filter(pk__any_of=keyless, storage_key="").delete()[0]
    return deleted


def requeue_stale_exports(*, now: datetime | None = None) -> int:
    """Enqueues the build of every unexpired export still PENDING after STALE_AFTER (its
    message was lost, or its worker died). Returns how many were enqueued; stops at the first
    broker failure. Safe to run any time: builds are rerun-safe."""
    now = now or timezone.now()
    stale = DataExport.objects.filter(
        status=Status.PENDING, created_at__lte=now - STALE_AFTER, expires_at__gt=now
    ).values_list("pk", flat=True)
    enqueued = 0
    for export_id in stale:
        if not enqueue.send(BUILD_TASK, str(export_id)):
            break  # the broker is down: the rest would fail the same way
        enqueued += 1
    return enqueued


# --- Review (GDPR Art. 15(4)) -----------------------------------------------------------------


def exports_in_review() -> QuerySet[DataExport]:
    """Exports waiting for a privacy officer, soonest due first (a selector: callers have
    checked the user may review, access.exports_reviewable_by)."""
    return (
        DataExport.objects.filter(status=Status.IN_REVIEW)
        .select_related("request")
        .order_by("request__due_at", "created_at", "pk")
    )


def review_state(
    export: DataExport,
) -> list[tuple[export_contents.Passage, ExportPassageReview | None]]:
    """Each passage of the export's candidate with its decision for its current text (None:
    undecided). Reads only."""
    reviews = {(r.source, r.source_id): r for r in export.passage_reviews.all()}
    state = []
    for passage in export_contents.passages_of(export.candidate_id):
        review = reviews.get(passage.key)
        if review is not None and review.text_sha256 != passage.text_sha256:
            review = None  # edited since it was decided
        state.append((passage, review))
    return state


def _lock_person_of(export_id: UUID) -> bool:
    """Locks the application rows of the export's candidate (the purge's lock, taken before
    the export row); False if the export is gone. In the caller's transaction."""
    candidate_id = (
        DataExport.objects.filter(pk=export_id).values_list("candidate_id", flat=True).first()
    )
    if candidate_id is None:
        return False
    Application.objects.lock_candidate(candidate_id)
    return True


def _lock_for_review(export_id: UUID) -> DataExport:
    _lock_person_of(export_id)
    export = (
        DataExport.objects.select_for_update(of=("self",))
        .select_related("candidate", "request")
        .filter(pk=export_id)
        .first()
    )
    if export is None or export.status != Status.IN_REVIEW:
        raise ReviewRefused(_("This export is not waiting for a review."))
    return export


@transaction.atomic
def review_passage(
    *,
    export_id: UUID,
    source: str,
    source_id: UUID,
    redact: bool,
    replacement: str,
    actor: Actor,
    now: datetime | None = None,
) -> ExportPassageReview:
    """Decides one passage of an export in review: released as it is, or replaced by
    `replacement`. Deciding again replaces the decision.

    Refused (ReviewRefused, nothing changes) when the export is not in review, the passage
    is not (or no longer) the candidate's, or a redaction has no text. Side effects, in one
    transaction: locks the candidate's application rows and the export; writes the decision
    (with a hash of the passage as reviewed) and a REVIEW_EXPORT_PASSAGE audit row on the
    passage's application and the export's request. Rerun-safe in effect (the same
    decision again changes nothing but the audit log, which records each action).
    """
    now = now or timezone.now()
    export = _lock_for_review(export_id)
    passage = next(
        (
            p
            for p in export_contents.passages_of(export.candidate_id)
            if p.key == (source, source_id)
        ),
        None,
    )
    if passage is None:
        raise ReviewRefused(_("This passage is not part of the candidate's data any more."))
    replacement = replacement.strip() if redact else ""
    if redact and not replacement:
        raise ReviewRefused(
            _(
                "Write the text that replaces the passage, for example "
                "“[a referee's words, withheld]”."
            )
        )
    review, _created = ExportPassageReview.objects.update_or_create(
        export=export,
        source=source,
        source_id=source_id,
        defaults={
            "application_id": passage.application_id,
            "text_sha256": passage.text_sha256,
            "decision": ExportPassageReview.Decision.REDACT
            if redact
            else ExportPassageReview.Decision.RELEASE,
            "replacement": replacement,
            "decided_by": actor.user,
            "decided_at": now,
        },
    )
    audit.record_access(
        actor=actor,
        action=audit.Action.REVIEW_EXPORT_PASSAGE,
        application_id=passage.application_id,
        request_id=export.request_id,
    )
    return review


@transaction.atomic
def release_reviewed_export(
    *, export_id: UUID, actor: Actor, now: datetime | None = None
) -> DataExport:
    """Releases an export whose every passage is decided: it is built with the decisions
    applied, and the candidate downloads it in the portal until EXPORT_EXPIRY_HOURS later.

    Refused (ReviewRefused, nothing changes) when the export is not in review or a passage
    is undecided (or edited since its decision). Side effects, in one transaction: locks
    the candidate's application rows and the export; marks it PENDING with the reviewer and
    the time; writes a RELEASE_REVIEWED_EXPORT audit row; resolves its open access request
    (requests.resolve_request, audited); after commit, one build message. Not rerun-able:
    a second call is refused.
    """
    now = now or timezone.now()
    export = _lock_for_review(export_id)
    undecided = sum(1 for _passage, review in review_state(export) if review is None)
    if undecided:
        raise ReviewRefused(
            _("Decide every passage first: %(count)d still without a decision.")
            % {"count": undecided}
        )
    export.status = Status.PENDING
    export.reviewed_at = now
    export.reviewed_by = actor.user
    export.expires_at = now + timedelta(hours=settings.EXPORT_EXPIRY_HOURS)
    export.save(update_fields=["status", "reviewed_at", "reviewed_by", "expires_at"])
    audit.record_access(
        actor=actor,
        action=audit.Action.RELEASE_REVIEWED_EXPORT,
        request_id=export.request_id,
    )
    request = export.request
    if request is not None and request.status == DataSubjectRequest.Status.OPEN:
        requests.resolve_request(
            request=request,
            resolution=str(
                _(
                    "Copy released in the portal after a review of other people's words "
                    "(GDPR Art. 15(4)): %(released)d passage(s) released as they are, "
                    "%(redacted)d redacted."
                )
                % {
                    "released": export.passage_reviews.filter(
                        decision=ExportPassageReview.Decision.RELEASE
                    ).count(),
                    "redacted": export.passage_reviews.filter(
                        decision=ExportPassageReview.Decision.REDACT
                    ).count(),
                }
            ),
            actor=actor,
            now=now,
        )
    enqueue.send_on_commit(BUILD_TASK, str(export.pk))
    return export
