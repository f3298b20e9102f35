"""Reads of the retention page and the officer's home: application ids, postings and dates,
never a candidate's name or address; one query each, whatever the number of rows."""

from datetime import date

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When

from recruitment.models import Application, ErasureRecord, LegalHold
from recruitment.retention.services import schedule as retention

# Only what the page shows: never the candidate, never the cover letter.
APPLICATION_FIELDS = (
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
        .only(*APPLICATION_FIELDS)
        .order_by("purge_due_at", "pk")
    )


def failing_purges() -> QuerySet[Application]:
    return (
        Application.objects.filter(purge_failures__gt=0)
        .select_related("posting")
        .only(*APPLICATION_FIELDS)
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


def recent_erasures(limit: int) -> list[ErasureRecord]:
    """The latest `limit` ledger records, newest first, with readable `reason_label` and
    `stage_label` (unknown codes as they are)."""
    stages = dict(Application.Stage.choices)
    reasons = dict(retention.Reason.choices)
    rows = list(ErasureRecord.objects.order_by("-pk")[:limit])
    for record in rows:
        record.reason_label = reasons.get(record.reason, record.reason)  # type: ignore[attr-defined]
        record.stage_label = stages.get(record.stage_reached, record.stage_reached)  # type: ignore[attr-defined]
    return rows
