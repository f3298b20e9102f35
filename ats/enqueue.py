"""Publishing a Celery task by name, the one way every service does it: never failing
the change that asked for it.

A service commits its change to the database first, and a periodic sweep finds in the
database whatever a lost message would have done (the outbox sweep, the export queue's
hourly run, the beat purge). So a broker that is down, or in a strange state, is logged
and swallowed, never turned into an error page or a rolled-back change. Arguments are
ids only: never personal data, which the log line and the broker would otherwise carry.
"""

import logging

from celery import current_app
from django.db import transaction

logger = logging.getLogger(__name__)


def send(task_name: str, *args: str | int) -> bool:
    """Publishes one `task_name(*args)` message now. Returns False, and logs the task and its
    ids with the error's type, if the broker cannot take it. No other side effect."""
    try:
        current_app.send_task(task_name, args=list(args))
    except Exception as exc:
        # Broker clients raise many kinds of error (kombu, redis-py, socket, pool state).
        logger.warning(
            "%s(%s) not enqueued (%s); its sweep will retry",
            task_name,
            ", ".join(map(str, args)),
            type(exc).__name__,
        )
        return False
    return True


def send_on_commit(task_name: str, *args: str | int) -> None:
    """`send(task_name, *args)` once the current transaction commits (at once outside one);
    nothing if it rolls back. A second call publishes a second message."""

    def send_after_commit() -> None:
        # A named function, not functools.partial: Django's robust on_commit reads
        # __qualname__ when it logs a failing callback.
        send(task_name, *args)

    # robust: whatever the callback raises must not turn a committed change into an error.
    transaction.on_commit(send_after_commit, robust=True)
