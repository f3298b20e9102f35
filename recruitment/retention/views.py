"""Retention at a glance, legal holds and the erasure ledger (admins and privacy officers).

This page is about retention, not people: it shows application ids, postings and dates,
never a candidate's name or address. Everyone else gets a 404 (default deny).
"""

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from recruitment import access
from recruitment.models import Application, ErasureRecord, LegalHold
from recruitment.retention.services import holds, ledger
from recruitment.retention.services import schedule as retention
from recruitment.staff import actor_from, staff_view

LIST_LIMIT = 100


def _require_retention_officer(request: HttpRequest) -> None:
    # 404, not 403: for everyone else these pages do not exist.
    if not access.can_manage_retention(request.user):
        raise Http404


# --- Selectors for the page (one query each, whatever the number of rows) --------------------

# Only what the page shows: never the candidate, never the cover letter.
_APPLICATION_FIELDS = (
    "id",
    "stage",
    "purge_due_at",
    "purge_failures",
    "purge_last_error",
    "posting__title",
)


def upcoming_purges() -> QuerySet[Application]:
    return (
        Application.objects.filter(purge_due_at__isnull=False)
        .select_related("posting")
        .only(*_APPLICATION_FIELDS)
        .order_by("purge_due_at", "pk")
    )


def failing_purges() -> QuerySet[Application]:
    return (
        Application.objects.filter(purge_failures__gt=0)
        .select_related("posting")
        .only(*_APPLICATION_FIELDS)
        .order_by("-purge_failures", "purge_due_at", "pk")
    )


def active_holds(*, today: date) -> QuerySet[LegalHold]:
    """Active holds, the ones whose review is overdue first, then by review date."""
    return (
        LegalHold.objects.filter(lifted_at__isnull=True)
        .select_related("application__posting", "placed_by")
        .only(
            "id",
            "reason",
            "review_at",
            "review_reminded_at",
            "placed_at",
            "placed_by__username",
            "application__id",
            "application__stage",
            "application__posting",
            "application__posting__title",
        )
        .annotate(
            review_overdue=Case(
                When(Q(review_at__lt=today), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("-review_overdue", "review_at", "pk")
    )


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
    upcoming = upcoming_purges()
    holds_listed = list(active_holds(today=today))
    return render(
        request,
        "staff/retention.html",
        {
            "upcoming": upcoming[:LIST_LIMIT],
            "upcoming_total": upcoming.count(),
            "failing": failing_purges()[:LIST_LIMIT],
            "holds": holds_listed,
            "overdue_reviews": len([h for h in holds_listed if h.review_overdue]),  # type: ignore[attr-defined]
            "erasures": _labelled(ErasureRecord.objects.order_by("-pk")[:LIST_LIMIT]),
            "list_limit": LIST_LIMIT,
        },
    )


def _labelled(records: QuerySet[ErasureRecord]) -> list[ErasureRecord]:
    """The records with readable `reason_label` and `stage_label` (unknown codes as is)."""
    stages = dict(Application.Stage.choices)
    reasons = dict(retention.Reason.choices)
    rows = list(records)
    for record in rows:
        record.reason_label = reasons.get(record.reason, record.reason)  # type: ignore[attr-defined]
        record.stage_label = stages.get(record.stage_reached, record.stage_reached)  # type: ignore[attr-defined]
    return rows


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


class HoldForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "The statutory obligation or legal interest that requires keeping this application. "
            "Shown to the candidate in their data export."
        ),
    )
    review_at = forms.DateField(
        label=gettext_lazy("Review on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("When to check whether the hold is still needed."),
    )

    def clean_reason(self) -> str:
        reason: str = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(gettext_lazy("Give the reason for the hold."))
        return reason

    def clean_review_at(self) -> date:
        review_at: date = self.cleaned_data["review_at"]
        if review_at < timezone.localdate():
            raise forms.ValidationError(gettext_lazy("The review date must be today or later."))
        return review_at


@staff_view
@require_http_methods(["GET", "POST"])
def place_hold(request: HttpRequest, pk: Any) -> HttpResponse:
    # The role check comes first: only then does the application exist for this user.
    _require_retention_officer(request)
    application = get_object_or_404(
        access.applications_holdable_by(request.user)
        .select_related("posting")
        .only(*_APPLICATION_FIELDS),
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
