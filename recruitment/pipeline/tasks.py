"""Celery tasks of the pipeline. Thin: a service call. Names keep the `recruitment.` prefix."""

from celery import shared_task

from recruitment.pipeline.services import interviews


@shared_task(name="recruitment.send_interview_reminders")
def send_interview_reminders() -> int:
    """Queues the reminder emails of interviews whose reminder is due (run by beat).
    Rerun-safe: each reminder is marked sent in the transaction that queues it."""
    return interviews.send_due_reminders()
