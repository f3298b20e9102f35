"""Interviews in a real browser: a recruiter arranges one from the application page, the
candidate's email carries a calendar invitation, the candidate accepts in the portal and the
recruiter sees the answer on the application and on the board."""

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from recruitment.models import Interview, PortalToken, Posting, TeamMembership
from recruitment.rights.services import portal_access
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import Mailbox
from tests.factories import MembershipFactory, UserFactory
from tests.harness.applying import apply_as
from tests.harness.evidence import deliver_all_emails

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's


def test_a_recruiter_arranges_an_interview_and_the_candidate_accepts_in_the_portal(
    page: Page, browser: Browser, live_server: LiveServer, posting: Posting, smtp_mailbox: Mailbox
) -> None:
    application = apply_as(posting, "Irena Intervju")
    user: Any = UserFactory.create(username="rita.interviews")
    MembershipFactory.create(posting=posting, user=user, role=TeamMembership.Role.RECRUITER)
    panelist: Any = UserFactory.create(username="ivo.panel", email="ivo.panel@staff.example")
    MembershipFactory.create(posting=posting, user=panelist, role=TeamMembership.Role.INTERVIEWER)
    day = (timezone.now() + timedelta(days=4)).strftime("%Y-%m-%d")

    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server.url}/staff/applications/{application.pk}/")
    page.get_by_role("link", name="Arrange an interview").click()
    page.get_by_label("Starts at").fill(f"{day}T10:30")
    page.get_by_label("Time zone").fill("Europe/Sarajevo")
    page.get_by_label("Duration (minutes)").fill("45")
    page.get_by_label("Kind").select_option(label="Video call")
    page.get_by_label("Video call link").fill("https://meet.example.com/irena")
    page.get_by_label("ivo.panel").check()
    page.get_by_label("Note for the candidate").fill("We will talk about your projects.")
    assert_accessible(page)
    page.get_by_role("button", name="Arrange and send the invitations").click()
    expect(page.get_by_text("Interview arranged")).to_be_visible()
    expect(page.locator("#h-interviews + article")).to_contain_text("No answer yet")
    screenshot(page, "staff-interview-arranged")

    # The candidate's email, through the real SMTP peer, carries the invitation.
    deliver_all_emails()
    [message] = [
        m
        for m in smtp_mailbox.wait_for(application.candidate.email, count=2)
        if "Interview invitation" in str(m["Subject"])
    ]
    [part] = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    [event] = Calendar.from_ical(payload).walk("VEVENT")
    interview = Interview.objects.get(application=application)
    assert str(event["UID"]) == interview.uid
    assert event.decoded("DTSTART").strftime("%Y-%m-%d %H:%M") == f"{day} 10:30"
    assert smtp_mailbox.wait_for(panelist.email)

    # The candidate, in a browser of their own, answers in the portal.
    token = portal_access.issue_token(
        candidate=application.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    person = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    person.goto(f"{live_server.url}/privacy/access/{token}/")
    person.get_by_role("button", name="Continue to my data").click()
    card = person.locator(f"#interview-{interview.pk}")
    expect(card).to_contain_text("https://meet.example.com/irena")
    expect(card).to_contain_text("We will talk about your projects.")
    card.get_by_label("I will come").check()
    assert_accessible(person)
    card.get_by_role("button", name="Send my answer").click()
    expect(person.get_by_text("Thank you: we have your answer.")).to_be_visible()
    expect(person.locator(f"#interview-{interview.pk} .interview-answer")).to_have_text("Accepted")
    screenshot(person, "portal-interview-accepted")

    # Staff see it on the application and on the board card.
    page.reload()
    expect(page.locator("#h-interviews + article")).to_contain_text("Accepted")
    page.goto(f"{live_server.url}/staff/postings/{posting.pk}/pipeline/")
    expect(page.get_by_text("Interview accepted")).to_be_visible()
