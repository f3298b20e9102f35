"""Retention at a glance, legal holds and the erasure ledger (admins and privacy officers).

This page is about retention, not people: it shows application ids, postings and dates,
never a candidate's name or address. Everyone else gets a 404 (default deny).
"""

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from recruitment import access
from recruitment.retention import selectors
from recruitment.retention.forms import HoldForm
from recruitment.retention.services import holds, ledger
from recruitment.staff import actor_from, staff_view

LIST_LIMIT = 100


def _require_retention_officer(request: HttpRequest) -> None:
    # 404, not 403: for everyone else these pages do not exist.
    if not access.can_manage_retention(request.user):
        raise Http404


# --- Views -----------------------------------------------------------------------------------


@staff_view
@require_http_methods(["GET", "POST"])
def overview(request: HttpRequest) -> HttpResponse:
    """GET: the page. POST: verify the erasure ledger (writes nothing), then back to GET."""
    _require_retention_officer(request)
    if request.method == "POST":
        _report_ledger_verification(request)
        return redirect("staff:retention")
    today = timezone.localdate()
    upcoming = selectors.upcoming_purges()
    holds_listed = list(selectors.active_holds(today=today))
    return render(
        request,
        "staff/retention.html",
        {
            "upcoming": upcoming[:LIST_LIMIT],
            "upcoming_total": upcoming.count(),
            "failing": selectors.failing_purges()[:LIST_LIMIT],
            "holds": holds_listed,
            "overdue_reviews": len([h for h in holds_listed if h.review_overdue]),  # type: ignore[attr-defined]
            "erasures": selectors.recent_erasures(LIST_LIMIT),
            "list_limit": LIST_LIMIT,
        },
    )


def _report_ledger_verification(request: HttpRequest) -> None:
    result = ledger.verify()
    if result.ok:
        messages.success(
            request,
            _("The erasure ledger is intact: %(count)d record(s) checked.")
            % {"count": result.checked},
        )
    else:
        messages.error(
            request,
            _(
                "The erasure ledger is broken at record %(pk)s: that record or the one before it "
                "was altered or removed. The %(count)d record(s) before it are intact."
            )
            % {"pk": result.first_broken_pk, "count": result.checked},
        )


@staff_view
@require_http_methods(["GET", "POST"])
def place_hold(request: HttpRequest, pk: Any) -> HttpResponse:
    # The role check comes first: only then does the application exist for this user.
    _require_retention_officer(request)
    application = get_object_or_404(
        access.applications_holdable_by(request.user)
        .select_related("posting")
        .only(*selectors.APPLICATION_FIELDS),
        pk=pk,
    )
    form = HoldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            holds.place_hold(
                application=application,
                actor=actor_from(request),
                reason=form.cleaned_data["reason"],
                review_at=form.cleaned_data["review_at"],
            )
        except holds.HoldError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(
                request,
                _("Legal hold placed on application %(id)s: it will not be erased while held.")
                % {"id": application.pk},
            )
        return redirect("staff:retention")
    return render(request, "staff/hold_form.html", {"form": form, "application": application})


@staff_view
@require_POST
def lift_hold(request: HttpRequest, pk: int) -> HttpResponse:
    _require_retention_officer(request)
    hold = get_object_or_404(access.holds_liftable_by(request.user), pk=pk)
    if hold.lifted_at is not None:
        messages.info(request, _("That legal hold was already lifted."))
        return redirect("staff:retention")
    lifted = holds.lift_hold(hold=hold, actor=actor_from(request))
    if lifted.lifted_at is None:  # the application was erased meanwhile
        messages.info(request, _("That application no longer exists."))
    else:
        messages.success(
            request,
            _("Legal hold lifted on application %(id)s; retention applies again.")
            % {"id": hold.application_id},
        )
    return redirect("staff:retention")
