"""Reads of a posting's pipeline. Each takes a queryset already scoped by
`recruitment.access`, so nothing here can widen what a user may see."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

from django.contrib.auth.models import User
from django.db.models import (
    Avg,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils import timezone

from notifications.services import delivery_states
from recruitment import access
from recruitment.access import AnyUser
from recruitment.models import (
    Application,
    ApplicationEvent,
    CandidateMessage,
    CurriculumVitae,
    Interview,
    InterviewAssignment,
    InterviewNote,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.questions import selectors as questions

# The whole board shows the first BOARD_FIRST_PAGE cards of each column: a screen's worth of
# seven columns side by side, and what the board costs to render whatever the posting's size
# (bench/pages.py: each card costs as much as a query). One column, asked for on its own or
# for more of it, pages by BOARD_PAGE_SIZE.
BOARD_FIRST_PAGE = 10
BOARD_PAGE_SIZE = 25


def _search(
    applications: QuerySet[Application], query: str, review: bool = False
) -> QuerySet[Application]:
    if review:
        # Only those a knock-out answer flagged and no person has reviewed yet.
        applications = applications.filter(questions.unreviewed_knockout())
    if not query:
        return applications
    return applications.filter(Q(full_name__icontains=query) | Q(candidate__email__icontains=query))


def stage_counts(
    applications: QuerySet[Application], *, query: str = "", review: bool = False
) -> dict[str, int]:
    """How many (matching) applications sit in each stage: one query."""
    rows = _search(applications, query, review).order_by().values("stage").annotate(n=Count("pk"))
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
    review: bool = False,
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
    next_interview = Interview.objects.filter(
        application=OuterRef("pk"),
        status=Interview.Status.SCHEDULED,
        starts_at__gte=timezone.now(),
    ).order_by("starts_at", "pk")
    valid_consent = RetentionConsent.objects.in_force(timezone.now()).covering_outer_application()
    position = Window(
        RowNumber(), partition_by=F("stage"), order_by=(F("created_at").asc(), F("pk").asc())
    )
    pages = (
        _search(applications, query, review)
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
        # A card shows the name given on the application (the candidate row is not read)
        # and where it came from (joined: the source's name and kind).
        .select_related("source")
        .only(
            "id",
            "candidate_id",
            "posting_id",
            "stage",
            "full_name",
            "created_at",
            "source__slug",
            "source__name",
            "source__kind",
            "source__builtin",
        )
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
            # A knock-out answer no person has reviewed yet (nothing was decided by it).
            needs_review=questions.needs_review(),
            # The next interview's answer (null: none upcoming), for the card's badge.
            interview_answer=Subquery(next_interview.values("answer")[:1]),
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
        applications.select_related(
            "candidate", "posting", "source", "invitation", "answers_reviewed_by"
        )
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


def _state(
    states: dict[UUID, tuple[str, datetime | None]], message: CandidateMessage
) -> tuple[str, datetime | None]:
    return states.get(message.email_id, ("", None)) if message.email_id else ("", None)


@dataclass(frozen=True)
class ThreadEntry:
    """One message of an application's thread as staff see it, with its delivery state."""

    message: CandidateMessage
    delivery: str  # "queued", "sent", "failed", "withheld", "received"
    sent_at: datetime | None


def thread_of(application: Application) -> list[ThreadEntry]:
    """The application's messages, oldest first, with what became of each email (two
    queries). The caller decided the reader may see them and audits the read."""
    messages = list(CandidateMessage.objects.filter(application=application))
    states = delivery_states(email_ids=[m.email_id for m in messages if m.email_id])
    entries = []
    for message in messages:
        if message.direction == CandidateMessage.Direction.FROM_CANDIDATE:
            entries.append(ThreadEntry(message, "received", None))
            continue
        if message.withheld_at:
            entries.append(ThreadEntry(message, "withheld", None))
            continue
        status, sent_at = (
            states.get(message.email_id, ("", None)) if message.email_id else ("", None)
        )
        delivery = {"sent": "sent", "failed": "failed"}.get(status, "queued")
        entries.append(ThreadEntry(message, delivery, sent_at))
    return entries


def upcoming_interviews_of(user: AnyUser, *, now: datetime | None = None) -> QuerySet[Interview]:
    """The scheduled interviews `user` sits on, from an hour ago on, earliest first, on
    applications they may still see (a role lost is an interview no longer listed)."""
    now = now or timezone.now()
    if not isinstance(user, User):
        return Interview.objects.none()
    return (
        Interview.objects.filter(
            status=Interview.Status.SCHEDULED,
            starts_at__gte=now - timedelta(hours=1),
            application__in=access.applications_visible_to(user),
            panel__interviewer=user,
        )
        .select_related("application__posting")
        .order_by("starts_at", "pk")
    )


def interviews_of(application: Application) -> QuerySet[Interview]:
    """An application's interviews, earliest first, with their panels."""
    return application.interviews.prefetch_related("interviewers").order_by("starts_at", "pk")
