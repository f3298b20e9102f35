"""People for the talent pool's tests, written straight to the tables (no emails, no
objects in storage), with the consent, restriction and objection each test needs."""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from recruitment.cvs import search_index
from recruitment.models import (
    Application,
    Candidate,
    DataSubjectRequest,
    Posting,
    RetentionConsent,
)
from tests.factories import ApplicationFactory, CandidateFactory, CvFactory

CONSENT_STATES = ("none", "unconfirmed", "confirmed", "portal", "expired", "withdrawn")
OBJECTION_STATES = ("none", "open", "resolved", "refused")
# Consent states that put a person in the pool (with no restriction and no objection).
IN_FORCE = frozenset({"confirmed", "portal"})
EXCLUDING_OBJECTIONS = frozenset({"open", "resolved"})


def person(
    posting: Posting,
    *,
    now: datetime,
    cv_text: str = "",
    cover_letter: str = "",
    consent: str = "confirmed",
    restricted: bool = False,
    objection: str = "none",
    expires_in: timedelta = timedelta(days=300),
    language: str = "en",
    **application_fields: Any,
) -> Application:
    """One person with one application to `posting`; with `cv_text`, a CV row of that
    text (and a real object in storage, as the suite requires of every CV row)."""
    candidate = CandidateFactory.create()
    application = ApplicationFactory.create(
        candidate=candidate,
        posting=posting,
        cover_letter=cover_letter,
        restricted=restricted,
        language=language,
        **application_fields,
    )
    if cv_text:
        CvFactory.create(application=application, text=cv_text)
    give(candidate, application, consent, now=now, expires_in=expires_in)
    if objection != "none":
        object_to(candidate, objection, now=now)
    search_index.refresh_search_vectors(Application.objects.filter(pk=application.pk))
    return application


def give(
    candidate: Candidate,
    application: Application,
    state: str,
    *,
    now: datetime,
    expires_in: timedelta = timedelta(days=300),
) -> None:
    if state == "none":
        return
    given = now - timedelta(days=400 if state == "expired" else 10)
    expires = now - timedelta(days=1) if state == "expired" else now + expires_in
    RetentionConsent.objects.create(
        candidate=candidate,
        application=None if state == "portal" else application,
        scope=RetentionConsent.Scope.TALENT_POOL,
        text_version="0" * 64,
        language="en",
        channel=RetentionConsent.Channel.PORTAL
        if state == "portal"
        else RetentionConsent.Channel.APPLICATION_FORM,
        given_at=given,
        confirmed_at=None if state == "unconfirmed" else given,
        expires_at=expires,
        withdrawn_at=now - timedelta(days=1) if state == "withdrawn" else None,
    )


def object_to(candidate: Candidate, state: str, *, now: datetime) -> DataSubjectRequest:
    closed = state != "open"
    return DataSubjectRequest.objects.create(
        candidate=candidate,
        kind=DataSubjectRequest.Kind.OBJECTION,
        channel=DataSubjectRequest.Channel.EMAIL,
        status=state,
        received_at=now - timedelta(days=2),
        original_due_at=now + timedelta(days=28),
        due_at=now + timedelta(days=28),
        resolved_at=now - timedelta(days=1) if closed else None,
    )


def ids(people: Iterable[Any]) -> set[Any]:
    return {p.candidate.pk if hasattr(p, "candidate") else p.pk for p in people}
