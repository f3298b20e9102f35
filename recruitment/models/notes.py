"""Interview notes and scorecards: personal data (PRIVACY.md P8), purged with the application."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recruitment.models.candidates import Application


class InterviewNote(models.Model):
    class Kind(models.TextChoices):
        SCREENING_CALL = "screening_call", _("Screening call")
        TECHNICAL_INTERVIEW = "technical_interview", _("Technical interview")
        CULTURE_INTERVIEW = "culture_interview", _("Team interview")
        REFERENCE_CHECK = "reference_check", _("Reference check")
        GENERAL = "general", _("General note")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.GENERAL)
    body = models.TextField(_("note"), max_length=10_000)
    rating = models.PositiveSmallIntegerField(
        _("rating (1-5)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    scorecard = models.CharField(_("scorecard"), max_length=500, blank=True)
    # The interview the note or scorecard was written after, if any.
    interview = models.ForeignKey(
        "recruitment.Interview",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notes",
        verbose_name=_("interview"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="note_rating_between_1_and_5",
            ),
        ]
        indexes = [models.Index(fields=["application", "created_at"])]

    def __str__(self) -> str:
        return f"Note {self.pk}"
