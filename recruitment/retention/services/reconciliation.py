"""Find and erase CV and data export objects that no database row references.

They appear when an upload succeeded but its transaction did not commit and the immediate
compensation could not delete the object (storage went away at that moment), or when an
export build could not erase an upload nobody wanted any more. On a bucket that keeps
versions they also include what a plain delete left: noncurrent versions and delete markers
of a key whose current object is gone, which a listing of current objects never shows. So
the scan lists versions, not objects.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import groupby, islice

from django.db.models import Model
from django.utils import timezone

from recruitment.cvs import storage
from recruitment.models import CurriculumVitae, DataExport

BATCH = 1000
# Each prefix of the bucket, and the model whose `storage_key` references its objects.
REFERENCED_BY: tuple[tuple[str, type[Model]], ...] = (
    (storage.CV_PREFIX, CurriculumVitae),
    (storage.EXPORT_PREFIX, DataExport),
)

KeyVersions = tuple[str, list[storage.ObjectVersion]]


@dataclass
class ReconciliationReport:
    scanned: int = 0  # keys, each with all its versions and delete markers
    orphaned: list[str] = field(default_factory=list)
    orphaned_versions: int = 0  # versions and delete markers of the orphaned keys
    deleted: int = 0
    not_deleted: list[str] = field(default_factory=list)


def _keys_untouched_since(
    versions: Iterator[storage.ObjectVersion], cutoff: datetime
) -> Iterator[KeyVersions]:
    # The listing keeps one key's entries adjacent.
    for key, entries in groupby(versions, key=lambda version: version.key):
        listed = list(entries)
        if max(version.last_modified for version in listed) <= cutoff:
            yield key, listed


def _batches(keys: Iterator[KeyVersions], size: int) -> Iterator[list[KeyVersions]]:
    while batch := list(islice(keys, size)):
        yield batch


def reconcile_storage(
    *, execute: bool, min_age: timedelta = timedelta(hours=1)
) -> ReconciliationReport:
    """Lists the keys under `cv/` and `export/` that no row references (a CV row, an export
    row), with every version and delete marker of each, and erases them all if `execute`.

    Age guard: a key is considered only when every one of its versions and delete markers
    is older than `min_age`, so an upload whose transaction is still in flight (or an export
    whose build is about to record it) never looks orphaned. A key a row references is left
    whole: keys are never reused (each upload gets a new random one), so it has one version,
    and should it have more, they are that row's data and go with it (every erasure removes
    every version). Dry run has no side effects; with `execute` it erases objects only,
    never rows. Safe to rerun. Raises storage.StorageUnavailable.
    """
    report = ReconciliationReport()
    cutoff = timezone.now() - min_age
    orphaned: list[storage.ObjectVersion] = []
    for prefix, model in REFERENCED_BY:
        keys = _keys_untouched_since(storage.iter_object_versions(prefix), cutoff)
        for batch in _batches(keys, BATCH):
            report.scanned += len(batch)
            referenced = set(
                model._default_manager.filter(
                    storage_key__in=[key for key, _ in batch]
                ).values_list("storage_key", flat=True)
            )
            for key, versions in batch:
                if key not in referenced:
                    report.orphaned.append(key)
                    orphaned.extend(versions)
    report.orphaned_versions = len(orphaned)
    if execute and orphaned:
        # Exactly the versions listed: each is older than the age guard.
        failed = storage.erase_versions(orphaned)
        report.not_deleted = [key for key in report.orphaned if key in failed]
        report.deleted = len(report.orphaned) - len(report.not_deleted)
    return report
