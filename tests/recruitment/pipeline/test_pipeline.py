"""The pipeline board and stage changes: scoping, events, audit, email, query counts."""

import uuid
from typing import TYPE_CHECKING, Any, TypedDict, cast

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.db.models import QuerySet
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from notifications.models import OutboundEmail
from recruitment import access
from recruitment.models import AccessEvent, Application, ApplicationEvent, Posting, TeamMembership
from recruitment.staff import uuid_url
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    MembershipFactory,
    NoteFactory,
    PostingFactory,
    UserFactory,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations


class ViewerRole(TypedDict):
    """What `access.postings_with_role` and `applications_with_role` annotate."""

    viewer_role: str | None


pytestmark = pytest.mark.django_db
Role = TeamMembership.Role
Stage = Application.Stage


@pytest.fixture
def recruiter_client(client: Client, recruiter: User) -> Client:
    """A client signed in as `recruiter` (on `posting`'s team)."""
    client.force_login(recruiter)
    return client


def board_url(posting: Any, **params: str) -> str:
    url = reverse("staff:pipeline", kwargs={"pk": posting.pk})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def test_the_board_shows_cards_in_stage_columns_with_counts(
    recruiter_client: Client, posting: Any
) -> None:
    ApplicationFactory.create(posting=posting, candidate__full_name="Ana Applied")
    screening = ApplicationFactory.create(
        posting=posting, stage=Stage.SCREENING, candidate__full_name="Sava Screening"
    )
    NoteFactory.create(application=screening, rating=3)
    NoteFactory.create(application=screening, rating=5)
    ApplicationFactory.create(candidate__full_name="Other Posting")

    response = recruiter_client.get(board_url(posting))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Ana Applied" in html and "Sava Screening" in html
    assert "Other Posting" not in html
    columns = {column["stage"]: column for column in response.context["columns"]}
    assert columns["applied"]["count"] == 1 and columns["screening"]["count"] == 1
    [card] = columns["screening"]["cards"]
    assert card.note_count == 2
    assert card.rating_average == 4
    assert "no-store" in response["Cache-Control"]
    assert AccessEvent.objects.filter(
        action=AccessEvent.Action.VIEW_PIPELINE, posting_id=posting.pk
    ).exists()


def test_search_and_stage_filter_narrow_the_board(recruiter_client: Client, posting: Any) -> None:
    ApplicationFactory.create(posting=posting, candidate__full_name="Jelena Jović")
    ApplicationFactory.create(
        posting=posting, candidate__full_name="Marko Marić", candidate__email="mm@x.rs"
    )
    ApplicationFactory.create(
        posting=posting, stage=Stage.OFFER, candidate__full_name="Marko Offer"
    )

    by_email = recruiter_client.get(board_url(posting, q="mm@x"))
    assert "Marko Marić" in by_email.content.decode()
    assert "Jelena Jović" not in by_email.content.decode()

    by_stage = recruiter_client.get(board_url(posting, q="marko", stage="offer"))
    assert [c["stage"] for c in by_stage.context["columns"]] == ["offer"]
    assert "Marko Offer" in by_stage.content.decode()
    assert "Marko Marić" not in by_stage.content.decode()


def test_a_long_column_loads_more_cards_page_by_page(
    recruiter_client: Client, posting: Any
) -> None:
    """The board shows the first 10 of a column; "Load more" (htmx, or the column on its own
    without JavaScript) brings 25 at a time, in order, none twice, none left out."""
    applications = ApplicationFactory.create_batch(40, posting=posting)
    in_order = [a.pk for a in sorted(applications, key=lambda a: (a.created_at, a.pk))]
    board = recruiter_client.get(board_url(posting))
    applied = next(c for c in board.context["columns"] if c["stage"] == "applied")
    assert [card.pk for card in applied["cards"]] == in_order[:10]
    assert applied["next_offset"] == 10
    assert applied["count"] == 40

    column_url = reverse("staff:pipeline_column", kwargs={"pk": posting.pk, "stage": "applied"})
    more = recruiter_client.get(column_url + "?offset=10")
    assert more.status_code == 200
    assert [card.pk for card in more.context["column"]["cards"]] == in_order[10:35]
    assert more.context["column"]["next_offset"] == 35
    last = recruiter_client.get(column_url + "?offset=35")
    assert [card.pk for card in last.context["column"]["cards"]] == in_order[35:]
    assert last.context["column"]["next_offset"] is None

    # Without JavaScript the link opens the column on its own, 25 cards from the offset.
    alone = recruiter_client.get(board_url(posting, stage="applied") + "&offset=10")
    (column,) = alone.context["columns"]
    assert [card.pk for card in column["cards"]] == in_order[10:35]
    assert column["next_offset"] == 35


def add_applications(posting: Any, count: int) -> list[Application]:
    stages = list(Stage.values)
    return Application.objects.bulk_create(
        Application(
            candidate=candidate,
            posting=posting,
            stage=stages[i % len(stages)],
            language="en",
            attested_min_age=15,
        )
        for i, candidate in enumerate(CandidateFactory.create_batch(count))
    )


def queries_for(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_board_runs_the_same_number_of_queries_at_10_and_at_1000_applications(
    recruiter_client: Client, posting: Any
) -> None:
    small = add_applications(posting, 10)
    NoteFactory.create_batch(2, application=small[0])
    at_10 = queries_for(recruiter_client, board_url(posting))

    more = add_applications(posting, 990)
    NoteFactory.create_batch(5, application=more[-1])
    at_1000 = queries_for(recruiter_client, board_url(posting))

    assert at_10 == at_1000
    # Session, user, second factor, role checks, counts, two queries for every column's
    # cards, the audit row.
    assert at_1000 <= 11


def test_moving_a_card_writes_the_stage_an_event_and_an_audit_row(
    recruiter_client: Client, recruiter: User, posting: Any
) -> None:
    application = ApplicationFactory.create(posting=posting)
    before = timezone.now()

    response = recruiter_client.post(
        reverse("staff:application_move", kwargs={"pk": application.pk}),
        {"to_stage": "interview", "next": board_url(posting)},
    )

    assert response.status_code == 302 and response["Location"] == board_url(posting)
    application.refresh_from_db()
    assert application.stage == Stage.INTERVIEW
    event = ApplicationEvent.objects.get(application=application, kind="stage_changed")
    assert (event.from_stage, event.to_stage) == ("applied", "interview")
    assert event.actor == recruiter
    assert event.created_at >= before
    audit = AccessEvent.objects.get(action=AccessEvent.Action.CHANGE_STAGE)
    assert audit.application_id == application.pk and audit.posting_id == posting.pk


def test_a_drag_and_drop_move_answers_with_the_refreshed_board(
    recruiter_client: Client, posting: Any
) -> None:
    application = ApplicationFactory.create(posting=posting, candidate__full_name="Dragged Person")
    response = recruiter_client.post(
        reverse("staff:application_move", kwargs={"pk": application.pk}),
        {"to_stage": "offer", "q": "", "stage": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    offer = next(c for c in response.context["columns"] if c["stage"] == "offer")
    assert [card.pk for card in offer["cards"]] == [application.pk]


def test_moving_to_the_same_stage_changes_nothing(recruiter_client: Client, posting: Any) -> None:
    application = ApplicationFactory.create(posting=posting)
    recruiter_client.post(
        reverse("staff:application_move", kwargs={"pk": application.pk}), {"to_stage": "applied"}
    )
    assert not ApplicationEvent.objects.filter(kind="stage_changed").exists()
    assert not AccessEvent.objects.filter(action=AccessEvent.Action.CHANGE_STAGE).exists()


def test_unsuccessful_with_notification_queues_an_email_in_the_candidates_language(
    recruiter_client: Client, posting: Any
) -> None:
    application = ApplicationFactory.create(posting=posting, language="en")
    recruiter_client.post(
        reverse("staff:application_move", kwargs={"pk": application.pk}),
        {"to_stage": "unsuccessful", "reason": "Not enough Django", "notify": "on"},
    )
    application.refresh_from_db()
    assert application.stage == Stage.UNSUCCESSFUL
    assert application.decided_at is not None
    email = OutboundEmail.objects.get(subject_ref=application.pk)
    assert email.template == "pipeline/emails/application_unsuccessful"
    assert email.language == "en"
    assert posting.title in email.subject
    # The internal reason is kept on the event, never sent to the candidate.
    assert "Not enough Django" not in email.body_text
    assert ApplicationEvent.objects.get(kind="stage_changed").reason == "Not enough Django"


def test_bulk_unsuccessful_changes_only_undecided_selected_applications(
    recruiter_client: Client, posting: Any
) -> None:
    first, second = ApplicationFactory.create_batch(2, posting=posting)
    hired = ApplicationFactory.create(posting=posting, stage=Stage.HIRED)
    untouched = ApplicationFactory.create(posting=posting)

    response = recruiter_client.post(
        reverse("staff:bulk_unsuccessful", kwargs={"pk": posting.pk}),
        {"applications": [first.pk, second.pk, hired.pk], "reason": "Position filled"},
    )

    assert response.status_code == 302
    stages = dict(Application.objects.values_list("pk", "stage"))
    assert stages[first.pk] == stages[second.pk] == Stage.UNSUCCESSFUL
    assert stages[hired.pk] == Stage.HIRED
    assert stages[untouched.pk] == Stage.APPLIED
    assert AccessEvent.objects.filter(action=AccessEvent.Action.BULK_UNSUCCESSFUL).count() == 2
    assert not OutboundEmail.objects.exists()


def test_bulk_cannot_reach_applications_of_another_posting(
    recruiter_client: Client, posting: Any
) -> None:
    foreign = ApplicationFactory.create()
    response = recruiter_client.post(
        reverse("staff:bulk_unsuccessful", kwargs={"pk": posting.pk}),
        {"applications": [foreign.pk], "reason": "x"},
    )
    assert response.status_code == 302
    foreign.refresh_from_db()
    assert foreign.stage == Stage.APPLIED


def test_an_interviewer_sees_only_assigned_applications_and_cannot_move_them(
    client: Client, posting: Any
) -> None:
    interviewer = MembershipFactory.create(posting=posting, role=Role.INTERVIEWER).user
    assigned = ApplicationFactory.create(posting=posting, candidate__full_name="Assigned Person")
    ApplicationFactory.create(posting=posting, candidate__full_name="Hidden Person")
    assigned.assignments.create(interviewer=interviewer)
    client.force_login(interviewer)

    html = client.get(board_url(posting)).content.decode()
    assert "Assigned Person" in html and "Hidden Person" not in html
    assert 'name="to_stage"' not in html
    response = client.post(
        reverse("staff:application_move", kwargs={"pk": assigned.pk}), {"to_stage": "offer"}
    )
    assert response.status_code == 403
    assigned.refresh_from_db()
    assert assigned.stage == Stage.APPLIED


def test_removing_a_member_ends_their_access_on_the_next_request(
    recruiter_client: Client, recruiter: User, posting: Any
) -> None:
    application = ApplicationFactory.create(posting=posting)
    url = reverse("staff:application", kwargs={"pk": application.pk})
    assert recruiter_client.get(url).status_code == 200
    TeamMembership.objects.filter(user=recruiter).delete()
    assert recruiter_client.get(url).status_code == 404
    assert recruiter_client.get(board_url(posting)).status_code == 404


def test_selectors_scope_postings_and_applications_per_role() -> None:
    posting, other = PostingFactory.create(), PostingFactory.create()
    mine = ApplicationFactory.create(posting=posting)
    theirs = ApplicationFactory.create(posting=other)
    manager = MembershipFactory.create(posting=posting, role=Role.HIRING_MANAGER).user
    outsider = UserFactory.create()
    admin = UserFactory.create(is_superuser=True)

    assert list(access.postings_visible_to(manager)) == [posting]
    assert list(access.applications_visible_to(manager)) == [mine]
    assert not access.applications_visible_to(outsider).exists()
    assert set(access.applications_visible_to(admin)) == {mine, theirs}
    outsider.is_active = False
    assert not access.postings_visible_to(outsider).exists()


# --- The board's visibility, read once per request -------------------------------------------


@pytest.mark.parametrize(
    "role", ["admin", "recruiter", "hiring_manager", "interviewer", "stranger", "inactive"]
)
def test_the_posting_scoped_visibility_is_the_general_one_on_that_posting(role: str) -> None:
    # Given a posting with applications, some assigned to an interviewer, and another posting
    posting = PostingFactory.create()
    other = PostingFactory.create()
    interviewer = MembershipFactory.create(posting=posting, role=Role.INTERVIEWER).user
    applications = ApplicationFactory.create_batch(4, posting=posting)
    ApplicationFactory.create_batch(2, posting=other)
    applications[1].assignments.create(interviewer=interviewer)
    users = {
        "admin": UserFactory.create(is_superuser=True),
        "recruiter": MembershipFactory.create(posting=posting, role=Role.RECRUITER).user,
        "hiring_manager": MembershipFactory.create(posting=posting, role=Role.HIRING_MANAGER).user,
        "interviewer": interviewer,
        "stranger": UserFactory.create(),
        "inactive": MembershipFactory.create(
            posting=posting, role=Role.RECRUITER, user=UserFactory.create(is_active=False)
        ).user,
    }
    user = users[role]

    # Then the board's set (role read once) is exactly the general rule's on that posting
    scoped = access.posting_applications_visible_to(user, posting, access.role_on(user, posting))
    general = access.applications_visible_to(user).filter(posting=posting)
    assert set(scoped.values_list("pk", flat=True)) == set(general.values_list("pk", flat=True))

    # And the role read together with the posting or an application is role_on's, on
    # exactly the postings and applications the user may see
    role_on = access.role_on(user, posting)
    with_role = cast(
        "QuerySet[WithAnnotations[Posting, ViewerRole]]", access.postings_with_role(user)
    )
    assert set(with_role) == set(access.postings_visible_to(user))
    assert [p.viewer_role for p in with_role.filter(pk=posting.pk)] == (
        [role_on] if access.postings_visible_to(user).filter(pk=posting.pk).exists() else []
    )
    visible_applications = cast(
        "QuerySet[WithAnnotations[Application, ViewerRole]]", access.applications_with_role(user)
    )
    assert set(visible_applications) == set(access.applications_visible_to(user))
    assert {a.viewer_role for a in visible_applications} <= {role_on}


@given(pk=st.uuids())
def test_a_card_link_is_the_one_reverse_gives(pk: uuid.UUID) -> None:
    for name in ("staff:application", "staff:application_move"):
        assert uuid_url(name)(pk) == reverse(name, kwargs={"pk": pk})
