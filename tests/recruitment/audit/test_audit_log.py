"""The audit log page and its CSV export: who may read it, filters, export, no personal data."""

import csv
import io
import re
import uuid
from datetime import datetime
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, Permission
from django.http import StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.test import Client
from django.urls import reverse

from recruitment.access import Actor
from recruitment.models import AccessEvent, DataSubjectRequest, TeamMembership
from recruitment.rights.services import register, requests
from tests.factories import (
    ApplicationFactory,
    MembershipFactory,
    PostingFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
Action = AccessEvent.Action
PAGE = "staff:audit_log"
CSV = "staff:audit_log_csv"
BELGRADE = ZoneInfo("Europe/Belgrade")


def make_event(
    *,
    actor: Any = None,
    username: str = "someone",
    action: str = Action.VIEW_APPLICATION,
    posting_id: int | None = None,
    application_id: UUID | None = None,
    request_id: UUID | None = None,
    at: datetime | None = None,
    client_ip: str = "192.0.2.0",
    details: str = "",
) -> AccessEvent:
    event = AccessEvent.objects.create(
        actor=actor,
        actor_username=actor.username if actor else username,
        action=action,
        posting_id=posting_id,
        application_id=application_id,
        request_id=request_id,
        client_ip=client_ip,
        details=details,
    )
    if at is not None:  # created_at is auto_now_add: set it afterwards
        AccessEvent.objects.filter(pk=event.pk).update(created_at=at)
        event.refresh_from_db()
    return event


def shown_ids(response: Any) -> set[int]:
    return {row.event.pk for row in response.context["rows"]}


def csv_text(response: HttpResponseBase) -> str:
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response).decode()


def csv_rows(response: HttpResponseBase) -> list[list[str]]:
    return list(csv.reader(io.StringIO(csv_text(response))))


# --- Who may read it ------------------------------------------------------------------------


@pytest.mark.parametrize("name", [PAGE, CSV])
def test_anonymous_visitor_is_sent_to_the_login_page(client: Client, name: str) -> None:
    response = client.get(reverse(name))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("name", [PAGE, CSV])
def test_staff_without_the_audit_permission_get_404(client: Client, name: str) -> None:
    # Given a plain staff member and a recruiter (global group and posting role)
    plain = UserFactory.create()
    recruiter = MembershipFactory.create(role=TeamMembership.Role.RECRUITER).user
    recruiter.groups.add(Group.objects.get(name="Recruiters"))
    make_event(username="someone")

    for user in (plain, recruiter):
        client.force_login(user)
        response = client.get(reverse(name))
        assert response.status_code == 404, user.username

    # And a refused export is not an export
    assert not AccessEvent.objects.filter(action=Action.EXPORT_AUDIT_LOG).exists()


def test_privacy_officer_reads_the_log_uncached(officer_client: Client) -> None:
    event = make_event(username="rita-recruiter")

    response = officer_client.get(reverse(PAGE))

    assert response.status_code == 200
    assert shown_ids(response) == {event.pk}
    assert "rita-recruiter" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def test_superuser_reads_the_log(client: Client) -> None:
    client.force_login(UserFactory.create(is_superuser=True))
    event = make_event()

    response = client.get(reverse(PAGE))

    assert response.status_code == 200
    assert shown_ids(response) == {event.pk}


def test_events_are_listed_newest_first(officer_client: Client) -> None:
    older = make_event(at=datetime(2025, 1, 1, 12, tzinfo=BELGRADE))
    newer = make_event(at=datetime(2025, 2, 1, 12, tzinfo=BELGRADE))

    response = officer_client.get(reverse(PAGE))

    assert [row.event.pk for row in response.context["rows"]] == [newer.pk, older.pk]


# --- Filters --------------------------------------------------------------------------------


def test_actor_filter_shows_only_that_users_events(officer_client: Client) -> None:
    alice, bob = UserFactory.create(username="alice"), UserFactory.create(username="bob")
    hers = make_event(actor=alice)
    make_event(actor=bob)

    response = officer_client.get(reverse(PAGE), {"actor": "alice"})

    assert shown_ids(response) == {hers.pk}


def test_actor_filter_offers_usernames_of_deleted_accounts(officer_client: Client) -> None:
    gone = make_event(username="deleted-dora")
    make_event(username="other")

    response = officer_client.get(reverse(PAGE), {"actor": "deleted-dora"})

    assert not response.context["form"].errors
    assert shown_ids(response) == {gone.pk}


def test_posting_filter_shows_only_that_postings_events(officer_client: Client) -> None:
    wanted, other = PostingFactory.create(title="Data Engineer"), PostingFactory.create()
    match = make_event(posting_id=wanted.pk)
    make_event(posting_id=other.pk)
    make_event()

    response = officer_client.get(reverse(PAGE), {"posting": str(wanted.pk)})

    assert shown_ids(response) == {match.pk}
    assert "Data Engineer" in response.content.decode()


def test_action_filter_shows_only_that_action(officer_client: Client) -> None:
    download = make_event(action=Action.DOWNLOAD_CV)
    make_event(action=Action.VIEW_APPLICATION)

    response = officer_client.get(reverse(PAGE), {"action": Action.DOWNLOAD_CV})

    assert shown_ids(response) == {download.pk}


def test_date_filter_takes_whole_local_days_inclusive(
    officer_client: Client, settings: Any
) -> None:
    # Given events around local midnight in Belgrade (UTC+1 in March)
    settings.TIME_ZONE = "Europe/Belgrade"
    make_event(at=datetime(2025, 3, 9, 23, 59, tzinfo=BELGRADE))
    first = make_event(at=datetime(2025, 3, 10, 0, 30, tzinfo=BELGRADE))  # 9 March in UTC
    last = make_event(at=datetime(2025, 3, 11, 23, 30, tzinfo=BELGRADE))
    make_event(at=datetime(2025, 3, 12, 0, 30, tzinfo=BELGRADE))  # 11 March in UTC

    response = officer_client.get(
        reverse(PAGE), {"date_from": "2025-03-10", "date_to": "2025-03-11"}
    )

    assert shown_ids(response) == {first.pk, last.pk}


@pytest.mark.parametrize(
    "params",
    [
        {"posting": "abc"},
        {"posting": "999999999"},
        {"date_from": "yesterday"},
        {"date_to": "2025-02-30"},
        {"action": "hack"},
        {"request": "not-a-request-id"},
        {"actor": "nobody-like-this"},
        {"date_from": "2025-03-02", "date_to": "2025-03-01"},
        {"page": "last-but-one"},
    ],
)
def test_bad_filter_values_are_ignored_and_reported(
    officer_client: Client, params: dict[str, str]
) -> None:
    events = {make_event().pk, make_event(action=Action.DOWNLOAD_CV).pk}

    response = officer_client.get(reverse(PAGE), params)

    assert response.status_code == 200
    assert shown_ids(response) == events
    if "page" not in params:
        assert response.context["form"].errors
        assert "field-errors" in response.content.decode()


def test_a_valid_filter_still_applies_next_to_a_bad_one(officer_client: Client) -> None:
    download = make_event(action=Action.DOWNLOAD_CV)
    make_event(action=Action.VIEW_APPLICATION)

    response = officer_client.get(reverse(PAGE), {"action": Action.DOWNLOAD_CV, "posting": "x"})

    assert shown_ids(response) == {download.pk}
    assert "posting" in response.context["form"].errors


def test_pages_hold_fifty_events_and_page_and_export_links_keep_the_filters(
    officer_client: Client,
) -> None:
    AccessEvent.objects.bulk_create(
        AccessEvent(actor_username="u", action=Action.DOWNLOAD_CV) for _ in range(51)
    )
    make_event(action=Action.VIEW_APPLICATION)

    first = officer_client.get(reverse(PAGE), {"action": Action.DOWNLOAD_CV})
    second = officer_client.get(reverse(PAGE), {"action": Action.DOWNLOAD_CV, "page": "2"})

    assert len(first.context["rows"]) == 50
    assert "?action=download_cv&amp;page=2" in first.content.decode()
    assert '/staff/audit/export.csv?action=download_cv"' in second.content.decode()
    assert len(second.context["rows"]) == 1
    assert "?action=download_cv&amp;page=1" in second.content.decode()


# --- What each row shows --------------------------------------------------------------------


def test_rows_show_posting_titles_short_application_ids_and_networks(
    officer_client: Client,
) -> None:
    posting = PostingFactory.create(title="Site Reliability Engineer")
    application_id = UUID("12345678-9abc-4def-8123-456789abcdef")
    make_event(posting_id=posting.pk, application_id=application_id, client_ip="203.0.113.0")
    make_event(posting_id=987654321)

    html = officer_client.get(reverse(PAGE)).content.decode()

    assert "Site Reliability Engineer" in html
    assert "#987654321 (deleted)" in html
    assert f'title="{application_id}">12345678</code>' in html
    assert "203.0.113.0" in html
    assert "Viewed application" in html


def test_neither_page_nor_export_shows_candidate_personal_data(officer_client: Client) -> None:
    # Given an application by a distinctive candidate, and audit events about it
    application = ApplicationFactory.create(
        candidate__full_name="Zorana Xylophone-Qwerty",
        candidate__email="zorana.unique@example.org",
        candidate__phone="+381 64 555 0199",
    )
    for action in (Action.VIEW_APPLICATION, Action.DOWNLOAD_CV):
        make_event(action=action, application_id=application.pk, posting_id=application.posting_id)

    page = officer_client.get(reverse(PAGE)).content.decode()
    export = csv_text(officer_client.get(reverse(CSV)))

    # Then the events are there, the person is not
    assert str(application.pk)[:8] in page and str(application.pk) in export
    for personal in ("Zorana", "Xylophone", "zorana.unique", "555 0199"):
        assert personal not in page
        assert personal not in export


# --- CSV export -----------------------------------------------------------------------------


def test_export_streams_every_event_with_a_header_and_records_itself(
    officer_client: Client, officer: Any
) -> None:
    posting = PostingFactory.create()
    application_id = UUID("12345678-9abc-4def-8123-456789abcdef")
    make_event(
        username="rita",
        action=Action.DOWNLOAD_CV,
        posting_id=posting.pk,
        application_id=application_id,
        at=datetime(2025, 3, 10, 0, 30, tzinfo=BELGRADE),
        client_ip="203.0.113.0",
    )
    make_event(username="sam")

    response = officer_client.get(reverse(CSV))

    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="audit-log-\d{8}-\d{6}\.csv"', response["Content-Disposition"]
    )
    header, *rows = csv_rows(response)
    assert header == [
        "time_utc",
        "actor",
        "action",
        "posting_id",
        "application_id",
        "request_id",
        "client_network",
        "subject",
        "details",
    ]
    # The export is written to the log before any row leaves, so it is in the export too.
    exports = AccessEvent.objects.filter(action=Action.EXPORT_AUDIT_LOG)
    assert [(e.actor_id, e.actor_username) for e in exports] == [(officer.pk, officer.username)]
    assert len(rows) == AccessEvent.objects.count() == 3
    assert rows[0][1:3] == [officer.username, Action.EXPORT_AUDIT_LOG]
    assert [
        "2025-03-09T23:30:00+00:00",
        "rita",
        "download_cv",
        str(posting.pk),
        str(application_id),
        "",
        "203.0.113.0",
        "",
        "",
    ] in rows


def test_the_page_and_the_export_show_what_a_pool_search_was_narrowed_by(
    officer_client: Client,
) -> None:
    make_event(username="rita", action=Action.SEARCH_POOL, details="query=yes stage=interview")

    page = officer_client.get(reverse(PAGE)).content.decode()
    rows = csv_rows(officer_client.get(reverse(CSV)))[1:]

    assert "query=yes stage=interview" in page
    [search] = [row for row in rows if row[2] == Action.SEARCH_POOL]
    assert (search[1], search[-1]) == ("rita", "query=yes stage=interview")


def test_export_applies_the_same_filters(officer_client: Client) -> None:
    make_event(username="alice", action=Action.DOWNLOAD_CV)
    make_event(username="alice", action=Action.VIEW_APPLICATION)
    make_event(username="bob", action=Action.DOWNLOAD_CV)

    response = officer_client.get(reverse(CSV), {"actor": "alice", "action": "download_cv"})

    _, *rows = csv_rows(response)
    assert [row[1:3] for row in rows] == [["alice", "download_cv"]]


@pytest.mark.parametrize("dangerous", ["=HYPERLINK(1)", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_export_defuses_spreadsheet_formulas(officer_client: Client, dangerous: str) -> None:
    make_event(username=dangerous, client_ip="=cmd|' /C calc'!A0")

    response = officer_client.get(reverse(CSV), {"action": Action.VIEW_APPLICATION})

    [_, row] = csv_rows(response)
    assert row[1] == "'" + dangerous
    assert row[6] == "'=cmd|' /C calc'!A0"


def test_exporting_twice_records_two_exports(officer_client: Client) -> None:
    for _ in range(2):
        csv_rows(officer_client.get(reverse(CSV)))

    assert AccessEvent.objects.filter(action=Action.EXPORT_AUDIT_LOG).count() == 2


# --- Query counts ---------------------------------------------------------------------------

# Session, user, the second factor that verified the session, user and group permissions,
# the actor and posting choices, the navigation's count of data-subject requests due soon
# and its talent pool link:
PAGE_QUERIES = 13  # count, the page's events, their posting titles, the requests' visibility
EXPORT_QUERIES = 9  # the export's own audit row, one cursor over the events


@pytest.mark.parametrize("events", [10, 200])
def test_the_page_takes_constant_queries(
    officer_client: Client, django_assert_max_num_queries: Any, events: int
) -> None:
    postings = [PostingFactory.create() for _ in range(3)]
    actors = [UserFactory.create() for _ in range(3)]
    request_ids = [received_request().pk for _ in range(3)]
    for i in range(events):
        make_event(actor=actors[i % 3], posting_id=postings[i % 3].pk)
        make_event(actor=actors[i % 3], action=Action.VIEW_REQUEST, request_id=request_ids[i % 3])

    with django_assert_max_num_queries(PAGE_QUERIES):
        response = officer_client.get(reverse(PAGE))

    assert len(response.context["rows"]) == min(2 * events, 50)


@pytest.mark.parametrize("events", [10, 200])
def test_the_export_takes_constant_queries(
    officer_client: Client, django_assert_max_num_queries: Any, events: int
) -> None:
    postings = [PostingFactory.create() for _ in range(3)]
    actors = [UserFactory.create() for _ in range(3)]
    for i in range(events):
        make_event(actor=actors[i % 3], posting_id=postings[i % 3].pk)

    with django_assert_max_num_queries(EXPORT_QUERIES):
        rows = csv_rows(officer_client.get(reverse(CSV)))

    assert len(rows) == events + 2  # header, the events, the export's own entry


# --- Data-subject requests: the target of their actions (issue 16, defect 10) ---------------


def received_request() -> DataSubjectRequest:
    return register.record_request(
        candidate=ApplicationFactory.create(candidate__full_name="Zorana Requester").candidate,
        kind=DataSubjectRequest.Kind.ACCESS,
        channel=DataSubjectRequest.Channel.EMAIL,
        details="Send me everything, Zorana Requester.",
    )


@pytest.fixture
def audit_only_client(client: Client) -> Client:
    """Staff who may read the audit log and nothing more (no data-subject requests)."""
    reader = UserFactory.create(username="auditor")
    reader.user_permissions.add(
        Permission.objects.get(content_type__app_label="recruitment", codename="view_accessevent")
    )
    client.force_login(reader)
    return client


def request_cell(html: str, request_id: UUID) -> str:
    [cell] = re.findall(rf"<td>[^\n]*{request_id}[^\n]*</td>", html)
    return str(cell)


def test_request_actions_show_the_request_linked_for_those_who_may_open_it(
    officer_client: Client, officer: Any
) -> None:
    # Given a request recorded and extended by staff, through the services
    dsr = received_request()
    actor = Actor(user=officer, client_ip="192.0.2.10")
    requests.assign_request(request=dsr, actor=actor)
    requests.extend_request(request=dsr, days=10, reason="Many applications.", actor=actor)

    html = officer_client.get(reverse(PAGE)).content.decode()

    # Then each action names its request, with a link to it, and the person is not named
    link = reverse("staff:request", args=[dsr.pk])
    assert html.count(f'<a href="{link}"><code title="{dsr.pk}">{str(dsr.pk)[:8]}</code></a>') == 2
    assert "Took on data-subject request" in html and "Extended data-subject request" in html
    assert "Zorana" not in html


def test_request_ids_are_shown_unlinked_to_readers_who_may_not_open_requests(
    audit_only_client: Client,
) -> None:
    dsr = received_request()
    make_event(action=Action.RESOLVE_REQUEST, request_id=dsr.pk)

    response = audit_only_client.get(reverse(PAGE))

    html = response.content.decode()
    assert response.status_code == 200
    assert f'<code title="{dsr.pk}">{str(dsr.pk)[:8]}</code>' in request_cell(html, dsr.pk)
    assert reverse("staff:request", args=[dsr.pk]) not in html


def test_the_request_of_an_erased_or_unknown_id_is_shown_unlinked(officer_client: Client) -> None:
    gone = UUID("0badc0de-0000-4000-8000-000000000000")
    make_event(action=Action.REFUSE_REQUEST, request_id=gone)

    html = officer_client.get(reverse(PAGE)).content.decode()

    assert f'<code title="{gone}">0badc0de</code>' in request_cell(html, gone)
    assert reverse("staff:request", args=[gone]) not in html


def test_request_filter_shows_only_that_requests_events(officer_client: Client) -> None:
    wanted, other = uuid.uuid4(), uuid.uuid4()
    match = {
        make_event(action=Action.RECORD_REQUEST, request_id=wanted).pk,
        make_event(action=Action.VIEW_REQUEST, request_id=wanted).pk,
    }
    make_event(action=Action.VIEW_REQUEST, request_id=other)
    make_event()

    page = officer_client.get(reverse(PAGE), {"request": str(wanted)})
    export = csv_rows(officer_client.get(reverse(CSV), {"request": str(wanted)}))

    assert shown_ids(page) == match
    _, *rows = export
    assert {row[5] for row in rows} == {str(wanted)}
    assert len(rows) == 2


def test_export_has_the_request_id_of_each_event(officer_client: Client) -> None:
    request_id = UUID("fedcba98-7654-4321-8fed-cba987654321")
    make_event(username="olga", action=Action.EXTEND_REQUEST, request_id=request_id)

    _, *rows = csv_rows(officer_client.get(reverse(CSV), {"action": Action.EXTEND_REQUEST}))

    assert [row[1:] for row in rows] == [
        ["olga", "extend_request", "", "", str(request_id), "192.0.2.0", "", ""]
    ]


def test_the_page_says_how_long_events_are_kept(officer_client: Client, settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 400

    html = officer_client.get(reverse(PAGE)).content.decode()

    assert "Events are deleted 400 days after they were recorded." in html
