"""Proof of erasure: one hash-chained record per purged application, with no personal data."""

import hashlib
import json
from datetime import UTC

from django.db import models


class ErasureRecord(models.Model):
    """That an application was erased, when, why and how much: never who the candidate was.

    Each record's hash covers its own fields and the previous record's hash, so removing or
    editing any record breaks the chain from there on
    (`recruitment.retention.services.ledger.verify`).
    """

    application_id = models.UUIDField(unique=True)
    posting_id = models.BigIntegerField()
    reason = models.CharField(max_length=40)
    stage_reached = models.CharField(max_length=20)
    objects_deleted = models.PositiveIntegerField()
    rows_deleted = models.JSONField()
    actor = models.CharField(max_length=150)
    erased_at = models.DateTimeField()
    previous_hash = models.CharField(max_length=64)
    record_hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"Erasure of {self.application_id} at {self.erased_at:%Y-%m-%d %H:%M}"

    def compute_hash(self) -> str:
        payload = {
            "application_id": str(self.application_id),
            "posting_id": self.posting_id,
            "reason": self.reason,
            "stage_reached": self.stage_reached,
            "objects_deleted": self.objects_deleted,
            "rows_deleted": self.rows_deleted,
            "actor": self.actor,
            # In UTC, as the database returns it: the same instant given in another zone
            # (a local deadline) must hash the same before and after saving.
            "erased_at": self.erased_at.astimezone(UTC).isoformat(),
            "previous_hash": self.previous_hash,
        }
        canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode()).hexdigest()
