"""Writes to the audit log (AccessEvent). Never stores candidate personal data."""

from uuid import UUID

from recruitment.access import Actor
from recruitment.client_address import truncated_ip
from recruitment.models import AccessEvent, Application, DataSubjectRequest

Action = AccessEvent.Action


def record_access(
    *,
    actor: Actor,
    action: str,
    application_id: UUID | None = None,
    posting_id: int | None = None,
    request_id: UUID | None = None,
) -> AccessEvent:
    """Writes one audit row. Call it inside the transaction of the change it records, so a
    change and its audit entry exist together. Not idempotent: each call is one access."""
    return AccessEvent.objects.create(
        actor=actor.user,
        actor_username=actor.user.get_username(),
        action=action,
        application_id=application_id,
        posting_id=posting_id,
        request_id=request_id,
        client_ip=truncated_ip(actor.client_ip),
    )


def record_application_access(
    *, actor: Actor, action: str, application: Application
) -> AccessEvent:
    """`record_access` for one application (and so its posting)."""
    return record_access(
        actor=actor, action=action, application_id=application.pk, posting_id=application.posting_id
    )


def record_request_access(*, actor: Actor, action: str, request: DataSubjectRequest) -> AccessEvent:
    """`record_access` for one data-subject request (by its id only)."""
    return record_access(actor=actor, action=action, request_id=request.pk)
