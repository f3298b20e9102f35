"""Forms: the question editor, and the answer fields the application forms add.

Validation only. The rules of a valid answer are recruitment.questions.answers', shared
with the services (which check again).
"""

from decimal import Decimal
from typing import Any

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from recruitment.models import Question
from recruitment.questions import answers as rules
from recruitment.questions import sensitive
from recruitment.questions.services import GivenAnswers, QuestionData, fingerprint_of

Kind = Question.Kind
FINGERPRINT_FIELD = "questions_fingerprint"


def field_name(question: Question) -> str:
    return f"question_{question.pk}"


def answer_field(question: Question) -> forms.Field:
    """The form field that asks `question`, labelled with its text and help."""
    common: dict[str, Any] = {
        "label": question.label,
        "help_text": question.help_text,
        "required": question.required,
    }
    if question.kind == Kind.SHORT_TEXT:
        return forms.CharField(max_length=rules.SHORT_TEXT_MAX, **common)
    if question.kind == Kind.LONG_TEXT:
        return forms.CharField(
            max_length=rules.LONG_TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4}), **common
        )
    if question.kind == Kind.YES_NO:
        return forms.ChoiceField(
            choices=[(rules.YES, _("Yes")), (rules.NO, _("No"))],
            widget=forms.RadioSelect,
            **common,
        )
    if question.kind == Kind.SINGLE_CHOICE:
        return forms.ChoiceField(
            choices=[(choice, choice) for choice in question.choices],
            widget=forms.RadioSelect,
            **common,
        )
    if question.kind == Kind.MULTIPLE_CHOICE:
        return forms.MultipleChoiceField(
            choices=[(choice, choice) for choice in question.choices],
            widget=forms.CheckboxSelectMultiple,
            **common,
        )
    # A number: typed as text, so "2,5" (a decimal comma) is read as 2.5 by the rules.
    return forms.CharField(
        max_length=20, widget=forms.TextInput({"inputmode": "decimal"}), **common
    )


class AnswersMixin(forms.Form):
    """Adds the posting's questions to an application form (`add_questions`), validates
    the answers by the shared rules, and gives them to the service (`given_answers`)."""

    questions_fingerprint = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)

    def add_questions(self, questions: list[Question]) -> None:
        """Asks `questions` (the posting's current ones, in order), after the other fields.
        The hidden fingerprint is always the one of the questions shown now."""
        self.questions = list(questions)
        for question in self.questions:
            self.fields[field_name(question)] = answer_field(question)
        self.initial[FINGERPRINT_FIELD] = fingerprint_of(self.questions)

    def show_questions_now(self) -> None:
        """Before a bound form is shown again: its hidden fingerprint becomes that of the
        questions it shows now (validation already compared what the page was filled in
        with), so the next submission is checked against the questions on this page."""
        if self.is_bound:
            data = self.data.copy() if isinstance(self.data, QueryDict) else dict(self.data)
            data[FINGERPRINT_FIELD] = fingerprint_of(getattr(self, "questions", []))
            self.data = data

    def question_fields(self) -> list[forms.BoundField]:
        return [self[field_name(question)] for question in getattr(self, "questions", [])]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for question in getattr(self, "questions", []):
            name = field_name(question)
            if name in self.errors:
                continue
            try:
                rules.normalise(question, data.get(name))
            except rules.AnswerNotValid as invalid:
                self.add_error(name, invalid.message)
        return data

    def given_answers(self) -> GivenAnswers:
        """The answers of a valid form, for the service."""
        questions = getattr(self, "questions", [])
        return GivenAnswers(
            fingerprint=str(self.cleaned_data.get(FINGERPRINT_FIELD) or ""),
            questions=tuple(questions),
            values={q.pk: self.cleaned_data.get(field_name(q)) for q in questions},
        )


class QuestionForm(forms.Form):
    """A question as a recruiter writes it. Choices and knock-out answers are one per line."""

    label = forms.CharField(label=_("Question"), max_length=300)
    help_text = forms.CharField(
        label=_("Help text (optional)"),
        max_length=500,
        required=False,
        help_text=_("Shown under the question, e.g. what a good answer includes."),
    )
    kind = forms.ChoiceField(label=_("Kind of answer"), choices=Kind.choices)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    choices = forms.CharField(
        label=_("Options (for choice questions)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One option per line; at least two."),
    )
    category = forms.ChoiceField(
        label=_("Category of data it collects"),
        choices=Question.Category.choices,
        initial=Question.Category.ADDITIONAL,
        help_text=_(
            "One of the categories the privacy notice lists. The notice names them for "
            "every question candidates are asked."
        ),
    )
    knockout_answers = forms.CharField(
        label=_("Knock-out answers (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "For yes/no: yes or no; for choice questions: options, one per line. Such an "
            "answer flags the application for a person to review; nothing is rejected "
            "automatically."
        ),
    )
    knockout_below = forms.DecimalField(
        label=_("Knock-out below (number questions)"),
        required=False,
        max_digits=12,
        decimal_places=2,
    )
    knockout_above = forms.DecimalField(
        label=_("Knock-out above (number questions)"),
        required=False,
        max_digits=12,
        decimal_places=2,
    )

    @staticmethod
    def initial_for(question: Question) -> dict[str, Any]:
        return {
            "label": question.label,
            "help_text": question.help_text,
            "kind": question.kind,
            "required": question.required,
            "choices": "\n".join(question.choices),
            "category": question.category,
            "knockout_answers": "\n".join(question.knockout_answers),
            "knockout_below": question.knockout_below,
            "knockout_above": question.knockout_above,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind")
        choices = _lines(data.get("choices", ""))
        knockouts = _lines(data.get("knockout_answers", ""))
        if kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE):
            if len(choices) < 2:
                self.add_error("choices", _("A choice question needs at least two options."))
            elif len(set(choices)) != len(choices):
                self.add_error("choices", _("Each option may appear only once."))
            unknown = [answer for answer in knockouts if answer not in choices]
            if unknown:
                self.add_error(
                    "knockout_answers", _("A knock-out answer must be one of the options.")
                )
        elif kind == Kind.YES_NO:
            # "yes"/"no" in any language the editor may type them.
            read = [_yes_no(answer) for answer in knockouts]
            knockouts = [answer for answer in read if answer is not None]
            if len(knockouts) != len(read) or len(knockouts) > 1:
                self.add_error("knockout_answers", _("Write either yes or no."))
        elif knockouts:
            self.add_error(
                "knockout_answers", _("Only yes/no and choice questions have knock-out answers.")
            )
        below: Decimal | None = data.get("knockout_below")
        above: Decimal | None = data.get("knockout_above")
        if kind != Kind.NUMBER and (below is not None or above is not None):
            self.add_error("knockout_below", _("Only a number question has knock-out limits."))
        elif below is not None and above is not None and below > above:
            self.add_error(
                "knockout_above", _("The upper knock-out limit cannot be below the lower one.")
            )
        data["choices"] = choices
        data["knockout_answers"] = [answer for answer in knockouts if answer]
        return data

    def question_data(self) -> QuestionData:
        data = self.cleaned_data
        return QuestionData(
            kind=data["kind"],
            label=data["label"],
            help_text=data.get("help_text", ""),
            required=bool(data.get("required")),
            choices=tuple(data["choices"]) if data["kind"] in _CHOICE_KINDS else (),
            category=data["category"],
            knockout_answers=tuple(data["knockout_answers"]),
            knockout_below=data.get("knockout_below"),
            knockout_above=data.get("knockout_above"),
        )

    def sensitive_categories(self) -> list[str]:
        """The unlisted categories of data the typed question seems to ask for (P18)."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        texts = [str(data.get("label", "")), str(data.get("help_text", ""))]
        texts += [str(choice) for choice in data.get("choices", [])]
        return sensitive.categories_asked(texts)


_CHOICE_KINDS = (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)
_YES_WORDS = {"yes", "da", "да"}
_NO_WORDS = {"no", "ne", "не"}


def _lines(text: str) -> list[str]:
    return [line.strip() for line in str(text or "").splitlines() if line.strip()]


def _yes_no(answer: str) -> str | None:
    lowered = answer.strip().lower()
    if lowered in _YES_WORDS:
        return rules.YES
    if lowered in _NO_WORDS:
        return rules.NO
    return None
