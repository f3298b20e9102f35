"""The privacy officer's own permission (issue 15, item 10).

Reading the audit log (`recruitment.view_accessevent`) grants exactly that: not erasure, not
exports of anyone, not legal holds, not the requests queue, the retention page or the privacy
texts. Those hang on `recruitment.act_as_privacy_officer`, which the "Privacy officers" group
holds (with the audit log) and superusers hold as they hold everything.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from recruitment.access import Actor
from recruitment.models import (
    AccessEvent,
    Application,
    Candidate,
    ConsentTextVersion,
    DataExport,
    DataSubjectRequest,
    LegalHold,
    NoticeVersion,
    Posting,
    TeamMembership,
)
from recruitment.notices import services as privacy_texts
from recruitment.rights.services.register import record_request
from tests.factories import ApplicationFactory, DataExportFactory, MembershipFactory, UserFactory
from tests.test_url_role_matrix import MATRIX

pytestmark = pytest.mark.django_db

AUDIT_LOG_URLS = {"staff/audit/", "staff/audit/export.csv"}


def permission(codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label="recruitment", codename=codename)


def staff_with(*codenames: str) -> User:
    user = UserFactory.create()
    user.user_permissions.add(*(permission(codename) for codename in codenames))
    return user


def logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def audit_log_reader() -> User:
    """Staff who may read the audit log, and hold no other permission."""
    return staff_with("view_accessevent")


@pytest.fixture
def officer_without_audit_log() -> User:
    """Staff who hold the privacy officer's permission, but not the audit log's."""
    return staff_with("act_as_privacy_officer")


@dataclass
class World:
    application: Application
    unheld: Application
    hold: LegalHold
    export: DataExport
    erasure: DataSubjectRequest


@pytest.fixture
def world(posting: Posting) -> World:
    application = ApplicationFactory.create(posting=posting)
    unheld = ApplicationFactory.create(posting=posting)
    hold = LegalHold.objects.create(
        application=application, reason="Pending litigation", review_at=date.today()
    )
    return World(
        application=application,
        unheld=unheld,
        hold=hold,
        export=DataExportFactory.create(candidate=application.candidate),
        erasure=record_request(candidate=unheld.candidate, kind="erasure", channel="email"),
    )


@dataclass(frozen=True)
class Case:
    """One request to a privacy officer's URL, and what the privacy officer gets for it."""

    name: str
    method: str
    url: Callable[[World], str]
    data: Callable[[World], dict[str, str]]
    officer_status: int


def _no_data(world: World) -> dict[str, str]:
    return {}


def _url(name: str, *args: Callable[[World], Any]) -> Callable[[World], str]:
    return lambda world: reverse(f"staff:{name}", args=[str(arg(world)) for arg in args])


def _application(world: World) -> Any:
    return world.application.pk


def _erasure(world: World) -> Any:
    return world.erasure.pk


def _export(world: World) -> Any:
    return world.export.pk


IN_A_MONTH = (date.today() + timedelta(days=30)).isoformat()

# Every URL only a privacy officer (or an admin) may use, with each method it answers to.
CASES = [
    Case("retention page", "GET", _url("retention"), _no_data, 200),
    Case("ledger verification", "POST", _url("retention"), _no_data, 302),
    Case("legal hold form", "GET", _url("hold_place", _application), _no_data, 200),
    Case(
        "placing a legal hold",
        "POST",
        _url("hold_place", lambda world: world.unheld.pk),
        lambda world: {"reason": "Pending litigation", "review_at": IN_A_MONTH},
        302,
    ),
    Case("lifting a legal hold", "POST", _url("hold_lift", lambda w: w.hold.pk), _no_data, 302),
    Case("anyone's exports", "GET", _url("application_exports", _application), _no_data, 200),
    Case("producing an export", "POST", _url("application_export", _application), _no_data, 302),
    Case(
        "downloading an export",
        "GET",
        _url("export_download", _application, lambda world: world.export.pk),
        _no_data,
        302,
    ),
    Case("exports awaiting review", "GET", _url("export_reviews"), _no_data, 200),
    Case("an export's review", "GET", _url("export_review", _export), _no_data, 200),
    # The world's export is ready: deciding and releasing are refused with a message.
    Case(
        "deciding a passage",
        "POST",
        _url("export_review_passage", _export),
        lambda world: {
            "source": "note_body",
            "source_id": str(world.export.pk),
            "decision": "release",
        },
        302,
    ),
    Case("releasing a reviewed export", "POST", _url("export_release", _export), _no_data, 302),
    Case("requests queue", "GET", _url("requests"), _no_data, 200),
    Case("new request form", "GET", _url("request_new"), _no_data, 200),
    Case(
        "recording an erasure request",
        "POST",
        _url("request_new"),
        lambda world: {
            "email": world.application.candidate.email,
            "kind": "erasure",
            "channel": "email",
            "received_on": date.today().isoformat(),
        },
        302,
    ),
    Case("a request's page", "GET", _url("request", _erasure), _no_data, 200),
    Case("taking a request on", "POST", _url("request_assign", _erasure), _no_data, 302),
    Case(
        "extending a request",
        "POST",
        _url("request_extend", _erasure),
        lambda world: {"days": "30", "reason": "Many records to gather."},
        302,
    ),
    Case(
        "resolving an erasure request (erasure)",
        "POST",
        _url("request_resolve", _erasure),
        lambda world: {"resolution": "Erased.", "outcome": "resolved"},
        302,
    ),
    Case("privacy texts page", "GET", _url("privacy_texts"), _no_data, 200),
    Case(
        "publishing a notice version",
        "POST",
        _url("privacy_notice_publish"),
        lambda world: {"notice-change_summary": "Reworded."},
        302,
    ),
    Case(
        "publishing a consent text version",
        "POST",
        _url("privacy_consent_publish"),
        lambda world: {"consent-months": "12"},
        302,
    ),
]
CASE_IDS = [case.name for case in CASES]


def send(client: Client, case: Case, world: World) -> Any:
    if case.method == "POST":
        return client.post(case.url(world), case.data(world))
    return client.get(case.url(world))


def state() -> tuple[Any, ...]:
    """Everything a privacy officer's action could change or record."""
    return (
        sorted(LegalHold.objects.values_list("pk", "application_id", "lifted_at")),
        sorted(DataExport.objects.values_list("pk", "status")),
        sorted(
            DataSubjectRequest.objects.values_list(
                "pk", "candidate_id", "status", "handler_id", "due_at"
            )
        ),
        sorted(Candidate.objects.values_list("pk", flat=True)),
        sorted(Application.objects.values_list("pk", flat=True)),
        NoticeVersion.objects.count(),
        ConsentTextVersion.objects.count(),
        AccessEvent.objects.count(),
    )


# --- Reading the audit log grants nothing else ---------------------------------------------------


def test_an_audit_log_reader_reads_the_audit_log_and_exports_it(audit_log_reader: User) -> None:
    client = logged_in(audit_log_reader)

    assert client.get(reverse("staff:audit_log")).status_code == 200
    assert client.get(reverse("staff:audit_log_csv")).status_code == 200


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_an_audit_log_reader_gets_none_of_the_privacy_officers_powers(
    case: Case, world: World, audit_log_reader: User
) -> None:
    client = logged_in(audit_log_reader)
    before = state()

    response = send(client, case, world)

    assert response.status_code == 404
    assert state() == before


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_the_privacy_officers_permission_alone_grants_their_powers(
    case: Case, world: World, officer_without_audit_log: User
) -> None:
    response = send(logged_in(officer_without_audit_log), case, world)

    assert response.status_code == case.officer_status


def test_the_privacy_officers_permission_alone_does_not_open_the_audit_log(
    officer_without_audit_log: User,
) -> None:
    client = logged_in(officer_without_audit_log)

    assert client.get(reverse("staff:audit_log")).status_code == 404
    assert client.get(reverse("staff:audit_log_csv")).status_code == 404


def test_every_privacy_officer_url_of_the_role_matrix_is_checked_here() -> None:
    # A URL the privacy officer reaches and staff in general do not is one of their powers.
    powers = {
        pattern
        for pattern, (_, statuses) in MATRIX.items()
        if "privacy_officer" in statuses
        and statuses["privacy_officer"] != statuses["staff_without_posting"]
    }
    world_like = World(
        application=Application(pk="00000000-0000-0000-0000-000000000001"),
        unheld=Application(pk="00000000-0000-0000-0000-000000000002"),
        hold=LegalHold(pk=1),
        export=DataExport(pk="00000000-0000-0000-0000-000000000003"),
        erasure=DataSubjectRequest(pk="00000000-0000-0000-0000-000000000004"),
    )
    checked = {resolve(case.url(world_like)).route for case in CASES}

    assert powers - AUDIT_LOG_URLS == checked


def test_a_scheduled_notice_version_is_not_shown_to_an_audit_log_reader(
    audit_log_reader: User, officer_without_audit_log: User
) -> None:
    privacy_texts.publish_notice(
        by=Actor(user=officer_without_audit_log),
        effective_at=timezone.now() + timedelta(days=3),
        change_summary="Soon.",
    )
    scheduled = (
        reverse("privacy:notice") + f"?version={NoticeVersion.objects.latest('number').number}"
    )

    assert logged_in(audit_log_reader).get(scheduled).status_code == 404
    assert logged_in(officer_without_audit_log).get(scheduled).status_code == 200


# --- What the pages offer follows the same checks ------------------------------------------------

NAV_LINKS = {
    "audit log": reverse("staff:audit_log"),
    "retention": reverse("staff:retention"),
    "requests": reverse("staff:requests"),
    "privacy texts": reverse("staff:privacy_texts"),
}


def nav_links_shown_to(user: User) -> set[str]:
    html = logged_in(user).get(reverse("staff:home")).content.decode()
    return {name for name, url in NAV_LINKS.items() if f'href="{url}"' in html}


def test_an_audit_log_reader_is_offered_the_audit_log_only(audit_log_reader: User) -> None:
    assert nav_links_shown_to(audit_log_reader) == {"audit log"}


def test_the_privacy_officers_permission_alone_offers_their_pages_but_not_the_audit_log(
    officer_without_audit_log: User,
) -> None:
    assert nav_links_shown_to(officer_without_audit_log) == {
        "retention",
        "requests",
        "privacy texts",
    }


def test_a_privacy_officer_and_an_admin_are_offered_all_four(officer: User) -> None:
    admin = UserFactory.create(is_superuser=True)

    assert nav_links_shown_to(officer) == set(NAV_LINKS)
    assert nav_links_shown_to(admin) == set(NAV_LINKS)


def test_a_recruiter_who_reads_the_audit_log_is_not_offered_the_candidates_export(
    posting: Posting,
) -> None:
    recruiter = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    recruiter.user_permissions.add(permission("view_accessevent"))
    application = ApplicationFactory.create(posting=posting)
    page = reverse("staff:application", args=[application.pk])
    export = reverse("staff:application_export", args=[application.pk])

    without = logged_in(recruiter).get(page).content.decode()
    recruiter.user_permissions.add(permission("act_as_privacy_officer"))
    recruiter = User.objects.get(pk=recruiter.pk)  # a fresh permission cache
    with_permission = logged_in(recruiter).get(page).content.decode()

    assert export not in without
    assert export in with_permission


# --- The group ---------------------------------------------------------------------------------


def test_the_privacy_officers_group_holds_the_new_permission_and_the_audit_log() -> None:
    group = Group.objects.get(name="Privacy officers")

    codenames = set(group.permissions.values_list("codename", flat=True))

    assert codenames == {"act_as_privacy_officer", "view_accessevent"}
