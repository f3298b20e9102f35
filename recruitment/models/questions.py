"""A posting's own questions (issue 20) and the candidates' answers to them.

A `Question` row is one *version* of a question. The versions of one question share a
`lineage`; exactly one of them is current (`retired_at` null) until the question is removed.
A version that has answers is never changed: editing it retires it and creates the next
version (recruitment.questions.services), so every answer points at the exact text, kind
and choices it answered. A question holds no candidate personal data: it is the posting's
configuration, kept (PROTECT) as long as an answer points at it.

An `Answer` is personal data: what one application answered to one question version. It is
exported with the application and erased with it (CASCADE from the application).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from recruitment.models.candidates import Application
from recruitment.models.postings import Posting


class Question(models.Model):
    """One version of a question a posting asks its applicants. No personal data."""

    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Short text")
        LONG_TEXT = "long_text", _("Long text")
        YES_NO = "yes_no", _("Yes or no")
        SINGLE_CHOICE = "single_choice", _("One choice from a list")
        MULTIPLE_CHOICE = "multiple_choice", _("Several choices from a list")
        NUMBER = "number", _("Number")

    class Category(models.TextChoices):
        # The categories of data the privacy notice lists (PRIVACY.md P18; the allOps policy
        # §11); a question collects data of one of them, and the notice names each.
        CONTACT = "contact", _("Identification and contact details")
        EMPLOYMENT = "employment", _("CV and employment history")
        EDUCATION = "education", _("Education and qualifications")
        ADDITIONAL = "additional", _("Any additional information you choose to provide")

    id = models.BigAutoField(primary_key=True)
    posting = models.ForeignKey(Posting, on_delete=models.CASCADE, related_name="questions")
    # Shared by every version of the same question.
    lineage = models.UUIDField(default=uuid.uuid4, editable=False)
    version = models.PositiveIntegerField(default=1)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("question"), max_length=300)
    help_text = models.CharField(_("help text"), max_length=500, blank=True)
    required = models.BooleanField(_("required"), default=False)
    # Order on the form; ties (never left by the services) fall back to the id.
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    # The options of a choice question, in order; empty for the other kinds.
    choices = models.JSONField(_("choices"), default=list, blank=True)
    category = models.CharField(
        _("category of data"), max_length=20, choices=Category.choices, default=Category.ADDITIONAL
    )
    # Knock-out: answers that flag the application for a human's review (never a decision).
    # Yes/no: ["yes"] or ["no"]; choice kinds: some of `choices`; else empty.
    knockout_answers = models.JSONField(_("knock-out answers"), default=list, blank=True)
    # Number questions: an answer below or above these flags the application.
    knockout_below = models.DecimalField(
        _("knock-out below"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    knockout_above = models.DecimalField(
        _("knock-out above"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Retired: replaced by a newer version, or removed from the posting. Kept for its answers.
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="question_one_version"),
            models.UniqueConstraint(
                fields=["lineage"],
                condition=Q(retired_at__isnull=True),
                name="question_one_current_version",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="question_version_positive"),
            models.CheckConstraint(condition=~Q(label=""), name="question_label_not_empty"),
            models.CheckConstraint(
                condition=Q(knockout_below__isnull=True, knockout_above__isnull=True)
                | Q(kind="number"),
                name="question_knockout_bounds_only_for_numbers",
            ),
        ]
        indexes = [
            models.Index(
                fields=["posting", "position"],
                name="question_current",
                condition=Q(retired_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"Question {self.pk} (v{self.version})"

    @property
    def has_choices(self) -> bool:
        return self.kind in (self.Kind.SINGLE_CHOICE, self.Kind.MULTIPLE_CHOICE)

    def snapshot(self) -> dict[str, object]:
        """What the candidate was asked, as the export and the application page show it."""
        return {
            "kind": self.kind,
            "label": self.label,
            "help_text": self.help_text,
            "required": self.required,
            "choices": list(self.choices),
            "version": self.version,
        }


class Answer(models.Model):
    """One application's answer to one question version. Personal data.

    `value` by kind: a string (short and long text, single choice: the option's text), a
    boolean (yes/no), a list of strings (multiple choice), a decimal as a string (number).
    `knocked_out`: the answer is a knock-out answer of its question, computed when stored;
    it flags the application for review and decides nothing.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="answers")
    value = models.JSONField(_("answer"))
    knocked_out = models.BooleanField(_("knock-out answer"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["question__position", "question_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "question"], name="one_answer_per_question_version"
            ),
        ]
        indexes = [
            # The board's and the application page's knock-out flag.
            models.Index(
                fields=["application"], name="answer_knocked_out", condition=Q(knocked_out=True)
            ),
        ]

    def __str__(self) -> str:
        return f"Answer {self.pk}"
