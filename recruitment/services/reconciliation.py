"""Find and remove CV objects that no database row references.

They appear when an upload succeeded but its transaction did not commit and the immediate
compensation could not delete the object (storage went away at that moment).
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from django.utils import timezone

from recruitment import storage
from recruitment.models import CurriculumVitae

BATCH = 1000


@dataclass
class ReconciliationReport:
    scanned: int = 0
    orphaned: list[str] = field(default_factory=list)
    deleted: int = 0
    not_deleted: list[str] = field(default_factory=list)


def _batches(iterator: Iterator[tuple[str, object]], size: int) -> Iterator[list[str]]:
    while batch := [key for key, _ in islice(iterator, size)]:
        yield batch


def reconcile_storage(
    *, execute: bool, min_age: timedelta = timedelta(hours=1)
) -> ReconciliationReport:
    """Lists CV objects older than `min_age` that no CV row references; deletes them if `execute`.

    The age guard keeps an upload whose transaction is still in flight from looking orphaned.
    Dry run has no side effects; with `execute` it deletes objects only, never rows.
    Safe to rerun. Raises storage.StorageUnavailable.
    """
    report = ReconciliationReport()
    cutoff = timezone.now() - min_age
    old_enough = (
        (key, modified) for key, modified in storage.iter_cv_objects() if modified <= cutoff
    )
    for batch in _batches(old_enough, BATCH):
        report.scanned += len(batch)
        referenced = set(
            CurriculumVitae.objects.filter(storage_key__in=batch).values_list(
                "storage_key", flat=True
            )
        )
        report.orphaned.extend(key for key in batch if key not in referenced)
    if execute and report.orphaned:
        report.not_deleted = storage.delete_keys(report.orphaned)
        report.deleted = len(report.orphaned) - len(report.not_deleted)
    return report
