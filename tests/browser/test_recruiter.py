"""A recruiter in a real browser: from the board to the concluded process, then the purge."""

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from notifications.models import OutboundEmail
from recruitment.cvs import storage
from recruitment.models import Application, Candidate, Posting, TeamMembership
from recruitment.retention.services import purge
from tests.browser.conftest import RequestLog, Responses, screenshot, sign_in
from tests.factories import MembershipFactory, UserFactory
from tests.harness.applying import apply_as, pdf_naming

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def drag_card(page: Page, name: str, to_stage: str) -> bool:
    """Drags the card onto the next column (SortableJS posts the move with htmx); if the
    drag did not register, uses the card's own keyboard-friendly form instead."""
    card = page.locator("li.card", has_text=name)
    target = page.locator(f'ul.cards[data-stage="{to_stage}"]')
    dragged = True
    try:
        with page.expect_response(lambda r: "/move/" in r.url, timeout=5_000):
            card.drag_to(target)
    except PlaywrightError:
        dragged = False
        card.get_by_label(f"Move {name} to").select_option(to_stage)
        card.get_by_role("button", name="Move").click()
    expect(target.locator("li.card", has_text=name)).to_be_visible()
    return dragged


def test_a_recruiter_decides_concludes_and_the_candidate_is_erased(
    page: Page,
    live_server: LiveServer,
    posting: Posting,
    requests_seen: RequestLog,
    failed_responses: Responses,
    tmp_path: Path,
) -> None:
    user: Any = UserFactory.create(username="rita.recruiter")
    MembershipFactory.create(posting=posting, user=user, role=TeamMembership.Role.RECRUITER)
    application = apply_as(posting, "Dragan Dropović")
    name = application.candidate.full_name
    cv = application.cvs.get()

    sign_in(page, live_server, user.username, PASSWORD)

    page.goto(f"{live_server.url}/staff/postings/{posting.pk}/pipeline/")
    expect(page.locator('ul.cards[data-stage="applied"] li.card', has_text=name)).to_be_visible()
    screenshot(page, "staff-pipeline")
    dragged = drag_card(page, name, "screening")
    print(f"moved by {'drag and drop' if dragged else 'the per-card form'}")
    application.refresh_from_db()
    assert application.stage == Application.Stage.SCREENING

    page.get_by_role("link", name=name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(name)
    screenshot(page, "staff-application")

    # The CV link redirects to a 60-second presigned link on the object store.
    with page.expect_download() as download_info:
        page.get_by_role("link", name=cv.original_filename).click()
    download = download_info.value
    assert download.url.startswith(settings.S3_PUBLIC_ENDPOINT_URL)
    assert download.suggested_filename == cv.original_filename
    saved = tmp_path / "cv.pdf"
    download.save_as(saved)
    assert saved.read_bytes().startswith(b"%PDF-")
    assert saved.read_bytes() == pdf_naming(name)  # the very file the candidate uploaded

    page.get_by_role("textbox", name="Note").fill("Strong on SQL; weaker on frontend work.")
    page.get_by_role("button", name="Add note").click()
    expect(page.get_by_text("Strong on SQL; weaker on frontend work.")).to_be_visible()

    page.get_by_label("Move to").select_option("unsuccessful")
    page.get_by_label("Reason (kept with the application)").fill("Another candidate fit better.")
    page.get_by_role("button", name="Save stage").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Unsuccessful")

    page.goto(f"{live_server.url}/staff/postings/{posting.pk}/conclude/")
    page.get_by_label("I understand that concluding is final").check()
    page.get_by_role("button", name="Conclude the process").click()
    expect(page.get_by_role("status").filter(has_text="Concluded on")).to_be_visible()
    screenshot(page, "staff-concluded")
    posting.refresh_from_db()
    assert posting.concluded_at is not None

    # The browser spoke only to the app and, for the CV, to the object store.
    assert not failed_responses.failed
    assert not requests_seen.foreign(live_server.url, settings.S3_PUBLIC_ENDPOINT_URL)

    OutboundEmail.objects.all().delete()  # the notices are out; the purge need not wait
    report = purge.sweep(now=timezone.now() + timedelta(days=2))
    assert report.erased == 1
    assert not Candidate.objects.filter(pk=application.candidate_id).exists()
    assert cv.storage_key not in {key for key, _ in storage.iter_cv_objects()}
