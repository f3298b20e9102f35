"""Anonymous application counts that survive the purge (DESIGN.md "Retention", PRIVACY.md P6).

When an application is erased, its contribution to the posting's funnel is added here as a
count: which posting, which month it was submitted in, how far forward it got and how it
ended. Nothing links a row to a candidate or an application, and no column can hold a name,
an email address or free text.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recruitment.models.candidates import FORWARD_STAGES, Application


class ApplicationSource(models.TextChoices):
    """Where an application came from."""

    # Applications do not record where the candidate came from yet: every one came through
    # the careers pages. A new source becomes a new choice here (and a column on Application).
    CAREERS = "careers", _("Careers pages")


class ApplicationStatistic(models.Model):
    """How many erased applications share one (posting, month, stage reached, outcome, source)."""

    Source = ApplicationSource

    # A plain number, not a foreign key: the count must not block or follow a posting.
    posting_id = models.BigIntegerField(_("posting"))
    # The first day of the month the application was submitted in (local time).
    month = models.DateField(_("month"))
    # The furthest forward stage it reached (as the dashboard funnel counts it).
    stage_reached = models.CharField(
        _("stage reached"),
        max_length=20,
        choices=[(stage.value, stage.label) for stage in FORWARD_STAGES],
    )
    # Its stage when erased: hired, unsuccessful, withdrawn, or where it stood (under-age).
    outcome = models.CharField(_("outcome"), max_length=20, choices=Application.Stage.choices)
    source = models.CharField(
        _("source"),
        max_length=20,
        choices=ApplicationSource.choices,
        default=ApplicationSource.CAREERS,
    )
    count = models.PositiveIntegerField(_("applications"), default=0)

    class Meta:
        ordering = ["posting_id", "month", "stage_reached", "outcome", "source"]
        verbose_name = _("application statistic")
        constraints = [
            models.UniqueConstraint(
                fields=["posting_id", "month", "stage_reached", "outcome", "source"],
                name="one_statistic_per_posting_month_stage_outcome_source",
            ),
            models.CheckConstraint(
                condition=Q(stage_reached__in=[stage.value for stage in FORWARD_STAGES]),
                name="statistic_stage_reached_is_a_forward_stage",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=Application.Stage.values),
                name="statistic_outcome_is_a_stage",
            ),
            models.CheckConstraint(
                condition=Q(source__in=ApplicationSource.values),
                name="statistic_source_is_known",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} x posting {self.posting_id} {self.month:%Y-%m} {self.outcome}"
