"""Writing a posting's questions, and checking and storing an application's answers.

Versioning: a question version that has answers is never changed. Editing it retires it
and creates the next version of the same lineage at the same place; editing one nobody has
answered changes it in place. Removing a question retires its current version (kept, with
its answers). Every change runs under the posting row's lock, FOR NO KEY UPDATE, the lock
an application's transaction takes first (recruitment.careers.services, "the gate"): so a
change and an application to the same posting take turns, and an application whose form
showed other questions than those in force when it is written is refused (nothing stored,
the candidate asked to check their answers), never stored against a question it did not see.
Each change rewrites `Posting.questions_fingerprint`, which the gate reads.
"""

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats.refusals import ServiceRefused
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import Answer, Application, Posting, Question
from recruitment.questions import answers as rules

Kind = Question.Kind
MAX_QUESTIONS = 30
MAX_CHOICES = 30
CHOICE_MAX_LENGTH = 200


class QuestionRefused(ServiceRefused):
    """The change to the questions is refused; `message` says why. Nothing changed."""


class AnswersRefused(ServiceRefused):
    """An application's answers cannot be stored; nothing was. `errors` maps question ids
    to what to fix (empty when the questions themselves changed, see QuestionsChanged)."""

    def __init__(self, message: Any, errors: Mapping[int, str] | None = None) -> None:
        super().__init__(message)
        self.errors = dict(errors or {})


class QuestionsChanged(AnswersRefused):
    """The posting's questions changed after the form was shown: nothing stored."""


QUESTIONS_CHANGED = _(
    "The questions of this position changed while you were filling in the form. Please "
    "check your answers below and submit again."
)


@dataclass(frozen=True)
class QuestionData:
    """A question as the editor's form gives it, validated by the form."""

    kind: str
    label: str
    help_text: str = ""
    required: bool = False
    choices: tuple[str, ...] = ()
    category: str = Question.Category.ADDITIONAL
    knockout_answers: tuple[str, ...] = ()
    knockout_below: Decimal | None = None
    knockout_above: Decimal | None = None


@dataclass(frozen=True)
class GivenAnswers:
    """An application form's answers: the fingerprint of the questions it showed, the
    questions it was built from (the posting's current ones, in order) and the values by
    question id (cleaned by the form; an unanswered optional question may be absent)."""

    fingerprint: str
    questions: tuple[Question, ...] = ()
    values: Mapping[int, Any] = field(default_factory=dict)


NO_ANSWERS = GivenAnswers(fingerprint="")


# --- The fingerprint ----------------------------------------------------------------------


def fingerprint_of(questions: Sequence[Question]) -> str:
    """A SHA-256 over what the candidate is shown of `questions` (in order), or "" for none."""
    if not questions:
        return ""
    shown = [
        [q.pk, q.version, q.kind, q.label, q.help_text, q.required, list(q.choices)]
        for q in questions
    ]
    return hashlib.sha256(json.dumps(shown, ensure_ascii=False).encode()).hexdigest()


def current_questions(posting: Posting) -> list[Question]:
    """The questions `posting` asks now, in order (one query)."""
    return list(Question.objects.filter(posting=posting, retired_at__isnull=True))


def _lock(posting: Posting) -> Posting:
    return Posting.objects.select_for_update(no_key=True).get(pk=posting.pk)


def _refresh_fingerprint(posting: Posting) -> None:
    posting.questions_fingerprint = fingerprint_of(current_questions(posting))
    Posting.objects.filter(pk=posting.pk).update(
        questions_fingerprint=posting.questions_fingerprint
    )


# --- Editing ------------------------------------------------------------------------------


def _checked(data: QuestionData) -> dict[str, Any]:
    """The row's fields for `data`, or QuestionRefused (the form checks the same; a service
    never trusts a form)."""
    label = data.label.strip()
    if not label:
        raise QuestionRefused(_("Write the question."))
    choices = [choice.strip() for choice in data.choices if choice.strip()]
    has_choices = data.kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE)
    if data.kind not in Kind.values:
        raise QuestionRefused(_("Choose the kind of answer."))
    if has_choices:
        if len(choices) < 2:
            raise QuestionRefused(_("A choice question needs at least two options."))
        if len(set(choices)) != len(choices):
            raise QuestionRefused(_("Each option may appear only once."))
        if len(choices) > MAX_CHOICES or any(len(c) > CHOICE_MAX_LENGTH for c in choices):
            raise QuestionRefused(_("Too many options, or an option too long."))
    else:
        choices = []
    knockouts = list(dict.fromkeys(data.knockout_answers))
    if data.kind == Kind.YES_NO:
        allowed: list[str] = [rules.YES, rules.NO]
    elif has_choices:
        allowed = choices
    else:
        allowed = []
    if any(answer not in allowed for answer in knockouts):
        raise QuestionRefused(_("A knock-out answer must be one of the question's answers."))
    if data.kind == Kind.YES_NO and len(knockouts) > 1:
        raise QuestionRefused(_("Only one of yes and no can be the knock-out answer."))
    below, above = data.knockout_below, data.knockout_above
    if data.kind != Kind.NUMBER and (below is not None or above is not None):
        raise QuestionRefused(_("Only a number question has knock-out limits."))
    if below is not None and above is not None and below > above:
        raise QuestionRefused(_("The lower knock-out limit cannot be above the upper one."))
    if data.category not in Question.Category.values:
        raise QuestionRefused(_("Choose the category of data the question collects."))
    return {
        "kind": data.kind,
        "label": label,
        "help_text": data.help_text.strip(),
        "required": data.required,
        "choices": choices,
        "category": data.category,
        "knockout_answers": knockouts,
        "knockout_below": below,
        "knockout_above": above,
    }


@transaction.atomic
def add_question(*, posting: Posting, data: QuestionData, actor: Actor) -> Question:
    """Adds a question at the end of `posting`'s form.

    Side effects, in one transaction under the posting's lock: the question (version 1),
    the posting's fingerprint, a CHANGE_QUESTIONS audit row. Not idempotent (each call adds
    one). Raises QuestionRefused (nothing written) for invalid data or too many questions.
    """
    fields = _checked(data)
    posting = _lock(posting)
    current = Question.objects.filter(posting=posting, retired_at__isnull=True)
    if current.count() >= MAX_QUESTIONS:
        raise QuestionRefused(_("A posting can ask at most 30 questions."))
    last = current.aggregate(last=Max("position"))["last"]
    question = Question.objects.create(
        posting=posting,
        position=0 if last is None else last + 1,
        created_at=timezone.now(),
        created_by=actor.user,
        **fields,
    )
    _refresh_fingerprint(posting)
    audit.record_access(actor=actor, action=audit.Action.CHANGE_QUESTIONS, posting_id=posting.pk)
    return question


@transaction.atomic
def edit_question(*, question: Question, data: QuestionData, actor: Actor) -> Question:
    """Changes a question. One nobody has answered is changed in place; one with answers is
    retired and replaced by its next version at the same position (its answers keep
    pointing at the text they answered). Returns the current version.

    Side effects, in one transaction under the posting's lock: the row(s), the posting's
    fingerprint, a CHANGE_QUESTIONS audit row; nothing at all when nothing changed
    (rerun-safe). Raises QuestionRefused (nothing written) for invalid data or a question
    already retired (edited or removed meanwhile).
    """
    fields = _checked(data)
    posting = _lock(question.posting)
    current = Question.objects.select_for_update().filter(pk=question.pk).first()
    if current is None or current.retired_at is not None:
        raise QuestionRefused(
            _("This question was changed or removed meanwhile. Reload the page and try again.")
        )
    if all(getattr(current, name) == value for name, value in fields.items()):
        return current
    now = timezone.now()
    if current.answers.exists():
        current.retired_at = now
        current.save(update_fields=["retired_at"])
        replacement = Question.objects.create(
            posting=posting,
            lineage=current.lineage,
            version=current.version + 1,
            position=current.position,
            created_at=now,
            created_by=actor.user,
            **fields,
        )
    else:
        for name, value in fields.items():
            setattr(current, name, value)
        current.save(update_fields=list(fields))
        replacement = current
    _refresh_fingerprint(posting)
    audit.record_access(actor=actor, action=audit.Action.CHANGE_QUESTIONS, posting_id=posting.pk)
    return replacement


@transaction.atomic
def remove_question(*, question: Question, actor: Actor) -> None:
    """Takes a question off the posting's form: its current version is retired and kept
    with its answers (a version nobody answered is deleted: nothing points at it).

    Side effects, under the posting's lock: the row, the fingerprint, an audit row.
    Rerun-safe: a question already retired changes nothing."""
    posting = _lock(question.posting)
    current = Question.objects.select_for_update().filter(pk=question.pk).first()
    if current is None or current.retired_at is not None:
        return
    if current.answers.exists():
        current.retired_at = timezone.now()
        current.save(update_fields=["retired_at"])
    else:
        current.delete()
    _refresh_fingerprint(posting)
    audit.record_access(actor=actor, action=audit.Action.CHANGE_QUESTIONS, posting_id=posting.pk)


@transaction.atomic
def move_question(*, question: Question, offset: int, actor: Actor) -> None:
    """Moves a question up (offset -1) or down (+1) among the current ones, renumbering
    positions 0..n-1. Side effects under the posting's lock: positions, the fingerprint,
    an audit row. Nothing changes at either end, or for a retired question."""
    posting = _lock(question.posting)
    ordered = current_questions(posting)
    ids = [q.pk for q in ordered]
    if question.pk not in ids:
        return
    index = ids.index(question.pk)
    target = index + offset
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, item in enumerate(ordered):
        if item.position != position:
            # Only its place changes: what the candidate reads is the same question.
            Question.objects.filter(pk=item.pk).update(position=position)
            item.position = position
    _refresh_fingerprint(posting)
    audit.record_access(actor=actor, action=audit.Action.CHANGE_QUESTIONS, posting_id=posting.pk)


# --- Answers ------------------------------------------------------------------------------


@dataclass(frozen=True)
class CheckedAnswer:
    question: Question
    value: Any
    knocked_out: bool


def check_answers(*, posting: Posting, given: GivenAnswers) -> list[CheckedAnswer]:
    """`given` checked against the questions it was built from, before anything is stored:
    they are the posting's current ones as far as its row says (no query), and each value
    obeys its question's rules. Raises QuestionsChanged, or AnswersRefused with what to fix
    per question."""
    if not (
        given.fingerprint
        == fingerprint_of(given.questions)
        == (posting.questions_fingerprint or "")
    ):
        raise QuestionsChanged(QUESTIONS_CHANGED)
    checked, errors = [], {}
    for question in given.questions:
        try:
            value = rules.normalise(question, given.values.get(question.pk))
        except rules.AnswerNotValid as invalid:
            errors[question.pk] = invalid.message
            continue
        if value is not None:
            checked.append(CheckedAnswer(question, value, rules.knocks_out(question, value)))
    if errors:
        raise AnswersRefused(_("Please check your answers to the questions."), errors)
    return checked


def store_answers(
    *, application: Application, answers: Sequence[CheckedAnswer], fingerprint: str, in_force: str
) -> list[Answer]:
    """Writes checked answers of a new application, in the caller's transaction, which
    holds the posting's lock and read `in_force` (the posting's fingerprint) under it.
    Raises QuestionsChanged (the caller's transaction rolls back: nothing stored) when the
    questions changed since the form was shown. One INSERT, none without answers."""
    if fingerprint != (in_force or ""):
        raise QuestionsChanged(QUESTIONS_CHANGED)
    if not answers:
        return []
    return Answer.objects.bulk_create(
        [
            Answer(
                application=application,
                question=item.question,
                value=item.value,
                knocked_out=item.knocked_out,
            )
            for item in answers
        ]
    )
