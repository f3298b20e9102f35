"""Messages in a real browser: a recruiter writes to a candidate who applied in Serbian with the
built-in template "We would like to talk", previews it in Serbian and sends it; the email
arrives in Serbian through the real SMTP peer; the candidate opens the portal link from that
email, reads the message and answers; the recruiter sees the answer in the thread."""

import re
import uuid
from email.header import decode_header, make_header
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from recruitment.models import CandidateMessage, Posting, TeamMembership
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import Mailbox
from tests.factories import MembershipFactory, UserFactory
from tests.harness.applying import apply_as
from tests.harness.evidence import deliver_all_emails, text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
PORTAL_LINK = re.compile(r"https?://\S+?(/privacy/access/[^\s/]+/)")
SERBIAN = "sr-latn"


def in_serbian(text: str) -> str:
    with translation.override(SERBIAN):
        return gettext(text)


def test_a_templated_message_in_serbian_reaches_the_candidate_who_answers_in_the_portal(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    posting: Posting,
    smtp_mailbox: Mailbox,
) -> None:
    # An ASCII surname, unique per run: apply_as makes the address from the name, and the
    # SMTP peer's mailbox outlives the test.
    application = apply_as(posting, f"Milena Simic{uuid.uuid4().hex[:6]}", language=SERBIAN)
    user: Any = UserFactory.create(username="rita.messages")
    MembershipFactory.create(posting=posting, user=user, role=TeamMembership.Role.RECRUITER)

    # The recruiter picks the built-in template; its Serbian text fills the form.
    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server.url}/staff/applications/{application.pk}/")
    page.get_by_role("link", name="Write to the candidate").click()
    page.get_by_label("Start from a template").select_option(label="We would like to talk")
    page.get_by_role("button", name="Use this template").click()
    expect(page.get_by_label("Subject")).to_have_value(
        "{posting_title}: želeli bismo da razgovaramo sa vama"
    )
    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#h-preview").locator("..")
    expect(preview).to_contain_text(f"{posting.title}: želeli bismo da razgovaramo sa vama")
    expect(preview).to_contain_text("Poštovani/a Milena,")
    expect(preview).to_contain_text("Želeli bismo da razgovaramo sa vama o ovoj poziciji.")
    assert not CandidateMessage.objects.exists()  # a preview sends nothing
    assert_accessible(page)
    screenshot(page, "staff-message-preview-serbian")
    page.get_by_role("button", name="Send", exact=True).click()
    expect(page.get_by_text("Message queued for the candidate.")).to_be_visible()

    # Through the real SMTP peer, in Serbian, with a one-time link to the portal.
    deliver_all_emails()
    [email] = [
        message
        for message in smtp_mailbox.wait_for(application.candidate.email, count=2)
        if "razgovaramo" in str(make_header(decode_header(message["Subject"])))
    ]
    subject = str(make_header(decode_header(email["Subject"])))
    assert subject == f"{posting.title}: želeli bismo da razgovaramo sa vama"
    body = text_of(email)
    assert "Poštovani/a Milena," in body
    assert "Srdačan pozdrav," in body
    footer = in_serbian(
        "To answer, write to us in your privacy portal (the link works once and for a short "
        "time; the portal's page sends you a new one whenever you need it):"
    )
    assert footer != "" and footer.split(" ")[0] != "To"
    assert " ".join(footer.split()) in " ".join(body.split())
    link = PORTAL_LINK.search(body)
    assert link, body

    # The candidate, in a Serbian browser of their own, opens the link and answers.
    person = browser.new_context(bypass_csp=True, locale=SERBIAN).new_page()
    person.goto(live_server.url + link.group(1))
    person.get_by_role("button", name=in_serbian("Continue to my data")).click()
    person.get_by_role("link", name=in_serbian("Messages"), exact=True).click()
    expect(person.locator("article.message")).to_contain_text("Poštovani/a Milena,")
    person.get_by_label(in_serbian("Your message")).fill(
        "Hvala! Slobodna sam u četvrtak posle podne."
    )
    assert_accessible(person)
    person.get_by_role("button", name=in_serbian("Send")).click()
    expect(
        person.get_by_text(in_serbian("Your message has been sent to the recruiters."))
    ).to_be_visible()
    screenshot(person, "portal-message-answered")

    # The recruiter sees the answer in the thread on the application.
    page.goto(f"{live_server.url}/staff/applications/{application.pk}/")
    thread = page.locator("#h-messages").locator("..")
    answer = thread.locator("article.from_candidate")
    expect(answer).to_contain_text("From the candidate")
    expect(answer).to_contain_text("Hvala! Slobodna sam u četvrtak posle podne.")
    expect(thread.locator("article.to_candidate")).to_contain_text("Poštovani/a Milena,")
    directions = list(
        CandidateMessage.objects.filter(application=application)
        .order_by("created_at")
        .values_list("direction", flat=True)
    )
    assert directions == ["to_candidate", "from_candidate"]
