"""Staff emails in the staff member's language (issue 20): each staff member chooses the
language of their emails on the notifications page; interview invitations (their calendar
part too), updates, cancellations, reminders and the digest are written in it. And the
candidate's answers to interview invitations reach the recruiters (and the organiser) in
the digest, as counts and links only."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.models import Application, Interview, StaffNotificationSetting, TeamMembership
from recruitment.pipeline.services import digest, interviews, staff_language
from tests.recruitment.pipeline.interview_builders import (
    SARAJEVO,
    calendars_to,
    details,
    interviewer_on,
    only_event,
    team_member,
)

pytestmark = pytest.mark.django_db

SUMMER = datetime(timezone.now().year + 1, 7, 14, 10, 0, tzinfo=SARAJEVO)
Frequency = StaffNotificationSetting.Frequency


def test_without_a_choice_staff_emails_are_in_the_sites_language(
    applied: Application, settings: object
) -> None:
    interviewer = interviewer_on(applied)
    assert staff_language.email_language_of(interviewer.pk) == "en"


def test_an_interviewer_who_chose_croatian_gets_the_croatian_invitation(
    applied: Application, recruiter_actor: Actor
) -> None:
    croatian = interviewer_on(applied, email="hr.interviewer@staff.example")
    english = team_member(applied, TeamMembership.Role.INTERVIEWER, "en.interviewer@staff.example")
    digest.choose_email_language(user=croatian, language="hr")

    interview = interviews.schedule_interview(
        actor=recruiter_actor,
        application_id=applied.pk,
        details=details(SUMMER, interviewers=[croatian, english]),
    )

    title = applied.posting.title
    event = only_event(calendars_to(croatian.email)[0])
    assert str(event["SUMMARY"]) == f"Intervju: {title}"
    assert "Prijava:" in str(event["DESCRIPTION"])
    assert str(event["UID"]) == interview.uid
    email = OutboundEmail.objects.get(to_address=croatian.email)
    assert email.language == "hr"
    assert "You are interviewing" not in email.subject
    # The other interviewer chose nothing: English, as before.
    assert str(only_event(calendars_to(english.email)[0])["SUMMARY"]) == f"Interview: {title}"
    assert "You are interviewing" in OutboundEmail.objects.get(to_address=english.email).subject
    # The candidate's copy stays in the language they applied in.
    assert (
        OutboundEmail.objects.get(
            to_address=applied.candidate.email, template=interviews.CANDIDATE_TEMPLATES["scheduled"]
        ).language
        == applied.language
    )

    # Updates, cancellations and reminders follow the interviewer's choice too.
    interviews.send_due_reminders(now=SUMMER - timedelta(hours=23))
    interviews.cancel_interview(actor=recruiter_actor, interview_id=interview.pk)
    later = OutboundEmail.objects.filter(to_address=croatian.email).exclude(pk=email.pk)
    assert set(later.values_list("template", flat=True)) == {
        interviews.STAFF_TEMPLATES["reminder"],
        interviews.STAFF_TEMPLATES["cancelled"],
    }
    assert set(later.values_list("language", flat=True)) == {"hr"}
    cancellation = calendars_to(croatian.email)[-1]
    assert cancellation["METHOD"] == "CANCEL"
    assert str(only_event(cancellation)["SUMMARY"]) == f"Intervju: {title}"


def test_an_unknown_language_is_refused_by_the_service(recruiter: User) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        digest.choose_email_language(user=recruiter, language="xx")
    assert not StaffNotificationSetting.objects.filter(user=recruiter).exists()


def test_the_notifications_page_saves_the_language_and_refuses_an_unknown_one(
    client: Client, recruiter: User
) -> None:
    client.force_login(recruiter)
    url = reverse("staff:notifications")
    page = client.get(url)
    assert page.status_code == 200
    assert 'value="sr-latn"' in page.content.decode()

    refused = client.post(url, {"frequency": "daily", "language": "xx"})
    assert refused.status_code == 200
    assert "xx is not one of the available choices" in refused.content.decode()
    assert not StaffNotificationSetting.objects.filter(user=recruiter).exists()

    saved = client.post(url, {"frequency": "off", "language": "sr-latn"})
    assert saved.status_code == 302
    setting = StaffNotificationSetting.objects.get(user=recruiter)
    assert (setting.frequency, setting.language) == ("off", "sr-latn")
    assert staff_language.email_language_of(recruiter.pk) == "sr-latn"


def test_a_language_the_site_no_longer_offers_falls_back_to_the_sites(
    recruiter: User, settings: object
) -> None:
    digest.choose_email_language(user=recruiter, language="bs")
    settings.LANGUAGES = [("en", "English"), ("hr", "Hrvatski")]  # type: ignore[attr-defined]
    assert staff_language.email_language_of(recruiter.pk) == "en"


# --- The digest ------------------------------------------------------------------------------


@pytest.fixture
def recruiter_with_email(recruiter: User) -> User:
    recruiter.email = "recruiter.language@example.com"
    recruiter.save(update_fields=["email"])
    return recruiter


def test_the_digest_is_in_the_language_the_recruiter_chose(
    applied: Application, recruiter_with_email: User
) -> None:
    recruiter = recruiter_with_email
    digest.choose_frequency(
        user=recruiter, frequency=Frequency.IMMEDIATE, now=timezone.now() - timedelta(hours=1)
    )
    digest.choose_email_language(user=recruiter, language="hr")
    Application.objects.filter(pk=applied.pk).update(
        created_at=timezone.now() - timedelta(minutes=30)
    )

    assert digest.send_due_digests() == 1

    email = OutboundEmail.objects.get(template=digest.TEMPLATE)
    assert email.language == "hr"
    assert (
        email.subject == "Nove prijave, odgovori i odgovori na pozive na razgovor na vašim oglasima"
    )
    assert "Od naše posljednje e-poruke" in email.body_text
    assert "Since our last email" not in email.body_text


def test_interview_answers_are_counted_in_the_digest_without_the_candidates_words(
    applied: Application, recruiter_with_email: User, django_capture_on_commit_callbacks: object
) -> None:
    recruiter = recruiter_with_email
    # A hiring manager (not a recruiter) arranges it: they hear of its answers too.
    manager = team_member(applied, TeamMembership.Role.HIRING_MANAGER, "manager@staff.example")
    interviewer = interviewer_on(applied)
    for user in (recruiter, manager, interviewer):
        digest.choose_frequency(
            user=user, frequency=Frequency.IMMEDIATE, now=timezone.now() - timedelta(hours=1)
        )
    interview = interviews.schedule_interview(
        actor=Actor(manager),
        application_id=applied.pk,
        details=details(SUMMER, interviewers=[interviewer]),
    )
    with django_capture_on_commit_callbacks() as callbacks:  # type: ignore[operator]
        interviews.answer_interview(
            candidate_id=applied.candidate_id,
            interview_id=interview.pk,
            answer=Interview.Answer.NEW_TIME,
            message="Secret words: mornings suit me better.",
        )
    assert callbacks  # the digest sweep is asked to run after commit
    Interview.objects.filter(pk=interview.pk).update(
        answered_at=timezone.now() - timedelta(minutes=10)
    )

    assert digest.send_due_digests() == 2

    digests = {
        email.to_address: email for email in OutboundEmail.objects.filter(template=digest.TEMPLATE)
    }
    assert set(digests) == {recruiter.email, manager.email}  # not the interviewer
    for email in digests.values():
        text = email.subject + email.body_text + email.body_html
        assert applied.posting.title in text
        assert "1 interview answer" in email.body_text
        assert f"{applied.pk}/#h-interviews" in email.body_text
        for personal in (
            applied.full_name,
            applied.candidate.email,
            "Secret words",
            "mornings",
        ):
            assert personal not in text
    # The manager does not recruit for the posting: no application counts for them.
    assert "0 new applications" in digests[manager.email].body_text
    # Counted once: nothing new, nothing more is sent.
    assert digest.send_due_digests() == 0
