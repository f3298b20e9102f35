"""The pipeline board's per-card move control, in a real browser at the board's own column
width: readable in every language, usable with the keyboard, and without JavaScript."""

from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from recruitment.models import Application, Posting, TeamMembership
from tests.browser.conftest import screenshot, sign_in
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's

# For every card's menu: the width its selected stage needs (the same menu sized to its
# content, as a browser sizes a select with `width: auto`) against the width it has; and
# whether the Move button's label overflows it.
MEASURE = """() => Array.from(document.querySelectorAll("li.card form.move")).map((form) => {
  const select = form.querySelector("select");
  const natural = select.cloneNode(true);
  natural.removeAttribute("id");
  natural.style.width = "auto";
  natural.style.minWidth = "0";
  natural.style.maxWidth = "none";
  natural.style.flex = "none";
  natural.style.position = "absolute";
  natural.style.visibility = "hidden";
  form.appendChild(natural);
  const needed = natural.getBoundingClientRect().width;
  natural.remove();
  const button = form.querySelector("button");
  return {
    stage: select.selectedOptions[0].textContent,
    needed: needed,
    has: select.getBoundingClientRect().width,
    overflow: select.scrollWidth > select.clientWidth,
    buttonClipped: button.scrollWidth > button.clientWidth,
  };
})"""


def log_in(page: Page, live_server: LiveServer, user: Any) -> None:
    sign_in(page, live_server, user.username, PASSWORD)


def recruiter_on(posting: Posting) -> Any:
    user: Any = UserFactory.create()
    MembershipFactory.create(posting=posting, user=user, role=TeamMembership.Role.RECRUITER)
    return user


def test_every_cards_stage_menu_shows_whole_stage_names_at_the_default_column_width(
    page: Page, live_server: LiveServer, posting: Posting
) -> None:
    # One card in every column, so every stage name is some menu's selected one.
    for stage in Application.Stage.values:
        ApplicationFactory.create(posting=posting, stage=stage)
    log_in(page, live_server, recruiter_on(posting))
    board = f"{live_server.url}/staff/postings/{posting.pk}/pipeline/"

    for language, _name in settings.LANGUAGES:
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page.goto(board)
        expect(page.locator("html")).to_have_attribute("lang", language)
        menus = page.evaluate(MEASURE)

        assert len(menus) == len(Application.Stage.values)
        clipped = [m for m in menus if m["needed"] > m["has"] + 0.5 or m["overflow"]]
        assert not clipped, f"{language}: stage menus narrower than their text: {clipped}"
        assert not [m for m in menus if m["buttonClipped"]], f"{language}: Move clipped"
        if language == "en":
            screenshot(page, "staff-pipeline-move-controls")


def test_a_card_moves_with_the_keyboard_alone(
    page: Page, live_server: LiveServer, posting: Posting
) -> None:
    application = ApplicationFactory.create(posting=posting, candidate__full_name="Keya Board")
    log_in(page, live_server, recruiter_on(posting))
    page.goto(f"{live_server.url}/staff/postings/{posting.pk}/pipeline/")

    menu = page.get_by_label("Move Keya Board to")
    menu.focus()
    menu.select_option("interview")  # what arrow keys do on a focused menu
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Move")).to_be_focused()
    page.keyboard.press("Enter")

    interview = page.locator('ul.cards[data-stage="interview"]')
    expect(interview.locator("li.card", has_text="Keya Board")).to_be_visible()
    application.refresh_from_db()
    assert application.stage == Application.Stage.INTERVIEW


def test_a_card_moves_with_javascript_switched_off(
    browser: Browser, live_server: LiveServer, posting: Posting
) -> None:
    application = ApplicationFactory.create(posting=posting, candidate__full_name="Noa Script")
    context = browser.new_context(java_script_enabled=False, locale="en-GB")
    try:
        page = context.new_page()
        log_in(page, live_server, recruiter_on(posting))
        page.goto(f"{live_server.url}/staff/postings/{posting.pk}/pipeline/")

        page.get_by_label("Move Noa Script to").select_option("offer")
        page.get_by_role("button", name="Move").click()

        expect(page).to_have_url(f"{live_server.url}/staff/postings/{posting.pk}/pipeline/")
        offer = page.locator('ul.cards[data-stage="offer"]')
        expect(offer.locator("li.card", has_text="Noa Script")).to_be_visible()
    finally:
        context.close()
    application.refresh_from_db()
    assert application.stage == Application.Stage.OFFER
