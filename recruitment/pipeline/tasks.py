"""Celery task of the pipeline: the staff notification digests (issue 20). Thin: a service
call and the retry policy. The name keeps the `recruitment.` prefix, like every task's."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from recruitment.pipeline.services import digest


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
