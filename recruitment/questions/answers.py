"""What a valid answer to a question is, and whether it is a knock-out answer.

One place for the rules, used by the application forms (to say what to fix) and by the
services (which never trust a form). Values are stored as JSON (see models.Answer). No
database, no side effects.
"""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from recruitment.models import Question

Kind = Question.Kind
SHORT_TEXT_MAX = 200
LONG_TEXT_MAX = 4000
# Numbers: up to ten digits before the decimal point, two after (the column's precision).
NUMBER_LIMIT = Decimal("9999999999.99")
YES, NO = "yes", "no"


class AnswerNotValid(ValueError):
    """An answer breaks its question's rules; `message` says what to fix."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def is_empty(raw: Any) -> bool:
    return raw is None or raw == "" or raw == [] or (isinstance(raw, str) and not raw.strip())


def normalise(question: Question, raw: Any) -> Any:
    """The value to store for `raw` (a form's cleaned value or a JSON value), or None for
    no answer. Raises AnswerNotValid: required and missing, too long, not one of the
    choices, not a number."""
    if is_empty(raw):
        if question.required:
            raise AnswerNotValid(str(_("This question needs an answer.")))
        return None
    kind = question.kind
    if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
        text = str(raw).strip()
        limit = SHORT_TEXT_MAX if kind == Kind.SHORT_TEXT else LONG_TEXT_MAX
        if len(text) > limit:
            raise AnswerNotValid(
                ngettext(
                    "Please answer in at most %(count)d character.",
                    "Please answer in at most %(count)d characters.",
                    limit,
                )
                % {"count": limit}
            )
        return text
    if kind == Kind.YES_NO:
        if raw in (True, YES):
            return True
        if raw in (False, NO):
            return False
        raise AnswerNotValid(str(_("Please answer yes or no.")))
    if kind == Kind.SINGLE_CHOICE:
        if not isinstance(raw, str) or raw not in question.choices:
            raise AnswerNotValid(str(_("Please choose one of the options.")))
        return raw
    if kind == Kind.MULTIPLE_CHOICE:
        values = [raw] if isinstance(raw, str) else list(raw)
        if any(not isinstance(value, str) or value not in question.choices for value in values):
            raise AnswerNotValid(str(_("Please choose only from the options.")))
        # In the question's order, each once.
        return [choice for choice in question.choices if choice in values]
    if kind == Kind.NUMBER:
        return _number(raw)
    raise AnswerNotValid(str(_("This question cannot be answered.")))


def _number(raw: Any) -> str:
    if isinstance(raw, bool):
        raise AnswerNotValid(str(_("Please enter a number, such as 3 or 2.5.")))
    try:
        # Commas are decimal separators in Bosnian, Croatian and Serbian.
        number = Decimal(str(raw).strip().replace(",", "."))
    except InvalidOperation:
        raise AnswerNotValid(str(_("Please enter a number, such as 3 or 2.5."))) from None
    if not number.is_finite() or abs(number) > NUMBER_LIMIT:
        raise AnswerNotValid(str(_("Please enter a smaller number.")))
    if number != number.quantize(Decimal("0.01")):
        raise AnswerNotValid(str(_("Please use at most two decimal places.")))
    text = format(number.quantize(Decimal("0.01")), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def knocks_out(question: Question, value: Any) -> bool:
    """Whether a stored `value` is one of `question`'s knock-out answers: the application
    is then flagged for a person to review. It decides nothing by itself."""
    if value is None:
        return False
    if question.kind == Kind.YES_NO:
        return (YES if value else NO) in question.knockout_answers
    if question.kind == Kind.SINGLE_CHOICE:
        return value in question.knockout_answers
    if question.kind == Kind.MULTIPLE_CHOICE:
        return any(choice in question.knockout_answers for choice in value)
    if question.kind == Kind.NUMBER:
        number = Decimal(value)
        below, above = question.knockout_below, question.knockout_above
        return (below is not None and number < below) or (above is not None and number > above)
    return False


def shown(question: Question, value: Any) -> str:
    """A stored value as staff read it, in the active language."""
    if value is None:
        return ""
    if question.kind == Kind.YES_NO:
        return str(_("Yes")) if value else str(_("No"))
    if question.kind == Kind.MULTIPLE_CHOICE:
        return "; ".join(value)
    return str(value)
