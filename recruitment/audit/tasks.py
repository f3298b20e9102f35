"""Celery task of the audit log: its retention. Task names keep their original `recruitment.`
prefix: the beat schedule names them."""

from celery import shared_task

from recruitment.audit import services as audit


@shared_task(name="recruitment.delete_old_audit_events")
def delete_old_audit_events() -> int:
    """Deletes audit log rows past ATS_AUDIT_RETENTION_DAYS, in batches (run daily by beat).
    Never touches the erasure ledger or the statistics. Rerun-safe."""
    return audit.delete_old_events()
