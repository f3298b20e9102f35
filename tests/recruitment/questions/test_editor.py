"""The question editor on a posting, answers on the application page and the board, and
answers staff record with an application received elsewhere."""

from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import translation

from recruitment.access import Actor
from recruitment.models import Answer, Application, Posting, Question, TeamMembership
from recruitment.questions import services as questions
from tests.factories import MembershipFactory, PostingFactory
from tests.harness.applying import apply
from tests.hostile.pdf import valid_pdf

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
Kind = Question.Kind


def signed_in(posting: Posting, role: str) -> Client:
    user = MembershipFactory.create(posting=posting, role=role).user
    if role == Role.RECRUITER:
        user.groups.add(Group.objects.get(name="Recruiters"))
    client = Client()
    client.force_login(user)
    return client


def questions_url(posting: Posting) -> str:
    return reverse("staff:posting_questions", kwargs={"pk": posting.pk})


def new_question(**overrides: Any) -> dict[str, str]:
    fields = {"label": "Your notice period in weeks", "kind": Kind.NUMBER, "category": "employment"}
    fields.update(overrides)
    return fields


def test_a_recruiter_adds_a_question_that_appears_on_the_public_form(
    client: Client, posting: Posting
) -> None:
    recruiter = signed_in(posting, Role.RECRUITER)
    response = recruiter.post(questions_url(posting), new_question(required="on"))
    assert response.status_code == 302
    question = Question.objects.get()
    assert (question.kind, question.required, question.category) == (
        Kind.NUMBER,
        True,
        "employment",
    )
    assert "Your notice period in weeks" in recruiter.get(questions_url(posting)).content.decode()
    page = client.get(reverse("careers:posting_detail", kwargs={"slug": posting.slug}))
    assert "Your notice period in weeks" in page.content.decode()


@pytest.mark.parametrize(
    ("language", "label", "expected"),
    [
        ("en", "What is your date of birth?", "date of birth or age"),
        ("bs", "Datum rođenja", "Čini se da ovo pitanje traži datum rođenja ili dob."),
        ("hr", "Priložite fotografiju", "Čini se da ovo pitanje traži fotografiju."),
        ("sr-latn", "Unesite JMBG", "Čini se da ovo pitanje traži matični broj (npr. JMBG)"),
        ("sr", "Пол", "Чини се да ово питање тражи пол."),
    ],
)
def test_a_question_asking_for_unlisted_data_is_saved_with_a_plain_warning(
    posting: Posting, language: str, label: str, expected: str
) -> None:
    recruiter = signed_in(posting, Role.RECRUITER)
    with translation.override(language):
        response = recruiter.post(
            questions_url(posting),
            new_question(label=label, kind=Kind.SHORT_TEXT, category="additional"),
            follow=True,
            HTTP_ACCEPT_LANGUAGE=language,
        )
    assert response.status_code == 200
    assert Question.objects.filter(label=label).exists()  # warned, not blocked
    page = response.content.decode()
    assert 'class="alert alert-warning"' in page
    assert expected.lower() in page.lower()


@pytest.mark.parametrize("role", [Role.INTERVIEWER, Role.HIRING_MANAGER])
def test_interviewers_and_hiring_managers_cannot_change_questions(
    posting: Posting, role: str
) -> None:
    member = signed_in(posting, role)
    assert member.post(questions_url(posting), new_question()).status_code == 403
    assert not Question.objects.exists()


def test_another_postings_recruiter_gets_404(posting: Posting) -> None:
    other = signed_in(PostingFactory.create(), Role.RECRUITER)
    assert other.get(questions_url(posting)).status_code == 404
    assert other.post(questions_url(posting), new_question()).status_code == 404
    assert not Question.objects.exists()


def test_an_invalid_question_from_the_editor_changes_nothing(posting: Posting) -> None:
    recruiter = signed_in(posting, Role.RECRUITER)
    response = recruiter.post(
        questions_url(posting),
        new_question(kind=Kind.SINGLE_CHOICE, choices="Only one", label="Pick"),
    )
    assert response.status_code == 400
    assert "at least two options" in response.content.decode()
    assert not Question.objects.exists()


def test_editing_an_answered_question_in_the_editor_keeps_the_answer_on_the_old_text(
    client: Client, posting: Posting
) -> None:
    recruiter = signed_in(posting, Role.RECRUITER)
    recruiter.post(questions_url(posting), new_question(kind=Kind.SHORT_TEXT, label="Where?"))
    question = Question.objects.get()
    posting.refresh_from_db()
    apply(
        client,
        posting,
        questions_fingerprint=posting.questions_fingerprint,
        **{f"question_{question.pk}": "Sarajevo"},
    )
    edit_url = reverse(
        "staff:posting_question_edit", kwargs={"pk": posting.pk, "question_id": question.pk}
    )
    assert "Candidates have answered" in recruiter.get(edit_url).content.decode()
    response = recruiter.post(edit_url, new_question(kind=Kind.SHORT_TEXT, label="In which city?"))
    assert response.status_code == 302
    assert Question.objects.count() == 2
    answer = Answer.objects.select_related("question").get()
    assert answer.question.label == "Where?"
    page = recruiter.get(reverse("staff:application", kwargs={"pk": answer.application_id}))
    html = page.content.decode()
    assert "Where?" in html
    assert "Sarajevo" in html
    assert "the question has changed since" in html


def test_a_knock_out_answer_flags_the_card_and_the_page_and_decides_nothing(
    client: Client, posting: Posting
) -> None:
    recruiter = signed_in(posting, Role.RECRUITER)
    recruiter.post(
        questions_url(posting),
        new_question(
            kind=Kind.YES_NO, label="Do you hold a driving licence?", knockout_answers="no"
        ),
    )
    question = Question.objects.get()
    posting.refresh_from_db()
    for email, answer in (("flagged@example.com", "no"), ("fine@example.com", "yes")):
        apply(
            client,
            posting,
            email=email,
            questions_fingerprint=posting.questions_fingerprint,
            **{f"question_{question.pk}": answer},
        )
    flagged = Application.objects.get(candidate__email="flagged@example.com")
    assert flagged.stage == Application.Stage.APPLIED

    board = recruiter.get(reverse("staff:pipeline", kwargs={"pk": posting.pk}))
    assert board.content.decode().count('class="badge review"') == 1
    only_flagged = recruiter.get(
        reverse("staff:pipeline", kwargs={"pk": posting.pk}) + "?review=1"
    ).content.decode()
    assert str(flagged.pk) in only_flagged
    fine = Application.objects.get(candidate__email="fine@example.com")
    assert str(fine.pk) not in only_flagged
    page = recruiter.get(reverse("staff:application", kwargs={"pk": flagged.pk})).content.decode()
    assert "Nothing was rejected or moved automatically" in page


def test_staff_record_an_application_with_its_answers(posting: Posting) -> None:
    recruiter = signed_in(posting, Role.RECRUITER)
    question = questions.add_question(
        posting=posting,
        data=questions.QuestionData(
            kind=Kind.SINGLE_CHOICE, label="Shift", choices=("Day", "Night"), required=True
        ),
        actor=Actor(user=posting.memberships.get().user),
    )
    posting.refresh_from_db()
    url = reverse("staff:application_record", kwargs={"pk": posting.pk})
    form = {
        "full_name": "Lejla Hadžić",
        "email": "lejla@example.com",
        "source": "job-fair",
        "language": "bs",
        "questions_fingerprint": posting.questions_fingerprint,
    }
    missing = recruiter.post(url, {**form, "cv": SimpleUploadedFile("cv.pdf", valid_pdf())})
    assert missing.status_code == 400
    assert not Application.objects.exists()

    response = recruiter.post(
        url,
        {
            **form,
            f"question_{question.pk}": "Night",
            "cv": SimpleUploadedFile("cv.pdf", valid_pdf()),
        },
    )
    assert response.status_code == 302
    assert Answer.objects.get().value == "Night"
