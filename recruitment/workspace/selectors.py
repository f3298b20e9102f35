"""Reads of the staff home. Each takes a queryset already scoped by `recruitment.access`,
so nothing here can widen what a user may see."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest

from recruitment.access import ADMIN, DECIDING_ROLES
from recruitment.models import (
    DECIDED_STAGES,
    AccessEvent,
    Application,
    InterviewAssignment,
    Posting,
    TeamMembership,
)


def first_rows_and_total(rows: QuerySet[Any], limit: int) -> tuple[list[Any], int]:
    """The first `limit` of `rows`, and how many `rows` there are in all, in one query: a
    window count over the whole set rides on every row returned (none returned: none)."""
    first = list(rows.annotate(total_rows=Window(Count("pk")))[:limit])
    return first, (first[0].total_rows if first else 0)


def postings_needing_attention(
    postings: QuerySet[Posting], *, user: User, new_window_start: datetime, stale_before: datetime
) -> list[Posting]:
    """The postings (already scoped by `recruitment.access`) on which `user` decides, with
    what needs their attention, in two queries however many postings and applications:

    - `role`: "admin" for admins, else their role on the team (interviewer-only postings are
      left out: an interviewer sees assigned applications, not a posting's state);
    - `total`, `undecided`;
    - `new`: applications received since the user last opened the posting's board (the
      audit log's "viewed pipeline"), but never counting from before `new_window_start`;
    - `stale`: undecided applications received before `stale_before`;
    - concluded postings last, then the newest first.

    The postings first, each with its role and the moment its "new" counts from; then every
    count of all of them in one pass over their applications (grouped, with a filter per
    count), where four correlated counts per posting read a large posting four times.
    """
    if user.is_superuser:
        role: Any = Value(ADMIN, output_field=CharField())
    else:
        role = Subquery(
            TeamMembership.objects.filter(posting=OuterRef("pk"), user=user).values("role")[:1]
        )
    last_looked = Subquery(
        AccessEvent.objects.filter(
            actor=user, action=AccessEvent.Action.VIEW_PIPELINE, posting_id=OuterRef("pk")
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    found: list[Posting] = list(
        postings.annotate(role=role)
        .filter(role__in=(ADMIN, *DECIDING_ROLES))
        # Coalesced first: SQLite's GREATEST (MAX) is null if any argument is.
        .annotate(
            new_since=Greatest(
                Coalesce(last_looked, Value(new_window_start)), Value(new_window_start)
            )
        )
        .order_by(F("concluded_at").desc(nulls_first=True), "-created_at", "-pk")
    )
    if not found:
        return found
    undecided = ~Q(stage__in=DECIDED_STAGES)
    # Each posting's applications are new after that posting's own moment.
    new_since = Case(
        *(When(posting_id=posting.pk, then=Value(posting.new_since)) for posting in found)  # type: ignore[attr-defined]
    )
    counts = {
        row["posting"]: row
        for row in Application.objects.filter(posting__in=[posting.pk for posting in found])
        .order_by()
        .values("posting")
        .annotate(
            total=Count("pk"),
            undecided=Count("pk", filter=undecided),
            new=Count("pk", filter=Q(created_at__gt=new_since)),
            stale=Count("pk", filter=undecided & Q(created_at__lt=stale_before)),
        )
    }
    for posting in found:
        row = counts.get(posting.pk, {})
        for name in ("total", "undecided", "new", "stale"):
            setattr(posting, name, row.get(name, 0))
    return found


def assigned_applications(
    applications: QuerySet[Application], *, user: User
) -> QuerySet[Application]:
    """The applications (already scoped by `recruitment.access`) assigned to `user` to
    interview, undecided first, then the oldest first, with their postings: one query."""
    return (
        applications.filter(
            Exists(InterviewAssignment.objects.filter(application=OuterRef("pk"), interviewer=user))
        )
        .select_related("posting")
        .only("id", "stage", "created_at", "decided_at", "posting__title", "posting__id")
        .order_by(F("decided_at").desc(nulls_first=True), "created_at", "pk")
    )
