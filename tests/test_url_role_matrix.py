"""Every URL the resolver knows, against every role, with the status each must get.

A URL pattern without an entry here fails the suite, so a new view cannot ship without
deciding who may reach it. Default deny: outside your scope a posting, its applications,
CVs and notes do not exist (404), however the URL is built.
"""

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from recruitment.models import (
    AccessEvent,
    Application,
    Interview,
    LegalHold,
    MessageTemplate,
    Question,
    RetentionConsent,
    TeamMembership,
)
from recruitment.rights.services.register import record_request
from tests.factories import (
    ApplicationFactory,
    CvFactory,
    DataExportFactory,
    MembershipFactory,
    NoteFactory,
    PostingFactory,
    UserFactory,
)

ROLES = (
    "anonymous",
    "staff_without_posting",
    "interviewer_not_assigned",
    "interviewer_assigned",
    "hiring_manager",
    "recruiter",
    "audit_log_reader",
    "privacy_officer",
    "admin",
)
Role = TeamMembership.Role


def walk(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, Any]]:
    for entry in (resolver or get_resolver()).url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from walk(entry, pattern)
        else:
            assert isinstance(entry, URLPattern)
            yield pattern, entry


def row(
    method: str,
    anonymous: int,
    staff_without_posting: int,
    interviewer_not_assigned: int,
    interviewer_assigned: int,
    hiring_manager: int,
    recruiter: int,
    audit_log_reader: int,
    privacy_officer: int,
    admin: int,
) -> tuple[str, dict[str, int]]:
    statuses = (
        anonymous,
        staff_without_posting,
        interviewer_not_assigned,
        interviewer_assigned,
        hiring_manager,
        recruiter,
        audit_log_reader,
        privacy_officer,
        admin,
    )
    return method, dict(zip(ROLES, statuses, strict=True))


# Public pages: the same for everyone.
def public(status: int = 200, method: str = "GET") -> tuple[str, dict[str, int]]:
    return method, dict.fromkeys(ROLES, status)


# Columns: anonymous, staff without posting, interviewer not assigned, interviewer assigned,
#          hiring manager on the posting, recruiter on the posting, audit log reader (staff
#          with only `view_accessevent`: the audit log and nothing more), privacy officer, admin.
MATRIX: dict[str, tuple[str, dict[str, int]]] = {
    "": public(302),
    "healthz": public(),
    "readyz": public(),
    "careers/": public(),
    "careers/<slug:slug>/": public(),
    "careers/<slug:slug>/applied/": public(),
    # For job boards, feed readers and crawlers: open postings only, no personal data.
    "careers/feed.atom": public(),
    # An invitation's link: a made-up token opens nothing, for anyone.
    "careers/invitation/<str:token>/": public(404),
    "sitemap.xml": public(),
    "robots.txt": public(),
    "privacy/notice/": public(),
    # The candidate portal: staff accounts are nobody there. Without a portal session its
    # pages send everyone to ask for a link; a made-up link is a 404
    # (tests/recruitment/rights/test_portal.py covers a candidate's own session).
    "privacy/": public(),
    "privacy/access/<str:token>/": public(404),
    "privacy/renew/<str:token>/": public(404),
    "privacy/continue/": public(404),
    "privacy/portal/": public(302),
    "privacy/portal/details/": public(302),
    "privacy/portal/applications/<uuid:application_id>/cv/": public(302),
    "privacy/portal/applications/<uuid:application_id>/withdraw/": public(302),
    "privacy/portal/applications/<uuid:application_id>/messages/": public(302),
    "privacy/portal/consent/": public(302, "POST"),
    "privacy/portal/interviews/<uuid:interview_id>/answer/": public(302, "POST"),
    "privacy/portal/export/": public(302, "POST"),
    "privacy/portal/exports/<uuid:export_id>/": public(302),
    "privacy/portal/erase/": public(302),
    "privacy/portal/request/": public(302),
    "privacy/portal/sign-out/": public(302, "POST"),
    "i18n/setlang/": public(302, "POST"),
    "staff/login/": row("GET", 200, 302, 302, 302, 302, 302, 302, 302, 302),
    "staff/logout/": public(302, "POST"),
    "staff/password/": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    "staff/password/done/": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    "staff/": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    # Signing in and the second factor (django-allauth). Everyone here is signed in without a
    # recent password entry, so pages that change a factor first ask for it again (302).
    "staff/inactive/": public(),
    "staff/reauthenticate/": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    "staff/2fa/": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    # Only in the middle of signing in; otherwise back to the sign-in page or home.
    "staff/2fa/authenticate/": public(302),
    "staff/2fa/trust/": public(302),
    "staff/2fa/reauthenticate/": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    "staff/2fa/totp/activate/": public(302),  # everyone here has one already
    "staff/2fa/totp/deactivate/": public(302),
    # Nobody here has recovery codes: they are made when an app is set up on its page.
    "staff/2fa/recovery-codes/": row("GET", 302, 404, 404, 404, 404, 404, 404, 404, 404),
    "staff/2fa/recovery-codes/generate/": public(302),
    "staff/2fa/recovery-codes/download/": row("GET", 302, 404, 404, 404, 404, 404, 404, 404, 404),
    "staff/2fa/webauthn/": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    "staff/2fa/webauthn/add/": public(302),
    "staff/2fa/webauthn/reauthenticate/": public(302),
    "staff/2fa/webauthn/keys/<int:pk>/remove/": public(302, "POST"),
    "staff/2fa/webauthn/keys/<int:pk>/edit/": public(302),
    # allauth pages a staff workspace does not offer (recruitment/accounts/urls.py).
    **{
        pattern: public(404)
        for pattern in (
            "staff/signup/",
            "staff/reauthenticate/code/",
            "staff/reauthenticate/code/confirm/",
            "staff/email/",
            "staff/confirm-email/",
            "staff/^confirm-email/(?P<key>[-:\\w]+)/$",
            "staff/password/change/",
            "staff/password/set/",
            "staff/password/reset/",
            "staff/password/reset/done/",
            "staff/password/reset/key/done/",
            "staff/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
            "staff/login/code/confirm/",
        )
    },
    "staff/postings/new/": row("GET", 302, 403, 403, 403, 403, 200, 403, 403, 200),
    "staff/postings/<int:pk>/edit/": row("GET", 302, 404, 403, 403, 403, 200, 404, 404, 200),
    "staff/postings/<int:pk>/team/": row("GET", 302, 404, 403, 403, 403, 200, 404, 404, 200),
    "staff/postings/<int:pk>/team/<int:membership_id>/remove/": row(
        "POST", 302, 404, 403, 403, 403, 302, 404, 404, 302
    ),
    "staff/postings/<int:pk>/publish/": row("POST", 302, 404, 403, 403, 403, 302, 404, 404, 302),
    "staff/postings/<int:pk>/close/": row("POST", 302, 404, 403, 403, 403, 302, 404, 404, 302),
    "staff/postings/<int:pk>/conclude/": row("GET", 302, 404, 403, 403, 403, 200, 404, 404, 200),
    # The posting's own questions (issue 20): those who manage the posting.
    "staff/postings/<int:pk>/questions/": row("GET", 302, 404, 403, 403, 403, 200, 404, 404, 200),
    "staff/postings/<int:pk>/questions/<int:question_id>/": row(
        "GET", 302, 404, 403, 403, 403, 200, 404, 404, 200
    ),
    "staff/postings/<int:pk>/questions/<int:question_id>/remove/": row(
        "POST", 302, 404, 403, 403, 403, 302, 404, 404, 302
    ),
    "staff/postings/<int:pk>/questions/<int:question_id>/move/": row(
        "POST", 302, 404, 403, 403, 403, 302, 404, 404, 302
    ),
    "staff/postings/<int:pk>/pipeline/": row("GET", 302, 404, 200, 200, 200, 200, 404, 404, 200),
    "staff/postings/<int:pk>/pipeline/<slug:stage>/": row(
        "GET", 302, 404, 200, 200, 200, 200, 404, 404, 200
    ),
    "staff/postings/<int:pk>/unsuccessful/": row(
        "POST", 302, 404, 403, 403, 302, 302, 404, 404, 302
    ),
    "staff/postings/<int:pk>/dashboard/": row("GET", 302, 404, 404, 404, 200, 200, 404, 404, 200),
    # Recording an application received elsewhere: those who manage the posting.
    "staff/postings/<int:pk>/record-application/": row(
        "GET", 302, 404, 403, 403, 403, 200, 404, 404, 200
    ),
    # The allow-list of sources: the "Recruiters" group (`change_source`) and admins.
    "staff/sources/": row("GET", 302, 404, 404, 404, 404, 200, 404, 404, 200),
    "staff/sources/<slug:slug>/": row("GET", 302, 404, 404, 404, 404, 200, 404, 404, 200),
    "staff/applications/<uuid:pk>/": row("GET", 302, 404, 404, 200, 200, 200, 404, 404, 200),
    "staff/applications/<uuid:pk>/move/": row("POST", 302, 404, 404, 403, 302, 302, 404, 404, 302),
    "staff/applications/<uuid:pk>/cv/<uuid:cv_id>/": row(
        "GET", 302, 404, 404, 302, 302, 302, 404, 404, 302
    ),
    "staff/applications/<uuid:pk>/notes/": row("POST", 302, 404, 404, 302, 302, 302, 404, 404, 302),
    "staff/applications/<uuid:pk>/assign/": row(
        "POST", 302, 404, 404, 403, 302, 302, 404, 404, 302
    ),
    "staff/applications/<uuid:pk>/unassign/<int:user_id>/": row(
        "POST", 302, 404, 404, 403, 302, 302, 404, 404, 302
    ),
    # Marking knock-out answers as reviewed: those who decide on the posting; an assigned
    # interviewer sees the application but may not clear its flag.
    "staff/applications/<uuid:pk>/review-answers/": row(
        "POST", 302, 404, 404, 403, 302, 302, 404, 404, 302
    ),
    # Flagging as under-age erases the person: the posting's recruiters and admins only.
    "staff/applications/<uuid:pk>/under-age/": row(
        "POST", 302, 404, 404, 403, 403, 302, 404, 404, 302
    ),
    # The note is the recruiter's: the assigned interviewer sees it but may not change it.
    "staff/notes/<uuid:pk>/edit/": row("GET", 302, 404, 404, 403, 403, 200, 404, 404, 200),
    "staff/notes/<uuid:pk>/delete/": row("POST", 302, 404, 404, 403, 403, 302, 404, 404, 302),
    # Messages to candidates (issue 20): those who decide on the posting write (the world's
    # candidate objected, so the page shows why nothing can be sent); interviewers do not.
    "staff/applications/<uuid:pk>/message/": row(
        "GET", 302, 404, 404, 403, 200, 200, 404, 404, 200
    ),
    # Bulk from the board: the page reports each candidate sent or skipped (and why).
    "staff/postings/<int:pk>/message/": row("POST", 302, 404, 403, 403, 200, 200, 404, 404, 200),
    # The templates: recruiters (of any posting) and admins.
    "staff/message-templates/": row("GET", 302, 404, 404, 404, 404, 200, 404, 404, 200),
    "staff/message-templates/new/": row("GET", 302, 404, 404, 404, 404, 200, 404, 404, 200),
    "staff/message-templates/<int:pk>/": row("GET", 302, 404, 404, 404, 404, 200, 404, 404, 200),
    # Everyone's own notification choice.
    "staff/notifications/": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    # The audit log: `view_accessevent` (privacy officers hold it too) and admins.
    "staff/audit/": row("GET", 302, 404, 404, 404, 404, 404, 200, 200, 200),
    "staff/audit/export.csv": row("GET", 302, 404, 404, 404, 404, 404, 200, 200, 200),
    # From here on, the privacy officer's own permission (`act_as_privacy_officer`), which
    # reading the audit log does not grant.
    # Retention and legal holds: admins and privacy officers only, for every application.
    "staff/retention/": row("GET", 302, 404, 404, 404, 404, 404, 404, 200, 200),
    "staff/applications/<uuid:pk>/hold/": row("POST", 302, 404, 404, 404, 404, 404, 404, 302, 302),
    "staff/holds/<int:pk>/lift/": row("POST", 302, 404, 404, 404, 404, 404, 404, 302, 302),
    # Candidate data exports (P10): admins and privacy officers only, for every application.
    "staff/applications/<uuid:pk>/exports/": row(
        "GET", 302, 404, 404, 404, 404, 404, 404, 200, 200
    ),
    "staff/applications/<uuid:pk>/export/": row(
        "POST", 302, 404, 404, 404, 404, 404, 404, 302, 302
    ),
    "staff/applications/<uuid:pk>/exports/<uuid:export_id>/": row(
        "GET", 302, 404, 404, 404, 404, 404, 404, 302, 302
    ),
    # Reviewing other people's words in portal exports (GDPR Art. 15(4)): admins and privacy
    # officers only. The matrix's export is READY: the page says it waits for no review, and
    # deciding or releasing is refused with a message (nothing changes).
    "staff/exports/review/": row("GET", 302, 404, 404, 404, 404, 404, 404, 200, 200),
    "staff/exports/<uuid:export_id>/review/": row(
        "GET", 302, 404, 404, 404, 404, 404, 404, 200, 200
    ),
    "staff/exports/<uuid:export_id>/review/passage/": row(
        "POST", 302, 404, 404, 404, 404, 404, 404, 302, 302
    ),
    "staff/exports/<uuid:export_id>/release/": row(
        "POST", 302, 404, 404, 404, 404, 404, 404, 302, 302
    ),
    # Data-subject requests: admins and privacy officers only, for every candidate.
    "staff/requests/": row("GET", 302, 404, 404, 404, 404, 404, 404, 200, 200),
    "staff/requests/new/": row("GET", 302, 404, 404, 404, 404, 404, 404, 200, 200),
    "staff/requests/<uuid:pk>/": row("GET", 302, 404, 404, 404, 404, 404, 404, 200, 200),
    "staff/requests/<uuid:pk>/assign/": row("POST", 302, 404, 404, 404, 404, 404, 404, 302, 302),
    "staff/requests/<uuid:pk>/extend/": row("POST", 302, 404, 404, 404, 404, 404, 404, 302, 302),
    "staff/requests/<uuid:pk>/resolve/": row("POST", 302, 404, 404, 404, 404, 404, 404, 302, 302),
    # Privacy notice and consent text versions: admins and privacy officers only.
    "staff/privacy-texts/": row("GET", 302, 404, 404, 404, 404, 404, 404, 200, 200),
    "staff/privacy-texts/notice/": row("POST", 302, 404, 404, 404, 404, 404, 404, 302, 302),
    "staff/privacy-texts/consent/": row("POST", 302, 404, 404, 404, 404, 404, 404, 302, 302),
    # The talent pool (issue 19): recruiters (of any posting) and admins only; the person is
    # one of the pool (world["pool_person"]), the CV theirs.
    "staff/pool/": row("GET", 302, 404, 404, 404, 404, 200, 404, 404, 200),
    "staff/pool/<uuid:pk>/": row("GET", 302, 404, 404, 404, 404, 200, 404, 404, 200),
    # Inviting the pool's person to the posting (they applied to it: the page says so).
    "staff/pool/invite/": row("POST", 302, 404, 404, 404, 404, 200, 404, 404, 200),
    "staff/pool/<uuid:pk>/cv/<uuid:cv_id>/": row(
        "GET", 302, 404, 404, 404, 404, 302, 404, 404, 302
    ),
    # Interviews (issue 20): arranged, changed and cancelled by those who decide on the
    # posting (the interviewer on the panel sees the application, and may not change them).
    "staff/applications/<uuid:pk>/interviews/new/": row(
        "GET", 302, 404, 404, 403, 200, 200, 404, 404, 200
    ),
    "staff/interviews/<uuid:pk>/edit/": row("GET", 302, 404, 404, 403, 200, 200, 404, 404, 200),
    "staff/interviews/<uuid:pk>/cancel/": row("POST", 302, 404, 404, 403, 302, 302, 404, 404, 302),
    # "My interviews" and its feed link: every staff member's own.
    "staff/interviews/": row("GET", 302, 200, 200, 200, 200, 200, 200, 200, 200),
    "staff/interviews/feed-link/": row("POST", 302, 302, 302, 302, 302, 302, 302, 302, 302),
    # The calendar feed opens by its secret token alone: a made-up one opens nothing.
    "staff/calendar/<str:token>.ics": public(404),
}

# Django admin: staff accounts reach its index, only superusers reach candidate data, and
# models are governed by Django's permissions (checked for two representative staff roles).
# The admin signs in on the staff sign-in page (password and second factor).
ADMIN_PUBLIC = {"admin/login/": 302}
ADMIN_STAFF_PAGES = {"admin/", "admin/password_change/", "admin/password_change/done/"}
# The bare object URL only redirects to its change page; the change page decides.
ADMIN_CANDIDATE_DATA = re.compile(r"^admin/recruitment/application/(?!<path:object_id>/$)")
ADMIN_NOT_ALLOWED_FOR_ANYONE = re.compile(r"^admin/recruitment/application/(add/|[^/]+/delete/)")


def admin_expectation(pattern: str) -> tuple[str, dict[str, int]] | None:
    if not pattern.startswith("admin/"):
        return None
    if pattern in ADMIN_PUBLIC:
        return "GET", {"anonymous": ADMIN_PUBLIC[pattern]}
    if pattern == "admin/logout/":
        return "POST", {"anonymous": 302, "recruiter": 302}
    if pattern in ADMIN_STAFF_PAGES:
        return "GET", {"anonymous": 302, "recruiter": 200, "admin": 200}
    if ADMIN_NOT_ALLOWED_FOR_ANYONE.match(pattern):
        return "GET", {"anonymous": 302, "recruiter": 403, "admin": 403}
    if ADMIN_CANDIDATE_DATA.match(pattern):
        return "GET", {
            "anonymous": 302,
            "interviewer_assigned": 403,
            "hiring_manager": 403,
            "recruiter": 403,
            "audit_log_reader": 403,
            "privacy_officer": 403,
        }
    return "GET", {"anonymous": 302}


def expectation(pattern: str) -> tuple[str, dict[str, int]] | None:
    return MATRIX.get(pattern) or admin_expectation(pattern)


def test_every_url_pattern_has_an_entry_in_the_matrix() -> None:
    missing = [pattern for pattern, _ in walk() if expectation(pattern) is None]
    assert missing == []
    stale = set(MATRIX) - {pattern for pattern, _ in walk()}
    assert stale == set(), "entries for URLs that no longer exist"


@pytest.fixture
def world(db: None) -> dict[str, Any]:
    """One posting with a full team, one assigned and one unassigned application."""
    posting = PostingFactory.create()
    recruiter_membership = MembershipFactory.create(posting=posting, role=Role.RECRUITER)
    recruiter = recruiter_membership.user
    recruiter.groups.add(Group.objects.get(name="Recruiters"))
    assigned = MembershipFactory.create(posting=posting, role=Role.INTERVIEWER).user
    not_assigned = MembershipFactory.create(posting=posting, role=Role.INTERVIEWER).user
    hiring_manager = MembershipFactory.create(posting=posting, role=Role.HIRING_MANAGER).user
    spare = MembershipFactory.create(posting=posting, role=Role.INTERVIEWER)
    audit_log_reader = UserFactory.create()
    audit_log_reader.user_permissions.add(
        Permission.objects.get(content_type__app_label="recruitment", codename="view_accessevent")
    )
    privacy_officer = UserFactory.create()
    privacy_officer.groups.add(Group.objects.get(name="Privacy officers"))
    application = ApplicationFactory.create(posting=posting, stage=Application.Stage.SCREENING)
    application.assignments.create(interviewer=assigned)
    ApplicationFactory.create(posting=posting)
    cv = CvFactory.create(application=application)
    question = Question.objects.create(
        posting=posting, kind=Question.Kind.SHORT_TEXT, label="Where?", created_at=timezone.now()
    )
    export = DataExportFactory.create(candidate=application.candidate)
    note = NoteFactory.create(application=application, author=recruiter)
    hold = LegalHold.objects.create(
        application=application, reason="Pending litigation", review_at=date.today()
    )
    event = AccessEvent.objects.create(
        actor=recruiter, actor_username=recruiter.username, action="view_application"
    )
    subject_request = record_request(
        candidate=application.candidate, kind="objection", channel="email"
    )
    # A person in the talent pool: a confirmed consent in force covers their application.
    pool_application = ApplicationFactory.create(posting=posting)
    pool_cv = CvFactory.create(application=pool_application)
    now = timezone.now()
    RetentionConsent.objects.create(
        candidate=pool_application.candidate,
        application=pool_application,
        scope=RetentionConsent.Scope.TALENT_POOL,
        text_version="0" * 64,
        language="en",
        channel=RetentionConsent.Channel.APPLICATION_FORM,
        given_at=now,
        confirmed_at=now,
        expires_at=now + timedelta(days=300),
    )
    interview = Interview.objects.create(
        application=application,
        starts_at=now + timedelta(days=3),
        duration_minutes=45,
        time_zone="Europe/Sarajevo",
        kind=Interview.Kind.PHONE,
    )
    interview.panel.create(interviewer=assigned)
    users = {
        "anonymous": None,
        "staff_without_posting": UserFactory.create(),
        "interviewer_not_assigned": not_assigned,
        "interviewer_assigned": assigned,
        "hiring_manager": hiring_manager,
        "recruiter": recruiter,
        "audit_log_reader": audit_log_reader,
        "privacy_officer": privacy_officer,
        "admin": UserFactory.create(is_superuser=True),
    }
    return {
        "users": users,
        "values": {
            "<int:pk>": str(posting.pk),
            "<slug:slug>": posting.slug,
            "<slug:stage>": "screening",
            "<uuid:cv_id>": str(cv.pk),
            "<uuid:export_id>": str(export.pk),
            "<int:membership_id>": str(spare.pk),
            "<int:user_id>": str(assigned.pk),
            "<int:question_id>": str(question.pk),
            "<path:content_type_id>": str(ContentType.objects.get_for_model(Application).pk),
            "<id>": str(recruiter.pk),
            "<str:token>": "A" * 43,
            "<uuid:application_id>": str(application.pk),
            "<uuid:interview_id>": str(interview.pk),
        },
        "objects": {
            "application": str(application.pk),
            "note": str(note.pk),
            "posting": str(posting.pk),
            "teammembership": str(spare.pk),
            "user": str(recruiter.pk),
            "group": str(Group.objects.get(name="Recruiters").pk),
            "accessevent": str(event.pk),
        },
        "hold": str(hold.pk),
        "request": str(subject_request.pk),
        "pool_person": str(pool_application.candidate_id),
        "pool_cv": str(pool_cv.pk),
        "message_template": str(MessageTemplate.objects.get(builtin="talk").pk),
        "interview": str(interview.pk),
    }


POST_DATA: dict[str, dict[str, str]] = {
    "staff/applications/<uuid:pk>/move/": {"to_stage": "interview"},
    "staff/applications/<uuid:pk>/notes/": {"kind": "general", "body": "Fine."},
    "staff/postings/<int:pk>/unsuccessful/": {"reason": "Filled"},
    "i18n/setlang/": {"language": "en"},
    "staff/applications/<uuid:pk>/hold/": {
        "reason": "Pending litigation",
        "review_at": (date.today() + timedelta(days=30)).isoformat(),
    },
    "staff/requests/<uuid:pk>/extend/": {"days": "30", "reason": "Many records to gather."},
    "staff/requests/<uuid:pk>/resolve/": {"resolution": "Objection upheld.", "outcome": "resolved"},
    "staff/privacy-texts/notice/": {"notice-change_summary": "Matrix check."},
    "staff/privacy-texts/consent/": {"consent-months": "12"},
}


def concrete_path(pattern: str, world: dict[str, Any]) -> str:
    path = pattern
    if path.startswith("staff/pool/"):
        path = path.replace("<uuid:pk>", world["pool_person"])
        path = path.replace("<uuid:cv_id>", world["pool_cv"])
    if path.startswith("staff/interviews/"):
        path = path.replace("<uuid:pk>", world["interview"])
    if "<uuid:pk>" in path and path.startswith("staff/requests/"):
        path = path.replace("<uuid:pk>", world["request"])
    if "<uuid:pk>" in path:
        kind = "note" if path.startswith("staff/notes/") else "application"
        path = path.replace("<uuid:pk>", world["objects"][kind])
    if path.startswith("staff/message-templates/"):
        path = path.replace("<int:pk>", world["message_template"])
    if path.startswith("staff/holds/"):
        path = path.replace("<int:pk>", world["hold"])
    if path.startswith("staff/sources/"):
        path = path.replace("<slug:slug>", "job-fair")
    if "<path:object_id>" in path:
        model = path.split("/")[2] if path.count("/") > 2 else "application"
        path = path.replace("<path:object_id>", world["objects"].get(model, "1"))
    for placeholder, value in world["values"].items():
        path = path.replace(placeholder, value)
    # The admin's two regex patterns: an app's index, and the catch-all for unknown pages.
    path = re.sub(r"\^?\(\?P<app_label>[^)]*\)/\$?", "recruitment/", path)
    path = path.replace("(?P<url>.*)$", "no-such-page/")
    # allauth's two regex patterns (links from emails this workspace never sends).
    path = re.sub(r"\(\?P<uidb36>[^)]*\)", "1", path)
    path = re.sub(r"\(\?P<key>[^)]*\)", "made-up-key", path).replace("^", "").replace("$", "")
    assert "<" not in path, f"no value for a parameter of {pattern}"
    return "/" + path


CASES = [
    (pattern, role)
    for pattern, _ in walk()
    for role in ROLES
    if (spec := expectation(pattern)) is not None and role in spec[1]
]


@pytest.mark.parametrize(("pattern", "role"), CASES)
def test_role_gets_the_expected_status(pattern: str, role: str, world: dict[str, Any]) -> None:
    spec = expectation(pattern)
    assert spec is not None  # CASES holds only the patterns with an entry
    method, statuses = spec
    client = Client()
    user = world["users"][role]
    if user is not None:
        client.force_login(user)
    path = concrete_path(pattern, world)
    if method == "POST":
        data = dict(POST_DATA.get(pattern, {}))
        if pattern == "staff/postings/<int:pk>/unsuccessful/":
            data["applications"] = world["objects"]["application"]
        if pattern == "staff/applications/<uuid:pk>/assign/":
            data["interviewer"] = world["values"]["<int:user_id>"]
        if pattern == "staff/postings/<int:pk>/message/":
            data.update(
                applications=world["objects"]["application"], template=world["message_template"]
            )
        if pattern == "staff/pool/invite/":
            data.update(posting=world["objects"]["posting"], candidates=world["pool_person"])
        response = client.post(path, data)
    else:
        response = client.get(path)
    assert response.status_code == statuses[role], f"{role} {method} {path}"
