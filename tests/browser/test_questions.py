"""A candidate answers a posting's three questions in a real browser (issue 20)."""

from decimal import Decimal
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from recruitment.access import Actor
from recruitment.models import Application, Posting, Question
from recruitment.questions import services as questions
from tests.browser.conftest import assert_accessible, screenshot
from tests.factories import UserFactory
from tests.harness.applying import pdf_naming

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Kind = Question.Kind


def test_a_candidate_answers_three_questions_on_the_careers_page(
    page: Page, live_server: LiveServer, posting: Posting, tmp_path: Path
) -> None:
    actor = Actor(user=UserFactory.create(is_superuser=True))
    for data in (
        questions.QuestionData(
            kind=Kind.NUMBER,
            label="Years of experience with Python",
            required=True,
            knockout_below=Decimal(2),
        ),
        questions.QuestionData(kind=Kind.YES_NO, label="Can you work in Belgrade?", required=True),
        questions.QuestionData(
            kind=Kind.MULTIPLE_CHOICE,
            label="Tools you have used",
            choices=("Django", "Celery", "Redis"),
        ),
    ):
        questions.add_question(posting=posting, data=data, actor=actor)
    cv = tmp_path / "Maja CV.pdf"
    cv.write_bytes(pdf_naming("Maja Ilić"))

    page.goto(f"{live_server.url}/careers/{posting.slug}/")
    expect(page.get_by_role("heading", name="Questions about this position")).to_be_visible()
    page.get_by_label("Full name").fill("Maja Ilić")
    page.get_by_label("Email").fill("maja.ilic@example.com")
    page.locator("#id_cv").set_input_files(str(cv))
    page.get_by_label("Years of experience with Python").fill("1,5")
    page.get_by_role("group", name="Can you work in Belgrade?").get_by_label("Yes").check()
    tools = page.get_by_role("group", name="Tools you have used")
    tools.get_by_label("Django").check()
    tools.get_by_label("Redis").check()
    page.locator("#id_privacy_acknowledged").check()
    page.locator("#id_age_attested").check()
    assert_accessible(page)
    screenshot(page, "posting-with-questions")
    page.get_by_role("button", name="Submit application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your application has been received."
    )
    application = Application.objects.get(posting=posting)
    values = {a.question.label: (a.value, a.knocked_out) for a in application.answers.all()}
    assert values == {
        "Years of experience with Python": ("1.5", True),
        "Can you work in Belgrade?": (True, False),
        "Tools you have used": (["Django", "Redis"], False),
    }
    assert application.stage == Application.Stage.APPLIED
