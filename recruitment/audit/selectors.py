"""Reading the audit log. Holds no candidate personal data:
nothing here joins an AccessEvent to a candidate, an application or a note (a data-subject
request is looked up by id only, to know whether the reader may open it)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.utils import timezone

from recruitment import access
from recruitment.access import AnyUser
from recruitment.models import AccessEvent, Posting


def actor_usernames() -> list[str]:
    """Usernames a privacy officer may filter by: everyone in the log and every staff user.

    One query. The log keeps the usernames of deleted accounts, so they stay selectable.
    """
    users = get_user_model().objects.order_by()
    staff = users.filter(is_staff=True).values_list("username", flat=True)
    logged = AccessEvent.objects.order_by().values_list("actor_username", flat=True).distinct()
    return sorted(set(staff.union(logged)))


def posting_choices() -> list[tuple[int, str]]:
    """(id, title) of every posting, by title: postings hold no personal data, so their
    titles may label the log's posting filter. One query."""
    return list(Posting.objects.order_by("title", "pk").values_list("pk", "title"))


def _start_of_local_day(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filtered_events(filters: dict[str, Any]) -> QuerySet[AccessEvent]:
    """The audit log, newest first, narrowed by `AuditLogFilterForm.filters()`.

    Dates are whole local days, both ends inclusive; the bounds are datetimes so that the
    `created_at` index serves the query.
    """
    events = AccessEvent.objects.order_by("-created_at", "-pk")
    if "actor" in filters:
        events = events.filter(actor_username=filters["actor"])
    if "posting" in filters:
        events = events.filter(posting_id=filters["posting"])
    if "action" in filters:
        events = events.filter(action=filters["action"])
    if "request" in filters:
        events = events.filter(request_id=filters["request"])
    if "date_from" in filters:
        events = events.filter(created_at__gte=_start_of_local_day(filters["date_from"]))
    if "date_to" in filters:
        next_day = filters["date_to"] + datetime.timedelta(days=1)
        events = events.filter(created_at__lt=_start_of_local_day(next_day))
    return events


@dataclass(frozen=True)
class AuditRow:
    """One event as the audit page shows it: the posting by title where it still exists,
    and whether the reader may open the data-subject request it is about."""

    event: AccessEvent
    posting_title: str | None
    request_visible: bool = False


def audit_rows(events: Iterable[AccessEvent], *, user: AnyUser) -> list[AuditRow]:
    """Pairs each event with its posting's title and with whether `user` may open its
    data-subject request (`access.requests_visible_to`): one query for each, for all the
    events, and none when there is nothing to look up.

    A posting id whose posting is gone gets `None` (the log outlives what it refers to).
    """
    events = list(events)
    posting_ids = {event.posting_id for event in events if event.posting_id is not None}
    titles: dict[int | None, str] = {}
    if posting_ids:
        titles.update(Posting.objects.filter(pk__in=posting_ids).values_list("pk", "title"))
    request_ids = {event.request_id for event in events if event.request_id is not None}
    visible: set[Any] = set()
    if request_ids:
        visible.update(
            access.requests_visible_to(user).filter(pk__in=request_ids).values_list("pk", flat=True)
        )
    return [
        AuditRow(
            event=event,
            posting_title=titles.get(event.posting_id),
            request_visible=event.request_id in visible,
        )
        for event in events
    ]
