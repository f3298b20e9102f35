"""A posting's own questions: versioning, the editor's services, the P18 guard, and answers
given through the public form and the staff-recorded one (real PostgreSQL and SeaweedFS)."""

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from recruitment.access import Actor
from recruitment.models import AccessEvent, Answer, Application, Posting, Question
from recruitment.notices import services as privacy_texts
from recruitment.questions import answers as rules
from recruitment.questions import selectors
from recruitment.questions import services as questions
from recruitment.questions.forms import QuestionForm
from recruitment.questions.sensitive import categories_asked
from tests.factories import UserFactory
from tests.harness.applying import apply, nothing_stored

pytestmark = pytest.mark.django_db

Kind = Question.Kind


def data(**overrides: Any) -> questions.QuestionData:
    fields: dict[str, Any] = {"kind": Kind.SHORT_TEXT, "label": "Where do you live?"}
    fields.update(overrides)
    return questions.QuestionData(**fields)


@pytest.fixture
def actor() -> Actor:
    return Actor(user=UserFactory.create(is_superuser=True))


def three_questions(posting: Posting, actor: Actor) -> tuple[Question, Question, Question]:
    years = questions.add_question(
        posting=posting,
        data=data(
            kind=Kind.NUMBER,
            label="Years of experience with Python",
            required=True,
            category=Question.Category.EMPLOYMENT,
            knockout_below=Decimal(2),
        ),
        actor=actor,
    )
    permit = questions.add_question(
        posting=posting,
        data=data(
            kind=Kind.YES_NO,
            label="Can you work in Serbia?",
            required=True,
            knockout_answers=("no",),
        ),
        actor=actor,
    )
    languages = questions.add_question(
        posting=posting,
        data=data(
            kind=Kind.MULTIPLE_CHOICE,
            label="Languages you speak",
            choices=("English", "German", "Serbian"),
            category=Question.Category.EDUCATION,
        ),
        actor=actor,
    )
    return years, permit, languages


def answered(
    years: Question, permit: Question, languages: Question, **overrides: Any
) -> dict[str, Any]:
    posting = Posting.objects.get(pk=years.posting_id)
    fields: dict[str, Any] = {
        "questions_fingerprint": posting.questions_fingerprint,
        f"question_{years.pk}": "4,5",
        f"question_{permit.pk}": "yes",
        f"question_{languages.pk}": ["Serbian", "English"],
    }
    fields.update(overrides)
    return {key: value for key, value in fields.items() if value is not None}


# --- Versioning and the editor's services -------------------------------------------------


def test_questions_are_asked_in_order_and_the_posting_row_carries_their_fingerprint(
    posting: Posting, actor: Actor
) -> None:
    years, permit, languages = three_questions(posting, actor)
    posting.refresh_from_db()
    assert selectors.asked_by(posting) == [years, permit, languages]
    assert posting.questions_fingerprint == questions.fingerprint_of([years, permit, languages])
    assert (
        AccessEvent.objects.filter(
            action=AccessEvent.Action.CHANGE_QUESTIONS, posting_id=posting.pk
        ).count()
        == 3
    )


def test_an_unanswered_question_is_edited_in_place(posting: Posting, actor: Actor) -> None:
    question = questions.add_question(posting=posting, data=data(), actor=actor)
    edited = questions.edit_question(
        question=question, data=data(label="Which city do you live in?"), actor=actor
    )
    assert edited.pk == question.pk
    assert edited.version == 1
    assert Question.objects.get().label == "Which city do you live in?"


def test_editing_an_answered_question_makes_a_new_version_and_the_answer_keeps_the_old(
    client: Client, posting: Posting, actor: Actor
) -> None:
    years, permit, languages = three_questions(posting, actor)
    assert apply(client, posting, **answered(years, permit, languages)).status_code == 302

    newer = questions.edit_question(
        question=permit,
        data=data(kind=Kind.YES_NO, label="May you work in the EU?", required=True),
        actor=actor,
    )

    assert newer.pk != permit.pk
    assert (newer.lineage, newer.version, newer.position) == (
        permit.lineage,
        2,
        permit.position,
    )
    permit.refresh_from_db()
    assert permit.retired_at is not None
    assert permit.label == "Can you work in Serbia?"
    answer = Answer.objects.get(question__lineage=permit.lineage)
    assert answer.question_id == permit.pk
    assert answer.question.label == "Can you work in Serbia?"
    posting.refresh_from_db()
    assert selectors.asked_by(posting) == [years, newer, languages]


def test_removing_keeps_an_answered_version_and_deletes_an_unanswered_one(
    client: Client, posting: Posting, actor: Actor
) -> None:
    years, permit, languages = three_questions(posting, actor)
    apply(client, posting, **answered(years, permit, languages))
    spare = questions.add_question(posting=posting, data=data(), actor=actor)

    questions.remove_question(question=permit, actor=actor)
    questions.remove_question(question=spare, actor=actor)
    questions.remove_question(question=spare, actor=actor)  # rerun: nothing more

    permit.refresh_from_db()
    assert permit.retired_at is not None
    assert not Question.objects.filter(pk=spare.pk).exists()
    posting.refresh_from_db()
    assert selectors.asked_by(posting) == [years, languages]


def test_moving_a_question_changes_only_the_order(posting: Posting, actor: Actor) -> None:
    years, permit, languages = three_questions(posting, actor)
    questions.move_question(question=languages, offset=-1, actor=actor)
    questions.move_question(question=years, offset=-1, actor=actor)  # already first
    posting.refresh_from_db()
    assert [q.pk for q in selectors.asked_by(posting)] == [years.pk, languages.pk, permit.pk]
    assert Question.objects.filter(retired_at__isnull=False).count() == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"kind": Kind.SINGLE_CHOICE, "choices": ("Only one",)}, "at least two options"),
        ({"kind": Kind.SINGLE_CHOICE, "choices": ("A", "A")}, "only once"),
        ({"kind": Kind.YES_NO, "knockout_answers": ("maybe",)}, "one of the question"),
        ({"kind": Kind.SHORT_TEXT, "knockout_below": Decimal(1)}, "Only a number"),
        ({"label": "   "}, "Write the question"),
        (
            {"kind": Kind.NUMBER, "knockout_below": Decimal(5), "knockout_above": Decimal(1)},
            "cannot be above",
        ),
    ],
)
def test_an_invalid_question_is_refused_and_nothing_is_written(
    posting: Posting, actor: Actor, bad: dict[str, Any], message: str
) -> None:
    with pytest.raises(questions.QuestionRefused) as refused:
        questions.add_question(posting=posting, data=data(**bad), actor=actor)
    assert message in str(refused.value.message)
    assert not Question.objects.exists()
    posting.refresh_from_db()
    assert posting.questions_fingerprint == ""


def test_editing_a_retired_version_is_refused(posting: Posting, actor: Actor) -> None:
    question = questions.add_question(posting=posting, data=data(), actor=actor)
    Question.objects.filter(pk=question.pk).update(retired_at=timezone.now())
    with pytest.raises(questions.QuestionRefused):
        questions.edit_question(question=question, data=data(label="Changed"), actor=actor)
    assert Question.objects.get().label == "Where do you live?"


# --- Answers through the public form ------------------------------------------------------


def test_a_candidate_answers_three_questions_and_a_knock_out_only_flags(
    client: Client, posting: Posting, actor: Actor
) -> None:
    years, permit, languages = three_questions(posting, actor)
    page = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    html = page.content.decode()
    assert html.index("Years of experience") < html.index("Can you work") < html.index("Languages")

    response = apply(
        client, posting, **answered(years, permit, languages, **{f"question_{permit.pk}": "no"})
    )

    assert response.status_code == 302
    application = Application.objects.get()
    stored = {a.question_id: a for a in application.answers.all()}
    assert stored[years.pk].value == "4.5"
    assert stored[permit.pk].value is False
    assert stored[languages.pk].value == ["English", "Serbian"]  # the question's order
    assert [a.knocked_out for a in (stored[years.pk], stored[permit.pk])] == [False, True]
    # Flagged for review, and nothing decided by itself.
    assert Application.objects.filter(selectors.knockout_flag()).get() == application
    assert application.stage == Application.Stage.APPLIED
    assert application.events.count() == 1


@pytest.mark.parametrize(
    ("which", "value", "message"),
    [
        ("years", None, "This field is required."),
        ("years", "many", "Please enter a number"),
        ("years", "1.234", "at most two decimal places"),
        ("years", "1e400", "smaller number"),
        ("permit", "perhaps", "Select a valid choice"),
        ("languages", ["Klingon"], "Select a valid choice"),
    ],
)
def test_a_bad_answer_stores_nothing_and_says_what_to_fix(
    client: Client, posting: Posting, actor: Actor, which: str, value: Any, message: str
) -> None:
    years, permit, languages = three_questions(posting, actor)
    target = {"years": years, "permit": permit, "languages": languages}[which]
    fields = answered(years, permit, languages)
    fields.pop(f"question_{target.pk}")
    if value is not None:
        fields[f"question_{target.pk}"] = value

    response = apply(client, posting, **fields)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert nothing_stored()
    assert not Answer.objects.exists()


def test_a_too_long_text_answer_is_refused(client: Client, posting: Posting, actor: Actor) -> None:
    question = questions.add_question(posting=posting, data=data(required=True), actor=actor)
    posting.refresh_from_db()
    response = apply(
        client,
        posting,
        questions_fingerprint=posting.questions_fingerprint,
        **{f"question_{question.pk}": "x" * (rules.SHORT_TEXT_MAX + 1)},
    )
    assert response.status_code == 400
    assert nothing_stored()


def test_questions_changed_after_the_form_was_shown_store_nothing_and_show_the_new_ones(
    client: Client, posting: Posting, actor: Actor
) -> None:
    years, permit, languages = three_questions(posting, actor)
    shown = answered(years, permit, languages)
    questions.edit_question(
        question=permit,
        data=data(kind=Kind.YES_NO, label="Can you work in Croatia?", required=True),
        actor=actor,
    )

    response = apply(client, posting, **shown)

    assert response.status_code == 409
    page = response.content.decode()
    assert "questions of this position changed" in page
    assert "Can you work in Croatia?" in page
    assert nothing_stored()


def test_answers_against_questions_changed_during_the_upload_are_refused_by_the_gate(
    client: Client, posting: Posting, actor: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    years, permit, languages = three_questions(posting, actor)
    from recruitment.careers import services as careers

    real_store = careers._store

    def change_then_store(**kwargs: Any) -> Any:
        # A recruiter edits a question while the CV uploads.
        questions.edit_question(
            question=years,
            data=data(kind=Kind.NUMBER, label="Years with Django", required=True),
            actor=actor,
        )
        return real_store(**kwargs)

    monkeypatch.setattr(careers, "_store", change_then_store)
    response = apply(client, posting, **answered(years, permit, languages))
    assert response.status_code == 409
    assert nothing_stored()


def test_a_posting_without_questions_shows_none_and_stores_no_answers(
    client: Client, posting: Posting
) -> None:
    page = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    assert "Questions about this position" not in page.content.decode()
    assert apply(client, posting).status_code == 302
    assert Application.objects.count() == 1
    assert not Answer.objects.exists()


def test_the_form_names_the_categories_of_the_answers(
    client: Client, posting: Posting, actor: Actor
) -> None:
    three_questions(posting, actor)
    with translation.override("en"):
        page = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    html = page.content.decode()
    assert "CV and employment history" in html
    assert "Education and qualifications" in html


# --- The privacy notice and the P18 guard -------------------------------------------------


def test_the_notice_lists_the_categories_questions_collect(actor: Actor) -> None:
    version = privacy_texts.publish_notice(by=actor, effective_at=None, change_summary="Q")
    assert version.content["data_categories"] == list(Question.Category.values)
    english = version.texts["en"]
    for category in Question.Category:
        with translation.override("en"):
            assert str(category.label) in english
    assert not privacy_texts.notice_is_outdated(version)


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("What is your date of birth?", "birth"),
        ("How old are you?", "birth"),
        ("Please attach a recent photo", "photo"),
        ("Gender", "gender"),
        ("What is your nationality?", "nationality"),
        ("Do you have any disability or health condition?", "health"),
        ("Your national ID number", "national_id"),
        ("Are you married?", "family"),
        # Bosnian, Croatian, Serbian (Latin), with and without diacritics.
        ("Datum rođenja", "birth"),
        ("Datum rodjenja", "birth"),
        ("Koliko imate godina?", "birth"),
        ("Priložite fotografiju", "photo"),
        ("Spol", "gender"),
        ("Nacionalnost", "nationality"),
        ("Državljanstvo", "nationality"),
        ("Imate li zdravstvenih problema?", "health"),
        ("Unesite JMBG", "national_id"),
        ("OIB", "national_id"),
        ("Broj osobne iskaznice", "national_id"),
        ("Vjeroispovijest", "religion"),
        ("Bračno stanje", "family"),
        ("Imate li djece?", "family"),
        # Serbian Cyrillic.
        ("Датум рођења", "birth"),
        ("Ваш ЈМБГ", "national_id"),
        ("Пол", "gender"),
        ("Националност", "nationality"),
        ("Приложите фотографију", "photo"),
        ("Вероисповест", "religion"),
        ("Брачни статус", "family"),
    ],
)
def test_the_guard_finds_unlisted_categories_in_every_language(text: str, category: str) -> None:
    assert category in categories_asked([text])


@pytest.mark.parametrize(
    "text",
    [
        "Years of experience with Python",
        "Which programming languages do you use?",
        "Do you manage a team?",
        "Godine iskustva s Pythonom",
        "Која је ваша очекивана плата?",
        "Možete li raditi u Beogradu?",
        "Fakultet koji ste završili",
    ],
)
def test_the_guard_stays_quiet_for_ordinary_questions(text: str) -> None:
    assert categories_asked([text]) == []


def test_the_editor_form_reports_a_question_asking_for_a_photo_in_choices() -> None:
    form = QuestionForm(
        {
            "label": "How would you like to apply?",
            "kind": Kind.SINGLE_CHOICE,
            "choices": "CV only\nCV with photo",
            "category": "additional",
        }
    )
    assert form.is_valid(), form.errors
    assert form.sensitive_categories() == ["photo"]


def test_the_editor_form_reads_yes_no_knock_outs_in_the_local_languages() -> None:
    form = QuestionForm(
        {
            "label": "Vozačka dozvola?",
            "kind": Kind.YES_NO,
            "knockout_answers": "Ne",
            "category": "additional",
        }
    )
    assert form.is_valid(), form.errors
    assert form.question_data().knockout_answers == ("no",)
