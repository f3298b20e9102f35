"""The talent pool's audit rows: using the pool is access to personal data (PRIVACY.md P9)."""

from django.db import transaction

from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import AccessEvent, Application
from recruitment.pool.selectors import PoolFilters


def record_search(*, actor: Actor, filters: PoolFilters) -> AccessEvent:
    """One audit row for a search of the pool (any page of it): who, when, the filters and
    whether words were typed, never the words (they may be a name). Not idempotent: each
    call is one access."""
    return audit.record_access(
        actor=actor,
        action=audit.Action.SEARCH_POOL,
        posting_id=filters.posting_id,
        details=filters.audit_details(),
    )


@transaction.atomic
def record_person_opened(*, actor: Actor, applications: list[Application]) -> None:
    """One audit row per pool application shown on a person's page (the log refers to
    applications, never to a person's details). Not idempotent."""
    for application in applications:
        audit.record_application_access(
            actor=actor, action=audit.Action.VIEW_POOL_PERSON, application=application
        )
