"""The public pages in a real browser: no third parties, no extra cookies, accessible.

Accessibility is checked with the vendored axe-core (static/vendor/axe-core-*): every
control labelled, one h1 and no skipped heading levels, WCAG AA text contrast.
"""

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from pytest_django.live_server_helper import LiveServer

from recruitment.models import PortalToken, Posting
from recruitment.rights.services import portal_access
from tests.browser.conftest import (
    RequestLog,
    Responses,
    assert_accessible,
    axe_violations,
    screenshot,
)
from tests.harness.applying import apply_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ALLOWED_COOKIES = {"csrftoken", "sessionid"}


def cookie_names(context: BrowserContext) -> set[str]:
    return {cookie["name"] for cookie in context.cookies()}


def check_page(page: Page, name: str) -> None:
    # The site stylesheet applied (else the contrast check would test browser defaults).
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(244, 246, 249)"
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    assert_accessible(page)
    screenshot(page, name)


def test_public_and_portal_pages_load_nothing_foreign_set_no_extra_cookies_and_are_accessible(
    page: Page,
    context: BrowserContext,
    live_server: LiveServer,
    posting: Posting,
    requests_seen: RequestLog,
    failed_responses: Responses,
) -> None:
    application = apply_as(posting, "Accessible Person")
    pages = {
        "careers-list": "/careers/",
        "posting-detail": f"/careers/{posting.slug}/",
        "privacy-notice": "/privacy/notice/",
        "portal-request-link": "/privacy/",
    }
    for name, path in pages.items():
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        check_page(page, name)
        assert cookie_names(context) <= ALLOWED_COOKIES, f"{path} set {cookie_names(context)}"

    token = portal_access.issue_token(
        candidate=application.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    page.goto(f"{live_server.url}/privacy/access/{token}/")
    check_page(page, "portal-continue")
    page.get_by_role("button", name="Continue to my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your personal data")
    page.wait_for_load_state("networkidle")
    check_page(page, "portal-home")
    assert cookie_names(context) <= ALLOWED_COOKIES

    # Styles, scripts, images: every request went to this server and nowhere else.
    assert requests_seen.urls
    assert not failed_responses.failed
    foreign = requests_seen.foreign(live_server.url)
    assert not foreign, f"requests to other hosts: {foreign}"


def test_the_accessibility_check_catches_what_it_promises_to(
    page: Page, live_server: LiveServer
) -> None:
    """The checker itself: an unlabelled input, a skipped heading level and faint text fail."""
    page.goto(f"{live_server.url}/privacy/notice/")
    page.evaluate(
        """() => {
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend',
          '<input type="text" name="x"><h5>Too deep</h5><p style="color:#ccc">Faint text</p>');
    }"""
    )
    found = {violation["id"] for violation in axe_violations(page)}
    assert found == {"label", "heading-order", "color-contrast"}
