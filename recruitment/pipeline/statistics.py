"""Whole-posting statistics for the dashboard: counts and durations, never personal data.

Like the staff selectors, each function takes applications already scoped by
`recruitment.access`, so a statistic can only ever count what its reader may see. Each runs a
fixed number of queries (one), however many applications there are. None writes anything.

Erased applications live on only as anonymous counts (ApplicationStatistic, written by the
purge); the funnel adds them for the posting whose dashboard asks for them.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import (
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from recruitment.models import (
    DECIDED_STAGES,
    FORWARD_STAGES,
    Application,
    ApplicationEvent,
    ApplicationStatistic,
    Source,
)

Stage = Application.Stage


@dataclass(frozen=True)
class StageCount:
    stage: str
    label: Promise | str
    count: int


@dataclass(frozen=True)
class Funnel:
    """How many applications reached each forward stage, and how many ended early."""

    total: int
    reached: list[StageCount]
    # Applications not yet hired, unsuccessful or withdrawn.
    in_progress: int
    unsuccessful: int
    withdrawn: int
    # Of `total`, the erased applications counted from the anonymous statistics.
    erased: int = 0


def _forward_rank(field: str) -> Case:
    """0 for applied … 4 for hired; NULL for a stage that is not a forward one."""
    return Case(
        *(When(**{field: stage}, then=Value(rank)) for rank, stage in enumerate(FORWARD_STAGES)),
        output_field=IntegerField(),
    )


def stage_funnel(applications: QuerySet[Application], *, posting_id: int | None = None) -> Funnel:
    """The funnel "reached stage k" over `applications`: one query, grouped in SQL.

    An application reached a stage if it is in it now, or any of its events moved it to it or
    beyond: skipped stages count as reached, and an unsuccessful or withdrawn application
    counts up to the furthest forward stage it got to. Submitting means reaching "applied".

    With `posting_id`, the posting's erased applications count too (from their anonymous
    statistics, in the same query): up to the stage they reached, and as hired, unsuccessful
    or withdrawn by how they ended. One erased while still open (e.g. under-age) is no
    longer in progress: it counts only in the total and in the stages it reached.
    """
    furthest_event = Subquery(
        ApplicationEvent.objects.filter(application=OuterRef("pk"))
        .order_by()
        .values("application")
        .annotate(rank=Max(_forward_rank("to_stage")))
        .values("rank")
    )
    live = (
        applications.order_by()
        .annotate(
            furthest=Greatest(
                Coalesce(_forward_rank("stage"), Value(0)),
                Coalesce(furthest_event, Value(0)),
            ),
            erased=Value(False),
        )
        .values("furthest", "stage", "erased")
        .annotate(n=Count("pk"))
        .values_list("furthest", "stage", "erased", "n")
    )
    rows = live
    if posting_id is not None:
        archived = (
            ApplicationStatistic.objects.filter(posting_id=posting_id)
            .order_by()
            .annotate(
                furthest=Coalesce(_forward_rank("stage_reached"), Value(0)),
                now_in=F("outcome"),
                erased=Value(True),
            )
            .values("furthest", "now_in", "erased")
            .annotate(n=Sum("count"))
            .values_list("furthest", "now_in", "erased", "n")
        )
        rows = live.union(archived, all=True)
    at_furthest = [0] * len(FORWARD_STAGES)
    now_in = dict.fromkeys(Stage.values, 0)
    erased = in_progress = 0
    for furthest, stage, is_erased, n in rows:
        at_furthest[furthest] += n
        now_in[stage] += n
        if is_erased:
            erased += n
        elif stage not in DECIDED_STAGES:
            in_progress += n
    # Reaching stage k means the furthest stage is k or later: a suffix sum.
    reached = [sum(at_furthest[rank:]) for rank in range(len(FORWARD_STAGES))]
    return Funnel(
        total=sum(at_furthest),
        reached=[
            StageCount(stage=stage.value, label=stage.label, count=count)
            for stage, count in zip(FORWARD_STAGES, reached, strict=True)
        ],
        in_progress=in_progress,
        unsuccessful=now_in[Stage.UNSUCCESSFUL],
        withdrawn=now_in[Stage.WITHDRAWN],
        erased=erased,
    )


@dataclass(frozen=True)
class Bucket:
    label: Promise | str
    # Whole days elapsed, inclusive; None: no upper bound.
    first_day: int
    last_day: int | None


DECISION_BUCKETS: tuple[Bucket, ...] = (
    Bucket(_("0-7 days"), 0, 7),
    Bucket(_("8-14 days"), 8, 14),
    Bucket(_("15-30 days"), 15, 30),
    Bucket(_("31-60 days"), 31, 60),
    Bucket(_("More than 60 days"), 61, None),
)


@dataclass(frozen=True)
class BucketCount:
    label: Promise | str
    count: int


@dataclass(frozen=True)
class DecisionTimes:
    """Time from application to decision (hired, unsuccessful or withdrawn), in days."""

    count: int
    median_days: float | None
    p90_days: float | None
    histogram: list[BucketCount]


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (PostgreSQL's percentile_cont)."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    position = (len(sorted_values) - 1) * fraction
    lower = math.floor(position)
    upper = min(lower + 1, len(sorted_values) - 1)
    weight = position - lower
    return sorted_values[lower] + (sorted_values[upper] - sorted_values[lower]) * weight


def _bucket_index(days: float) -> int:
    whole_days = math.floor(days)
    for index, bucket in enumerate(DECISION_BUCKETS):
        if bucket.last_day is None or whole_days <= bucket.last_day:
            return index
    raise AssertionError("the last bucket is unbounded")


def decision_times(applications: QuerySet[Application]) -> DecisionTimes:
    """Count, median, 90th percentile and histogram of days to decision: one query.

    Only decided applications (`decided_at` set) count. A histogram bucket holds whole days
    elapsed, so 7 days and 20 hours is in "0-7 days".
    """
    durations: QuerySet[Application, timedelta] = (
        applications.filter(decided_at__isnull=False)
        .order_by()
        .annotate(
            duration=ExpressionWrapper(
                F("decided_at") - F("created_at"), output_field=DurationField()
            )
        )
        .values_list("duration", flat=True)
    )
    # A decision recorded before the row's creation time (clock skew, imports) counts as 0.
    days = sorted(max(duration / timedelta(days=1), 0.0) for duration in durations)
    counts = [0] * len(DECISION_BUCKETS)
    for value in days:
        counts[_bucket_index(value)] += 1
    return DecisionTimes(
        count=len(days),
        median_days=percentile(days, 0.5) if days else None,
        p90_days=percentile(days, 0.9) if days else None,
        histogram=[
            BucketCount(label=bucket.label, count=count)
            for bucket, count in zip(DECISION_BUCKETS, counts, strict=True)
        ],
    )


@dataclass(frozen=True)
class SourceCount:
    """Applications and hires from one source."""

    slug: str
    # The source's name in the active language; its slug if it was removed since.
    label: str
    applications: int
    hired: int


def by_source(
    applications: QuerySet[Application], *, posting_id: int | None = None
) -> list[SourceCount]:
    """Applications and hires per source over `applications`, most applications first: one
    query (grouped in SQL, each source's name and kind read with it), however many there are.

    With `posting_id`, the posting's erased applications count too, from their anonymous
    statistics (in the same query), under the source slug they were stored with: a source
    deactivated or removed since keeps its counts (shown by its slug once removed).
    """
    hired = Stage.HIRED
    live = (
        applications.order_by()
        .values("source_id", "source__name", "source__kind", "source__builtin")
        .annotate(n=Count("pk"), hired=Count("pk", filter=Q(stage=hired)))
        .values_list("source_id", "source__name", "source__kind", "source__builtin", "n", "hired")
    )
    rows = live
    if posting_id is not None:
        source = Source.objects.filter(slug=OuterRef("source"))
        archived = (
            ApplicationStatistic.objects.filter(posting_id=posting_id)
            .order_by()
            .values("source")
            .annotate(
                name=Subquery(source.values("name")[:1]),
                kind=Subquery(source.values("kind")[:1]),
                builtin=Subquery(source.values("builtin")[:1]),
                n=Sum("count"),
                hired=Coalesce(Sum("count", filter=Q(outcome=hired)), Value(0)),
            )
            .values_list("source", "name", "kind", "builtin", "n", "hired")
        )
        rows = live.union(archived, all=True)
    labels: dict[str, str] = {}
    totals: dict[str, list[int]] = {}
    for source_slug, name, kind, builtin, n, n_hired in rows:
        slug = str(source_slug)
        if kind is None:  # removed from the allow-list since
            labels[slug] = slug
        else:
            labels[slug] = Source(slug=slug, name=name, kind=kind, builtin=builtin).label
        total = totals.setdefault(slug, [0, 0])
        total[0] += n
        total[1] += n_hired
    counts = [
        SourceCount(slug=slug, label=labels[slug], applications=n, hired=n_hired)
        for slug, (n, n_hired) in totals.items()
    ]
    return sorted(counts, key=lambda count: (-count.applications, count.label))
