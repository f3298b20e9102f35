"""The retention engine's entry points (PRIVACY.md P1-P8).

The purge itself (purge_due_at, the beat sweep, erasure records) is the retention
capability's to build; the pipeline already calls these hooks at the moments that matter,
inside the transaction of the change.
"""

import logging

from recruitment.models import Application, Posting

logger = logging.getLogger(__name__)


class ErasureUnavailable(Exception):
    """Immediate erasure was asked for, but the purge service is not installed yet."""


def process_concluded(*, posting: Posting) -> None:
    """Called in the transaction that formally concludes `posting`.

    The conclusion itself (who, when) is recorded on the posting and in the audit log; the
    retention engine schedules the purge of unsuccessful, non-consenting applications here.
    """
    logger.info("recruitment process %s concluded; retention takes over", posting.pk)


def erase_now(*, application: Application) -> None:
    """Erases an application at once (under-age flag, PRIVACY.md P17).

    Refuses until the purge service exists, so nobody believes data was erased when it was not.
    """
    raise ErasureUnavailable
