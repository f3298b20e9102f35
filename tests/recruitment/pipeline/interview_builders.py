"""Helpers for the interview tests: a posting's team, details, and the outbox's calendar parts."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from icalendar import Calendar

from notifications.models import OutboundEmail
from recruitment.models import Application, Interview, TeamMembership
from recruitment.pipeline.services.interviews import Details
from tests.factories import MembershipFactory

SARAJEVO = ZoneInfo("Europe/Sarajevo")


def team_member(application: Application, role: str, email: str) -> User:
    membership = MembershipFactory.create(posting=application.posting, role=role)
    user = membership.user
    user.email = email
    user.first_name, user.last_name = "Ivana", "Interviewer"
    user.save()
    return user


def interviewer_on(application: Application, email: str = "interviewer@staff.example") -> User:
    return team_member(application, TeamMembership.Role.INTERVIEWER, email)


def details(
    starts_at: datetime,
    *,
    interviewers: list[User] = (),  # type: ignore[assignment]
    kind: str = Interview.Kind.ON_SITE,
    duration_minutes: int = 60,
    note: str = "Bring your portfolio.",
) -> Details:
    return Details(
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        time_zone="Europe/Sarajevo",
        kind=kind,
        address="Kralja Tvrtka 1, Mostar" if kind == Interview.Kind.ON_SITE else "",
        video_url="https://meet.example.com/abc" if kind == Interview.Kind.VIDEO else "",
        note_for_candidate=note,
        interviewer_ids=tuple(user.pk for user in interviewers),
    )


def calendars_to(address: str) -> list[Calendar]:
    """Every calendar part queued to `address`, oldest first, parsed back with icalendar."""
    emails = OutboundEmail.objects.filter(to_address=address).exclude(calendar_text="")
    return [Calendar.from_ical(email.calendar_text) for email in emails.order_by("created_at")]


def only_event(calendar: Calendar):  # type: ignore[no-untyped-def]
    [event] = calendar.walk("VEVENT")
    return event
