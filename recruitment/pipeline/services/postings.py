"""Postings and their teams: create, edit, publish, close; who works on which posting."""

from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.cvs import search_index
from recruitment.models import (
    Application,
    ApplicationEvent,
    InterviewAssignment,
    Posting,
    TeamMembership,
)
from recruitment.pipeline.services.stages import PipelineError

POSTING_FIELDS = (
    "title",
    "summary",
    "description",
    "location",
    "employment_type",
    "workplace",
    "country",
    "remote_countries",
    "valid_through",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
)


def _unique_slug(title: str, *, exclude_pk: int | None = None) -> str:
    others = (
        Posting.objects.exclude(pk=exclude_pk) if exclude_pk is not None else Posting.objects.all()
    )
    base = slugify(title)[:200] or "posting"
    slug, n = base, 1
    while others.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def create_posting(*, actor: Actor, data: dict[str, Any]) -> Posting:
    """Creates a draft posting; its creator joins its team as recruiter. Not idempotent."""
    posting = Posting.objects.create(
        slug=_unique_slug(data["title"]),
        status=Posting.Status.DRAFT,
        **{field: data[field] for field in POSTING_FIELDS},
    )
    TeamMembership.objects.create(
        posting=posting, user=actor.user, role=TeamMembership.Role.RECRUITER
    )
    return posting


@transaction.atomic
def update_posting(*, posting: Posting, data: dict[str, Any]) -> Posting:
    """Edits a posting's text fields. The slug (its public URL) stays stable once published.
    A new title is searched in the talent pool at once (its applications' vectors, one UPDATE)."""
    retitled = posting.title != data["title"]
    for field in POSTING_FIELDS:
        setattr(posting, field, data[field])
    if posting.status == Posting.Status.DRAFT:
        posting.slug = _unique_slug(posting.title, exclude_pk=posting.pk)
    posting.save()
    if retitled:
        search_index.refresh_search_vectors(Application.objects.filter(posting=posting))
    return posting


@transaction.atomic
def publish_posting(*, posting: Posting) -> Posting:
    """Opens a posting to applications. Rerun-safe. Refused once the process is concluded."""
    locked = Posting.objects.select_for_update().get(pk=posting.pk)
    if locked.concluded_at is not None:
        raise PipelineError(_("A concluded recruitment process cannot be reopened."))
    if locked.status == Posting.Status.OPEN:
        return locked
    if locked.is_expired():
        raise PipelineError(
            _("Its closing date has passed: set a later one (or none) before publishing.")
        )
    locked.status = Posting.Status.OPEN
    locked.published_at = locked.published_at or timezone.now()
    locked.closed_at = None
    locked.save(update_fields=["status", "published_at", "closed_at", "updated_at"])
    return locked


@transaction.atomic
def close_posting(*, posting: Posting) -> Posting:
    """Stops new applications; the pipeline goes on. Rerun-safe."""
    locked = Posting.objects.select_for_update().get(pk=posting.pk)
    if locked.status == Posting.Status.CLOSED:
        return locked
    if locked.status == Posting.Status.DRAFT:
        raise PipelineError(_("A draft is not open; there is nothing to close."))
    locked.status = Posting.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    return locked


def close_expired_postings(*, now: datetime | None = None) -> int:
    """Closes every open posting whose closing time (valid_through) has passed, through
    `close_posting`, as a recruiter's "Close" does; returns how many it closed.

    One transaction per posting, which is locked and re-checked first: a closing time moved
    later meanwhile keeps it open. Nothing else changes. Rerun-safe (a closed posting is not
    selected again).
    """
    now = now or timezone.now()
    closed = 0
    due = Posting.objects.filter(status=Posting.Status.OPEN, valid_through__lte=now)
    for posting_id in due.values_list("pk", flat=True):
        with transaction.atomic():
            locked = (
                Posting.objects.select_for_update()
                .filter(pk=posting_id, status=Posting.Status.OPEN, valid_through__lte=now)
                .first()
            )
            if locked is not None:
                close_posting(posting=locked)
                closed += 1
    return closed


@transaction.atomic
def set_member(*, posting: Posting, user: User, role: str) -> TeamMembership:
    """Adds `user` to the posting's team, or changes their role. Rerun-safe.

    Demoting someone to interviewer keeps only the applications assigned to them visible.
    """
    membership, _created = TeamMembership.objects.update_or_create(
        posting=posting, user=user, defaults={"role": role}
    )
    return membership


@transaction.atomic
def remove_member(*, membership: TeamMembership) -> None:
    """Removes someone from a team, with their interview assignments on that posting.
    Effective on their next request (access is computed per request). Rerun-safe."""
    InterviewAssignment.objects.filter(
        application__posting=membership.posting, interviewer=membership.user
    ).delete()
    membership.delete()


@transaction.atomic
def assign_interviewer(
    *, application: Application, interviewer: User, actor: Actor
) -> InterviewAssignment:
    """Lets an interviewer of the posting's team see this application. Rerun-safe."""
    if not TeamMembership.objects.filter(
        posting=application.posting_id, user=interviewer, role=TeamMembership.Role.INTERVIEWER
    ).exists():
        raise PipelineError(_("Only interviewers on this posting's team can be assigned."))
    assignment, created = InterviewAssignment.objects.get_or_create(
        application=application, interviewer=interviewer
    )
    if created:
        _record_assignment_change(
            application,
            actor,
            ApplicationEvent.Kind.INTERVIEWER_ASSIGNED,
            audit.Action.ASSIGN_INTERVIEWER,
        )
    return assignment


@transaction.atomic
def unassign_interviewer(*, application: Application, interviewer: User, actor: Actor) -> None:
    """Withdraws an interviewer's access to this application. Rerun-safe."""
    deleted, _ = InterviewAssignment.objects.filter(
        application=application, interviewer=interviewer
    ).delete()
    if deleted:
        _record_assignment_change(
            application,
            actor,
            ApplicationEvent.Kind.INTERVIEWER_UNASSIGNED,
            audit.Action.UNASSIGN_INTERVIEWER,
        )


def _record_assignment_change(
    application: Application, actor: Actor, kind: str, action: str
) -> None:
    """The event on the application and the audit row, in the caller's transaction."""
    ApplicationEvent.objects.create(application=application, kind=kind, actor=actor.user)
    audit.record_application_access(actor=actor, action=action, application=application)
