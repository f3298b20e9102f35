"""Reads of the rights domain.

The candidate portal's start from the candidate the signed link names, so a candidate reads
only their own data; the request pages' start from `recruitment.access`, so staff read only
the requests their role lets them handle."""

import datetime
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db.models import BooleanField, Case, Count, F, Q, QuerySet, Value, When
from django.utils import timezone

from recruitment import access
from recruitment.models import (
    AccessEvent,
    Application,
    Candidate,
    CandidateMessage,
    CurriculumVitae,
    DataExport,
    DataSubjectRequest,
    Interview,
    LegalHold,
    RetentionConsent,
)
from recruitment.retention.services.schedule import Due, due_for, with_retention_facts
from recruitment.rights.services import register


def portal_applications(candidate: Candidate) -> QuerySet[Application]:
    """The candidate's own applications, and nothing else: every portal read starts here."""
    return Application.objects.filter(candidate=candidate).select_related("posting")


def active_consents(candidate: Candidate) -> list[RetentionConsent]:
    """Talent-pool consents in force now (confirmed, not withdrawn, not expired)."""
    return list(
        RetentionConsent.objects.in_force(timezone.now())
        .filter(candidate=candidate, scope=RetentionConsent.Scope.TALENT_POOL)
        # The text each was given under, which the portal shows.
        .select_related("consent_text")
        .order_by("-expires_at")
    )


def pending_consents(candidate: Candidate) -> list[RetentionConsent]:
    """Talent-pool consents ticked on an application form that wait for the owner of the
    address to confirm them (not withdrawn, not expired); they keep nothing meanwhile."""
    return list(
        RetentionConsent.objects.filter(
            candidate=candidate,
            scope=RetentionConsent.Scope.TALENT_POOL,
            confirmed_at__isnull=True,
            withdrawn_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("consent_text", "application__posting")
        .order_by("given_at")
    )


@dataclass(frozen=True)
class PortalApplication:
    application: Application
    cvs: list[CurriculumVitae]
    note_count: int
    holds: list[LegalHold]
    due: Due


@dataclass(frozen=True)
class PortalOverview:
    applications: list[PortalApplication]
    consents: list[RetentionConsent]
    active_consent: RetentionConsent | None
    pending_consents: list[RetentionConsent]
    requests: list[DataSubjectRequest]
    exports: list[DataExport]


def portal_overview(candidate: Candidate) -> PortalOverview:
    """Everything the portal shows a candidate about themselves, in a fixed number of
    queries. Read-only."""
    applications = list(
        with_retention_facts(portal_applications(candidate).select_related("candidate"))
        .prefetch_related("cvs")
        .annotate(note_count=Count("notes", distinct=True))
        .order_by("-created_at")
    )
    active = active_consents(candidate)
    return PortalOverview(
        applications=[
            PortalApplication(
                application=application,
                cvs=list(application.cvs.all()),
                note_count=application.note_count,
                holds=application.active_holds,  # type: ignore[attr-defined]
                due=due_for(application),
            )
            for application in applications
        ],
        consents=list(candidate.consents.order_by("-given_at")),
        active_consent=active[0] if active else None,
        pending_consents=pending_consents(candidate),
        requests=list(candidate.requests.order_by("-received_at")),
        exports=list(candidate.exports.select_related("request").order_by("-created_at")[:5]),
    )


# The request queue's status filter for "every status".
ALL = "all"


@dataclass(frozen=True)
class QueueRow:
    """One request as the queue shows it."""

    dsr: DataSubjectRequest
    days_left: int
    overdue: bool
    due_soon: bool


def queue(user: access.AnyUser, *, status: str, kind: str) -> QuerySet[DataSubjectRequest]:
    """The requests the user may see, narrowed by status and kind; open ones by due date
    first, then closed ones, most recently closed first."""
    requests = (
        access.requests_visible_to(user)
        .select_related("handler")
        .only(
            "id",
            "kind",
            "channel",
            "status",
            "received_at",
            "original_due_at",
            "due_at",
            "extended_at",
            "resolved_at",
            "handler__username",
        )
    )
    if status != ALL:
        requests = requests.filter(status=status)
    if kind:
        requests = requests.filter(kind=kind)
    is_open = Case(
        When(Q(status=DataSubjectRequest.Status.OPEN), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    # Null for closed requests, which then fall back to when they were closed.
    open_due = Case(When(Q(status=DataSubjectRequest.Status.OPEN), then=F("due_at")))
    return requests.annotate(is_open=is_open, open_due=open_due).order_by(
        "-is_open", "open_due", F("resolved_at").desc(nulls_last=True), "pk"
    )


def queue_rows(page_items: Any, *, now: datetime.datetime) -> list[QueueRow]:
    """The queue's rows for these requests (days left, overdue, due soon); the staff home
    lists its requests with them too, so the two always say the same."""
    window = settings.PRIVACY_REQUEST_REMINDER_DAYS
    rows = []
    for dsr in page_items:
        left = register.days_left(dsr, now=now)
        is_open = dsr.status == DataSubjectRequest.Status.OPEN
        rows.append(
            QueueRow(
                dsr=dsr,
                days_left=left,
                overdue=is_open and left < 0,
                due_soon=is_open and 0 <= left <= window,
            )
        )
    return rows


def request_applications(
    dsr: DataSubjectRequest, *, user: access.AnyUser
) -> list[tuple[Application, bool]]:
    """The requester's applications, newest first, each with whether `user` may open it (the
    request page lists them all, and links the ones the user may see): two queries."""
    if dsr.candidate is None:  # erased
        return []
    applications = list(
        dsr.candidate.applications.select_related("posting")
        .only("id", "stage", "created_at", "language", "restricted", "posting__title")
        .order_by("-created_at")
    )
    visible = set(
        access.applications_visible_to(user)
        .filter(pk__in=[application.pk for application in applications])
        .values_list("pk", flat=True)
    )
    return [(application, application.pk in visible) for application in applications]


def exports_in_review(dsr: DataSubjectRequest) -> list[UUID]:
    """Portal copies held for review of other people's words that answer this request."""
    return list(dsr.exports.filter(status=DataExport.Status.IN_REVIEW).values_list("pk", flat=True))


def request_history(dsr: DataSubjectRequest) -> QuerySet[AccessEvent]:
    """What was done with the request, oldest first; views of it are in the audit log only."""
    return (
        AccessEvent.objects.filter(request_id=dsr.pk)
        .exclude(action=AccessEvent.Action.VIEW_REQUEST)
        .order_by("created_at", "pk")
    )


def candidate_exports(*, candidate_id: UUID) -> QuerySet[DataExport]:
    """A candidate's exports, newest first (callers have scoped the candidate)."""
    return (
        DataExport.objects.filter(candidate_id=candidate_id)
        .select_related("requested_by")
        .order_by("-created_at", "pk")
    )


def thread_for_candidate(application: Application) -> list[CandidateMessage]:
    """The messages of the candidate's own application that reached them or that they
    wrote, oldest first: a message withheld (never sent) is not theirs to see. One query."""
    return list(CandidateMessage.objects.filter(application=application, withheld_at__isnull=True))


def upcoming_interviews_by_application(candidate: Candidate) -> dict[UUID, list[Interview]]:
    """The candidate's scheduled interviews still to come, by application, earliest first
    (one query)."""
    upcoming: dict[UUID, list[Interview]] = {}
    for interview in Interview.objects.filter(
        application__in=portal_applications(candidate),
        status=Interview.Status.SCHEDULED,
        starts_at__gt=timezone.now(),
    ).order_by("starts_at", "pk"):
        upcoming.setdefault(interview.application_id, []).append(interview)
    return upcoming
