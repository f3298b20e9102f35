"""Signing in with a password and a second factor, in Chromium, for every role (issue 17).

Each role signs in with password and authenticator code, then follows every link on every
page it can reach (the same world as tests/recruitment/workspace/test_homes_and_links.py):
each answers 200. A password alone shows no page and no candidate's name. A new account sets up
its authenticator app at first sign-in from the QR page's secret.
"""

from collections import deque
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.mfa.models import Authenticator
from django.urls import resolve
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import Error as PlaywrightError
from pytest_django.live_server_helper import LiveServer

from recruitment.accounts.codes import lasting_code
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.factories import UserFactory
from tests.recruitment.workspace.test_homes_and_links import DOWNLOADS, MAX_PAGES, build_world
from tests.signin import PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("staff_groups"),
]
REAUTHENTICATION = {"account_reauthenticate", "mfa_reauthenticate"}


def staff_links(page: Page, origin: str) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
    found = []
    for href in hrefs:
        target = urlsplit(href)
        if f"{target.scheme}://{target.netloc}" != origin or not target.path.startswith("/staff/"):
            continue
        found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def browse_everything(page: Page, origin: str) -> dict[str, tuple[int, str]]:
    """Every page reachable from the home by following links, with the status the browser
    got and the page that linked to it; downloads are not followed (they leave the site)."""
    seen: dict[str, tuple[int, str]] = {}
    queue: deque[tuple[str, str]] = deque([("/staff/", "(start)")])
    queued = {"/staff/"}
    while queue:
        path, origin_page = queue.popleft()
        assert len(seen) < MAX_PAGES
        if resolve(urlsplit(path).path).view_name in DOWNLOADS:
            continue
        try:
            response = page.goto(origin + path)
        except PlaywrightError as error:  # a file (the audit log's CSV): fetched, not shown
            assert "Download is starting" in str(error), error
            seen[path] = (page.context.request.get(origin + path).status, origin_page)
            continue
        assert response is not None
        landed = urlsplit(page.url).path
        # Changing a second factor asks for the password or code again first: that works.
        if resolve(landed).url_name in REAUTHENTICATION:
            seen[path] = (response.status, origin_page)
            continue
        assert "/staff/login/" not in page.url, f"{path} signed the person out"
        seen[path] = (response.status, origin_page)
        if response.status != 200:
            continue
        for link in staff_links(page, origin):
            if link not in queued:
                queued.add(link)
                queue.append((link, path))
    return seen


@pytest.mark.parametrize(
    "role", ["admin", "privacy_officer", "recruiter", "hiring_manager", "interviewer"]
)
def test_each_role_signs_in_with_a_code_and_every_link_it_reaches_works(
    page: Page, live_server: LiveServer, role: str
) -> None:
    world = build_world()
    user: Any = world.users[role]

    sign_in(page, live_server, user.username, PASSWORD)
    pages = browse_everything(page, live_server.url)

    broken = {path: found for path, found in pages.items() if found[0] != 200}
    assert not broken, f"{role}: links that do not answer 200 (status, from): {broken}"
    assert len(pages) > 3


def test_a_password_alone_shows_no_candidate_data(page: Page, live_server: LiveServer) -> None:
    world = build_world()
    admin: Any = world.users["admin"]
    name = world.assigned.candidate.full_name

    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_label("Code")).to_be_visible()
    screenshot(page, "staff-second-factor")
    assert_accessible(page)

    for path in (
        "/staff/",
        f"/staff/postings/{world.posting.pk}/pipeline/",
        f"/staff/applications/{world.assigned.pk}/",
        "/staff/requests/",
        "/admin/recruitment/application/",
    ):
        page.goto(live_server.url + path)
        expect(page.get_by_label("Code")).to_be_visible()
        assert name not in page.content()


def test_a_new_account_sets_up_its_app_at_first_sign_in(
    page: Page, live_server: LiveServer
) -> None:
    user: Any = UserFactory.create(second_factor=False)

    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # The setup page: a QR code, and the secret as text for those who cannot scan
    expect(page.get_by_role("heading", name="Set up your authenticator app")).to_be_visible()
    expect(page.locator(".totp-qr svg")).to_be_visible()
    secret = page.locator("#authenticator_secret").inner_text().strip()
    screenshot(page, "staff-second-factor-setup")
    assert_accessible(page)
    page.get_by_label("Authenticator code").fill(lasting_code(secret))
    page.get_by_role("button", name="Activate").click()

    # Recovery codes, shown once; then the workspace opens
    expect(page.get_by_role("heading", name="Recovery Codes")).to_be_visible()
    codes = page.locator("#recovery_codes").input_value().split()
    assert len(codes) == 10
    page.goto(f"{live_server.url}/staff/")
    expect(page.get_by_role("link", name="Security")).to_be_visible()


def test_a_security_key_is_a_second_factor_where_the_browser_has_webauthn(
    browser: Browser, live_server: LiveServer
) -> None:
    # Given Chromium with a (virtual) security key, under the pages' real CSP (the shared
    # context bypasses it to inject axe-core), and a new account
    context = browser.new_context(locale="en-GB")
    context.set_default_timeout(10_000)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    user: Any = UserFactory.create(second_factor=False)
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # When they choose a security key instead of an app at their first sign-in
    page.get_by_role("link", name="Add it here").click()
    page.get_by_label("Name").fill("Desk key")
    page.get_by_role("button", name="Add").click()
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).exists()

    # Then, signed out and in again, the key is the second factor
    page.goto(f"{live_server.url}/staff/")
    page.get_by_role("button", name=f"Log out {user.username}").click()
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("button", name="Use a security key").click()
    page.wait_for_url("**/staff/2fa/trust/")
    page.get_by_role("button", name="Don't Trust").click()
    expect(page.get_by_role("link", name="Security")).to_be_visible()

    # And the security page lists it, where it can be removed
    page.get_by_role("link", name="Security").click()
    expect(page.get_by_text("You have added 1 security key.")).to_be_visible()
    screenshot(page, "staff-security")
    context.close()
