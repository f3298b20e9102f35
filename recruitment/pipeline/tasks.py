"""Celery tasks of the pipeline (issue 20): the staff notification digests and the interview
reminders. Thin: a service call and the retry policy. Names keep the `recruitment.` prefix,
like every task's."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from recruitment.pipeline.services import digest, interviews


@shared_task(
    name="recruitment.send_staff_digests",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def send_staff_digests() -> int:
    """Sends every staff digest that is due (run by beat every few minutes, and after a
    candidate's reply). Takes no arguments. Rerun-safe (so retried on transient errors)."""
    return digest.send_due_digests()


@shared_task(name="recruitment.send_interview_reminders")
def send_interview_reminders() -> int:
    """Queues the reminder emails of interviews whose reminder is due (run by beat).
    Rerun-safe: each reminder is marked sent in the transaction that queues it."""
    return interviews.send_due_reminders()
