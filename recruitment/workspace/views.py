"""The staff home: one section per role the person holds, each with what needs them now.

- privacy officers and admins: open data-subject requests by days left (overdue first),
  legal holds due or overdue for review, failing purges, upcoming purges;
- those who decide on a posting (recruiters, hiring managers, admins): their postings with
  new applications, applications undecided for a while, and postings ready to conclude;
- interviewers (and anyone assigned one): the applications assigned to them.

Read-only, and a fixed number of queries whatever the number of rows: every list is one
query with a limit, which also counts the whole list (a window count). The officer's lists
reuse the selectors of the requests and retention pages, so the home and those pages can
never disagree.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from recruitment import access
from recruitment.models import DataSubjectRequest, TeamMembership
from recruitment.retention import selectors as retention_selectors
from recruitment.rights import selectors as request_selectors
from recruitment.staff import staff_view
from recruitment.workspace import selectors

# Rows per list on the home; each list links to its full page.
HOME_LIST_LIMIT = 10


def _officer_section(user: User) -> dict[str, Any]:
    now = timezone.now()
    today = timezone.localdate(now)
    first = selectors.first_rows_and_total
    requests, requests_total = first(
        request_selectors.queue(user, status=DataSubjectRequest.Status.OPEN, kind=""),
        HOME_LIST_LIMIT,
    )
    holds_due, holds_due_total = first(
        retention_selectors.active_holds(today=today).filter(review_at__lte=today), HOME_LIST_LIMIT
    )
    failing, failing_total = first(retention_selectors.failing_purges(), HOME_LIST_LIMIT)
    upcoming, upcoming_total = first(retention_selectors.upcoming_purges(), HOME_LIST_LIMIT)
    return {
        # The queue page's own rows (days left, overdue, due soon), so both say the same.
        "request_rows": request_selectors.queue_rows(requests, now=now),
        "open_request_total": requests_total,
        "reminder_days": settings.PRIVACY_REQUEST_REMINDER_DAYS,
        "holds_due": holds_due,
        "holds_due_total": holds_due_total,
        "failing": failing,
        "failing_total": failing_total,
        "upcoming": upcoming,
        "upcoming_total": upcoming_total,
    }


def _posting_section(user: User) -> dict[str, Any]:
    now = timezone.now()
    new_days = settings.STAFF_HOME_NEW_DAYS
    stale_days = settings.STAFF_HOME_UNDECIDED_DAYS
    postings = list(
        selectors.postings_needing_attention(
            access.postings_visible_to(user),
            user=user,
            new_window_start=now - timedelta(days=new_days),
            stale_before=now - timedelta(days=stale_days),
        )
    )
    for posting in postings:
        # Concluding is for recruiters and admins; hiring managers decide but do not conclude.
        posting.may_manage = posting.role in (access.ADMIN, TeamMembership.Role.RECRUITER)  # type: ignore[attr-defined]
        posting.ready_to_conclude = (  # type: ignore[attr-defined]
            posting.concluded_at is None and posting.total > 0 and posting.undecided == 0  # type: ignore[attr-defined]
        )
    return {"postings": postings, "new_days": new_days, "stale_days": stale_days}


@staff_view
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - staff_view let only staff accounts through
    roles = set(TeamMembership.objects.filter(user=user).values_list("role", flat=True))
    is_officer = access.can_manage_retention(user)
    decides = access.is_admin(user) or bool(roles & set(access.DECIDING_ROLES))
    context: dict[str, Any] = {
        "is_officer": is_officer,
        "decides": decides,
        "can_create": access.can_create_postings(user),
        "has_posting": bool(roles) or access.is_admin(user),
    }
    if is_officer:
        context.update(_officer_section(user))
    if decides:
        context.update(_posting_section(user))
    assigned = list(
        selectors.assigned_applications(access.applications_visible_to(user), user=user)[
            : HOME_LIST_LIMIT + 1
        ]
    )
    context["assigned"] = assigned[:HOME_LIST_LIMIT]
    context["assigned_more"] = len(assigned) > HOME_LIST_LIMIT
    context["interviews"] = TeamMembership.Role.INTERVIEWER in roles or bool(assigned)
    return render(request, "staff/home.html", context)
