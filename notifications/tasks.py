"""Celery tasks for the outbox. Thin: they take ids and call services."""

from uuid import UUID

from celery import shared_task

from notifications import services


@shared_task(
    name="notifications.deliver_email",
    autoretry_for=(services.DeliveryFailed,),
    retry_backoff=10,
    retry_backoff_max=300,
    max_retries=3,
)
def deliver_email(email_id: str) -> bool:
    """Sends one outbox email. Safe to run twice: a delivered or missing row is a no-op.

    Retries a few times on SMTP trouble; past that the outbox sweep keeps trying.
    """
    return services.deliver_email(email_id=UUID(email_id))


@shared_task(name="notifications.sweep_outbox")
def sweep_outbox() -> int:
    """Re-enqueues undelivered emails that are due (run by beat). Safe to run any time."""
    return services.requeue_due_emails()
