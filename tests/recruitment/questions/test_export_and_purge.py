"""Done means: a posting with three custom questions takes answers that appear in the
candidate's export, each with the exact question it answered, and vanish with the purge
(a plain-SQL dump of the database holds none of them afterwards)."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from recruitment.access import Actor
from recruitment.models import (
    AccessEvent,
    Answer,
    Application,
    ApplicationEvent,
    ErasureRecord,
    Posting,
    Question,
)
from recruitment.pipeline.services import stages as pipeline
from recruitment.questions import review
from recruitment.questions import services as questions
from recruitment.retention.services import purge
from tests.harness.applying import apply
from tests.harness.evidence import database_dump, deliver_all_emails
from tests.harness.rights import built, data_of

Kind = Question.Kind


def ask_three(posting: Posting, actor: Actor) -> tuple[Question, Question, Question]:
    city = questions.add_question(
        posting=posting,
        data=questions.QuestionData(kind=Kind.SHORT_TEXT, label="Which city would you work from?"),
        actor=actor,
    )
    shift = questions.add_question(
        posting=posting,
        data=questions.QuestionData(
            kind=Kind.SINGLE_CHOICE, label="Preferred shift", choices=("Morning", "Evening")
        ),
        actor=actor,
    )
    years = questions.add_question(
        posting=posting,
        data=questions.QuestionData(
            kind=Kind.NUMBER, label="Years of experience", knockout_below=Decimal(1)
        ),
        actor=actor,
    )
    return city, shift, years


def answer_three(
    client: Client, posting: Posting, city: Question, shift: Question, years: Question
) -> Application:
    posting.refresh_from_db()
    response = apply(
        client,
        posting,
        email="mirsada.answers@example.com",
        questions_fingerprint=posting.questions_fingerprint,
        **{
            f"question_{city.pk}": "Tuzla-Kreka-Unique-Answer",
            f"question_{shift.pk}": "Evening",
            f"question_{years.pk}": "0,5",
        },
    )
    assert response.status_code == 302
    return Application.objects.get(candidate__email="mirsada.answers@example.com")


@pytest.mark.django_db
def test_the_export_holds_each_answer_with_the_exact_question_it_answered(
    client: Client, posting: Posting, recruiter: Any
) -> None:
    actor = Actor(user=recruiter)
    city, shift, years = ask_three(posting, actor)
    application = answer_three(client, posting, city, shift, years)
    # Edited after the answer: the export keeps the question as it was asked.
    questions.edit_question(
        question=shift,
        data=questions.QuestionData(
            kind=Kind.SINGLE_CHOICE, label="Shift you prefer", choices=("Day", "Night")
        ),
        actor=actor,
    )

    document = data_of(built(application.candidate))

    [entry] = document["applications"]
    assert [a["question"]["label"] for a in entry["answers"]] == [
        "Which city would you work from?",
        "Preferred shift",
        "Years of experience",
    ]
    city_answer, shift_answer, years_answer = entry["answers"]
    assert city_answer["value"] == "Tuzla-Kreka-Unique-Answer"
    assert shift_answer["question"] == {
        "kind": "single_choice",
        "label": "Preferred shift",
        "help_text": "",
        "required": False,
        "choices": ["Morning", "Evening"],
        "version": 1,
    }
    assert shift_answer["value"] == "Evening"
    assert (years_answer["value"], years_answer["flagged_for_review"]) == ("0.5", True)
    assert city_answer["flagged_for_review"] is False


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_the_purge_erases_the_answers_and_keeps_only_the_question_versions(
    client: Client, posting: Posting, recruiter: Any
) -> None:
    actor = Actor(user=recruiter)
    city, shift, years = ask_three(posting, actor)
    application = answer_three(client, posting, city, shift, years)
    assert "Tuzla-Kreka-Unique-Answer" in database_dump()
    # The knock-out flag was reviewed: the review goes with the application too.
    review.mark_answers_reviewed(actor=actor, application_id=application.pk)
    pipeline.move_application(application_id=application.pk, to_stage="unsuccessful", actor=actor)
    pipeline.conclude_process(posting=posting, actor=actor)
    deliver_all_emails()

    report = purge.sweep(now=timezone.now() + timedelta(minutes=2))

    assert report.erased == 1
    assert not Answer.objects.exists()
    assert not ApplicationEvent.objects.filter(kind=ApplicationEvent.Kind.ANSWERS_REVIEWED).exists()
    # Only the audit row stays, by id (PRIVACY.md P9).
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.REVIEW_ANSWERS, application_id=application.pk
    ).exists()
    assert ErasureRecord.objects.get().rows_deleted["answers"] == 3
    # The question versions stay (the posting's configuration) and hold nothing of the person.
    assert Question.objects.filter(posting=posting).count() == 3
    dump = database_dump()
    assert "Tuzla-Kreka-Unique-Answer" not in dump
    assert "mirsada.answers@example.com" not in dump
