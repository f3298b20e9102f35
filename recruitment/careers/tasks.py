"""Celery task of the careers site: postings close at their closing time. Thin: a service
call and the retry policy. The name keeps the `recruitment.` prefix, like every task's."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from recruitment.pipeline.services import postings


@shared_task(
    name="recruitment.close_expired_postings",
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=5,
)
def close_expired_postings() -> int:
    """Closes the open postings whose closing time (valid_through) has passed, as a
    recruiter's "Close" does (run by beat). The careers pages refuse applications from that
    moment on whether or not this has run. Rerun-safe (so retried on transient errors)."""
    return postings.close_expired_postings()
