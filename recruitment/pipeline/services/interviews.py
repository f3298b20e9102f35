"""Interviews: arranging, changing and cancelling them, the candidate's answer, reminders.

Every change takes the candidate's lock (`Application.objects.lock_candidate`, as a
restriction, an objection and the purge do, so whichever comes second sees what the first
committed), checks the application may still be processed, writes its ApplicationEvent and
audit row, and queues the emails in the same transaction: the candidate's in the language
they applied in, each interviewer's in the language they chose for their emails
(staff_language), each with the calendar object
(recruitment.pipeline.calendar) that makes a calendar add, update or remove the event.

Emails to the candidate are about the application (`subject_ref`: the application), so they
are in the candidate's export and go with its purge; the interviewers' copies are about the
interview (`subject_ref`: the interview), so the purge erases them with it and the
candidate's export does not list staff addresses.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats import enqueue
from ats.refusals import ServiceRefused
from notifications.services import cancel_undelivered_about, queue_email
from recruitment import access
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import (
    DECIDED_STAGES,
    Application,
    ApplicationEvent,
    DataSubjectRequest,
    Interview,
    InterviewAssignment,
    InterviewInterviewer,
    TeamMembership,
)
from recruitment.pipeline import calendar
from recruitment.pipeline.services import staff_language
from recruitment.pipeline.services.messaging import DIGEST_TASK

Kind = Interview.Kind
Answer = Interview.Answer

CANDIDATE_TEMPLATES = {
    "scheduled": "pipeline/emails/interview_invitation",
    "changed": "pipeline/emails/interview_changed",
    "cancelled": "pipeline/emails/interview_cancelled",
    "reminder": "pipeline/emails/interview_reminder",
}
STAFF_TEMPLATES = {
    "scheduled": "pipeline/emails/interview_staff_invitation",
    "changed": "pipeline/emails/interview_staff_changed",
    "cancelled": "pipeline/emails/interview_staff_cancelled",
    "reminder": "pipeline/emails/interview_staff_reminder",
}


class InterviewRefused(ServiceRefused):
    """The interview was not arranged, changed, cancelled or answered; nothing was written."""


RESTRICTED = _(
    "The candidate has restricted the processing of this application: no interview can be "
    "arranged, changed or cancelled until the privacy officer lifts the restriction."
)
OBJECTED = _(
    "The candidate has objected to the processing of their data: no interview can be "
    "arranged or changed while the objection stands."
)
ERASING = _("The candidate's data is being erased: no interview can be arranged.")
CONCLUDED = _("This recruitment process is concluded; no interview can be arranged.")
DECIDED = _(
    "This application is decided (hired, unsuccessful or withdrawn): no interview can be arranged."
)
NOT_ALLOWED = _("Only the posting's recruiters and hiring managers can arrange interviews.")
IN_THE_PAST = _("The interview must start in the future.")
CANCELLED_ALREADY = _("This interview is cancelled.")
NOT_ON_TEAM = _("Interviewers must be members of this posting's team.")
UNKNOWN_ZONE = _("Unknown time zone.")
KIND_NEEDS = {
    Kind.ON_SITE: ("address", _("An on-site interview needs the address.")),
    Kind.VIDEO: ("video_url", _("A video interview needs the link to the call.")),
}
NO_LONGER_ANSWERABLE = _("This interview can no longer be answered.")
MESSAGE_NEEDED = _("Tell us which times suit you better.")


@dataclass(frozen=True)
class Details:
    """What staff choose for an interview (the form's cleaned data)."""

    starts_at: datetime
    duration_minutes: int
    time_zone: str
    kind: str
    address: str = ""
    video_url: str = ""
    note_for_candidate: str = ""
    interviewer_ids: tuple[int, ...] = ()


@transaction.atomic
def schedule_interview(
    *, actor: Actor, application_id: UUID, details: Details, now: datetime | None = None
) -> Interview:
    """Arranges an interview on the application.

    Side effects: the Interview and its interviewers, an InterviewAssignment for every
    interviewer-role member not yet assigned (their access to the application), an
    ApplicationEvent, an audit row, and the invitation emails (candidate and interviewers,
    each with a METHOD:REQUEST calendar part) in the outbox. Not rerunnable by design: a
    second call arranges a second interview. Raises InterviewRefused.
    """
    now = now or timezone.now()
    application = _locked_application(application_id)
    _check_may_arrange(actor, application, details, now=now)
    interview = Interview.objects.create(
        application=application,
        starts_at=details.starts_at,
        duration_minutes=details.duration_minutes,
        time_zone=details.time_zone,
        kind=details.kind,
        address=details.address if details.kind == Kind.ON_SITE else "",
        video_url=details.video_url if details.kind == Kind.VIDEO else "",
        note_for_candidate=details.note_for_candidate,
        reminder_due_at=_reminder_due(details.starts_at, now),
        scheduled_by=actor.user,
    )
    interviewers = _set_interviewers(interview, details.interviewer_ids, actor=actor)
    _record(interview, actor, ApplicationEvent.Kind.INTERVIEW_SCHEDULED, "SCHEDULE_INTERVIEW")
    _send_candidate(interview, "scheduled", method=calendar.REQUEST)
    _send_staff(interview, "scheduled", interviewers, method=calendar.REQUEST)
    return interview


@transaction.atomic
def reschedule_interview(
    *, actor: Actor, interview_id: UUID, details: Details, now: datetime | None = None
) -> Interview:
    """Changes an interview's time, place, interviewers or note.

    Side effects: the new details with SEQUENCE one higher; if the time or place changed,
    the candidate's answer is cleared (they are asked again) and the reminder is due anew;
    an ApplicationEvent, an audit row; the update (METHOD:REQUEST, same UID) to the
    candidate and the interviewers, and a cancellation (METHOD:CANCEL) to interviewers taken
    off it. Rerun-safe: details equal to the current ones change nothing and send nothing.
    Raises InterviewRefused.
    """
    now = now or timezone.now()
    interview = _locked_interview(interview_id)
    if interview.is_cancelled:
        raise InterviewRefused(CANCELLED_ALREADY)
    application = interview.application
    _check_may_arrange(actor, application, details, now=now)
    before = _snapshot(interview)
    old_panel = set(interview.panel.values_list("interviewer_id", flat=True))
    moved = (interview.starts_at, interview.duration_minutes, interview.time_zone) != (
        details.starts_at,
        details.duration_minutes,
        details.time_zone,
    ) or (interview.kind, interview.address, interview.video_url) != (
        details.kind,
        details.address if details.kind == Kind.ON_SITE else "",
        details.video_url if details.kind == Kind.VIDEO else "",
    )
    interview.starts_at = details.starts_at
    interview.duration_minutes = details.duration_minutes
    interview.time_zone = details.time_zone
    interview.kind = details.kind
    interview.address = details.address if details.kind == Kind.ON_SITE else ""
    interview.video_url = details.video_url if details.kind == Kind.VIDEO else ""
    interview.note_for_candidate = details.note_for_candidate
    if before == _snapshot(interview) and old_panel == set(details.interviewer_ids):
        return interview
    interview.sequence += 1
    if moved:
        interview.answer = Answer.NONE
        interview.answer_message = ""
        interview.answered_at = None
        interview.reminder_due_at = _reminder_due(details.starts_at, now)
        interview.reminder_sent_at = None
    interview.save()
    removed = _users(old_panel - set(details.interviewer_ids))
    interviewers = _set_interviewers(interview, details.interviewer_ids, actor=actor)
    _record(interview, actor, ApplicationEvent.Kind.INTERVIEW_RESCHEDULED, "RESCHEDULE_INTERVIEW")
    _send_candidate(interview, "changed", method=calendar.REQUEST)
    _send_staff(interview, "changed", interviewers, method=calendar.REQUEST)
    _send_staff(interview, "cancelled", removed, method=calendar.CANCEL)
    return interview


@transaction.atomic
def cancel_interview(*, actor: Actor, interview_id: UUID) -> Interview:
    """Calls an interview off.

    Side effects: status cancelled, SEQUENCE one higher, no reminder; an ApplicationEvent,
    an audit row; the cancellation (METHOD:CANCEL, STATUS:CANCELLED, same UID) to the
    candidate and the interviewers. Rerun-safe: a cancelled interview stays as it is.
    Raises InterviewRefused while the application is restricted.
    """
    interview = _locked_interview(interview_id)
    application = interview.application
    if not access.can_decide(actor.user, application.posting):
        raise InterviewRefused(NOT_ALLOWED)
    if application.restricted:
        raise InterviewRefused(RESTRICTED)
    if interview.is_cancelled:
        return interview
    interview.status = Interview.Status.CANCELLED
    interview.sequence += 1
    interview.reminder_due_at = None
    interview.save()
    _record(interview, actor, ApplicationEvent.Kind.INTERVIEW_CANCELLED, "CANCEL_INTERVIEW")
    _send_candidate(interview, "cancelled", method=calendar.CANCEL)
    _send_staff(interview, "cancelled", list(interview.interviewers.all()), method=calendar.CANCEL)
    return interview


@transaction.atomic
def answer_interview(
    *,
    candidate_id: UUID,
    interview_id: UUID,
    answer: str,
    message: str = "",
    now: datetime | None = None,
) -> Interview:
    """The candidate's answer from the portal: accepted, declined or another time please
    (with a message). Only their own, scheduled, upcoming interview of an application that
    is not restricted. Side effects: the answer and its time on the interview, an
    ApplicationEvent without an actor (the candidate acted); after commit, the staff digest
    sweep is asked to run (recruiters and the organiser hear of it in their digest).
    Rerun-safe: the same answer again changes only its time (and counts it in the next
    digest again). Raises InterviewRefused.
    """
    now = now or timezone.now()
    if answer not in (Answer.ACCEPTED, Answer.DECLINED, Answer.NEW_TIME):
        raise InterviewRefused(NO_LONGER_ANSWERABLE)
    Application.objects.lock_candidate(candidate_id)
    interview = (
        Interview.objects.select_for_update(of=("self",))
        .select_related("application")
        .filter(pk=interview_id, application__candidate_id=candidate_id)
        .first()
    )
    if interview is None or interview.is_cancelled or interview.starts_at <= now:
        raise InterviewRefused(NO_LONGER_ANSWERABLE)
    if interview.application.restricted:
        raise InterviewRefused(RESTRICTED)
    message = message.strip()
    if answer == Answer.NEW_TIME and not message:
        raise InterviewRefused(MESSAGE_NEEDED)
    interview.answer = answer
    interview.answer_message = message if answer != Answer.ACCEPTED else ""
    interview.answered_at = now
    interview.save(update_fields=["answer", "answer_message", "answered_at", "updated_at"])
    ApplicationEvent.objects.create(
        application=interview.application,
        kind=ApplicationEvent.Kind.INTERVIEW_ANSWERED,
        to_stage="",
        reason="",
    )
    # The posting's recruiters and whoever arranged it hear of it (counts and links only)
    # at once or in their daily digest, as of a candidate's message.
    enqueue.send_on_commit(DIGEST_TASK)
    return interview


def withhold_queued(*, application_ids: list[UUID]) -> int:
    """Withholds the interview emails to these applications' candidates that have not left
    yet (invitations, changes, cancellations, reminders): deleted from the outbox. For a
    restriction or an objection arriving (rights.services.register), in its transaction,
    under the person's lock, like the messages staff wrote. The interviewers' copies stay
    (they are not written to the candidate). Returns how many of the applications had
    emails withheld. Rerun-safe."""
    return len(
        cancel_undelivered_about(
            subject_refs=application_ids, templates=list(CANDIDATE_TEMPLATES.values())
        )
    )


def send_due_reminders(*, now: datetime | None = None, limit: int = 200) -> int:
    """Queues the reminder emails of every interview whose reminder is due (run by beat).

    Each interview in its own transaction: the emails are queued and `reminder_sent_at` set
    together, under the row's lock (skipping rows another sweep holds), so running twice, or
    two sweeps at once, sends each reminder once. Interviews cancelled, started, declined by
    the candidate, or of a candidate who may not be contacted now (restricted, objecting,
    being erased) are marked done without an email. Returns how many interviews were
    reminded of.
    """
    now = now or timezone.now()
    due = list(
        Interview.objects.filter(
            reminder_due_at__lte=now, reminder_sent_at__isnull=True
        ).values_list("pk", flat=True)[:limit]
    )
    sent = 0
    for interview_id in due:
        with transaction.atomic():
            interview = (
                Interview.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("application__candidate", "application__posting")
                .filter(pk=interview_id, reminder_sent_at__isnull=True)
                .first()
            )
            if interview is None:
                continue
            interview.reminder_sent_at = now
            interview.save(update_fields=["reminder_sent_at", "updated_at"])
            application = interview.application
            if (
                interview.is_cancelled
                or interview.starts_at <= now
                or interview.answer == Answer.DECLINED
                or application.restricted
                or application.erasure_requested_at
                or application.under_age_flagged_at
                or _objected(application)
            ):
                continue
            _send_candidate(interview, "reminder", method="")
            _send_staff(interview, "reminder", list(interview.interviewers.all()), method="")
            sent += 1
    return sent


# --- helpers ----------------------------------------------------------------------------


def _locked_application(application_id: UUID) -> Application:
    """The application, its person's rows locked (the purge's and the restriction's lock).
    One erased meanwhile (the page was opened before the purge) is refused, not a 500."""
    application = Application.objects.select_related("posting", "candidate").lock_application(
        application_id
    )
    if application is None:
        raise InterviewRefused(ERASING)
    return application


def _locked_interview(interview_id: UUID) -> Interview:
    """The interview, locked after its person's rows; refused if erased meanwhile."""
    candidate_id = (
        Interview.objects.filter(pk=interview_id)
        .values_list("application__candidate_id", flat=True)
        .first()
    )
    Application.objects.lock_candidate(candidate_id)
    interview = (
        Interview.objects.select_for_update(of=("self",))
        .select_related("application__posting", "application__candidate")
        .filter(pk=interview_id)
        .first()
    )
    if interview is None:
        raise InterviewRefused(ERASING)
    return interview


def _objected(application: Application) -> bool:
    """A pending or upheld objection of the application's candidate (one query)."""
    standing = DataSubjectRequest.objects.standing_objections()
    return standing.filter(candidate_id=application.candidate_id).exists()


def _check_may_arrange(
    actor: Actor, application: Application, details: Details, *, now: datetime
) -> None:
    if not access.can_decide(actor.user, application.posting):
        raise InterviewRefused(NOT_ALLOWED)
    if application.restricted:
        raise InterviewRefused(RESTRICTED)
    # Erasure asked for, or flagged under age: the data is about to go; nobody is invited.
    if application.erasure_requested_at or application.under_age_flagged_at:
        raise InterviewRefused(ERASING)
    if _objected(application):
        raise InterviewRefused(OBJECTED)
    if application.posting.concluded_at is not None:
        raise InterviewRefused(CONCLUDED)
    if application.stage in DECIDED_STAGES:
        raise InterviewRefused(DECIDED)
    if details.starts_at <= now:
        raise InterviewRefused(IN_THE_PAST)
    try:
        ZoneInfo(details.time_zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise InterviewRefused(UNKNOWN_ZONE) from None
    if details.kind not in Kind.values:
        raise InterviewRefused(_("Choose the kind of interview."))
    if details.kind in KIND_NEEDS:
        field, message = KIND_NEEDS[Kind(details.kind)]
        if not getattr(details, field).strip():
            raise InterviewRefused(message)
    on_team = set(
        TeamMembership.objects.filter(
            posting=application.posting_id, user_id__in=details.interviewer_ids
        ).values_list("user_id", flat=True)
    )
    if on_team != set(details.interviewer_ids):
        raise InterviewRefused(NOT_ON_TEAM)


def _snapshot(interview: Interview) -> tuple[object, ...]:
    return (
        interview.starts_at,
        interview.duration_minutes,
        interview.time_zone,
        interview.kind,
        interview.address,
        interview.video_url,
        interview.note_for_candidate,
    )


def _reminder_due(starts_at: datetime, now: datetime) -> datetime | None:
    """When to remind (INTERVIEW_REMINDER_HOURS before); none if that time has passed: the
    invitation itself came late enough."""
    due = starts_at - timedelta(hours=settings.INTERVIEW_REMINDER_HOURS)
    return due if due > now else None


def _users(ids: set[int]) -> list[User]:
    return list(User.objects.filter(pk__in=ids).order_by("pk")) if ids else []


def _set_interviewers(
    interview: Interview, interviewer_ids: tuple[int, ...], *, actor: Actor
) -> list[User]:
    """Makes the panel these users; assigns the interviewer-role members to the application
    (the pipeline's one way of letting an interviewer see it). An assignment outlives the
    interview: their notes and scorecards stay reachable to them."""
    wanted = set(interviewer_ids)
    interview.panel.exclude(interviewer_id__in=wanted).delete()
    present = set(interview.panel.values_list("interviewer_id", flat=True))
    InterviewInterviewer.objects.bulk_create(
        [InterviewInterviewer(interview=interview, interviewer_id=pk) for pk in wanted - present]
    )
    application = interview.application
    interviewer_role = set(
        TeamMembership.objects.filter(
            posting=application.posting_id,
            user_id__in=wanted,
            role=TeamMembership.Role.INTERVIEWER,
        ).values_list("user_id", flat=True)
    )
    assigned = set(
        InterviewAssignment.objects.filter(
            application=application, interviewer_id__in=interviewer_role
        ).values_list("interviewer_id", flat=True)
    )
    for user_id in sorted(interviewer_role - assigned):
        InterviewAssignment.objects.create(application=application, interviewer_id=user_id)
        ApplicationEvent.objects.create(
            application=application,
            kind=ApplicationEvent.Kind.INTERVIEWER_ASSIGNED,
            actor=actor.user,
        )
        audit.record_application_access(
            actor=actor, action=audit.Action.ASSIGN_INTERVIEWER, application=application
        )
    return _users(wanted)


def _record(interview: Interview, actor: Actor, kind: str, action: str) -> None:
    ApplicationEvent.objects.create(application=interview.application, kind=kind, actor=actor.user)
    audit.record_application_access(
        actor=actor, action=getattr(audit.Action, action), application=interview.application
    )


def _context(interview: Interview) -> dict[str, object]:
    zone = ZoneInfo(interview.time_zone)
    application = interview.application
    return {
        "full_name": application.full_name,
        "posting_title": application.posting.title,
        "starts_at": interview.starts_at.astimezone(zone),
        "ends_at": interview.ends_at.astimezone(zone),
        "time_zone": interview.time_zone,
        "duration_minutes": interview.duration_minutes,
        "kind": interview.kind,
        "address": interview.address,
        "video_url": interview.video_url,
        "note_for_candidate": interview.note_for_candidate,
        "portal_url": settings.PUBLIC_URL + reverse("privacy:request_link"),
        "application_url": settings.PUBLIC_URL
        + reverse("staff:application", kwargs={"pk": application.pk}),
    }


def _send_candidate(interview: Interview, what: str, *, method: str) -> None:
    application = interview.application
    language = application.language
    queue_email(
        to=application.candidate.email,
        template=CANDIDATE_TEMPLATES[what],
        context=_context(interview),
        language=language,
        subject_ref=application.pk,
        calendar_text=calendar.invitation(
            interview, method=method, language=language, for_candidate=True
        )
        if method
        else "",
        calendar_method=method,
    )


def _send_staff(interview: Interview, what: str, interviewers: list[User], *, method: str) -> None:
    languages = staff_language.email_languages_of(user.pk for user in interviewers)
    for user in interviewers:
        if not user.email:
            continue
        language = languages[user.pk]
        queue_email(
            to=user.email,
            template=STAFF_TEMPLATES[what],
            context={**_context(interview), "for_staff": True},
            language=language,
            subject_ref=interview.pk,
            calendar_text=calendar.invitation(
                interview, method=method, language=language, for_candidate=False
            )
            if method
            else "",
            calendar_method=method,
        )
