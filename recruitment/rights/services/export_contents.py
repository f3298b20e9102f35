"""What a candidate's data export holds (PRIVACY.md P10, P11), and how the ZIP is written.

`collect` reads everything held about one candidate into a JSON-ready document plus the list
of their CV files; `write_archive` streams both into a ZIP: `data.json`, the original CVs
under `cvs/`, and `README.txt`, a plain-English guide. The document's schema is `SCHEMA`,
documented field by field in docs/export-schema.md: adding a field keeps the version;
renaming or removing one, or changing what it means, bumps it.

Staff appear by role ("recruiter", "interviewer"...), never by name: the export is the
candidate's data, and staff names and accounts are not.

Other people's words (GDPR Art. 15(4)): interview notes and scorecards (a reference check
names a referee and says what they said) and the reasons staff gave for stage changes are
`passages`. An export the candidate asked for in the portal carries them only as a privacy
officer decided (ExportPassageReview: released as they are, or replaced by a redaction
text); `collect` reports any passage without a decision for its current text, and such an
export is not built (exports.py sends it back to review).
"""

import hashlib
import json
import logging
import re
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any
from uuid import UUID

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch, Q
from django.template.loader import render_to_string
from django.utils import translation

from notifications.services import emails_about
from recruitment.cvs import storage
from recruitment.models import (
    Answer,
    Application,
    ApplicationEvent,
    Candidate,
    CandidateMessage,
    CurriculumVitae,
    DataExport,
    ExportPassageReview,
    Interview,
    InterviewNote,
    Invitation,
    TeamMembership,
)
from recruitment.notices.services import consent_text_of
from recruitment.notices.texts import notice_fingerprint_in

logger = logging.getLogger(__name__)

SCHEMA = "ats-candidate-export/1"
DATA_FILE = "data.json"
README_FILE = "README.txt"
CV_DIR = "cvs/"
SCHEMA_DOCUMENT = "docs/export-schema.md"
# Roles for staff who are not on the posting's team (or whose account is gone).
ADMINISTRATOR = "administrator"
PRIVACY_OFFICER = "privacy_officer"
STAFF = "staff"
FORMER_STAFF = "former_staff"
# An event with no staff actor: the candidate acted (applied, portal) or the system did.
CANDIDATE_OR_SYSTEM = "candidate_or_system"
# A message the candidate wrote in the portal.
MESSAGE_FROM_CANDIDATE = "candidate"
PRIVACY_OFFICER_PERMISSION = "act_as_privacy_officer"
# Longest file name kept inside the ZIP (before the extension), for every unzip tool's sake.
MAX_NAME = 80


@dataclass
class CvFile:
    """One CV to copy into the ZIP, and its entry in data.json (completed while copying)."""

    storage_key: str
    stored_sha256: str
    entry: dict[str, Any]


@dataclass
class Contents:
    document: dict[str, Any]
    cvs: list[CvFile]
    # Passages an export under review holds with no decision for their current text.
    undecided: list["PassageKey"]


Source = ExportPassageReview.Source
PassageKey = tuple[str, UUID]  # (Source, the note's or event's id)


@dataclass(frozen=True)
class Passage:
    """A passage of other people's words in a candidate's data, as the review shows it."""

    source: str
    source_id: UUID
    application_id: UUID
    posting_title: str
    text: str
    written_at: datetime

    @property
    def key(self) -> PassageKey:
        return (self.source, self.source_id)

    @property
    def text_sha256(self) -> str:
        return text_sha256(self.text)

    @property
    def label(self) -> str:
        """What kind of passage it is, in words."""
        return str(Source(self.source).label)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def passages_of(candidate_id: UUID) -> list[Passage]:
    """Every passage of other people's words held about the candidate, by application and
    time: interview notes and scorecards, and the reasons staff wrote for stage changes
    (events with no staff actor hold the candidate's or the system's words). Two queries."""
    passages = []
    notes = (
        InterviewNote.objects.filter(application__candidate_id=candidate_id)
        .select_related("application__posting")
        .order_by("application__created_at", "application_id", "created_at", "pk")
    )
    for note in notes:
        title = note.application.posting.title
        for source, text in (
            (Source.NOTE_BODY, note.body),
            (Source.NOTE_SCORECARD, note.scorecard),
        ):
            if text.strip():
                passages.append(
                    Passage(source, note.pk, note.application_id, title, text, note.created_at)
                )
    events = (
        ApplicationEvent.objects.filter(application__candidate_id=candidate_id, actor__isnull=False)
        .exclude(reason="")
        .select_related("application__posting")
        .order_by("application__created_at", "application_id", "created_at", "pk")
    )
    for event in events:
        if event.reason.strip():
            passages.append(
                Passage(
                    Source.EVENT_REASON,
                    event.pk,
                    event.application_id,
                    event.application.posting.title,
                    event.reason,
                    event.created_at,
                )
            )
    return passages


def needs_review(export: DataExport) -> bool:
    """Whether the export's passages need an officer's decisions: the candidate asked for it
    in the portal. One a privacy officer or an admin produced is theirs to handle, and
    to review before they send it on (the staff export page says so)."""
    return export.requested_by_id is None


class _Redactions:
    """Applies an export's review decisions; remembers the passages with none."""

    def __init__(self, export: DataExport) -> None:
        self.active = needs_review(export)
        self._reviews = (
            {(r.source, r.source_id): r for r in export.passage_reviews.all()}
            if self.active
            else {}
        )
        self.undecided: list[PassageKey] = []

    def shown(
        self, source: str, source_id: UUID, text: str, *, passage: bool = True
    ) -> tuple[str, bool]:
        """The text to export in place of `text`, and whether it was redacted."""
        if not self.active or not passage or not text.strip():
            return text, False
        review = self._reviews.get((source, source_id))
        if review is None or review.text_sha256 != text_sha256(text):
            self.undecided.append((source, source_id))
            return "", True  # never exported: the export is not built
        if review.decision == ExportPassageReview.Decision.REDACT:
            return review.replacement, True
        return text, False


def collect(*, candidate: Candidate, export: DataExport, now: datetime) -> Contents:
    """Everything held about `candidate`, as the data.json document and their CV files.

    Reads only, in a fixed number of queries whatever the number of applications. The CV
    entries' checksums and sizes are filled in by `write_archive`, from the bytes copied.
    """
    applications = list(
        candidate.applications.select_related("posting", "notice_version", "source")
        .defer("notice_version__content", "notice_version__texts")
        .prefetch_related(
            Prefetch("events", queryset=ApplicationEvent.objects.order_by("created_at", "pk")),
            Prefetch("notes", queryset=InterviewNote.objects.order_by("created_at", "pk")),
            Prefetch("cvs", queryset=CurriculumVitae.objects.order_by("created_at", "pk")),
            Prefetch("thread", queryset=CandidateMessage.objects.order_by("created_at", "pk")),
            # With the exact question version each answered.
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by(
                    "question__position", "question__lineage", "question__version"
                ),
            ),
            "legal_holds",
            "assignments",
            Prefetch(
                "interviews",
                queryset=Interview.objects.order_by("starts_at", "pk").prefetch_related("panel"),
            ),
        )
        .order_by("created_at", "pk")
    )
    invitations = list(candidate.invitations.select_related("posting").order_by("created_at", "pk"))
    roles = _StaffRoles.for_applications(applications, invitations=invitations)
    redactions = _Redactions(export)
    cvs: list[CvFile] = []
    application_entries = []
    for application in applications:
        entry = _application(application, roles, redactions)
        for cv in application.cvs.all():
            cv_file = _cv_file(cv, number=len(cvs) + 1)
            cvs.append(cv_file)
            entry["cvs"].append(cv_file.entry)
        application_entries.append(entry)
    document = {
        "schema": SCHEMA,
        "generated_at": now,
        "export_id": export.pk,
        "controller": _controller(),
        "profile": {
            "full_name": candidate.full_name,
            "email": candidate.email,
            "phone": candidate.phone,
            "created_at": candidate.created_at,
            "updated_at": candidate.updated_at,
        },
        "applications": application_entries,
        "consents": _consents(candidate),
        "invitations": [
            {
                "posting": {"id": invitation.posting_id, "title": invitation.posting.title},
                "invited_at": invitation.created_at,
                "invited_by": roles.of(invitation.invited_by_id, posting_id=invitation.posting_id),
                "language": invitation.language,
                "link_expires_at": invitation.expires_at,
                "application_id": invitation.application_id,
            }
            for invitation in invitations
        ],
        "requests": _requests(candidate),
        "emails": _emails(candidate, applications, invitations),
        "portal_links": [
            {
                "purpose": token.purpose,
                "created_at": token.created_at,
                "expires_at": token.expires_at,
                "used_at": token.used_at,
            }
            # Never the token's hash: it is a credential, not the candidate's data.
            for token in candidate.portal_tokens.order_by("created_at", "pk")
        ],
        "exports": [
            {
                "id": other.pk,
                "requested_by": "you" if other.requested_by_id is None else STAFF,
                "status": other.status,
                "created_at": other.created_at,
                "ready_at": other.ready_at,
                "expires_at": other.expires_at,
                "size": other.size,
                "sha256": other.sha256 or None,
                "reviewed_at": other.reviewed_at,
                "passages_reviewed": other.passages_reviewed,
                "passages_redacted": other.passages_redacted,
            }
            for other in candidate.exports.annotate(
                passages_reviewed=Count("passage_reviews"),
                passages_redacted=Count(
                    "passage_reviews",
                    filter=Q(passage_reviews__decision=ExportPassageReview.Decision.REDACT),
                ),
            ).order_by("created_at", "pk")
        ],
    }
    return Contents(document=document, cvs=cvs, undecided=redactions.undecided)


def write_archive(archive_file: IO[bytes], *, contents: Contents) -> None:
    """Writes the ZIP into `archive_file`: the CVs first (streamed from storage in chunks,
    each checked against the SHA-256 recorded at upload), then data.json and README.txt.

    Side effects: reads the CV objects. Raises storage.StorageUnavailable. A CV whose bytes
    no longer match the recorded checksum is still exported (it is what we hold) and flagged
    `checksum_matches_upload: false`, and the mismatch is logged (by id).
    """
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for cv in contents.cvs:
            _copy_cv(archive, cv)
        data = json.dumps(contents.document, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
        archive.writestr(DATA_FILE, data)
        # The guide speaks the language of the candidate's latest application.
        with translation.override(_candidate_language(contents.document)):
            readme = render_to_string(
                "exports/README.txt",
                {
                    "document": contents.document,
                    "schema": SCHEMA,
                    "schema_document": SCHEMA_DOCUMENT,
                    "data_file": DATA_FILE,
                    "data_sha256": hashlib.sha256(data.encode()).hexdigest(),
                    "cvs": [cv.entry for cv in contents.cvs],
                },
            )
        archive.writestr(README_FILE, readme)


def _candidate_language(document: dict[str, Any]) -> str:
    applications = sorted(document["applications"], key=lambda entry: entry["submitted_at"])
    return applications[-1]["language"] if applications else settings.LANGUAGE_CODE


def _copy_cv(archive: zipfile.ZipFile, cv: CvFile) -> None:
    digest = hashlib.sha256()
    size = 0
    with archive.open(cv.entry["file"], "w") as target:
        for chunk in storage.iter_object_chunks(cv.storage_key):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    checksum = digest.hexdigest()
    matches = checksum == cv.stored_sha256
    if not matches:
        logger.warning("export: CV object %s does not match its recorded SHA-256", cv.storage_key)
    cv.entry.update({"size": size, "sha256": checksum, "checksum_matches_upload": matches})


def _cv_file(cv: CurriculumVitae, *, number: int) -> CvFile:
    return CvFile(
        storage_key=cv.storage_key,
        stored_sha256=cv.sha256,
        entry={
            "file": f"{CV_DIR}{number}-{safe_filename(cv.original_filename)}",
            "original_filename": cv.original_filename,
            "content_type": cv.content_type,
            "uploaded_at": cv.created_at,
            # The text read from the file at upload, which the talent pool searches.
            "text": cv.text,
            # Filled in from the bytes copied into the ZIP (write_archive).
            "size": None,
            "sha256": None,
            "checksum_matches_upload": None,
        },
    )


def safe_filename(name: str) -> str:
    """`name` as a harmless file name inside a ZIP: its last path component, with letters,
    digits, `-` and `_` only before one `.extension`, at most MAX_NAME characters long."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name))[-1]
    stem, dot, extension = base.rpartition(".")
    if not dot:
        stem, extension = base, ""
    stem = re.sub(r"[^\w\-]+", "_", stem).strip("._")[:MAX_NAME] or "cv"
    extension = re.sub(r"[^\w]+", "", extension)[:10]
    return f"{stem}.{extension}" if extension else stem


def _controller() -> dict[str, Any]:
    controller = settings.CONTROLLER
    numbers = [{"label": label, "value": value} for label, value in controller["registration"]]
    return {
        "name": controller["name"],
        "address": controller["address"],
        # The text form this field always had; `registration_numbers` has the pairs.
        "registration": "; ".join(
            f"{entry['label']}: {entry['value']}" if entry["label"] else entry["value"]
            for entry in numbers
        ),
        "registration_numbers": numbers,
        "privacy_email": controller["privacy_email"],
    }


def _application(
    application: Application, roles: "_StaffRoles", redactions: _Redactions
) -> dict[str, Any]:
    posting = application.posting
    stage_history = []
    for event in application.events.all():
        reason, reason_redacted = redactions.shown(
            Source.EVENT_REASON, event.pk, event.reason, passage=event.actor_id is not None
        )
        stage_history.append(
            {
                "kind": event.kind,
                "from_stage": event.from_stage or None,
                "to_stage": event.to_stage or None,
                "reason": reason,
                "reason_redacted": reason_redacted,
                "at": event.created_at,
                "by": roles.of(event.actor_id, posting_id=application.posting_id)
                if event.actor_id is not None
                else CANDIDATE_OR_SYSTEM,
            }
        )
    interview_notes = []
    for note in application.notes.all():
        body, body_redacted = redactions.shown(Source.NOTE_BODY, note.pk, note.body)
        scorecard, scorecard_redacted = redactions.shown(
            Source.NOTE_SCORECARD, note.pk, note.scorecard
        )
        interview_notes.append(
            {
                "kind": note.kind,
                "body": body,
                "body_redacted": body_redacted,
                "rating": note.rating,
                "scorecard": scorecard,
                "scorecard_redacted": scorecard_redacted,
                "created_at": note.created_at,
                "updated_at": note.updated_at,
                "author_role": roles.of(note.author_id, posting_id=application.posting_id),
                "interview_id": note.interview_id,
            }
        )
    interviews = [
        {
            "id": interview.pk,
            "starts_at": interview.starts_at,
            "duration_minutes": interview.duration_minutes,
            "time_zone": interview.time_zone,
            "kind": interview.kind,
            "address": interview.address,
            "video_url": interview.video_url,
            "note_for_candidate": interview.note_for_candidate,
            "status": interview.status,
            "calendar_sequence": interview.sequence,
            "interviewers": [
                roles.of(seat.interviewer_id, posting_id=application.posting_id)
                for seat in interview.panel.all()
            ],
            "answer": interview.answer,
            "answer_message": interview.answer_message,
            "answered_at": interview.answered_at,
            "reminder_sent_at": interview.reminder_sent_at,
            "scheduled_by": roles.of(interview.scheduled_by_id, posting_id=application.posting_id),
            "created_at": interview.created_at,
            "updated_at": interview.updated_at,
        }
        for interview in application.interviews.all()
    ]
    return {
        "id": application.pk,
        "posting": {
            "title": posting.title,
            "location": posting.location,
            "employment_type": posting.employment_type,
            "process_concluded_at": posting.concluded_at,
        },
        # The contact details typed into this application's form.
        "full_name": application.full_name,
        "phone": application.phone,
        "stage": application.stage,
        "submitted_at": application.created_at,
        "language": application.language,
        "cover_letter": application.cover_letter,
        # Null when staff recorded the application: the person attested nothing.
        "attested_min_age": application.attested_min_age,
        # Where it came from (never a person), and whether staff recorded it for them.
        "source": {
            "slug": application.source.slug,
            "kind": application.source.kind,
            "name": application.source.name,
        },
        "recorded_by_staff": application.recorded_by_staff,
        # The privacy notice version the form showed (null: before notices were versioned).
        "notice_version": application.notice_version.number if application.notice_version else None,
        # The fingerprint of the notice text that version showed in the application's language.
        "notice_sha256": (
            notice_fingerprint_in(application.notice_version, application.language)
            if application.notice_version
            else None
        ),
        "decided_at": application.decided_at,
        "retention": {
            "purge_due_at": application.purge_due_at,
            "restricted": application.restricted,
            "erasure_requested_at": application.erasure_requested_at,
            "under_age_flagged_at": application.under_age_flagged_at,
            "legal_holds": [
                {
                    "reason": hold.reason,
                    "placed_at": hold.placed_at,
                    "review_at": hold.review_at,
                    "lifted_at": hold.lifted_at,
                }
                for hold in sorted(application.legal_holds.all(), key=lambda h: h.placed_at)
            ],
        },
        "stage_history": stage_history,
        "interview_notes": interview_notes,
        # The answers to the posting's own questions, each with the question exactly as the
        # candidate was asked it (a later edit made a new version; this one is unchanged).
        "answers": [
            {
                "question": answer.question.snapshot(),
                "value": answer.value,
                "flagged_for_review": answer.knocked_out,
                "answered_at": answer.created_at,
            }
            for answer in application.answers.all()
        ],
        # A person read the flagged answers (when, and their role, never their name); null
        # while not reviewed. It decided nothing: the stage history says what was decided.
        "answers_review": (
            {
                "reviewed_at": application.answers_reviewed_at,
                "by": roles.of(
                    application.answers_reviewed_by_id, posting_id=application.posting_id
                ),
            }
            if application.answers_reviewed_at is not None
            else None
        ),
        "interviews": interviews,
        "interviewers_assigned": len(application.assignments.all()),
        # Issue 20: what staff wrote to the candidate and what they answered in the portal.
        "messages": [
            {
                "direction": message.direction,
                "subject": message.subject,
                "body": message.body,
                "language": message.language,
                "at": message.created_at,
                "by": MESSAGE_FROM_CANDIDATE
                if message.direction == CandidateMessage.Direction.FROM_CANDIDATE
                else roles.of(message.author_id, posting_id=application.posting_id),
                "withheld_at": message.withheld_at,
            }
            for message in application.thread.all()
        ],
        "cvs": [],
    }


def _consents(candidate: Candidate) -> list[dict[str, Any]]:
    consents = candidate.consents.select_related("expiry_reminder", "consent_text").order_by(
        "given_at", "pk"
    )
    entries = []
    for consent in consents:
        reminder = getattr(consent, "expiry_reminder", None)
        entries.append(
            {
                "scope": consent.scope,
                "application_id": consent.application_id,
                "text_version": consent.text_version,
                "consent_text_version": consent.consent_text.number
                if consent.consent_text
                else None,
                "text": consent_text_of(consent),
                "language": consent.language,
                "channel": consent.channel,
                "given_at": consent.given_at,
                "confirmed_at": consent.confirmed_at,
                "expires_at": consent.expires_at,
                "withdrawn_at": consent.withdrawn_at,
                "expiry_reminder_sent_at": reminder.sent_at if reminder else None,
            }
        )
    return entries


def _requests(candidate: Candidate) -> list[dict[str, Any]]:
    return [
        {
            "kind": request.kind,
            "channel": request.channel,
            "status": request.status,
            "details": request.details,
            "received_at": request.received_at,
            "due_at": request.due_at,
            "original_due_at": request.original_due_at,
            "extended_at": request.extended_at,
            "extension_reason": request.extension_reason,
            "resolution": request.resolution,
            "resolved_at": request.resolved_at,
        }
        for request in candidate.requests.order_by("received_at", "pk")
    ]


def _emails(
    candidate: Candidate, applications: list[Application], invitations: list[Invitation]
) -> list[dict[str, Any]]:
    application_ids = {application.pk for application in applications}
    invitation_ids = {invitation.pk for invitation in invitations}
    refs = [candidate.pk, *application_ids, *invitation_ids]
    return [
        {
            "application_id": email["subject_ref"]
            if email["subject_ref"] in application_ids
            else None,
            "invitation": email["subject_ref"] in invitation_ids,
            "to": email["to_address"],
            "subject": email["subject"],
            "body_text": email["body_text"],
            # An interview invitation's calendar object (iCalendar text), if it carried one.
            "calendar": email["calendar_text"] or None,
            "template": email["template"],
            "language": email["language"],
            "status": email["status"],
            "queued_at": email["created_at"],
            "sent_at": email["sent_at"],
        }
        for email in emails_about(subject_refs=refs)
    ]


class _StaffRoles:
    """Staff members' roles, to show a role where a name would identify a colleague."""

    def __init__(
        self,
        memberships: dict[tuple[int, int], str],
        administrators: set[int],
        privacy_officers: set[int],
        existing: set[int],
    ) -> None:
        self._memberships = memberships
        self._administrators = administrators
        self._privacy_officers = privacy_officers
        self._existing = existing

    @classmethod
    def for_applications(
        cls, applications: Iterable[Application], *, invitations: Iterable[Invitation] = ()
    ) -> "_StaffRoles":
        """Three queries, whatever the number of applications, events, notes and
        invitations."""
        applications = list(applications)
        invitations = list(invitations)
        user_ids = {
            user_id
            for application in applications
            for user_id in [
                application.answers_reviewed_by_id,
                *(event.actor_id for event in application.events.all()),
                *(note.author_id for note in application.notes.all()),
                *(message.author_id for message in application.thread.all()),
                *(
                    user_id
                    for interview in application.interviews.all()
                    for user_id in [
                        interview.scheduled_by_id,
                        *(seat.interviewer_id for seat in interview.panel.all()),
                    ]
                ),
            ]
            if user_id is not None
        } | {invitation.invited_by_id for invitation in invitations if invitation.invited_by_id}
        if not user_ids:
            return cls({}, set(), set(), set())
        posting_ids = {application.posting_id for application in applications} | {
            invitation.posting_id for invitation in invitations
        }
        memberships = {
            (posting_id, user_id): role
            for posting_id, user_id, role in TeamMembership.objects.filter(
                posting_id__in=posting_ids, user_id__in=user_ids
            ).values_list("posting_id", "user_id", "role")
        }
        users = get_user_model().objects.filter(pk__in=user_ids)
        flags = dict(users.values_list("pk", "is_superuser"))
        existing = set(flags)
        administrators = {user_id for user_id, is_superuser in flags.items() if is_superuser}
        # Whoever holds the privacy officer's permission, through a group or directly.
        officer = Q(
            groups__permissions__codename=PRIVACY_OFFICER_PERMISSION,
            groups__permissions__content_type__app_label="recruitment",
        ) | Q(
            user_permissions__codename=PRIVACY_OFFICER_PERMISSION,
            user_permissions__content_type__app_label="recruitment",
        )
        privacy_officers = set(users.filter(officer).values_list("pk", flat=True))
        return cls(memberships, administrators, privacy_officers, existing)

    def of(self, user_id: int | None, *, posting_id: int) -> str:
        if user_id is None or user_id not in self._existing:
            return FORMER_STAFF
        if role := self._memberships.get((posting_id, user_id)):
            return role
        if user_id in self._administrators:
            return ADMINISTRATOR
        if user_id in self._privacy_officers:
            return PRIVACY_OFFICER
        return STAFF
