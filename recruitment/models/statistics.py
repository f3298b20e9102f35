"""Anonymous application counts that survive the purge (DESIGN.md "Retention", PRIVACY.md P6).

When an application is erased, its contribution to the posting's funnel is added here as a
count: which posting, which month it was submitted in, how far forward it got, how it
ended and where it came from (a source's slug from the staff's allow-list). Nothing links a
row to a candidate or an application, and no column holds a name, an email address or text
a candidate wrote.
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recruitment.models.candidates import FORWARD_STAGES, Application
from recruitment.models.sources import CAREERS_SITE


class ApplicationStatistic(models.Model):
    """How many erased applications share one (posting, month, stage reached, outcome, source)."""

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
    # The source's slug (recruitment.models.sources), copied as a string, not a foreign key:
    # the count outlives the source being renamed, deactivated or removed. A slug names a
    # channel ("linkedin", "referral"), never a person.
    source = models.CharField(_("source"), max_length=50, default=CAREERS_SITE)
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
            # Any slug the allow-list ever held, and nothing else: never an address or a
            # sentence (a slug's letters, digits, hyphens and underscores).
            models.CheckConstraint(
                condition=Q(source__regex=r"^[-a-z0-9_]{1,50}$"),
                name="statistic_source_is_a_slug",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} x posting {self.posting_id} {self.month:%Y-%m} {self.outcome}"
