"""A home for each role, and only links that work (issue 17).

For every role, a crawl from the staff home follows every same-site link on every page the
person can reach and expects each to answer; the home's sections and counts are checked per
role, as a property against a model of what "new", "waiting" and "ready" mean, and for a
query count that does not grow with the data.
"""

from collections import deque
from dataclasses import dataclass
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import (
    DECIDED_STAGES,
    AccessEvent,
    Application,
    DataSubjectRequest,
    LegalHold,
    Posting,
    TeamMembership,
)
from recruitment.rights.services.register import record_request
from recruitment.workspace import selectors
from tests.factories import (
    ApplicationFactory,
    CvFactory,
    DataExportFactory,
    MembershipFactory,
    NoteFactory,
    PostingFactory,
    UserFactory,
)
from tests.signin import sign_in

pytestmark = pytest.mark.django_db

Role = TeamMembership.Role
Stage = Application.Stage

# Links that answer with a redirect to a presigned storage URL, never a page.
DOWNLOADS = {"staff:cv_download", "staff:export_download"}
MAX_PAGES = 400


# --- Given ------------------------------------------------------------------------------------


@dataclass
class World:
    users: dict[str, User]
    posting: Posting
    assigned: Application
    other: Application
    request: DataSubjectRequest


def officer_user() -> User:
    user = UserFactory.create()
    user.groups.add(Group.objects.get(name="Privacy officers"))
    return user


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def build_world() -> World:
    """Something on every kind of page: a posting with a full team, applications with a CV,
    notes, an assignment, a data-subject request, a legal hold due for review, an export, a
    failing and an upcoming purge, and a concluded posting."""
    posting = PostingFactory.create()
    recruiter = MembershipFactory.create(posting=posting, role=Role.RECRUITER).user
    recruiter.groups.add(Group.objects.get(name="Recruiters"))
    hiring_manager = MembershipFactory.create(posting=posting, role=Role.HIRING_MANAGER).user
    interviewer = MembershipFactory.create(posting=posting, role=Role.INTERVIEWER).user
    officer = officer_user()
    # An officer who also recruits on the posting: both sections, and application links.
    officer_recruiter = officer_user()
    MembershipFactory.create(posting=posting, user=officer_recruiter, role=Role.RECRUITER)
    assigned = ApplicationFactory.create(posting=posting, stage=Stage.INTERVIEW)
    assigned.assignments.create(interviewer=interviewer)
    CvFactory.create(application=assigned)
    NoteFactory.create(application=assigned, author=recruiter)
    NoteFactory.create(application=assigned, author=interviewer)
    other = ApplicationFactory.create(posting=posting, stage=Stage.SCREENING)
    Application.objects.filter(pk=other.pk).update(
        purge_failures=2,
        purge_last_error="storage unavailable",
        purge_due_at=timezone.now() + timedelta(days=3),
    )
    DataExportFactory.create(candidate=assigned.candidate)
    LegalHold.objects.create(
        application=assigned, reason="Pending litigation", review_at=date.today()
    )
    subject_request = record_request(candidate=assigned.candidate, kind="access", channel="email")
    concluded = PostingFactory.create(status=Posting.Status.CLOSED, concluded_at=timezone.now())
    MembershipFactory.create(posting=concluded, user=recruiter, role=Role.RECRUITER)
    ApplicationFactory.create(posting=concluded, stage=Stage.HIRED)
    users = {
        "admin": UserFactory.create(is_superuser=True),
        "privacy_officer": officer,
        "officer_and_recruiter": officer_recruiter,
        "recruiter": recruiter,
        "hiring_manager": hiring_manager,
        "interviewer": interviewer,
        "staff_without_posting": UserFactory.create(),
    }
    return World(
        users=users, posting=posting, assigned=assigned, other=other, request=subject_request
    )


# --- The crawl -------------------------------------------------------------------------------


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs.extend(value for name, value in attrs if name == "href" and value)


def links_on(page_url: str, html: str) -> list[str]:
    """The same-site links under /staff/ on a page, absolute paths with their query."""
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.hrefs:
        target = urlsplit(urljoin(f"http://testserver{page_url}", href))
        if target.scheme not in ("http", "https") or target.netloc != "testserver":
            continue
        if not target.path.startswith("/staff/"):
            continue
        found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


def _asks_to_confirm_identity(location: str) -> bool:
    return resolve(urlsplit(location).path).url_name in {
        "account_reauthenticate",
        "mfa_reauthenticate",
    }


def crawl(client: Client) -> dict[str, tuple[int, str]]:
    """Every page reachable from the home by GET, with its status and where it was linked
    from; downloads are answered but not followed."""
    home = reverse("staff:home")
    seen: dict[str, tuple[int, str]] = {}
    queue: deque[tuple[str, str]] = deque([(home, "(start)")])
    queued = {home}
    while queue:
        url, origin = queue.popleft()
        assert len(seen) < MAX_PAGES, "the crawl did not end: a link keeps making new URLs"
        response = client.get(url)
        name = resolve(urlsplit(url).path).view_name
        if name in DOWNLOADS:
            # A presigned storage URL on another host; never a login page or an error.
            location = response.get("Location", "")
            ok = response.status_code == 302 and urlsplit(location).netloc not in ("", "testserver")
            seen[url] = (200 if ok else response.status_code, origin)
            continue
        if response.status_code == 302 and _asks_to_confirm_identity(response["Location"]):
            # Changing a second factor first asks for the password or code again: it works.
            seen[url] = (200, origin)
            continue
        seen[url] = (response.status_code, origin)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        for link in links_on(url, response.content.decode()):
            if link not in queued:
                queued.add(link)
                queue.append((link, url))
    return seen


@pytest.mark.parametrize(
    "role",
    [
        "admin",
        "privacy_officer",
        "officer_and_recruiter",
        "recruiter",
        "hiring_manager",
        "interviewer",
        "staff_without_posting",
    ],
)
def test_every_link_on_every_page_a_role_reaches_answers(world: World, role: str) -> None:
    # Given a person in this role, signed in with password and code
    client = Client()
    assert sign_in(client, world.users[role].username).status_code == 302

    # When they follow every link from their home, on every page they reach
    pages = crawl(client)

    # Then each one answers (downloads with their storage redirect)
    broken = {url: found for url, found in pages.items() if found[0] != 200}
    assert not broken, f"links that do not answer 200 (status, linked from): {broken}"
    assert len(pages) > 1 or role == "staff_without_posting"


def test_the_crawl_reaches_every_kind_of_page_of_a_recruiter_and_an_officer(
    world: World,
) -> None:
    # Given the crawl of someone who is both an officer and a recruiter on the posting
    client = Client()
    client.force_login(world.users["officer_and_recruiter"])

    # When they follow every link
    names = {resolve(urlsplit(url).path).view_name for url in crawl(client)}

    # Then it saw the pages of both roles: the crawl proves something about each of them
    assert {
        "staff:home",
        "staff:pipeline",
        "staff:posting_dashboard",
        "staff:posting_edit",
        "staff:posting_team",
        "staff:posting_conclude",
        "staff:application",
        "staff:cv_download",
        "staff:requests",
        "staff:request",
        "staff:application_exports",
        "staff:export_download",
        "staff:retention",
    } <= names


# --- What each role is shown ------------------------------------------------------------------


def home_of(user: User) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(reverse("staff:home"))
    assert response.status_code == 200
    return response.content.decode()


def test_hiring_managers_and_interviewers_see_no_posting_tab_they_cannot_use(world: World) -> None:
    posting = world.posting
    settings_url = reverse("staff:posting_edit", kwargs={"pk": posting.pk})
    dashboard_url = reverse("staff:posting_dashboard", kwargs={"pk": posting.pk})
    for role, shows_dashboard in (("hiring_manager", True), ("interviewer", False)):
        client = Client()
        client.force_login(world.users[role])
        board = client.get(reverse("staff:pipeline", kwargs={"pk": posting.pk})).content.decode()
        assert settings_url not in board, role
        assert (dashboard_url in board) is shows_dashboard, role
    assert dashboard_url not in home_of(world.users["interviewer"])


def test_each_role_sees_its_own_sections(world: World) -> None:
    sections = {
        "privacy_officer": {"h-home-requests"},
        "admin": {"h-home-requests", "h-home-postings"},
        "officer_and_recruiter": {"h-home-requests", "h-home-postings"},
        "recruiter": {"h-home-postings"},
        "hiring_manager": {"h-home-postings"},
        "interviewer": {"h-home-assigned"},
        "staff_without_posting": set(),
    }
    every = {"h-home-requests", "h-home-postings", "h-home-assigned"}
    for role, expected in sections.items():
        page = home_of(world.users[role])
        assert {section for section in every if f'id="{section}"' in page} == expected, role
    assert "not on any posting" in home_of(world.users["staff_without_posting"])
    # The interviewer's list links the assigned application, and only that one.
    interviewer_home = home_of(world.users["interviewer"])
    assert reverse("staff:application", kwargs={"pk": world.assigned.pk}) in interviewer_home
    assert reverse("staff:application", kwargs={"pk": world.other.pk}) not in interviewer_home


def test_officer_home_lists_requests_overdue_first_holds_due_and_failing_purges(
    world: World,
) -> None:
    # Given a second request, received long ago and overdue
    overdue = record_request(
        candidate=world.other.candidate,
        kind="erasure",
        channel="email",
        received_at=timezone.now() - timedelta(days=settings.PRIVACY_REQUEST_DEADLINE_DAYS + 5),
    )
    page = home_of(world.users["privacy_officer"])
    first = page.index(str(overdue.pk)[:8])
    second = page.index(str(world.request.pk)[:8])
    assert first < second
    assert 'class="badge overdue"' in page[first : page.index("</tr>", first)]
    holds = page[page.index('id="h-home-holds"') : page.index('id="h-home-failing"')]
    assert str(world.assigned.pk)[:8] in holds
    failing = page[page.index('id="h-home-failing"') : page.index('id="h-home-upcoming"')]
    assert str(world.other.pk)[:8] in failing


def test_request_page_links_applications_where_readable_and_the_export_for_officers(
    world: World,
) -> None:
    request_url = reverse("staff:request", kwargs={"pk": world.request.pk})
    application_url = reverse("staff:application", kwargs={"pk": world.assigned.pk})
    exports_url = reverse("staff:application_exports", kwargs={"pk": world.assigned.pk})
    for role, links_application in (
        ("privacy_officer", False),
        ("officer_and_recruiter", True),
        ("admin", True),
    ):
        client = Client()
        client.force_login(world.users[role])
        page = client.get(request_url).content.decode()
        assert (f'href="{application_url}"' in page) is links_application, role
        assert f'href="{exports_url}"' in page, role


# --- The recruiter's counts, as a property ----------------------------------------------------

NEW_DAYS = 7
STALE_DAYS = 14
PROPERTY = hypothesis_settings(
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
application_specs = st.lists(
    st.tuples(st.integers(min_value=0, max_value=30), st.sampled_from(Stage.values)), max_size=8
)


@PROPERTY
@given(
    postings=st.lists(
        st.tuples(
            application_specs,
            st.none() | st.integers(min_value=0, max_value=30),  # board last opened, days ago
            st.booleans(),  # concluded
        ),
        min_size=1,
        max_size=3,
    )
)
def test_recruiter_home_counts_new_waiting_and_ready_as_defined(
    settings: Any, postings: list[tuple[list[tuple[int, str]], int | None, bool]]
) -> None:
    settings.STAFF_HOME_NEW_DAYS = NEW_DAYS
    settings.STAFF_HOME_UNDECIDED_DAYS = STALE_DAYS
    with transaction.atomic():
        # Given a recruiter on postings whose applications arrived `days` ago, each board last
        # opened some days ago (or never)
        now = timezone.now()
        recruiter = UserFactory.create()
        made = []
        for specs, looked_days_ago, concluded in postings:
            posting = PostingFactory.create(concluded_at=now if concluded else None)
            MembershipFactory.create(posting=posting, user=recruiter, role=Role.RECRUITER)
            for days, stage in specs:
                application = ApplicationFactory.create(posting=posting, stage=stage)
                Application.objects.filter(pk=application.pk).update(
                    created_at=now - timedelta(days=days, minutes=1)
                )
            if looked_days_ago is not None:
                event = audit.record_access(
                    actor=Actor(user=recruiter),
                    action=AccessEvent.Action.VIEW_PIPELINE,
                    posting_id=posting.pk,
                )
                AccessEvent.objects.filter(pk=event.pk).update(
                    created_at=now - timedelta(days=looked_days_ago)
                )
            made.append((posting.pk, specs, looked_days_ago, concluded))

        # When the recruiter opens their home
        client = Client()
        client.force_login(recruiter)
        shown = {row.pk: row for row in client.get(reverse("staff:home")).context["postings"]}

        # Then each posting's counts are those the definitions give, from its own board visit
        assert set(shown) == {pk for pk, *_ in made}
        for pk, specs, looked_days_ago, concluded in made:
            row = shown[pk]
            undecided = [(days, stage) for days, stage in specs if stage not in DECIDED_STAGES]
            since = min(NEW_DAYS, looked_days_ago) if looked_days_ago is not None else NEW_DAYS
            assert row.total == len(specs)
            assert row.undecided == len(undecided)
            assert row.new == len([1 for days, _ in specs if days < since])
            assert row.stale == len([1 for days, _ in undecided if days >= STALE_DAYS])
            assert row.ready_to_conclude == (not concluded and bool(specs) and not undecided)
        transaction.set_rollback(True)


# --- Bounded queries --------------------------------------------------------------------------


def grow(world: World, extra: int) -> None:
    """More of everything each section lists, on more postings."""
    for _ in range(extra):
        posting = PostingFactory.create()
        for user in (world.users["officer_and_recruiter"], world.users["interviewer"]):
            role = Role.RECRUITER if user != world.users["interviewer"] else Role.INTERVIEWER
            MembershipFactory.create(posting=posting, user=user, role=role)
        application = ApplicationFactory.create(posting=posting)
        application.assignments.create(interviewer=world.users["interviewer"])
        Application.objects.filter(pk=application.pk).update(
            purge_failures=1, purge_due_at=timezone.now() + timedelta(days=1)
        )
        LegalHold.objects.create(application=application, reason="Audit", review_at=date.today())
        record_request(candidate=application.candidate, kind="objection", channel="email")


def home_queries(user: User) -> int:
    client = Client()
    client.force_login(user)
    client.get(reverse("staff:home"))  # warm the session and permission caches alike
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("staff:home")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("role", ["admin", "officer_and_recruiter", "interviewer"])
def test_the_home_costs_the_same_queries_whatever_it_lists(world: World, role: str) -> None:
    before = home_queries(world.users[role])
    grow(world, 12)
    after = home_queries(world.users[role])
    assert after == before
    assert after <= 20


@PROPERTY
@given(held=st.integers(min_value=0, max_value=14), limit=st.integers(min_value=1, max_value=12))
def test_a_home_list_is_its_first_rows_with_the_count_of_all(held: int, limit: int) -> None:
    with transaction.atomic():
        # Given some legal holds (any of the home's lists)
        for _ in range(held):
            LegalHold.objects.create(
                application=ApplicationFactory.create(), reason="Audit", review_at=date.today()
            )
        rows = LegalHold.objects.order_by("pk")

        # Then the first rows and the total come in one query, the same as two would give
        first, total = selectors.first_rows_and_total(rows, limit)
        assert [hold.pk for hold in first] == [hold.pk for hold in rows[:limit]]
        assert total == rows.count() == held
        transaction.set_rollback(True)
