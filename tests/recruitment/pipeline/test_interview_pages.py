"""Interview pages: arranging one from the application page, the candidate's answer in the
portal seen by staff (application page and board card), "My interviews" and the personal
calendar feed, which names no candidate."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from ats.log_redaction import redact
from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.models import Application, Interview, PortalToken, TeamMembership
from recruitment.pipeline.services import digest, interviews
from recruitment.rights.services import portal_access
from tests.harness.rights import open_portal
from tests.recruitment.pipeline.interview_builders import SARAJEVO, details, team_member

pytestmark = pytest.mark.django_db

NEXT_YEAR = timezone.now().year + 1
WHEN = datetime(NEXT_YEAR, 3, 10, 9, 30, tzinfo=SARAJEVO)


def form_data(interviewer: User | None = None, **overrides: str) -> dict[str, Any]:
    data: dict[str, Any] = {
        "starts_at": f"{NEXT_YEAR}-03-10T09:30",
        "time_zone": "Europe/Sarajevo",
        "duration_minutes": "45",
        "kind": "video",
        "video_url": "https://meet.example.com/room-1",
        "note_for_candidate": "We look forward to meeting you.",
    }
    if interviewer is not None:
        data["interviewers"] = [str(interviewer.pk)]
    data.update(overrides)
    return data


def test_a_recruiter_arranges_an_interview_from_the_application_page(
    client: Client, applied: Application, recruiter: User
) -> None:
    interviewer = team_member(applied, TeamMembership.Role.INTERVIEWER, "panel@staff.example")
    client.force_login(recruiter)
    page = client.get(reverse("staff:application", kwargs={"pk": applied.pk}))
    assert reverse("staff:interview_schedule", kwargs={"pk": applied.pk}) in page.text

    response = client.post(
        reverse("staff:interview_schedule", kwargs={"pk": applied.pk}), form_data(interviewer)
    )

    assert response.status_code == 302
    interview = Interview.objects.get(application=applied)
    # The wall-clock time typed, in the zone chosen (not the server's).
    assert interview.starts_at == WHEN
    assert list(interview.interviewers.all()) == [interviewer]
    assert (
        OutboundEmail.objects.filter(to_address=applied.candidate.email)
        .exclude(calendar_text="")
        .exists()
    )
    assert OutboundEmail.objects.filter(to_address="panel@staff.example").exists()
    page = client.get(reverse("staff:application", kwargs={"pk": applied.pk}))
    assert "https://meet.example.com/room-1" in page.text
    assert "No answer yet" in page.text


def test_arranging_on_a_restricted_application_shows_why_and_changes_nothing(
    client: Client, applied: Application, recruiter: User
) -> None:
    Application.objects.filter(pk=applied.pk).update(restricted=True)
    client.force_login(recruiter)
    response = client.post(
        reverse("staff:interview_schedule", kwargs={"pk": applied.pk}), form_data(), follow=True
    )
    assert response.status_code == 200
    assert "restricted the processing of this application" in response.text
    assert not Interview.objects.exists()
    assert not OutboundEmail.objects.exclude(calendar_text="").exists()


def test_an_invalid_form_changes_nothing(
    client: Client, applied: Application, recruiter: User
) -> None:
    client.force_login(recruiter)
    response = client.post(
        reverse("staff:interview_schedule", kwargs={"pk": applied.pk}),
        form_data(kind="on_site", address="", time_zone="Nowhere/Land"),
    )
    assert response.status_code == 200
    assert "An on-site interview needs the address." in response.text
    assert "Unknown time zone." in response.text
    assert not Interview.objects.exists()


def test_the_candidate_accepts_in_the_portal_and_staff_see_it(
    client: Client, applied: Application, recruiter: User
) -> None:
    interview = interviews.schedule_interview(
        actor=Actor(recruiter), application_id=applied.pk, details=details(WHEN)
    )
    token = portal_access.issue_token(
        candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    open_portal(client, token)
    portal = client.get(reverse("privacy:portal"))
    assert "Kralja Tvrtka 1, Mostar" in portal.text
    assert reverse("privacy:interview_answer", kwargs={"interview_id": interview.pk}) in (
        portal.text
    )

    response = client.post(
        reverse("privacy:interview_answer", kwargs={"interview_id": interview.pk}),
        {"answer": "accepted"},
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.answer == Interview.Answer.ACCEPTED

    staff = Client()
    staff.force_login(recruiter)
    page = staff.get(reverse("staff:application", kwargs={"pk": applied.pk}))
    assert "Accepted" in page.text
    board = staff.get(reverse("staff:pipeline", kwargs={"pk": applied.posting_id}))
    assert "Interview accepted" in board.text


def test_asking_for_another_time_needs_a_message(
    client: Client, applied: Application, recruiter: User
) -> None:
    interview = interviews.schedule_interview(
        actor=Actor(recruiter), application_id=applied.pk, details=details(WHEN)
    )
    token = portal_access.issue_token(
        candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    open_portal(client, token)
    url = reverse("privacy:interview_answer", kwargs={"interview_id": interview.pk})
    response = client.post(url, {"answer": "new_time", "message": ""}, follow=True)
    assert "Tell us which times suit you better." in response.text
    interview.refresh_from_db()
    assert interview.answer == Interview.Answer.NONE
    client.post(url, {"answer": "new_time", "message": "Thursday afternoon, please."})
    interview.refresh_from_db()
    assert interview.answer_message == "Thursday afternoon, please."


def test_the_portal_refuses_an_interview_of_someone_else(
    client: Client, applied: Application, recruiter: User
) -> None:
    from tests.harness.applying import apply_as

    other = apply_as(applied.posting, "Other Person")
    theirs = interviews.schedule_interview(
        actor=Actor(recruiter), application_id=other.pk, details=details(WHEN)
    )
    token = portal_access.issue_token(
        candidate=applied.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    open_portal(client, token)
    client.post(
        reverse("privacy:interview_answer", kwargs={"interview_id": theirs.pk}),
        {"answer": "declined"},
    )
    theirs.refresh_from_db()
    assert theirs.answer == Interview.Answer.NONE


def test_my_interviews_and_the_feed_list_times_and_links_but_no_candidate_data(
    client: Client, applied: Application, recruiter: User
) -> None:
    Application.objects.filter(pk=applied.pk).update(phone="+387 61 555 123")
    applied.refresh_from_db()
    panelist = team_member(applied, TeamMembership.Role.INTERVIEWER, "feed@staff.example")
    interviews.schedule_interview(
        actor=Actor(recruiter),
        application_id=applied.pk,
        details=details(WHEN, interviewers=[panelist]),
    )
    client.force_login(panelist)
    page = client.get(reverse("staff:my_interviews"))
    assert applied.posting.title in page.text
    assert reverse("staff:application", kwargs={"pk": applied.pk}) in page.text

    client.post(reverse("staff:interview_feed_link"))
    page = client.get(reverse("staff:my_interviews"))
    feed_url = page.context["feed_url"]
    assert "/staff/calendar/" in feed_url
    token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert token not in str(list(panelist.calendar_feed.__dict__.values()))  # hash only
    assert redact(feed_url).endswith("/staff/calendar/[redacted]")

    anonymous = Client()
    response = anonymous.get(feed_url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    [event] = Calendar.from_ical(text).walk("VEVENT")
    assert event.decoded("DTSTART") == WHEN
    assert str(event["URL"]).endswith(reverse("staff:application", kwargs={"pk": applied.pk}))
    candidate = applied.candidate
    for personal in (
        candidate.full_name,
        applied.full_name,
        candidate.email,
        candidate.email.split("@")[0],
        applied.phone,
        "555 123",
    ):
        assert personal.lower() not in text.lower(), personal
    assert "We look forward" not in text and "Bring your portfolio" not in text

    # A new link revokes the old one; revoking leaves none.
    client.post(reverse("staff:interview_feed_link"))
    assert anonymous.get(feed_url).status_code == 404
    new_url = client.get(reverse("staff:my_interviews")).context["feed_url"]
    assert anonymous.get(new_url).status_code == 200
    client.post(reverse("staff:interview_feed_link"), {"action": "revoke"})
    assert anonymous.get(new_url).status_code == 404


def test_the_feed_drops_an_interview_once_access_is_lost(
    client: Client, applied: Application, recruiter: User
) -> None:
    panelist = team_member(applied, TeamMembership.Role.INTERVIEWER, "gone@staff.example")
    interviews.schedule_interview(
        actor=Actor(recruiter),
        application_id=applied.pk,
        details=details(WHEN, interviewers=[panelist]),
    )
    client.force_login(panelist)
    client.post(reverse("staff:interview_feed_link"))
    feed_url = client.get(reverse("staff:my_interviews")).context["feed_url"]
    TeamMembership.objects.filter(user=panelist).delete()
    text = Client().get(feed_url).content.decode()
    assert Calendar.from_ical(text).walk("VEVENT") == []


def test_a_past_interview_is_not_upcoming(applied: Application, recruiter: User) -> None:
    from recruitment.pipeline import selectors

    panelist = team_member(applied, TeamMembership.Role.INTERVIEWER, "past@staff.example")
    interview = interviews.schedule_interview(
        actor=Actor(recruiter),
        application_id=applied.pk,
        details=details(WHEN, interviewers=[panelist]),
    )
    assert list(selectors.upcoming_interviews_of(panelist)) == [interview]
    later = WHEN + timedelta(hours=2)
    assert list(selectors.upcoming_interviews_of(panelist, now=later)) == []


def test_the_feed_speaks_the_language_chosen_for_emails(
    client: Client, applied: Application, recruiter: User
) -> None:
    """Calendar apps fetch the feed without a session or a language: it is in the language
    the staff member chose for their emails."""
    panelist = team_member(applied, TeamMembership.Role.INTERVIEWER, "jezik@staff.example")
    interviews.schedule_interview(
        actor=Actor(recruiter),
        application_id=applied.pk,
        details=details(WHEN, interviewers=[panelist]),
    )
    digest.choose_email_language(user=panelist, language="hr")
    client.force_login(panelist)
    client.post(reverse("staff:interview_feed_link"))
    feed_url = client.get(reverse("staff:my_interviews")).context["feed_url"]

    calendar = Calendar.from_ical(Client().get(feed_url).content.decode())

    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]).startswith("Intervju"), event["SUMMARY"]
