"""Reads. Public ones stand alone; staff ones take a queryset already scoped by
`recruitment.access`, so nothing here can widen what a user may see."""

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from recruitment.models import (
    Application,
    ApplicationEvent,
    Candidate,
    ConsentTextVersion,
    CurriculumVitae,
    DataExport,
    DataSubjectRequest,
    InterviewAssignment,
    InterviewNote,
    LegalHold,
    NoticeVersion,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.services.retention import Due, due_for, with_retention_facts


def open_postings() -> QuerySet[Posting]:
    """Postings the public may see and apply to, newest first."""
    return Posting.objects.filter(status=Posting.Status.OPEN, concluded_at__isnull=True).order_by(
        "-published_at", "-pk"
    )


def public_postings() -> QuerySet[Posting]:
    """Postings the public may look at: open ones, and closed ones (shown as closed).

    Drafts are never public.
    """
    return Posting.objects.exclude(status=Posting.Status.DRAFT)


# --- Staff workspace ------------------------------------------------------------------------------

BOARD_PAGE_SIZE = 25


def _search(applications: QuerySet[Application], query: str) -> QuerySet[Application]:
    if not query:
        return applications
    return applications.filter(Q(full_name__icontains=query) | Q(candidate__email__icontains=query))


def stage_counts(applications: QuerySet[Application], *, query: str = "") -> dict[str, int]:
    """How many (matching) applications sit in each stage: one query."""
    rows = _search(applications, query).order_by().values("stage").annotate(n=Count("pk"))
    counts = dict.fromkeys(Application.Stage.values, 0)
    counts.update({row["stage"]: row["n"] for row in rows})
    return counts


def board_cards(
    applications: QuerySet[Application],
    *,
    stage: str,
    query: str = "",
    offset: int = 0,
    limit: int = BOARD_PAGE_SIZE,
) -> QuerySet[Application]:
    """One page of a pipeline column with what a card shows: one query, whatever the size.

    The page is chosen first, from the applications alone (the index on posting, stage and
    creation), and only its rows are joined to their candidates and given their note count,
    average rating and consent badge (correlated subqueries): a column of thousands costs
    what a column of a page does.
    """
    notes = InterviewNote.objects.filter(application=OuterRef("pk")).order_by()
    valid_consent = RetentionConsent.objects.in_force(timezone.now()).covering_outer_application()
    page = (
        _search(applications, query)
        .filter(stage=stage)
        .order_by("created_at", "pk")
        .values("pk")[offset : offset + limit]
    )
    return (
        Application.objects.filter(pk__in=Subquery(page))
        .select_related("candidate")
        .annotate(
            note_count=Coalesce(
                Subquery(notes.values("application").annotate(n=Count("pk")).values("n")),
                0,
            ),
            rating_average=Subquery(
                notes.filter(rating__isnull=False)
                .values("application")
                .annotate(avg=Avg("rating"))
                .values("avg")
            ),
            has_consent=Exists(valid_consent),
        )
        .order_by("created_at", "pk")
    )


def application_for_detail(applications: QuerySet[Application], pk: UUID | str) -> Application:
    """One application with everything its page shows, in a fixed number of queries."""
    return (
        applications.select_related("candidate", "posting")
        .prefetch_related(
            Prefetch("cvs", queryset=CurriculumVitae.objects.order_by("-created_at")),
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("actor")),
            Prefetch("notes", queryset=InterviewNote.objects.select_related("author")),
            Prefetch(
                "assignments", queryset=InterviewAssignment.objects.select_related("interviewer")
            ),
            Prefetch(
                "candidate__consents", queryset=RetentionConsent.objects.order_by("-given_at")
            ),
        )
        .get(pk=pk)
    )


def team_of(posting: Posting) -> QuerySet[TeamMembership]:
    return TeamMembership.objects.filter(posting=posting).select_related("user")


# --- Candidate portal -----------------------------------------------------------------------------


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


# --- Privacy notice and consent text versions -----------------------------------------------


def notice_versions(*, now: datetime, include_scheduled: bool) -> QuerySet[NoticeVersion]:
    """Notice versions, newest first: those in effect, and scheduled ones if asked."""
    versions = (
        NoticeVersion.objects.all() if include_scheduled else NoticeVersion.objects.in_effect(now)
    )
    return versions.order_by("-number")


def consent_text_versions() -> QuerySet[ConsentTextVersion]:
    """Every consent text version, scheduled ones included, newest first."""
    return ConsentTextVersion.objects.select_related("published_by").order_by("-number")


def notice_version(*, number: int, now: datetime, include_scheduled: bool) -> NoticeVersion | None:
    """Notice version `number` if it is in effect (or scheduled, if asked), else None."""
    return (
        notice_versions(now=now, include_scheduled=include_scheduled).filter(number=number).first()
    )
