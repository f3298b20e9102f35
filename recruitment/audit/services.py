"""Writes to the audit log (AccessEvent), and deletes what is past its retention. Never
stores candidate personal data."""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from ats.client_address import truncated_ip
from recruitment.access import Actor
from recruitment.models import AccessEvent, Application, DataSubjectRequest

Action = AccessEvent.Action
logger = logging.getLogger(__name__)
# Rows deleted per transaction: short transactions, so writers of new rows never wait long.
DELETE_BATCH_SIZE = 1000


def record_access(
    *,
    actor: Actor,
    action: str,
    application_id: UUID | None = None,
    posting_id: int | None = None,
    request_id: UUID | None = None,
    subject_username: str = "",
    details: str = "",
) -> AccessEvent:
    """Writes one audit row. Call it inside the transaction of the change it records, so a
    change and its audit entry exist together. Not idempotent: each call is one access."""
    return AccessEvent.objects.create(
        actor=actor.user,
        actor_username=actor.user.get_username(),
        action=action,
        application_id=application_id,
        posting_id=posting_id,
        request_id=request_id,
        subject_username=subject_username,
        details=details,
        client_ip=truncated_ip(actor.client_ip),
    )


def record_application_access(
    *, actor: Actor, action: str, application: Application
) -> AccessEvent:
    """`record_access` for one application (and so its posting)."""
    return record_access(
        actor=actor, action=action, application_id=application.pk, posting_id=application.posting_id
    )


def record_request_access(*, actor: Actor, action: str, request: DataSubjectRequest) -> AccessEvent:
    """`record_access` for one data-subject request (by its id only)."""
    return record_access(actor=actor, action=action, request_id=request.pk)


def delete_old_events(*, now: datetime | None = None, batch_size: int = DELETE_BATCH_SIZE) -> int:
    """Deletes audit rows older than `settings.AUDIT_RETENTION_DAYS`, oldest first, in
    batches of `batch_size`, each in its own transaction, until none is left; returns how
    many it deleted.

    Touches nothing but AccessEvent: the erasure ledger and the statistics are other
    tables and keep their own rules. Rerun-safe: a second run, or one running at the same
    time, finds fewer or no rows (a row deleted by the other is simply not counted).
    """
    cutoff = (now or timezone.now()) - timedelta(days=settings.AUDIT_RETENTION_DAYS)
    old = AccessEvent.objects.filter(created_at__lt=cutoff)
    deleted = 0
    while True:
        with transaction.atomic():
            batch = list(old.order_by("created_at", "pk").values_list("pk", flat=True)[:batch_size])
            if not batch:
                break
            count, _ = AccessEvent.objects.filter(pk__in=batch).delete()
        deleted += count
    if deleted:
        logger.info("deleted %d audit events older than %s", deleted, cutoff.isoformat())
    return deleted
