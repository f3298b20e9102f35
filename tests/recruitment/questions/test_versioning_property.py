"""The versioning promise as a property: whatever sequence of additions, edits, moves,
removals and answers a posting goes through, every answer still points at exactly the
question text, kind and choices its candidate was shown (real PostgreSQL)."""

from typing import Any

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recruitment.access import Actor
from recruitment.models import Answer, Posting, Question
from recruitment.questions import selectors
from recruitment.questions import services as questions
from tests.factories import ApplicationFactory, PostingFactory, UserFactory

pytestmark = pytest.mark.django_db

Kind = Question.Kind
KINDS = list(Kind.values)
labels = st.sampled_from(["Where?", "Why us?", "How many years?", "Which tools?", "Ready?"])
operations = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.sampled_from(KINDS), labels),
        st.tuples(st.just("edit"), st.integers(0, 5), st.sampled_from(KINDS), labels),
        st.tuples(st.just("remove"), st.integers(0, 5)),
        st.tuples(st.just("move"), st.integers(0, 5), st.sampled_from([-1, 1])),
        st.tuples(st.just("answer")),
    ),
    max_size=14,
)


def question_data(kind: str, label: str) -> questions.QuestionData:
    choices = ("Red", "Green", "Blue") if kind in (Kind.SINGLE_CHOICE, Kind.MULTIPLE_CHOICE) else ()
    return questions.QuestionData(kind=kind, label=label, choices=choices, required=True)


def valid_value(question: Question) -> Any:
    values: dict[str, Any] = {
        Kind.SHORT_TEXT: "Belgrade",
        Kind.LONG_TEXT: "Because.",
        Kind.YES_NO: "yes",
        Kind.SINGLE_CHOICE: question.choices[0] if question.choices else "",
        Kind.MULTIPLE_CHOICE: list(question.choices[:2]),
        Kind.NUMBER: "3",
    }
    return values[question.kind]


def answer_all(posting: Posting) -> list[tuple[str, dict[str, object]]]:
    """An application answering every current question; what each answer was shown."""
    posting.refresh_from_db()
    current = selectors.asked_by(posting)
    given = questions.GivenAnswers(
        fingerprint=posting.questions_fingerprint,
        questions=tuple(current),
        values={q.pk: valid_value(q) for q in current},
    )
    checked = questions.check_answers(posting=posting, given=given)
    application = ApplicationFactory.create(posting=posting)
    with transaction.atomic():
        stored = questions.store_answers(
            application=application,
            answers=checked,
            fingerprint=given.fingerprint,
            in_force=posting.questions_fingerprint,
        )
    return [(str(answer.pk), answer.question.snapshot()) for answer in stored]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=operations)
def test_every_answer_keeps_the_exact_question_it_answered(
    db: None, steps: list[tuple[Any, ...]]
) -> None:
    with transaction.atomic():
        posting = PostingFactory.create()
        actor = Actor(user=UserFactory.create())
        shown: list[tuple[str, dict[str, object]]] = []
        for step in steps:
            current = selectors.asked_by(posting, fresh=True)
            if step[0] == "add":
                questions.add_question(posting=posting, data=question_data(*step[1:]), actor=actor)
            elif step[0] == "answer":
                shown += answer_all(posting)
            elif current:
                target = current[step[1] % len(current)]
                if step[0] == "edit":
                    questions.edit_question(
                        question=target, data=question_data(step[2], step[3]), actor=actor
                    )
                elif step[0] == "remove":
                    questions.remove_question(question=target, actor=actor)
                else:
                    questions.move_question(question=target, offset=step[2], actor=actor)

        for answer_id, snapshot in shown:
            answer = Answer.objects.select_related("question").get(pk=answer_id)
            assert answer.question.snapshot() == snapshot
        lineages = Question.objects.filter(posting=posting).values_list("lineage", flat=True)
        for lineage in set(lineages):
            assert Question.objects.filter(lineage=lineage, retired_at__isnull=True).count() <= 1
        posting.refresh_from_db()
        assert posting.questions_fingerprint == questions.fingerprint_of(
            selectors.asked_by(posting, fresh=True)
        )
        transaction.set_rollback(True)
