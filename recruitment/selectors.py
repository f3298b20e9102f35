"""Reads. Public ones stand alone; staff ones take a queryset already scoped by
`recruitment.access`, so nothing here can widen what a user may see."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from django.contrib.auth.models import User
from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Greatest, RowNumber
from django.utils import timezone

from recruitment.access import ADMIN, DECIDING_ROLES
from recruitment.models import (
    DECIDED_STAGES,
    AccessEvent,
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
from recruitment.retention.services.schedule import Due, due_for, with_retention_facts


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

# The whole board shows the first BOARD_FIRST_PAGE cards of each column: a screen's worth of
# seven columns side by side, and what the board costs to render whatever the posting's size
# (bench/pages.py: each card costs as much as a query). One column, asked for on its own or
# for more of it, pages by BOARD_PAGE_SIZE.
BOARD_FIRST_PAGE = 10
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


def board_columns(
    applications: QuerySet[Application],
    *,
    stages: list[str],
    query: str = "",
    offset: int = 0,
    limit: int = BOARD_PAGE_SIZE,
) -> dict[str, list[Application]]:
    """One page of each of `stages`' pipeline columns with what a card shows, by stage, in
    two queries whatever the number of columns or applications.

    The pages are chosen first, from the applications alone: each one's position in its
    column (a row number per stage, in creation order), kept if it falls in the page. Only
    those rows are then read, with the fields a card shows, and given their note count,
    average rating and consent badge (correlated subqueries). Two queries rather than one
    per column: building and running seven annotated queries cost the board more than
    anything else did (bench/pages.py).
    """
    notes = InterviewNote.objects.filter(application=OuterRef("pk")).order_by()
    valid_consent = RetentionConsent.objects.in_force(timezone.now()).covering_outer_application()
    position = Window(
        RowNumber(), partition_by=F("stage"), order_by=(F("created_at").asc(), F("pk").asc())
    )
    pages = (
        _search(applications, query)
        .filter(stage__in=stages)
        .annotate(position=position)
        .filter(position__gt=offset, position__lte=offset + limit)
        .order_by()
    )
    # Fetched first, on their own: as a subquery of the next query, the planner may compute
    # the cards' annotations for every application of the table before it joins the page.
    page_ids = list(pages.values_list("pk", flat=True))
    cards = (
        Application.objects.filter(pk__in=page_ids)
        # A card shows the name given on the application; the candidate row is not read.
        .only("id", "candidate_id", "posting_id", "stage", "full_name", "created_at")
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
    columns: dict[str, list[Application]] = {stage: [] for stage in stages}
    for card in cards:
        columns[card.stage].append(card)
    return columns


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


# --- The staff home ---------------------------------------------------------------------------


def first_rows_and_total(rows: QuerySet[Any], limit: int) -> tuple[list[Any], int]:
    """The first `limit` of `rows`, and how many `rows` there are in all, in one query: a
    window count over the whole set rides on every row returned (none returned: none)."""
    first = list(rows.annotate(total_rows=Window(Count("pk")))[:limit])
    return first, (first[0].total_rows if first else 0)


def postings_needing_attention(
    postings: QuerySet[Posting], *, user: User, new_window_start: datetime, stale_before: datetime
) -> list[Posting]:
    """The postings (already scoped by `recruitment.access`) on which `user` decides, with
    what needs their attention, in two queries however many postings and applications:

    - `role`: "admin" for admins, else their role on the team (interviewer-only postings are
      left out: an interviewer sees assigned applications, not a posting's state);
    - `total`, `undecided`;
    - `new`: applications received since the user last opened the posting's board (the
      audit log's "viewed pipeline"), but never counting from before `new_window_start`;
    - `stale`: undecided applications received before `stale_before`;
    - concluded postings last, then the newest first.

    The postings first, each with its role and the moment its "new" counts from; then every
    count of all of them in one pass over their applications (grouped, with a filter per
    count), where four correlated counts per posting read a large posting four times.
    """
    if user.is_superuser:
        role: Any = Value(ADMIN, output_field=CharField())
    else:
        role = Subquery(
            TeamMembership.objects.filter(posting=OuterRef("pk"), user=user).values("role")[:1]
        )
    last_looked = Subquery(
        AccessEvent.objects.filter(
            actor=user, action=AccessEvent.Action.VIEW_PIPELINE, posting_id=OuterRef("pk")
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    found: list[Posting] = list(
        postings.annotate(role=role)
        .filter(role__in=(ADMIN, *DECIDING_ROLES))
        # Coalesced first: SQLite's GREATEST (MAX) is null if any argument is.
        .annotate(
            new_since=Greatest(
                Coalesce(last_looked, Value(new_window_start)), Value(new_window_start)
            )
        )
        .order_by(F("concluded_at").desc(nulls_first=True), "-created_at", "-pk")
    )
    if not found:
        return found
    undecided = ~Q(stage__in=DECIDED_STAGES)
    # Each posting's applications are new after that posting's own moment.
    new_since = Case(
        *(When(posting_id=posting.pk, then=Value(posting.new_since)) for posting in found)  # type: ignore[attr-defined]
    )
    counts = {
        row["posting"]: row
        for row in Application.objects.filter(posting__in=[posting.pk for posting in found])
        .order_by()
        .values("posting")
        .annotate(
            total=Count("pk"),
            undecided=Count("pk", filter=undecided),
            new=Count("pk", filter=Q(created_at__gt=new_since)),
            stale=Count("pk", filter=undecided & Q(created_at__lt=stale_before)),
        )
    }
    for posting in found:
        row = counts.get(posting.pk, {})
        for name in ("total", "undecided", "new", "stale"):
            setattr(posting, name, row.get(name, 0))
    return found


def assigned_applications(
    applications: QuerySet[Application], *, user: User
) -> QuerySet[Application]:
    """The applications (already scoped by `recruitment.access`) assigned to `user` to
    interview, undecided first, then the oldest first, with their postings: one query."""
    return (
        applications.filter(
            Exists(InterviewAssignment.objects.filter(application=OuterRef("pk"), interviewer=user))
        )
        .select_related("posting")
        .only("id", "stage", "created_at", "decided_at", "posting__title", "posting__id")
        .order_by(F("decided_at").desc(nulls_first=True), "created_at", "pk")
    )


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
