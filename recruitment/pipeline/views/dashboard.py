"""A posting's dashboard: the stage funnel, time to decision, and applications and hires by
source, as counts only.

Whole-posting statistics are for those who decide (recruiters, hiring managers, admins);
interviewers, who only ever see their assigned applications, get a 404 like anyone else.
Read-only and free of personal data, so nothing is written to the audit log.
"""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from recruitment.access import (
    applications_visible_to,
    can_decide,
    can_manage_posting,
    postings_visible_to,
)
from recruitment.pipeline import statistics
from recruitment.pipeline.views.charts import Bar, horizontal_bar_chart
from recruitment.staff import staff_view


def _share(count: int, total: int) -> int | None:
    """Whole percent of `total`, or None when there is nothing to divide by."""
    return round(100 * count / total) if total else None


def _funnel_chart(funnel: statistics.Funnel) -> SafeString:
    bars = []
    for step in funnel.reached:
        share = _share(step.count, funnel.total)
        display = f"{step.count} ({share}%)" if share is not None else str(step.count)
        bars.append(Bar(label=str(step.label), value=step.count, display=display))
    return horizontal_bar_chart(bars, title=_("Applications that reached each stage"))


def _decision_chart(times: statistics.DecisionTimes) -> SafeString:
    bars = [Bar(label=str(bucket.label), value=bucket.count) for bucket in times.histogram]
    return horizontal_bar_chart(bars, title=_("Days from application to decision"))


def _source_chart(sources: list[statistics.SourceCount]) -> SafeString:
    bars = [
        Bar(
            label=count.label,
            value=count.applications,
            display=_("%(applications)s (%(hired)s hired)")
            % {"applications": count.applications, "hired": count.hired},
        )
        for count in sources
    ]
    return horizontal_bar_chart(bars, title=_("Applications and hires by source"))


def _days(value: float | None) -> str:
    return number_format(value, decimal_pos=1) if value is not None else ""


@staff_view
def posting_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    posting = get_object_or_404(postings_visible_to(request.user), pk=pk)
    if not can_decide(request.user, posting):
        raise Http404
    applications = applications_visible_to(request.user).filter(posting=posting)
    funnel = statistics.stage_funnel(applications, posting_id=posting.pk)
    times = statistics.decision_times(applications)
    sources = statistics.by_source(applications, posting_id=posting.pk)
    source_rows = [(count, _share(count.hired, count.applications)) for count in sources]
    funnel_rows = [(step, _share(step.count, funnel.total)) for step in funnel.reached]
    return render(
        request,
        "staff/posting_dashboard.html",
        {
            "posting": posting,
            # The posting tabs show settings, team and conclude only to those who manage;
            # only those who decide reach this page at all.
            "can_decide": True,
            "can_manage": can_manage_posting(request.user, posting),
            "funnel": funnel,
            "funnel_rows": funnel_rows,
            "funnel_chart": _funnel_chart(funnel) if funnel.total else None,
            "times": times,
            "median_days": _days(times.median_days),
            "p90_days": _days(times.p90_days),
            "decision_chart": _decision_chart(times) if times.count else None,
            "source_rows": source_rows,
            "source_chart": _source_chart(sources) if sources else None,
        },
    )
