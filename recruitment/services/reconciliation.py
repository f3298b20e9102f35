"""Find and remove CV and data export objects that no database row references.

They appear when an upload succeeded but its transaction did not commit and the immediate
compensation could not delete the object (storage went away at that moment), or when an
export build could not erase an upload nobody wanted any more.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from django.db.models import Model
from django.utils import timezone

from recruitment import storage
from recruitment.models import CurriculumVitae, DataExport

BATCH = 1000
# Each prefix of the bucket, and the model whose `storage_key` references its objects.
REFERENCED_BY: tuple[tuple[str, type[Model]], ...] = (
    (storage.CV_PREFIX, CurriculumVitae),
    (storage.EXPORT_PREFIX, DataExport),
)


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
    """Lists CV and export objects older than `min_age` that no row references (a CV row,
    an export row); deletes them if `execute`.

    The age guard keeps an upload whose transaction is still in flight (or an export whose
    build is about to record it) from looking orphaned. Dry run has no side effects; with
    `execute` it deletes objects only, never rows. Safe to rerun. Raises
    storage.StorageUnavailable.
    """
    report = ReconciliationReport()
    cutoff = timezone.now() - min_age
    for prefix, model in REFERENCED_BY:
        old_enough = (
            (key, modified) for key, modified in storage.iter_objects(prefix) if modified <= cutoff
        )
        for batch in _batches(old_enough, BATCH):
            report.scanned += len(batch)
            referenced = set(
                model._default_manager.filter(storage_key__in=batch).values_list(
                    "storage_key", flat=True
                )
            )
            report.orphaned.extend(key for key in batch if key not in referenced)
    if execute and report.orphaned:
        report.not_deleted = storage.delete_keys(report.orphaned)
        report.deleted = len(report.orphaned) - len(report.not_deleted)
    return report
