"""A candidate in a real browser: applies with a PDF, then uses the privacy portal."""

import io
import json
import zipfile
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from recruitment.models import (
    Application,
    Candidate,
    DataExport,
    PortalToken,
    Posting,
    RetentionConsent,
)
from recruitment.rights.services import exports, portal_access
from tests.browser.conftest import screenshot
from tests.harness.applying import apply_as, pdf_naming

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_candidate_finds_a_posting_and_applies_with_a_pdf(
    page: Page, live_server: LiveServer, posting: Posting, tmp_path: Path
) -> None:
    cv = tmp_path / "Ana Kovač CV.pdf"
    cv.write_bytes(pdf_naming("Ana Kovač"))

    page.goto(f"{live_server.url}/careers/")
    screenshot(page, "careers-list")
    page.get_by_role("link", name=posting.title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(posting.title)
    screenshot(page, "posting-detail")

    page.get_by_label("Full name").fill("Ana Kovač")
    page.get_by_label("Email").fill("ana.kovac@example.com")
    page.get_by_label("Phone (optional)").fill("+381 60 1234567")
    page.locator("#id_cv").set_input_files(str(cv))
    page.get_by_label("Cover letter (optional)").fill("I build Django services.")
    page.locator("#id_privacy_acknowledged").check()
    page.locator("#id_age_attested").check()
    page.get_by_role("button", name="Submit application").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Thank you, your application has been received."
    )
    assert page.url == f"{live_server.url}/careers/{posting.slug}/applied/"
    screenshot(page, "applied")
    application = Application.objects.get(posting=posting)
    assert application.candidate.full_name == "Ana Kovač"
    assert application.candidate.email == "ana.kovac@example.com"
    cv_row = application.cvs.get()
    assert cv_row.content_type == "application/pdf"
    assert cv_row.size == cv.stat().st_size


def test_a_candidate_downloads_their_data_and_withdraws_consent_in_the_portal(
    page: Page, live_server: LiveServer, posting: Posting
) -> None:
    application = apply_as(posting, "Portal Browser", consent=True)
    candidate = application.candidate
    token = portal_access.issue_token(candidate=candidate, purpose=PortalToken.Purpose.ACCESS)

    page.goto(f"{live_server.url}/privacy/access/{token}/")
    assert token not in page.url  # the token leaves the address bar
    screenshot(page, "portal-continue")
    page.get_by_role("button", name="Continue to my data").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your personal data")
    expect(page.get_by_text(candidate.email)).to_be_visible()
    screenshot(page, "portal-home")

    page.get_by_role("button", name="Prepare my download").click()
    expect(page.locator("#download li")).to_contain_text("being prepared")
    export = DataExport.objects.get(candidate=candidate)
    # The Celery task's body, run here: the browser part is what this test is about.
    exports.build_export(export_id=export.pk)
    page.reload()
    with page.expect_download() as download_info:
        page.locator("#download").get_by_role("link", name="Download").click()
    download = download_info.value
    path = download.path()
    with zipfile.ZipFile(io.BytesIO(Path(path).read_bytes())) as archive:
        assert "data.json" in archive.namelist()
        data = json.loads(archive.read("data.json"))
    assert candidate.email in json.dumps(data)

    page.get_by_role("button", name="Withdraw my consent").click()
    expect(page.locator("#consent")).to_contain_text("You have not given (or have withdrawn)")
    consent = RetentionConsent.objects.get(candidate=candidate)
    assert consent.withdrawn_at is not None
    assert Candidate.objects.filter(pk=candidate.pk).exists()
