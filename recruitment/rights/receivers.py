"""What the rights domain does when retention tells it something (connected in
recruitment.apps). Each receiver runs in the sender's transaction."""

from datetime import datetime
from typing import Any

from recruitment.models import DataSubjectRequest
from recruitment.rights.services import requests as request_services


def alert_officers_of_erased_requests(
    sender: Any, *, requests: list[DataSubjectRequest], now: datetime, **kwargs: Any
) -> None:
    """The purge closed these requests unanswered: the officers must still answer them.
    Side effect: one outbox email per officer address (ids, kinds and dates only)."""
    request_services.alert_erased_unanswered(requests, now=now)
