"""Who may see and do what: default deny, enforced by querysets scoped to the requesting user.

Visibility answers "does this exist for you?": anything outside these querysets is a 404,
however its URL is built. Capabilities answer "may you change it?" for what you can see.
Roles are read on every request, so removing someone from a team takes effect at once.

- admin: a superuser; everything.
- recruiter (per posting): the posting, its team, every application, every decision.
- hiring manager (per posting): every application and every decision on it.
- interviewer (per posting): only the applications assigned to them; notes on them.
- privacy officer (global, the "Privacy officers" group, which holds PRIVACY_OFFICER_PERMISSION):
  the retention page, legal holds on any application, data-subject requests (erasure among
  them), data exports of any candidate, privacy notice and consent text versions; no pipelines.
- audit log reader (global, `recruitment.view_accessevent`): the audit log and nothing more.
  The "Privacy officers" group holds it too, but it grants none of the powers above.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Subquery, Value

from recruitment.models import (
    Application,
    DataExport,
    DataSubjectRequest,
    InterviewAssignment,
    InterviewNote,
    LegalHold,
    Posting,
    TeamMembership,
)

Role = TeamMembership.Role
AnyUser = User | AnonymousUser

# Roles that see every application of their posting and may decide on them.
DECIDING_ROLES = (Role.RECRUITER, Role.HIRING_MANAGER)
ADMIN = "admin"
# Declared in DataSubjectRequest.Meta.permissions; granted to "Privacy officers" by migration 0013.
PRIVACY_OFFICER_PERMISSION = "recruitment.act_as_privacy_officer"


@dataclass(frozen=True)
class Actor:
    """Who is acting, as services and the audit log need it: the user and their address."""

    user: User
    client_ip: str = ""


def is_staff_member(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_staff", False))


def is_admin(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_superuser", False))


def can_create_postings(user: AnyUser) -> bool:
    return (
        isinstance(user, User)
        and is_staff_member(user)
        and user.has_perm("recruitment.add_posting")
    )


def can_read_audit_log(user: AnyUser) -> bool:
    return (
        isinstance(user, User)
        and is_staff_member(user)
        and user.has_perm("recruitment.view_accessevent")
    )


def is_privacy_officer(user: AnyUser) -> bool:
    """Holds the privacy officer's own permission (superusers hold every permission)."""
    return (
        isinstance(user, User)
        and is_staff_member(user)
        and user.has_perm(PRIVACY_OFFICER_PERMISSION)
    )


def postings_visible_to(user: AnyUser) -> QuerySet[Posting]:
    """Postings whose pipeline the user may open: any role on the team (admins: all)."""
    if not isinstance(user, User) or not is_staff_member(user):
        return Posting.objects.none()
    if is_admin(user):
        return Posting.objects.all()
    return Posting.objects.filter(
        Exists(TeamMembership.objects.filter(posting=OuterRef("pk"), user=user))
    )


def applications_visible_to(user: AnyUser) -> QuerySet[Application]:
    """Applications the user may see: all of their deciding postings, and assigned ones."""
    if not isinstance(user, User) or not is_staff_member(user):
        return Application.objects.none()
    if is_admin(user):
        return Application.objects.all()
    team = TeamMembership.objects.filter(posting=OuterRef("posting"), user=user)
    assigned = InterviewAssignment.objects.filter(application=OuterRef("pk"), interviewer=user)
    return Application.objects.filter(
        Q(Exists(team.filter(role__in=DECIDING_ROLES)))
        | (Q(Exists(team.filter(role=Role.INTERVIEWER))) & Q(Exists(assigned)))
    )


def posting_applications_visible_to(
    user: AnyUser, posting: Posting, role: str | None
) -> QuerySet[Application]:
    """`applications_visible_to(user)` on one posting, given the user's `role_on` it (read
    once by the caller, who needs it anyway): all of them for admins and deciding roles, the
    assigned ones for an interviewer, none otherwise. The same set, without asking the team
    table again for every application (the board counts thousands)."""
    on_posting = Application.objects.filter(posting=posting)
    if role_decides(role):
        return on_posting
    if role == Role.INTERVIEWER and isinstance(user, User):
        return on_posting.filter(
            Exists(InterviewAssignment.objects.filter(application=OuterRef("pk"), interviewer=user))
        )
    return Application.objects.none()


def notes_visible_to(user: AnyUser) -> QuerySet[InterviewNote]:
    return InterviewNote.objects.filter(application__in=applications_visible_to(user))


def role_on(user: AnyUser, posting: Posting) -> str | None:
    """The user's role on a posting ("admin" for admins), or None."""
    if not isinstance(user, User) or not is_staff_member(user):
        return None
    if is_admin(user):
        return ADMIN
    membership = TeamMembership.objects.filter(posting=posting, user=user).first()
    return membership.role if membership else None


def role_annotation(user: User, posting: str) -> Value | Subquery:
    """An expression for `role_on(user, <the posting that `posting` refers to>)`, for
    queries that read a posting or its applications together with the user's role on it.
    Only for staff members (`is_staff_member`), whose querysets it annotates."""
    if is_admin(user):
        return Value(ADMIN, output_field=CharField())
    return Subquery(
        TeamMembership.objects.filter(posting=OuterRef(posting), user=user).values("role")[:1]
    )


def postings_with_role(user: AnyUser) -> QuerySet[Posting]:
    """`postings_visible_to(user)`, each posting carrying the user's `role_on` it as
    `viewer_role`: a page about one posting reads both in one query."""
    if not isinstance(user, User) or not is_staff_member(user):
        return Posting.objects.none()
    return postings_visible_to(user).annotate(viewer_role=role_annotation(user, "pk"))


def applications_with_role(user: AnyUser) -> QuerySet[Application]:
    """`applications_visible_to(user)`, each carrying the user's `role_on` its posting as
    `viewer_role`."""
    if not isinstance(user, User) or not is_staff_member(user):
        return Application.objects.none()
    return applications_visible_to(user).annotate(viewer_role=role_annotation(user, "posting"))


def role_manages(role: str | None) -> bool:
    """Whether a `role_on` a posting may manage it (see `can_manage_posting`)."""
    return role in (ADMIN, Role.RECRUITER)


def role_decides(role: str | None) -> bool:
    """Whether a `role_on` a posting may decide on its applications (see `can_decide`)."""
    return role in (ADMIN, *DECIDING_ROLES)


def can_manage_posting(user: AnyUser, posting: Posting) -> bool:
    """Edit, publish, close, conclude and staff a posting."""
    return role_manages(role_on(user, posting))


def can_decide(user: AnyUser, posting: Posting) -> bool:
    """Move applications between stages, mark them unsuccessful, assign interviewers."""
    return role_decides(role_on(user, posting))


def role_flags_under_age(role: str | None) -> bool:
    """Whether a `role_on` a posting may flag its applications as under-age (see
    `can_flag_under_age`)."""
    return role in (ADMIN, Role.RECRUITER)


def can_flag_under_age(user: AnyUser, posting: Posting) -> bool:
    """Flag an application of the posting as under-age, which erases their data at once (P17):
    its recruiters and admins, not hiring managers or interviewers."""
    return role_flags_under_age(role_on(user, posting))


def can_change_note(user: AnyUser, note: InterviewNote) -> bool:
    """Authors edit and delete their own notes; admins any note."""
    return is_admin(user) or (note.author_id is not None and note.author_id == user.pk)


def can_manage_retention(user: AnyUser) -> bool:
    """Admins and privacy officers: the retention page, legal holds, the ledger, data-subject
    requests, staff exports of any candidate, privacy text versions. Reading the audit log
    (`can_read_audit_log`) is a separate permission and grants none of these."""
    return is_admin(user) or is_privacy_officer(user)


def applications_holdable_by(user: AnyUser) -> QuerySet[Application]:
    """Applications the user may place a legal hold on: all of them for admins and privacy
    officers (a hold is about retention, not the pipeline), none for anyone else."""
    if not can_manage_retention(user):
        return Application.objects.none()
    return Application.objects.all()


def holds_liftable_by(user: AnyUser) -> QuerySet[LegalHold]:
    if not can_manage_retention(user):
        return LegalHold.objects.none()
    return LegalHold.objects.all()


def requests_visible_to(user: AnyUser) -> QuerySet[DataSubjectRequest]:
    """Data-subject requests the user may see and handle (PRIVACY.md P14, P16): all of them
    for admins and privacy officers, none for anyone else."""
    if not can_manage_retention(user):
        return DataSubjectRequest.objects.none()
    return DataSubjectRequest.objects.all()


def applications_exportable_by(user: AnyUser) -> QuerySet[Application]:
    """Applications whose candidate's data export the user may produce and download (P10):
    all of them for admins and privacy officers, who answer requests that arrive by email;
    none for anyone else."""
    if not can_manage_retention(user):
        return Application.objects.none()
    return Application.objects.all()


def exports_reviewable_by(user: AnyUser) -> QuerySet[DataExport]:
    """Data exports whose passages of other people's words the user may review, redact and
    release (GDPR Art. 15(4)): all of them for admins and privacy officers, none for anyone
    else."""
    if not can_manage_retention(user):
        return DataExport.objects.none()
    return DataExport.objects.all()


def can_manage_sources(user: AnyUser) -> bool:
    """Add, rename and deactivate the tracked sources of applications: the "Recruiters" group
    (which holds `recruitment.change_source`, migration 0023) and admins."""
    return (
        isinstance(user, User)
        and is_staff_member(user)
        and user.has_perm("recruitment.change_source")
    )


def can_edit_message_templates(user: AnyUser) -> bool:
    """Write and change the message templates everyone sends from: admins, and recruiters
    (of any posting; the templates are the company's, not a posting's). One EXISTS query."""
    if not isinstance(user, User) or not is_staff_member(user):
        return False
    if is_admin(user):
        return True
    return TeamMembership.objects.filter(user=user, role=TeamMembership.Role.RECRUITER).exists()
