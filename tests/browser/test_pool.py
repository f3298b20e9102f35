"""The talent pool in a real browser: a recruiter finds a consenting person by a skill inside
their CV, invites them to another posting; the person opens the email's link and applies
with the CV the pool keeps."""

import re
import uuid
from typing import Any

import pytest
from django.conf import settings
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from recruitment.models import TALENT_POOL, Application, Invitation, Posting, TeamMembership
from tests.browser.conftest import assert_accessible, screenshot, sign_in
from tests.conftest import Mailbox
from tests.factories import MembershipFactory, PostingFactory, UserFactory
from tests.harness.evidence import deliver_all_emails, text_of
from tests.hostile.pdf import valid_pdf
from tests.recruitment.pool.test_search import applied_with

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's
LINK = re.compile(r"https?://\S+?(/careers/invitation/[\w-]+/)")


def test_a_recruiter_invites_a_pool_person_who_applies_through_the_email(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    posting: Posting,
    smtp_mailbox: Mailbox,
) -> None:
    first = f"Vesna{uuid.uuid4().hex[:6]}"
    name = f"{first} Kovačević"
    member = applied_with(
        posting, name, valid_pdf(text="Skills: Kubernetes, Terraform"), "vesna-cv.pdf"
    )
    opening = PostingFactory.create(title="Site Reliability Engineer")
    user: Any = UserFactory.create(username="rita.pool")
    for target in (posting, opening):
        MembershipFactory.create(posting=target, user=user, role=TeamMembership.Role.RECRUITER)

    sign_in(page, live_server, user.username, PASSWORD)
    page.goto(f"{live_server.url}/staff/pool/")
    page.get_by_label("Skills, experience, words in the CV").fill("terraform")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("link", name=name)).to_be_visible()
    page.get_by_label(f"Select {name}").check()
    page.get_by_label("Invite to apply for").select_option(label=opening.title)
    assert_accessible(page)
    page.get_by_role("button", name="Invite the selected people to apply").click()
    expect(page.get_by_text("Invited: the email is on its way")).to_be_visible()
    screenshot(page, "staff-pool-invited")

    # Through the real SMTP peer: the first application's confirmation, then the invitation.
    deliver_all_emails()
    [message] = [
        message
        for message in smtp_mailbox.wait_for(member.candidate.email, count=2)
        if opening.title in str(message["Subject"])
    ]
    body = text_of(message)
    found = LINK.search(body)
    assert found, body
    assert body.count(settings.PUBLIC_URL) >= 2  # the link, and the portal to withdraw

    # The person, in a browser of their own.
    # (bypass_csp only so that axe-core can be injected, as the `context` fixture does.)
    person = browser.new_context(bypass_csp=True, locale="en-GB").new_page()
    person.goto(live_server.url + found.group(1))
    expect(person.get_by_role("heading", level=1)).to_have_text(opening.title)
    expect(person.get_by_text("you were invited to apply")).to_be_visible()
    expect(person.get_by_label("Email")).to_have_value(member.candidate.email)
    assert "/invitation/" not in person.url  # the token does not stay in the address bar
    person.get_by_label(re.compile(r"Use the CV you sent us")).check()
    person.get_by_label("I have read the privacy notice above.").check()
    person.get_by_label(re.compile(r"I am at least \d+ years old")).check()
    assert_accessible(person)
    person.get_by_role("button", name="Submit application").click()
    expect(person.get_by_role("heading", level=1)).to_contain_text("Thank you")
    screenshot(person, "careers-applied-on-invitation")

    application = Application.objects.get(posting=opening)
    assert application.candidate_id == member.candidate_id
    assert application.source_id == TALENT_POOL
    assert application.cvs.get().original_filename == "vesna-cv.pdf"
    assert Invitation.objects.get().application_id == application.pk
