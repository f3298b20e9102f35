"""Keeps an erased application's contribution to the funnel, as an anonymous count: its
posting, month, stage reached, outcome and source (the slug, which outlives the source).

The purge calls `record_purged_application` in its transaction, just before it deletes the
rows; the dashboard funnel adds these counts to the live applications'
(recruitment.pipeline.statistics).
"""

from collections import Counter
from datetime import date

from django.db.models import F
from django.utils import timezone

from recruitment.models import (
    FORWARD_STAGES,
    Application,
    ApplicationEvent,
    ApplicationStatistic,
)

_RANK = {stage.value: rank for rank, stage in enumerate(FORWARD_STAGES)}


def stage_reached(application: Application) -> str:
    """The furthest forward stage the application is in or was ever moved to (one query).

    The funnel's rule: skipped stages count as reached; submitting means reaching "applied".
    """
    to_stages = application.events.values_list("to_stage", flat=True)
    ranks = [_RANK.get(stage, 0) for stage in (application.stage, *to_stages)]
    return FORWARD_STAGES[max(ranks)].value


def submitted_month(application: Application) -> date:
    """The first day of the (local) month the application was submitted in."""
    return timezone.localtime(application.created_at).date().replace(day=1)


def record_purged_application(application: Application) -> None:
    """Adds one to the anonymous count this application belongs to. Writes no personal data.

    Call it inside the purge transaction, before the application's rows are deleted: if the
    purge rolls back, so does the count, and a purge that finds the application gone never
    gets here, so each erased application is counted exactly once. Safe against concurrent
    purges: the row is created once (unique key; get_or_create retries the read on a clash)
    and incremented in SQL, never read-modify-written.
    """
    statistic, _ = ApplicationStatistic.objects.get_or_create(
        posting_id=application.posting_id,
        month=submitted_month(application),
        stage_reached=stage_reached(application),
        outcome=application.stage,
        # The slug as a string: the count outlives the source (see ApplicationStatistic).
        source=str(application.source_id),
        defaults={"count": 0},
    )
    ApplicationStatistic.objects.filter(pk=statistic.pk).update(count=F("count") + 1)


def record_purged_applications(applications: list[Application]) -> None:
    """`record_purged_application` for many at once: one query for their events, one
    get_or_create and one increment per distinct count, in the purge's transaction."""
    if not applications:
        return
    to_stages: dict[object, list[str]] = {application.pk: [] for application in applications}
    for application_id, to_stage in ApplicationEvent.objects.filter(
        application_id__any_of=list(to_stages)
    ).values_list("application_id", "to_stage"):
        to_stages[application_id].append(to_stage)
    increments: Counter[tuple[int, date, str, str, str]] = Counter()
    for application in applications:
        ranks = [_RANK.get(stage, 0) for stage in (application.stage, *to_stages[application.pk])]
        reached = FORWARD_STAGES[max(ranks)].value
        month = submitted_month(application)
        increments[
            (application.posting_id, month, reached, application.stage, str(application.source_id))
        ] += 1
    for (posting_id, month, reached, outcome, source), count in increments.items():
        statistic, _ = ApplicationStatistic.objects.get_or_create(
            posting_id=posting_id,
            month=month,
            stage_reached=reached,
            outcome=outcome,
            source=source,
            defaults={"count": 0},
        )
        ApplicationStatistic.objects.filter(pk=statistic.pk).update(count=F("count") + count)
