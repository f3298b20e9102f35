"""RFC 5545 calendar objects for interviews, built with `icalendar`. No side effects.

- `invitation`: the iTIP message an attendee's email carries: METHOD:REQUEST when an
  interview is arranged or changed, METHOD:CANCEL (STATUS:CANCELLED) when it is called off;
  always the interview's UID and its current SEQUENCE, so a calendar applies an update or a
  cancellation to the event it already holds. DTSTART/DTEND carry the interview's zone as
  TZID with its VTIMEZONE (built from zoneinfo, so daylight-saving changes are right).
  SUMMARY and DESCRIPTION are in the recipient's language.
- `feed`: a staff member's personal calendar: times and links to the applications only,
  never the candidate's name or contact details.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, vCalAddress, vText

from recruitment.models import Interview

REQUEST = "REQUEST"
CANCEL = "CANCEL"
PRODID = "-//ATS//Interviews//EN"

_PARTSTAT = {
    Interview.Answer.NONE: "NEEDS-ACTION",
    Interview.Answer.ACCEPTED: "ACCEPTED",
    Interview.Answer.DECLINED: "DECLINED",
    Interview.Answer.NEW_TIME: "TENTATIVE",
}


@dataclass(frozen=True)
class Attendee:
    """Someone the invitation names: an address, a display name, and whether it is the
    candidate (whose answer, from the portal, is their PARTSTAT)."""

    email: str
    name: str
    is_candidate: bool = False


def attendees_of(interview: Interview) -> list[Attendee]:
    """The candidate (the application's address and name) and every interviewer."""
    application = interview.application
    people = [Attendee(application.candidate.email, application.full_name, is_candidate=True)]
    for user in interview.interviewers.all():
        if user.email:
            people.append(Attendee(user.email, user.get_full_name() or user.get_username()))
    return people


def invitation(
    interview: Interview,
    *,
    method: str,
    language: str,
    for_candidate: bool,
    now: datetime | None = None,
) -> str:
    """The iCalendar text of this interview's REQUEST or CANCEL, in `language`.

    `for_candidate` chooses what the description says: the candidate reads the note
    written for them and where to answer; an interviewer reads the link to the application.
    """
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"unsupported METHOD {method!r}")
    now = now or timezone.now()
    calendar = _calendar(method)
    with translation.override(language):
        event = _event(interview, now=now)
        event.add("summary", _summary(interview))
        event.add("description", _description(interview, for_candidate=for_candidate))
    if location := location_of(interview):
        event.add("location", location)
    if interview.kind == Interview.Kind.VIDEO and interview.video_url:
        event.add("url", interview.video_url)
    organizer = vCalAddress(f"mailto:{_organizer_address()}")
    organizer.params["CN"] = vText(settings.CONTROLLER["name"])
    event.add("organizer", organizer)
    for person in attendees_of(interview):
        address = vCalAddress(f"mailto:{person.email}")
        address.params["CN"] = vText(person.name)
        address.params["CUTYPE"] = "INDIVIDUAL"
        address.params["ROLE"] = "REQ-PARTICIPANT"
        address.params["PARTSTAT"] = (
            _PARTSTAT[Interview.Answer(interview.answer)] if person.is_candidate else "ACCEPTED"
        )
        # The candidate answers in the portal: a calendar's REPLY would reach nobody who
        # reads it, so no client is asked to send one.
        address.params["RSVP"] = "FALSE"
        event.add("attendee", address, encode=False)
    if method == CANCEL or interview.is_cancelled:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    calendar.add_component(event)
    _add_time_zones(calendar, [interview])
    return calendar.to_ical().decode()


def feed(interviews: Iterable[Interview], *, language: str, now: datetime | None = None) -> str:
    """A published calendar of these interviews: times, the posting's title, a link to the
    application. Nothing about the candidate: no name, address or phone number."""
    now = now or timezone.now()
    interviews = list(interviews)
    calendar = _calendar(None)
    with translation.override(language):
        calendar.add("x-wr-calname", _("Interviews"))
        for interview in interviews:
            event = _event(interview, now=now)
            event.add("summary", _summary(interview))
            event.add("description", _application_url(interview))
            event.add("url", _application_url(interview))
            event.add("status", "CANCELLED" if interview.is_cancelled else "CONFIRMED")
            calendar.add_component(event)
    _add_time_zones(calendar, interviews)
    return calendar.to_ical().decode()


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    return calendar


def _event(interview: Interview, *, now: datetime) -> Event:
    zone = ZoneInfo(interview.time_zone)
    event = Event()
    event.add("uid", interview.uid)
    event.add("sequence", interview.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", interview.starts_at.astimezone(zone))
    event.add("dtend", interview.ends_at.astimezone(zone))
    event.add("created", interview.created_at or now)
    event.add("last-modified", interview.updated_at or now)
    return event


def _summary(interview: Interview) -> str:
    return _("Interview: %(posting)s") % {"posting": interview.application.posting.title}


def _description(interview: Interview, *, for_candidate: bool) -> str:
    lines = [_place_line(interview)]
    if for_candidate:
        if interview.note_for_candidate:
            lines += ["", interview.note_for_candidate]
        lines += [
            "",
            _("Please answer (accept, decline or ask for another time) in the privacy portal:"),
            settings.PUBLIC_URL + reverse("privacy:request_link"),
        ]
    else:
        lines += ["", _("Application:"), _application_url(interview)]
    return "\n".join(lines)


def _place_line(interview: Interview) -> str:
    if interview.kind == Interview.Kind.ON_SITE:
        return _("On site: %(address)s") % {"address": interview.address}
    if interview.kind == Interview.Kind.VIDEO:
        return _("Video call: %(link)s") % {"link": interview.video_url}
    return _("Phone call: we will call you on the number you gave us.")


def location_of(interview: Interview) -> str:
    """What the LOCATION line says (and the emails): the address or the call's link."""
    if interview.kind == Interview.Kind.ON_SITE:
        return interview.address
    if interview.kind == Interview.Kind.VIDEO:
        return interview.video_url
    return ""


def _application_url(interview: Interview) -> str:
    return settings.PUBLIC_URL + reverse(
        "staff:application", kwargs={"pk": interview.application_id}
    )


def _organizer_address() -> str:
    # Where a person who writes back reaches someone (as the emails' Reply-To does).
    return str(settings.EMAIL_REPLY_TO or settings.DEFAULT_FROM_EMAIL)


def _add_time_zones(calendar: Calendar, interviews: list[Interview]) -> None:
    """Adds a VTIMEZONE for every TZID used, with the zone's transitions around the
    interviews' dates only (a whole zone history would be kilobytes per email)."""
    if not interviews:
        return
    first = min(interview.starts_at for interview in interviews).date()
    last = max(interview.starts_at for interview in interviews).date()
    calendar.add_missing_timezones(
        first_date=date(first.year - 1, 1, 1), last_date=date(last.year + 1, 12, 31)
    )
