"""The model that tests/promise/test_promise_model.py checks the product against.

It keeps, apart from the database, what each person confirmed and what staff did: each
person's own details, their consents and whether the owner of the address confirmed them,
their restriction requests, the legal holds, the decisions and conclusions, and what was
erased. From that alone, `PromiseModel.expected_due` says when the promise lets each
application go, by the rules of ../shared/PRIVACY.md written again here without the
product's code:

- a legal hold, or a restriction the person asked for, keeps it (not scheduled);
- flagged under-age, or the person asked for erasure: due at once (from that moment);
- hired: kept (handed over to HR; ATS_HIRED_RETENTION_DAYS is unset in the test);
- once its process is formally concluded: due at the conclusion (grace 0), or, while a
  consent the person confirmed covers it, when the latest such consent expires;
- before that: the process is still running, nothing schedules it.

Also here: the test's clock, and the storage faults a sweep meets.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from unittest import mock
from uuid import UUID
from zoneinfo import ZoneInfo

from botocore.exceptions import EndpointConnectionError
from django.conf import settings

from recruitment.cvs import storage
from recruitment.models import DECIDED_STAGES, Application

Stage = Application.Stage


class Clock:
    """`django.utils.timezone.now` while an example runs: every service reads the time when
    it is called, so this is the time for all of them. It moves only when told to."""

    def __init__(self, start: datetime) -> None:
        self.at = start

    def now(self) -> datetime:
        return self.at.astimezone(UTC)  # as Django's: in UTC, whatever zone it was set in

    def advance(self, delta: timedelta) -> datetime:
        self.at += delta
        return self.at


@dataclass
class PostingModel:
    pk: int
    open: bool = True
    concluded_at: datetime | None = None


@dataclass
class PersonModel:
    """The owner of one address. `details` are the Candidate row's name and phone: those of
    the application that created the row, or the ones the owner confirmed in the portal."""

    email: str
    own_name: str
    own_phone: str
    candidate_pk: UUID | None = None
    details: tuple[str, str] | None = None
    # The last candidate row this address had, kept after it was erased: a portal session
    # opened before the erasure still acts with it (and must be refused).
    last_candidate_pk: UUID | None = None


@dataclass
class AppModel:
    pk: UUID
    email: str
    candidate_pk: UUID
    posting_pk: int
    details: tuple[str, str]  # what the form had typed, until the owner corrects it
    stage: str = Stage.APPLIED
    restricted: bool = False
    erasure_requested_at: datetime | None = None
    under_age_at: datetime | None = None
    # When a sweep could not erase it (storage failed, or the candidate's last email was not
    # delivered yet), the retry date the sweep gave it; a recompute may replace it.
    retry_at: datetime | None = None
    exists: bool = True


@dataclass
class ConsentModel:
    pk: UUID
    candidate_pk: UUID
    application_pk: UUID | None  # None: given in the portal, covers every application
    given_at: datetime
    expires_at: datetime
    confirmed_at: datetime | None = None
    withdrawn_at: datetime | None = None
    exists: bool = True


@dataclass
class RequestModel:
    """A data-subject request as P16 counts it: due at the end of the local day
    DEADLINE_DAYS after the local day it arrived; an extension counts once its notice was
    sent before that day ended (it is void otherwise); closed only by its answer, or as
    "erased before it was answered" when the person's data went while it was open."""

    pk: UUID
    candidate_pk: UUID
    kind: str
    recorded_at: datetime
    original_due_day: date
    due_day: date
    status: str = "open"
    pending_day: date | None = None
    # The extension notice: "queued", "sent" or "failed" (None: no extension pending).
    notice: str | None = None
    notice_sent_at: datetime | None = None
    # The officers must have been told: an extension voided, or erased while open.
    voided: bool = False

    @property
    def open(self) -> bool:
        return self.status == "open"

    def extend(self, days: int) -> None:
        self.pending_day = self.due_day + timedelta(days=days)
        self.notice = "queued"

    def settle(self, now: datetime) -> None:
        """What the periodic settling of extensions does to this request at `now`."""
        if not self.open or self.pending_day is None:
            return
        first_due_ends = end_of_local_day(self.original_due_day)
        if self.notice == "sent" and self.notice_sent_at and self.notice_sent_at <= first_due_ends:
            self.due_day = self.pending_day
        elif self.notice == "queued" and now <= first_due_ends:
            return  # still on its way, and still in time
        else:
            self.voided = True
        self.pending_day = self.notice = self.notice_sent_at = None


def local_day(moment: datetime) -> date:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE)).date()


def end_of_local_day(day: date) -> datetime:
    """The last instant of a local calendar day (written again here, not the product's)."""
    return datetime.combine(day, time.max, tzinfo=ZoneInfo(settings.TIME_ZONE))


def first_due_day(received_at: datetime) -> date:
    return local_day(received_at) + timedelta(days=settings.PRIVACY_REQUEST_DEADLINE_DAYS)


@dataclass
class HoldModel:
    pk: int
    application_pk: UUID
    active: bool = True
    exists: bool = True


@dataclass
class PromiseModel:
    postings: dict[int, PostingModel] = field(default_factory=dict)
    people: dict[str, PersonModel] = field(default_factory=dict)
    applications: dict[UUID, AppModel] = field(default_factory=dict)
    consents: dict[UUID, ConsentModel] = field(default_factory=dict)
    requests: dict[UUID, RequestModel] = field(default_factory=dict)
    holds: dict[int, HoldModel] = field(default_factory=dict)
    erased: set[UUID] = field(default_factory=set)
    # Every candidate row that ever existed, and the address it belonged to.
    candidate_emails: dict[UUID, str] = field(default_factory=dict)

    # --- Reads --------------------------------------------------------------------------------

    def existing(self) -> list[AppModel]:
        return [a for a in self.applications.values() if a.exists]

    def applications_of(self, candidate_pk: UUID | None) -> list[AppModel]:
        return [a for a in self.existing() if a.candidate_pk == candidate_pk]

    def held(self, application_pk: UUID) -> bool:
        return any(h.active and h.application_pk == application_pk for h in self.holds.values())

    def active_holds_of(self, candidate_pk: UUID) -> set[int]:
        mine = {a.pk for a in self.applications_of(candidate_pk)}
        return {h.pk for h in self.holds.values() if h.active and h.application_pk in mine}

    def open_restrictions(self, candidate_pk: UUID, *, other_than: UUID | None = None) -> bool:
        return any(
            r.open and r.kind == "restriction" and r.candidate_pk == candidate_pk
            for r in self.requests.values()
            if r.pk != other_than
        )

    def form_consent(self, application_pk: UUID) -> ConsentModel | None:
        return next(
            (c for c in self.consents.values() if c.exists and c.application_pk == application_pk),
            None,
        )

    def covering(self, application: AppModel) -> list[ConsentModel]:
        """The consents the owner of the address confirmed, not withdrawn, given for this
        application or in the portal (for all of theirs); expired ones included."""
        return [
            c
            for c in self.consents.values()
            if c.exists
            and c.candidate_pk == application.candidate_pk
            and c.confirmed_at is not None
            and c.withdrawn_at is None
            and c.application_pk in (None, application.pk)
        ]

    def expected_due(self, application: AppModel) -> datetime | None:
        """When the promise lets `application` be erased; None while something keeps it."""
        if self.held(application.pk) or application.restricted:
            return None
        if application.under_age_at is not None:
            return application.under_age_at
        if application.erasure_requested_at is not None:
            return application.erasure_requested_at
        if application.stage == Stage.HIRED:
            return None
        concluded_at = self.postings[application.posting_pk].concluded_at
        if concluded_at is None:
            return None
        until = max((c.expires_at for c in self.covering(application)), default=None)
        if until is not None and until > concluded_at:
            return until
        return concluded_at

    def erasable(self, application: AppModel, now: datetime) -> bool:
        """Whether the promise lets the sweep erase `application` at `now`."""
        due = self.expected_due(application)
        return due is not None and due <= now

    def undecided(self, application: AppModel) -> bool:
        return application.stage not in DECIDED_STAGES

    # --- Writes -------------------------------------------------------------------------------

    def withdraw_consents(
        self, candidate_pk: UUID, *, given_until: datetime, now: datetime
    ) -> None:
        """What a consent-withdrawal request does: every consent given until it was recorded
        (one given later is a newer wish)."""
        for consent in self.consents.values():
            if (
                consent.exists
                and consent.candidate_pk == candidate_pk
                and consent.withdrawn_at is None
                and consent.given_at <= given_until
            ):
                consent.withdrawn_at = now

    def request_erasure(self, candidate_pk: UUID, *, now: datetime) -> None:
        """Erasure on request: every application is marked (the first request's time stays)
        and no restriction keeps any of them any more: the person no longer opposes erasure,
        so their open restriction requests are closed as superseded."""
        for request in self.requests.values():
            if (
                request.candidate_pk == candidate_pk
                and request.kind == "restriction"
                and request.open
            ):
                request.status = "resolved"  # superseded: resolved with that explanation
        for application in self.applications_of(candidate_pk):
            if application.erasure_requested_at is None:
                application.erasure_requested_at = now
            application.restricted = False

    def close_restriction(self, request: RequestModel, status: str) -> None:
        request.status = status
        if not self.open_restrictions(request.candidate_pk):
            for application in self.applications_of(request.candidate_pk):
                application.restricted = False

    def forget(self, application_pk: UUID) -> None:
        """The application was erased: with it its consent, holds and emails, and the person
        (their portal consents, and their requests, kept closed and anonymous) with the last
        of their applications."""
        application = self.applications[application_pk]
        application.exists = False
        self.erased.add(application_pk)
        for consent in self.consents.values():
            if consent.application_pk == application_pk:
                consent.exists = False
        for hold in self.holds.values():
            if hold.application_pk == application_pk:
                hold.exists = hold.active = False
        if self.applications_of(application.candidate_pk):
            return
        for consent in self.consents.values():
            if consent.candidate_pk == application.candidate_pk:
                consent.exists = False
        for request in self.requests.values():
            if request.candidate_pk == application.candidate_pk and request.open:
                # Never "resolved": nobody answered it. The officers are told.
                request.status = "erased_unanswered"
                request.pending_day = request.notice = request.notice_sent_at = None
        person = self.people[application.email]
        if person.candidate_pk == application.candidate_pk:
            person.candidate_pk = None
            person.details = None


# --- Storage faults during a purge ----------------------------------------------------------------


class _UnreachableClient:
    """An S3 client whose every call fails to connect (storage down)."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

        return fail


class _RefusingClient:
    """The real client, except that DeleteObjects refuses some keys, as S3 reports a per-key
    failure: inside a 200 response, while it deletes the others."""

    def __init__(self, real: Any, refused: set[str]) -> None:
        self._real = real
        self._refused = refused

    def __getattr__(self, name: str) -> Any:
        return getattr(self._real, name)

    def delete_objects(self, *, Bucket: str, Delete: dict[str, Any]) -> dict[str, Any]:
        wanted = Delete["Objects"]
        deleted = [entry for entry in wanted if entry["Key"] not in self._refused]
        errors = [
            {"Key": entry["Key"], "Code": "InternalError", "Message": "We encountered an error"}
            for entry in wanted
            if entry["Key"] in self._refused
        ]
        response: dict[str, Any] = {}
        if deleted:
            response = self._real.delete_objects(
                Bucket=Bucket, Delete={**Delete, "Objects": deleted}
            )
        return {**response, "Errors": [*response.get("Errors", []), *errors]}


@contextmanager
def storage_fault(kind: str, refused_keys: set[str]) -> Iterator[None]:
    """While the block runs, the object store is "up", "down" (nothing answers) or
    "refusing" (DeleteObjects refuses `refused_keys`, deletes the rest)."""
    if kind == "up":
        yield
        return
    client = (
        _UnreachableClient() if kind == "down" else _RefusingClient(storage._client(), refused_keys)
    )
    with mock.patch.object(storage, "_client", lambda: client):
        yield
