"""Messages to candidates through the pages (issue 20): staff write from the application page
with a preview in the candidate's language, send in bulk from the board and see who was
skipped, edit templates; the candidate answers in the portal and the recruiters see it and
hear of it in a digest of counts and links only."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.models import (
    AccessEvent,
    Application,
    CandidateMessage,
    MessageTemplate,
    PortalToken,
    Posting,
    StaffNotificationSetting,
    TeamMembership,
)
from recruitment.pipeline.services import digest, messaging
from recruitment.rights.services import portal_access
from tests.factories import ApplicationFactory, MembershipFactory
from tests.harness.rights import open_portal

pytestmark = pytest.mark.django_db


@pytest.fixture
def application(posting: Posting) -> Application:
    return ApplicationFactory.create(
        posting=posting,
        candidate__full_name="Milica Petrović",
        candidate__email="milica.messages@example.com",
        candidate__phone="+381 64 7654321",
        language="sr-latn",
    )


def compose_url(application: Application) -> str:
    return reverse("staff:application_message", kwargs={"pk": application.pk})


def talk() -> MessageTemplate:
    return MessageTemplate.objects.get(builtin="talk")


def test_a_template_is_previewed_and_sent_in_the_candidates_language(
    client: Client, application: Application, recruiter: User
) -> None:
    client.force_login(recruiter)
    page = client.get(compose_url(application), {"template": talk().pk})
    assert page.status_code == 200
    # The template's Serbian text, with its placeholders, is in the fields to edit.
    assert "{first_name}" in page.content.decode()
    assert "razgovaramo" in page.content.decode()
    form = {
        "template": talk().pk,
        "subject": page.context["form"].initial["subject"],
        "body": page.context["form"].initial["body"],
    }

    preview = client.post(compose_url(application), {**form, "action": "preview"})
    assert preview.status_code == 200
    assert "Poštovani/a Milica," in preview.content.decode()
    assert not CandidateMessage.objects.exists()

    sent = client.post(compose_url(application), {**form, "action": "send"})
    assert sent.status_code == 302
    message = CandidateMessage.objects.get()
    assert message.template == talk() and message.language == "sr-latn"
    assert OutboundEmail.objects.get().language == "sr-latn"
    detail = client.get(reverse("staff:application", kwargs={"pk": application.pk}))
    assert "Poštovani/a Milica," in detail.content.decode()


def test_an_unknown_placeholder_is_shown_as_an_error_and_nothing_is_sent(
    client: Client, application: Application, recruiter: User
) -> None:
    client.force_login(recruiter)
    response = client.post(
        compose_url(application),
        {"subject": "Hi", "body": "Dear {frist_name}", "action": "send"},
    )
    assert response.status_code == 200
    assert "{frist_name}" in response.content.decode()
    assert not CandidateMessage.objects.exists() and not OutboundEmail.objects.exists()


def test_a_restricted_application_shows_why_and_refuses(
    client: Client, application: Application, recruiter: User
) -> None:
    Application.objects.filter(pk=application.pk).update(restricted=True)
    client.force_login(recruiter)
    detail = client.get(reverse("staff:application", kwargs={"pk": application.pk}))
    assert "no message can be sent" in detail.content.decode()
    response = client.post(
        compose_url(application), {"subject": "Hi", "body": "Hello", "action": "send"}
    )
    assert "no message can be sent" in response.content.decode()
    assert not CandidateMessage.objects.exists()


def test_interviewers_neither_write_nor_see_the_thread(
    client: Client, application: Application, recruiter: User
) -> None:
    messaging.send_message(
        actor=Actor(recruiter), application_id=application.pk, subject="S", body="Secret plan"
    )
    interviewer = MembershipFactory.create(
        posting=application.posting, role=TeamMembership.Role.INTERVIEWER
    ).user
    application.assignments.create(interviewer=interviewer)
    client.force_login(interviewer)
    detail = client.get(reverse("staff:application", kwargs={"pk": application.pk}))
    assert detail.status_code == 200 and "Secret plan" not in detail.content.decode()
    assert client.get(compose_url(application)).status_code == 403


def test_bulk_from_the_board_reports_who_was_skipped_and_why(
    client: Client, posting: Posting, recruiter: User
) -> None:
    fine = ApplicationFactory.create(posting=posting, candidate__full_name="Ana Fine")
    frozen = ApplicationFactory.create(
        posting=posting, candidate__full_name="Rade Frozen", restricted=True
    )
    client.force_login(recruiter)
    board = client.get(reverse("staff:pipeline", kwargs={"pk": posting.pk}))
    assert reverse("staff:bulk_message", kwargs={"pk": posting.pk}) in board.content.decode()

    # The board sends the selection; the next page asks for the template.
    choose = client.post(
        reverse("staff:bulk_message", kwargs={"pk": posting.pk}),
        {"applications": [fine.pk, frozen.pk]},
    )
    assert choose.status_code == 200 and "Rade Frozen" in choose.content.decode()
    assert not CandidateMessage.objects.exists()

    response = client.post(
        reverse("staff:bulk_message", kwargs={"pk": posting.pk}),
        {"applications": [fine.pk, frozen.pk], "template": talk().pk},
    )

    assert response.status_code == 200
    assert [o.application_id for o in response.context["sent"]] == [fine.pk]
    [skipped] = response.context["skipped"]
    assert skipped.application_id == frozen.pk and "restricted" in skipped.refusal
    assert "Rade Frozen" in response.content.decode()
    assert CandidateMessage.objects.filter(application=fine).count() == 1


def test_recruiters_edit_templates_and_an_unknown_placeholder_is_refused(
    client: Client, recruiter: User
) -> None:
    client.force_login(recruiter)
    data = {"name": "Offer call"}
    for code in ("en", "bs", "hr", "sr-latn"):
        data[f"subject_{code}"] = "{posting_title}"
        data[f"body_{code}"] = "Dear {first_name}"
    data["body_hr"] = "Poštovani {ime}"
    refused = client.post(reverse("staff:message_template_new"), data)
    assert refused.status_code == 200 and "{ime}" in refused.content.decode()
    assert not MessageTemplate.objects.filter(name="Offer call").exists()

    data["body_hr"] = "Poštovani {first_name}"
    saved = client.post(reverse("staff:message_template_new"), data)
    assert saved.status_code == 302
    template = MessageTemplate.objects.get(name="Offer call")
    assert template.texts.count() == 5


def test_the_candidate_replies_in_the_portal_and_staff_see_it(
    client: Client, application: Application, recruiter: User
) -> None:
    messaging.send_message(
        actor=Actor(recruiter), application_id=application.pk, subject="S", body="When?"
    )
    token = portal_access.issue_token(
        candidate=application.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    open_portal(client, token)
    url = reverse("privacy:messages", kwargs={"application_id": application.pk})
    page = client.get(url)
    assert page.status_code == 200 and "When?" in page.content.decode()

    response = client.post(url, {"body": "Tuesday at ten suits me."})

    assert response.status_code == 302
    assert CandidateMessage.objects.filter(
        direction=CandidateMessage.Direction.FROM_CANDIDATE, body="Tuesday at ten suits me."
    ).exists()
    staff = Client()
    staff.force_login(recruiter)
    detail = staff.get(reverse("staff:application", kwargs={"pk": application.pk}))
    assert "Tuesday at ten suits me." in detail.content.decode()
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.VIEW_APPLICATION, application_id=application.pk
    ).exists()


def test_another_candidates_application_is_not_found_in_the_portal(
    client: Client, application: Application
) -> None:
    other = ApplicationFactory.create()
    token = portal_access.issue_token(
        candidate=application.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    open_portal(client, token)
    url = reverse("privacy:messages", kwargs={"application_id": other.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"body": "Hi"}).status_code == 404
    assert not CandidateMessage.objects.exists()


# --- The staff digest -------------------------------------------------------------------------


@pytest.fixture
def recruiter_with_email(recruiter: User) -> User:
    recruiter.email = "recruiter.digest@example.com"
    recruiter.save(update_fields=["email"])
    return recruiter


def test_the_digest_carries_counts_and_links_and_no_candidate_data(
    application: Application, recruiter_with_email: User
) -> None:
    recruiter = recruiter_with_email
    digest.choose_frequency(
        user=recruiter,
        frequency=StaffNotificationSetting.Frequency.IMMEDIATE,
        now=timezone.now() - timedelta(hours=1),
    )
    # The application arrived and the candidate replied within the digest's window.
    Application.objects.filter(pk=application.pk).update(
        created_at=timezone.now() - timedelta(minutes=30)
    )
    messaging.reply(
        candidate=application.candidate,
        application_id=application.pk,
        body="My words, not for the digest.",
    )
    CandidateMessage.objects.update(created_at=timezone.now() - timedelta(minutes=20))

    assert digest.send_due_digests() == 1

    email = OutboundEmail.objects.get(template=digest.TEMPLATE)
    assert email.to_address == recruiter.email
    text = email.subject + email.body_text + email.body_html
    assert application.posting.title in text
    assert "1 new application" in email.body_text and "1 reply" in email.body_text
    assert str(application.pk) in email.body_text  # a link to it, nothing more
    for personal in (
        "Milica",
        "Petrović",
        "milica.messages@example.com",
        "7654321",
        "My words",
    ):
        assert personal not in text
    # Nothing new: nothing more is sent.
    assert digest.send_due_digests() == 0


def test_daily_digests_wait_for_their_hour_and_off_sends_nothing(
    application: Application, recruiter_with_email: User
) -> None:
    recruiter = recruiter_with_email
    now = timezone.now()
    setting = digest.choose_frequency(
        user=recruiter, frequency="daily", now=now - timedelta(hours=2)
    )
    assert setting.next_due_at > now - timedelta(hours=2)
    Application.objects.filter(pk=application.pk).update(created_at=now - timedelta(hours=1))
    due = setting.next_due_at
    if due > now:
        assert digest.send_due_digests(now=now) == 0
    assert digest.send_due_digests(now=due + timedelta(minutes=1)) == 1

    digest.choose_frequency(user=recruiter, frequency="off", now=due + timedelta(minutes=2))
    ApplicationFactory.create(posting=application.posting)
    assert digest.send_due_digests(now=due + timedelta(days=2)) == 0
