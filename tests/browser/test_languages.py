"""A candidate whose browser speaks Serbian applies in Serbian, then switches languages."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from notifications.models import OutboundEmail
from recruitment.models import Application, Posting
from tests.browser.conftest import screenshot
from tests.harness.applying import pdf_naming
from tests.test_translations import CYRILLIC

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def said_in(code: str, text: str) -> str:
    with translation.override(code):
        return gettext(text)


@pytest.fixture
def serbian_page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="sr-RS")  # Accept-Language: sr-RS
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def test_a_serbian_browser_gets_the_flow_and_the_email_in_serbian_and_can_switch(
    serbian_page: Page, live_server: LiveServer, posting: Posting, tmp_path: Path
) -> None:
    page = serbian_page
    cv = tmp_path / "Jovana CV.pdf"
    cv.write_bytes(pdf_naming("Jovana Jovanović"))

    page.goto(f"{live_server.url}/careers/{posting.slug}/")
    assert page.locator("html").get_attribute("lang") == "sr"
    expect(
        page.get_by_role("heading", name=said_in("sr", "Apply for this position"))
    ).to_be_visible()
    screenshot(page, "posting-detail-sr")

    page.get_by_label(said_in("sr", "Full name")).fill("Јована Јовановић")
    page.get_by_label(said_in("sr", "Email")).fill("jovana@example.com")
    page.locator("#id_cv").set_input_files(str(cv))
    page.locator("#id_privacy_acknowledged").check()
    page.locator("#id_age_attested").check()
    page.get_by_role("button", name=said_in("sr", "Submit application")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        said_in("sr", "Thank you, your application has been received.")
    )

    application = Application.objects.get(posting=posting)
    assert application.language == "sr"
    email = OutboundEmail.objects.get(template="careers/emails/application_received")
    assert email.language == "sr"
    assert CYRILLIC.search(email.subject) and CYRILLIC.search(email.body_text)

    # The switcher: Bosnian, remembered on the next page, then English.
    page.get_by_role("button", name="Bosanski").click()
    assert page.locator("html").get_attribute("lang") == "bs"
    expect(page.get_by_role("heading", level=1)).to_have_text(
        said_in("bs", "Thank you, your application has been received.")
    )
    page.goto(f"{live_server.url}/privacy/notice/")
    assert page.locator("html").get_attribute("lang") == "bs"
    screenshot(page, "privacy-notice-bs")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Privacy notice for applicants")
