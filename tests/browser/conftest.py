"""Browser tests: Playwright drives Debian's Chromium against pytest-django's `live_server`.

The browser is the system one (`/usr/bin/chromium`, installed by `make test`); Playwright's
own browser downloads are never used. A fresh browser (no cookies, no cache) per test.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.db import connections
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

CHROMIUM = os.environ.get("ATS_TEST_CHROMIUM", "/usr/bin/chromium")
BASE_DIR = Path(__file__).resolve().parents[2]
SCREENSHOTS = BASE_DIR / "test-artifacts" / "screenshots"
AXE = BASE_DIR / "static" / "vendor" / "axe-core-4.14.1" / "axe.min.js"
# The checks the suite promises: every control labelled, headings in order with one h1,
# and text contrast at WCAG AA.
AXE_RULES = ["label", "heading-order", "page-has-heading-one", "color-contrast"]
ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    """Playwright's sync API runs an event loop in this thread, so Django would refuse the
    plain synchronous ORM calls the tests make between browser steps. Allowed only while a
    browser test runs: set for the whole process, it would leak into other tests'
    subprocesses (`check --deploy` rightly refuses it)."""
    if item.get_closest_marker("browser") is None:  # the hook sees every test
        return (yield)
    previous = os.environ.get(ASYNC_UNSAFE)
    os.environ[ASYNC_UNSAFE] = "true"
    try:
        return (yield)
    finally:
        if previous is None:
            os.environ.pop(ASYNC_UNSAFE, None)
        else:
            os.environ[ASYNC_UNSAFE] = previous


def _chromium() -> str:
    """The system Chromium. Never skipped: `make test` installs it (Makefile system-packages)."""
    found = shutil.which(CHROMIUM)
    if not found:
        pytest.fail(
            f"{CHROMIUM} is missing: run `make system-packages` (apt-get install chromium)",
            pytrace=False,
        )
    return found


def _app_serves_static(handler: Any) -> Any:
    return handler


@pytest.fixture(scope="session")
def live_server(request: pytest.FixtureRequest) -> Iterator[LiveServer]:
    """pytest-django's live server, but static files come from the app itself.

    pytest-django's server answers /static/ with the finders, which know no hashed names
    (the manifest storage's `site.<hash>.css`): every page would load unstyled, and the
    contrast checks would test the browser's defaults. Here WhiteNoise serves what
    collectstatic wrote (`make test` runs it), as in production.
    """
    addr = (
        request.config.getvalue("liveserver")
        or os.environ.get("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    server = LiveServer(addr, start=False)
    server.thread.static_handler = _app_serves_static  # type: ignore[assignment]  # any WSGI wrapper
    server.start()
    yield server
    server.stop()


# Per test, not per session: while Playwright's sync API is running, this thread has a
# running event loop, and every later test in the same worker would hit Django's
# SynchronousOnlyOperation. A Chromium launch costs well under a second.
@pytest.fixture
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as running:
        try:
            yield running
        finally:
            _close_connections_opened_under_the_event_loop()


def _close_connections_opened_under_the_event_loop() -> None:
    """Closes the database connections the test opened while Playwright's loop was running.

    Django keeps connections in an asgiref `Local`, which, in a thread with a running event
    loop, stores them in a context variable instead of the plain thread-local it uses
    otherwise. So the ORM calls a browser test makes get a connection of their own, which
    pytest-django's teardown (run after the loop has stopped) never sees: it stayed open,
    idle, to the end of the session, and dropping the test database then failed with
    "being accessed by other users". Called before `sync_playwright()` exits, while the loop
    still runs, `close_all()` reaches exactly those connections.
    """
    connections.close_all()


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    executable = _chromium()
    launched = playwright.chromium.launch(executable_path=executable, headless=True)
    yield launched
    launched.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    # bypass_csp only so that the vendored axe-core can be injected as an inline script;
    # the pages' own scripts and requests are unchanged.
    ctx = browser.new_context(bypass_csp=True, locale="en-GB", accept_downloads=True)
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


def screenshot(page: Page, name: str) -> None:
    """A full-page screenshot kept as a test artefact (test-artifacts/screenshots/)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """Runs the vendored axe-core on the page with AXE_RULES; returns the violations."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result: dict[str, Any] = page.evaluate(
        "rules => axe.run(document, {runOnly: {type: 'rule', values: rules},"
        " resultTypes: ['violations']})",
        AXE_RULES,
    )
    return list(result["violations"])


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']}: {node['target']} {node.get('failureSummary', '')}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert not violations, f"accessibility violations on {page.url}:\n{describe(violations)}"


class RequestLog:
    """Every URL the page requested (documents, styles, scripts, images, fetches)."""

    def __init__(self, page: Page) -> None:
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def foreign(self, *allowed_origins: str) -> list[str]:
        allowed = {urlsplit(origin).netloc for origin in allowed_origins}
        return [
            url
            for url in self.urls
            if urlsplit(url).scheme not in {"data", "blob", "about"}
            and urlsplit(url).netloc not in allowed
        ]


@pytest.fixture
def requests_seen(page: Page) -> RequestLog:
    return RequestLog(page)


class Responses:
    """Every response the page received, to catch a stylesheet or script that failed."""

    def __init__(self, page: Page) -> None:
        self.failed: list[str] = []
        page.on(
            "response",
            lambda response: (
                self.failed.append(f"{response.status} {response.url}")
                if response.status >= 400
                else None
            ),
        )


@pytest.fixture
def failed_responses(page: Page) -> Responses:
    return Responses(page)


def sign_in(page: Page, live_server: LiveServer, username: str, password: str) -> None:
    """Signs in as a person does: username and password, then the code of their
    authenticator app (the factories' TEST_TOTP_SECRET), not trusting the browser."""
    from django.core.cache import cache

    from recruitment.accounts.codes import lasting_code
    from tests.factories import TEST_TOTP_SECRET

    cache.clear()  # one code per 30 seconds per person: a test signing in twice would replay it
    page.goto(f"{live_server.url}/staff/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/staff/2fa/authenticate/")
    page.get_by_label("Code").fill(lasting_code(TEST_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/staff/2fa/trust/")
    page.get_by_role("button", name="Don't Trust").click()
    page.wait_for_url(lambda url: "/staff/2fa/" not in url and "/staff/login/" not in url)


# What the data migrations 0003, 0013 and 0023 give the staff groups. A browser test's
# database is flushed between tests (the live server needs committed data), which removes
# them.
STAFF_GROUPS = {
    "Recruiters": ["add_posting", "add_source", "change_source", "view_source"],
    "Privacy officers": ["view_accessevent", "act_as_privacy_officer"],
}


@pytest.fixture
def staff_groups(transactional_db: None) -> None:
    """The staff groups, as the migrations made them (a test keeps the two lists equal)."""
    from django.contrib.auth.models import Group, Permission

    for name, codenames in STAFF_GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(
            Permission.objects.filter(content_type__app_label="recruitment", codename__in=codenames)
        )
