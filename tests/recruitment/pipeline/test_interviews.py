"""Interviews: scheduling, changing and cancelling, with calendar invitations parsed back
with icalendar (UID, SEQUENCE, METHOD, the zone across a daylight-saving change, attendees),
the refusals, the interviewer's access, the candidate's answer and the reminder sweep."""

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from notifications import services as outbox
from notifications.models import OutboundEmail
from recruitment import access
from recruitment.access import Actor
from recruitment.models import (
    AccessEvent,
    Application,
    ApplicationEvent,
    DataSubjectRequest,
    Interview,
    InterviewAssignment,
    TeamMembership,
)
from recruitment.pipeline.services import interviews
from recruitment.pipeline.services.interviews import InterviewRefused
from recruitment.rights.services import register
from tests.factories import MembershipFactory, UserFactory
from tests.harness.applying import apply_as
from tests.recruitment.pipeline.interview_builders import (
    SARAJEVO,
    calendars_to,
    details,
    interviewer_on,
    only_event,
    team_member,
)

pytestmark = pytest.mark.django_db

# A summer date (CEST, UTC+2) and a winter one (CET, UTC+1), both in the future.
SUMMER = datetime(timezone.now().year + 1, 7, 14, 10, 0, tzinfo=SARAJEVO)
WINTER = datetime(timezone.now().year + 1, 11, 17, 10, 0, tzinfo=SARAJEVO)


def test_scheduling_sends_the_candidate_and_the_interviewer_a_calendar_request(
    applied: Application, recruiter_actor: Actor
) -> None:
    interviewer = interviewer_on(applied)
    interview = interviews.schedule_interview(
        actor=recruiter_actor,
        application_id=applied.pk,
        details=details(SUMMER, interviewers=[interviewer]),
    )

    for address in (applied.candidate.email, interviewer.email):
        [calendar] = calendars_to(address)
        assert calendar["METHOD"] == "REQUEST"
        event = only_event(calendar)
        assert str(event["UID"]) == interview.uid
        assert event["SEQUENCE"] == 0
        assert event["STATUS"] == "CONFIRMED"
        assert event.decoded("DTSTART") == SUMMER
        assert event["DTSTART"].params["TZID"] == "Europe/Sarajevo"
        assert event.decoded("DTSTART").utcoffset() == timedelta(hours=2)
        assert event.decoded("DTEND") == SUMMER + timedelta(hours=1)
        assert str(event["LOCATION"]) == "Kralja Tvrtka 1, Mostar"
        attendees = {str(a).lower(): a.params for a in event["ATTENDEE"]}
        assert set(attendees) == {
            f"mailto:{applied.candidate.email}".lower(),
            f"mailto:{interviewer.email}",
        }
        candidate = attendees[f"mailto:{applied.candidate.email}".lower()]
        assert candidate["PARTSTAT"] == "NEEDS-ACTION"
        assert candidate["RSVP"] == "FALSE"
        assert candidate["CN"] == applied.full_name
        assert str(event["ORGANIZER"]).startswith("mailto:")
        [zone] = calendar.walk("VTIMEZONE")
        assert str(zone["TZID"]) == "Europe/Sarajevo"
    # The candidate reads the note written for them; the interviewer a link to the application.
    candidate_event = only_event(calendars_to(applied.candidate.email)[0])
    assert "Bring your portfolio." in str(candidate_event["DESCRIPTION"])
    staff_event = only_event(calendars_to(interviewer.email)[0])
    assert f"/staff/applications/{applied.pk}/" in str(staff_event["DESCRIPTION"])
    assert ApplicationEvent.objects.filter(
        application=applied, kind=ApplicationEvent.Kind.INTERVIEW_SCHEDULED
    ).exists()
    assert AccessEvent.objects.filter(
        application_id=applied.pk, action=AccessEvent.Action.SCHEDULE_INTERVIEW
    ).exists()


def test_vtimezone_is_right_on_both_sides_of_a_daylight_saving_change(
    applied: Application, recruiter_actor: Actor
) -> None:
    interview = interviews.schedule_interview(
        actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
    )
    interviews.reschedule_interview(
        actor=recruiter_actor, interview_id=interview.pk, details=details(WINTER)
    )

    summer, winter = calendars_to(applied.candidate.email)
    assert only_event(summer).decoded("DTSTART").utcoffset() == timedelta(hours=2)
    winter_start = only_event(winter).decoded("DTSTART")
    assert winter_start == WINTER
    assert winter_start.utcoffset() == timedelta(hours=1)
    [zone] = winter.walk("VTIMEZONE")
    # What a calendar computes from the VTIMEZONE alone (not from its own zone database):
    # 10:00 local is UTC+1 in November and UTC+2 in July.
    from_vtimezone = zone.to_tz()  # type: ignore[attr-defined]
    local_winter = winter_start.replace(tzinfo=None)
    local_summer = only_event(summer).decoded("DTSTART").replace(tzinfo=None)
    assert from_vtimezone.utcoffset(local_winter) == timedelta(hours=1)
    assert from_vtimezone.utcoffset(local_summer) == timedelta(hours=2)
    offsets = {
        (component.name, component.decoded("TZOFFSETTO"))
        for component in zone.subcomponents
        if component.name in ("STANDARD", "DAYLIGHT")
    }
    assert ("STANDARD", timedelta(hours=1)) in offsets
    assert ("DAYLIGHT", timedelta(hours=2)) in offsets
    # The text itself names the zone, not UTC.
    raw = OutboundEmail.objects.filter(to_address=applied.candidate.email).last()
    assert raw is not None
    assert "DTSTART;TZID=Europe/Sarajevo:" in raw.calendar_text


def test_rescheduling_updates_the_same_event_and_cancelling_cancels_it(
    applied: Application, recruiter_actor: Actor
) -> None:
    interviewer = interviewer_on(applied)
    interview = interviews.schedule_interview(
        actor=recruiter_actor,
        application_id=applied.pk,
        details=details(SUMMER, interviewers=[interviewer]),
    )
    interviews.answer_interview(
        candidate_id=applied.candidate_id, interview_id=interview.pk, answer="accepted"
    )
    interviews.reschedule_interview(
        actor=recruiter_actor,
        interview_id=interview.pk,
        details=details(SUMMER + timedelta(days=1), interviewers=[interviewer]),
    )
    interview.refresh_from_db()
    assert interview.answer == Interview.Answer.NONE  # asked again for the new time
    interviews.cancel_interview(actor=recruiter_actor, interview_id=interview.pk)

    for address in (applied.candidate.email, interviewer.email):
        invited, updated, cancelled = calendars_to(address)
        uids = {str(only_event(c)["UID"]) for c in (invited, updated, cancelled)}
        assert uids == {interview.uid}
        assert [only_event(c)["SEQUENCE"] for c in (invited, updated, cancelled)] == [0, 1, 2]
        assert [c["METHOD"] for c in (invited, updated, cancelled)] == [
            "REQUEST",
            "REQUEST",
            "CANCEL",
        ]
        assert only_event(updated).decoded("DTSTART") == SUMMER + timedelta(days=1)
        assert only_event(cancelled)["STATUS"] == "CANCELLED"
    interview.refresh_from_db()
    assert interview.status == Interview.Status.CANCELLED
    assert interview.reminder_due_at is None
    # Cancelling again changes nothing and sends nothing.
    before = OutboundEmail.objects.count()
    interviews.cancel_interview(actor=recruiter_actor, interview_id=interview.pk)
    assert OutboundEmail.objects.count() == before


def test_an_interviewer_taken_off_the_panel_gets_a_cancellation(
    applied: Application, recruiter_actor: Actor
) -> None:
    first = interviewer_on(applied, "first@staff.example")
    second = interviewer_on(applied, "second@staff.example")
    interview = interviews.schedule_interview(
        actor=recruiter_actor,
        application_id=applied.pk,
        details=details(SUMMER, interviewers=[first]),
    )
    interviews.reschedule_interview(
        actor=recruiter_actor,
        interview_id=interview.pk,
        details=details(SUMMER, interviewers=[second]),
    )

    assert [c["METHOD"] for c in calendars_to(first.email)] == ["REQUEST", "CANCEL"]
    assert [c["METHOD"] for c in calendars_to(second.email)] == ["REQUEST"]
    assert only_event(calendars_to(second.email)[0])["SEQUENCE"] == 1


def test_rescheduling_to_the_same_details_sends_nothing(
    applied: Application, recruiter_actor: Actor
) -> None:
    interview = interviews.schedule_interview(
        actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
    )
    before = OutboundEmail.objects.count()
    interviews.reschedule_interview(
        actor=recruiter_actor, interview_id=interview.pk, details=details(SUMMER)
    )
    interview.refresh_from_db()
    assert interview.sequence == 0
    assert OutboundEmail.objects.count() == before


def test_an_interviewer_on_the_panel_can_see_the_application(
    applied: Application, recruiter_actor: Actor
) -> None:
    interviewer = interviewer_on(applied)
    assert not access.applications_visible_to(interviewer).filter(pk=applied.pk).exists()
    interviews.schedule_interview(
        actor=recruiter_actor,
        application_id=applied.pk,
        details=details(SUMMER, interviewers=[interviewer]),
    )
    assert InterviewAssignment.objects.filter(application=applied, interviewer=interviewer).exists()
    assert access.applications_visible_to(interviewer).filter(pk=applied.pk).exists()


def test_a_hiring_manager_may_schedule_and_an_interviewer_may_not(applied: Application) -> None:
    manager = team_member(applied, TeamMembership.Role.HIRING_MANAGER, "hm@staff.example")
    interviews.schedule_interview(
        actor=Actor(manager), application_id=applied.pk, details=details(SUMMER)
    )
    interviewer = interviewer_on(applied)
    with pytest.raises(InterviewRefused):
        interviews.schedule_interview(
            actor=Actor(interviewer), application_id=applied.pk, details=details(SUMMER)
        )
    outsider = UserFactory.create()
    with pytest.raises(InterviewRefused):
        interviews.schedule_interview(
            actor=Actor(outsider), application_id=applied.pk, details=details(SUMMER)
        )
    assert Interview.objects.filter(application=applied).count() == 1


@pytest.mark.parametrize(
    "make_invalid",
    [
        pytest.param(lambda a: setattr(a, "restricted", True), id="restricted"),
        pytest.param(lambda a: setattr(a, "stage", Application.Stage.UNSUCCESSFUL), id="decided"),
    ],
)
def test_scheduling_is_refused_for_an_application_that_may_not_be_processed(
    applied: Application, recruiter_actor: Actor, make_invalid: Any
) -> None:
    make_invalid(applied)
    applied.save()
    with pytest.raises(InterviewRefused) as refused:
        interviews.schedule_interview(
            actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
        )
    assert str(refused.value.message)
    assert not Interview.objects.filter(application=applied).exists()
    assert (
        not OutboundEmail.objects.filter(to_address=applied.candidate.email)
        .exclude(calendar_text="")
        .exists()
    )


def test_restriction_refuses_scheduling_changes_and_cancelling_with_a_clear_message(
    applied: Application, recruiter_actor: Actor
) -> None:
    interview = interviews.schedule_interview(
        actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
    )
    Application.objects.filter(pk=applied.pk).update(restricted=True)
    for attempt in (
        lambda: interviews.schedule_interview(
            actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
        ),
        lambda: interviews.reschedule_interview(
            actor=recruiter_actor, interview_id=interview.pk, details=details(WINTER)
        ),
        lambda: interviews.cancel_interview(actor=recruiter_actor, interview_id=interview.pk),
    ):
        with pytest.raises(InterviewRefused) as refused:
            attempt()
        assert "restricted" in str(refused.value.message)
    interview.refresh_from_db()
    assert (interview.status, interview.sequence) == (Interview.Status.SCHEDULED, 0)


def test_an_objection_refuses_scheduling(applied: Application, recruiter_actor: Actor) -> None:
    DataSubjectRequest.objects.create(
        candidate=applied.candidate,
        kind=DataSubjectRequest.Kind.OBJECTION,
        channel=DataSubjectRequest.Channel.EMAIL,
        received_at=timezone.now(),
        original_due_at=timezone.now() + timedelta(days=30),
        due_at=timezone.now() + timedelta(days=30),
    )
    with pytest.raises(InterviewRefused) as refused:
        interviews.schedule_interview(
            actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
        )
    assert "objected" in str(refused.value.message)


@pytest.mark.parametrize("flag", ["erasure_requested_at", "under_age_flagged_at"])
def test_nobody_is_invited_whose_data_is_being_erased(
    applied: Application, recruiter_actor: Actor, flag: str
) -> None:
    Application.objects.filter(pk=applied.pk).update(**{flag: timezone.now()})
    with pytest.raises(InterviewRefused) as refused:
        interviews.schedule_interview(
            actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
        )
    assert "being erased" in str(refused.value.message)
    assert not Interview.objects.exists()
    assert not OutboundEmail.objects.filter(template__contains="interview").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"starts_at": timezone.now() - timedelta(hours=1)}, "future"),
        ({"address": ""}, "address"),
        ({"time_zone": "Mars/Olympus"}, "time zone"),
    ],
)
def test_invalid_details_are_refused(
    applied: Application, recruiter_actor: Actor, change: dict[str, Any], message: str
) -> None:
    from dataclasses import replace

    with pytest.raises(InterviewRefused) as refused:
        interviews.schedule_interview(
            actor=recruiter_actor,
            application_id=applied.pk,
            details=replace(details(SUMMER), **change),
        )
    assert message in str(refused.value.message).lower()
    assert not Interview.objects.exists()


def test_only_team_members_can_be_interviewers(
    applied: Application, recruiter_actor: Actor
) -> None:
    stranger = UserFactory.create(email="stranger@staff.example")
    other = MembershipFactory.create(role=TeamMembership.Role.INTERVIEWER).user  # other posting
    for user in (stranger, other):
        with pytest.raises(InterviewRefused):
            interviews.schedule_interview(
                actor=recruiter_actor,
                application_id=applied.pk,
                details=details(SUMMER, interviewers=[user]),
            )
    assert not Interview.objects.exists()


def test_the_candidate_answers_their_own_upcoming_interview(
    applied: Application, recruiter_actor: Actor
) -> None:
    interview = interviews.schedule_interview(
        actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
    )
    with pytest.raises(InterviewRefused):  # another time needs a message
        interviews.answer_interview(
            candidate_id=applied.candidate_id, interview_id=interview.pk, answer="new_time"
        )
    interviews.answer_interview(
        candidate_id=applied.candidate_id,
        interview_id=interview.pk,
        answer="new_time",
        message="Mornings suit me better.",
    )
    interview.refresh_from_db()
    assert interview.answer == Interview.Answer.NEW_TIME
    assert interview.answer_message == "Mornings suit me better."
    assert interview.answered_at is not None
    other = MembershipFactory.create().posting  # someone else's candidate id is refused
    stranger = apply_as(other, "Someone Else")
    with pytest.raises(InterviewRefused):
        interviews.answer_interview(
            candidate_id=stranger.candidate_id, interview_id=interview.pk, answer="accepted"
        )
    interviews.cancel_interview(actor=recruiter_actor, interview_id=interview.pk)
    with pytest.raises(InterviewRefused):
        interviews.answer_interview(
            candidate_id=applied.candidate_id, interview_id=interview.pk, answer="accepted"
        )


def test_the_reminder_sweep_reminds_once_when_due(
    applied: Application, recruiter_actor: Actor
) -> None:
    interviewer = interviewer_on(applied)
    interview = interviews.schedule_interview(
        actor=recruiter_actor,
        application_id=applied.pk,
        details=details(SUMMER, interviewers=[interviewer]),
    )
    interview.refresh_from_db()
    assert interview.reminder_due_at == SUMMER - timedelta(hours=24)
    reminders = OutboundEmail.objects.filter(template__endswith="_reminder")

    assert interviews.send_due_reminders(now=SUMMER - timedelta(hours=25)) == 0
    assert not reminders.exists()
    assert interviews.send_due_reminders(now=SUMMER - timedelta(hours=23)) == 1
    assert set(reminders.values_list("to_address", flat=True)) == {
        applied.candidate.email,
        interviewer.email,
    }
    assert interviews.send_due_reminders(now=SUMMER - timedelta(hours=22)) == 0
    assert reminders.count() == 2


def test_no_reminder_for_a_cancelled_interview(
    applied: Application, recruiter_actor: Actor
) -> None:
    interview = interviews.schedule_interview(
        actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
    )
    interviews.cancel_interview(actor=recruiter_actor, interview_id=interview.pk)
    assert interviews.send_due_reminders(now=SUMMER - timedelta(hours=1)) == 0
    assert not OutboundEmail.objects.filter(template__endswith="_reminder").exists()


def object_to(application: Application) -> None:
    DataSubjectRequest.objects.create(
        candidate=application.candidate,
        kind=DataSubjectRequest.Kind.OBJECTION,
        channel=DataSubjectRequest.Channel.EMAIL,
        received_at=timezone.now(),
        original_due_at=timezone.now() + timedelta(days=30),
        due_at=timezone.now() + timedelta(days=30),
    )


@pytest.mark.parametrize(
    "after_scheduling",
    [
        lambda a: Application.objects.filter(pk=a.pk).update(restricted=True),
        lambda a: Application.objects.filter(pk=a.pk).update(erasure_requested_at=timezone.now()),
        object_to,
    ],
    ids=["restricted", "erasure requested", "objected"],
)
def test_no_reminder_reaches_a_candidate_who_may_no_longer_be_contacted(
    applied: Application, recruiter_actor: Actor, after_scheduling: Any
) -> None:
    """What happened after the invitation stops the reminder, to everyone, once."""
    interviewer = interviewer_on(applied)
    interviews.schedule_interview(
        actor=recruiter_actor,
        application_id=applied.pk,
        details=details(SUMMER, interviewers=[interviewer]),
    )
    after_scheduling(applied)

    assert interviews.send_due_reminders(now=SUMMER - timedelta(hours=1)) == 0
    assert not OutboundEmail.objects.filter(template__endswith="_reminder").exists()
    assert Interview.objects.get(application=applied).reminder_sent_at is not None


@pytest.mark.parametrize(
    "kind", [DataSubjectRequest.Kind.RESTRICTION, DataSubjectRequest.Kind.OBJECTION]
)
def test_a_restriction_or_objection_withholds_interview_emails_not_yet_delivered(
    applied: Application, recruiter_actor: Actor, kind: str
) -> None:
    """Like the messages staff wrote: what has not left for the candidate stays unsent;
    what left already, and the interviewers' copies, stay as they are."""
    interviewer = interviewer_on(applied)
    interview = interviews.schedule_interview(
        actor=recruiter_actor,
        application_id=applied.pk,
        details=details(SUMMER, interviewers=[interviewer]),
    )
    to_candidate = OutboundEmail.objects.filter(
        to_address=applied.candidate.email, template__startswith="pipeline/emails/interview_"
    )
    delivered = to_candidate.get(template="pipeline/emails/interview_invitation")
    OutboundEmail.objects.filter(pk=delivered.pk).update(status=OutboundEmail.Status.SENT)
    interviews.reschedule_interview(
        actor=recruiter_actor,
        interview_id=interview.pk,
        details=details(WINTER, interviewers=[interviewer]),
    )
    assert to_candidate.filter(template="pipeline/emails/interview_changed").exists()

    register.record_request(
        candidate=applied.candidate, kind=kind, channel=DataSubjectRequest.Channel.PORTAL
    )

    assert list(to_candidate.values_list("pk", flat=True)) == [delivered.pk]
    assert OutboundEmail.objects.filter(to_address=interviewer.email).count() == 2


def test_the_delivered_email_carries_a_text_calendar_part_with_its_method(
    applied: Application, recruiter_actor: Actor, smtp_mailbox: Any, unique_email: Any
) -> None:
    address = unique_email()
    applied.candidate.email = address
    applied.candidate.save()
    interviews.schedule_interview(
        actor=recruiter_actor, application_id=applied.pk, details=details(SUMMER)
    )
    email = OutboundEmail.objects.get(to_address=address)
    assert outbox.deliver_email(email_id=email.pk)

    [message] = smtp_mailbox.wait_for(address)
    parts = [part for part in message.walk() if not part.is_multipart()]
    calendar_parts = [p for p in parts if p.get_content_type() == "text/calendar"]
    assert len(calendar_parts) == 1
    assert calendar_parts[0].get_param("method") == "REQUEST"
    attachments = [p for p in parts if p.get_filename() == "invite.ics"]
    assert len(attachments) == 1
    from icalendar import Calendar

    payload = calendar_parts[0].get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert Calendar.from_ical(payload)["METHOD"] == "REQUEST"
