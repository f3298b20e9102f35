"""The erasure ledger: append hash-chained ErasureRecords, and verify the chain."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db import connection

from recruitment.models import ErasureRecord

GENESIS = "0" * 64
# Any constant: serialises appends so two purges never chain onto the same previous record.
_LEDGER_LOCK = 0x4154534C  # "ATSL"


def _lock_ledger() -> None:
    # PostgreSQL: a transaction-scoped advisory lock. SQLite serialises writers already
    # (IMMEDIATE transactions), so there is nothing more to take there.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LEDGER_LOCK])


def append(
    *,
    application_id: UUID,
    posting_id: int,
    reason: str,
    stage_reached: str,
    objects_deleted: int,
    rows_deleted: dict[str, int],
    actor: str,
    erased_at: datetime,
) -> ErasureRecord:
    """Appends one record chained to the last. Must run inside the purge's transaction, so
    the record exists exactly when the rows are gone."""
    _lock_ledger()
    last = ErasureRecord.objects.order_by("-pk").values_list("record_hash", flat=True).first()
    record = ErasureRecord(
        application_id=application_id,
        posting_id=posting_id,
        reason=reason,
        stage_reached=stage_reached,
        objects_deleted=objects_deleted,
        rows_deleted=rows_deleted,
        actor=actor,
        erased_at=erased_at,
        previous_hash=last or GENESIS,
    )
    record.record_hash = record.compute_hash()
    record.save()
    return record


def append_many(records: list[ErasureRecord]) -> list[ErasureRecord]:
    """Chains unsaved records (all fields but the hashes set) after the last one and saves
    them in one insert (on PostgreSQL, Django sends each column as one array to UNNEST).
    Must run inside the purge's transaction."""
    if not records:
        return []
    _lock_ledger()
    previous = ErasureRecord.objects.order_by("-pk").values_list("record_hash", flat=True).first()
    previous = previous or GENESIS
    for record in records:
        record.previous_hash = previous
        record.record_hash = record.compute_hash()
        previous = record.record_hash
    # In list order, so primary keys follow the chain (verify walks them by pk).
    return ErasureRecord.objects.bulk_create(records)


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    first_broken_pk: int | None = None


def verify() -> Verification:
    """Walks the whole chain in order, streaming; reports the first record that does not fit."""
    previous = GENESIS
    checked = 0
    for record in ErasureRecord.objects.order_by("pk").iterator(chunk_size=2000):
        # Re-read from the database, the stored JSON and time round-trip exactly.
        if record.previous_hash != previous or record.compute_hash() != record.record_hash:
            return Verification(ok=False, checked=checked, first_broken_pk=record.pk)
        previous = record.record_hash
        checked += 1
    return Verification(ok=True, checked=checked)
