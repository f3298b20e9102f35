"""Legal holds (PRIVACY.md P7): keep an application despite retention, and let it go again.

A hold needs a reason, who placed it and a review date. While it is active the application's
`purge_due_at` is null and the sweep never erases it; lifting recomputes when it is due.
"""

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from recruitment import audit
from recruitment.access import Actor
from recruitment.models import Application, LegalHold
from recruitment.services import retention


class HoldError(Exception):
    """A hold cannot be placed or lifted; the message is safe to show to staff."""

    def __init__(self, message: object) -> None:
        super().__init__(message)
        self.message = message


class ApplicationGone(HoldError):
    """The application no longer exists (it was purged): there is nothing left to hold."""

    def __init__(self) -> None:
        super().__init__(
            _("This application no longer exists (it has been erased); it cannot be held.")
        )


@transaction.atomic
def place_hold(
    *, application: Application, actor: Actor, reason: str, review_at: date
) -> LegalHold:
    """Places a legal hold on `application`: from now on it is never purged while held.

    Side effects, in one transaction: locks the application row (so a purge running now
    either finishes first, and this raises ApplicationGone, or waits and then skips), writes
    the LegalHold, nulls `purge_due_at`, and writes a PLACE_LEGAL_HOLD audit row.
    Not idempotent: each call places one more hold (several holds may stand together, each
    with its own reason and review date). Callers check the actor may place holds.
    """
    locked = Application.objects.select_for_update(of=("self",)).filter(pk=application.pk).first()
    if locked is None:
        raise ApplicationGone
    hold = LegalHold.objects.create(
        application=locked, reason=reason, review_at=review_at, placed_by=actor.user
    )
    retention.recompute(Application.objects.filter(pk=locked.pk))
    audit.record_application_access(
        actor=actor, action=audit.Action.PLACE_LEGAL_HOLD, application=locked
    )
    return hold


@transaction.atomic
def lift_hold(*, hold: LegalHold, actor: Actor) -> LegalHold:
    """Lifts `hold`; if no other hold stands, the application is scheduled again.

    Side effects, in one transaction: locks the application row then the hold, sets
    `lifted_at`/`lifted_by`, recomputes `purge_due_at` (it may be due at once: the sweep
    erases it on its next run), and writes a LIFT_LEGAL_HOLD audit row. Rerun-safe: lifting
    a lifted hold, or a hold whose application is gone, changes nothing and writes nothing.
    """
    # Lock order as in place_hold and the purge: the application first, then the hold.
    application = (
        Application.objects.select_for_update(of=("self",)).filter(pk=hold.application_id).first()
    )
    locked = LegalHold.objects.select_for_update().filter(pk=hold.pk).first()
    if application is None or locked is None or locked.lifted_at is not None:
        return locked or hold
    locked.lifted_at = timezone.now()
    locked.lifted_by = actor.user
    locked.save(update_fields=["lifted_at", "lifted_by"])
    # If the process has concluded meanwhile, the candidate is told of the erasure now.
    retention.recompute(Application.objects.filter(pk=application.pk), notify=True)
    audit.record_application_access(
        actor=actor, action=audit.Action.LIFT_LEGAL_HOLD, application=application
    )
    return locked
