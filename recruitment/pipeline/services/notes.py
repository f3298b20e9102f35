"""Interview notes: personal data about the candidate, written by staff, audited."""

from django.core.exceptions import PermissionDenied
from django.db import transaction

from recruitment.access import Actor, can_change_note
from recruitment.audit import services as audit
from recruitment.models import Application, Interview, InterviewNote


def _own_interview(application_id: object, interview: Interview | None) -> Interview | None:
    """The interview a note is written after must be one of its application's."""
    if interview is not None and interview.application_id != application_id:
        raise PermissionDenied
    return interview


@transaction.atomic
def add_note(
    *,
    application: Application,
    actor: Actor,
    kind: str,
    body: str,
    rating: int | None,
    scorecard: str,
    interview: Interview | None = None,
) -> InterviewNote:
    """Adds a note to an application the actor can see, written after one of its interviews
    or not. Side effects: the note, an audit row. Not idempotent: each call adds a note."""
    note = InterviewNote.objects.create(
        application=application,
        author=actor.user,
        kind=kind,
        body=body,
        rating=rating,
        scorecard=scorecard,
        interview=_own_interview(application.pk, interview),
    )
    audit.record_application_access(
        actor=actor, action=audit.Action.ADD_NOTE, application=application
    )
    return note


@transaction.atomic
def update_note(
    *,
    note: InterviewNote,
    actor: Actor,
    kind: str,
    body: str,
    rating: int | None,
    scorecard: str,
    interview: Interview | None = None,
) -> InterviewNote:
    """Edits a note: its author or an admin only (PermissionDenied otherwise). Audited.
    Rerun-safe: an unchanged note is not saved or audited again."""
    if not can_change_note(actor.user, note):
        raise PermissionDenied
    new = {
        "kind": kind,
        "body": body,
        "rating": rating,
        "scorecard": scorecard,
        "interview": _own_interview(note.application_id, interview),
    }
    if all(getattr(note, field) == value for field, value in new.items()):
        return note
    for field, value in new.items():
        setattr(note, field, value)
    note.save(update_fields=[*new, "updated_at"])
    audit.record_application_access(
        actor=actor, action=audit.Action.EDIT_NOTE, application=note.application
    )
    return note


@transaction.atomic
def delete_note(*, note: InterviewNote, actor: Actor) -> None:
    """Deletes a note: its author or an admin only. Audited."""
    if not can_change_note(actor.user, note):
        raise PermissionDenied
    application = note.application
    note.delete()
    audit.record_application_access(
        actor=actor, action=audit.Action.DELETE_NOTE, application=application
    )
