"""Legal holds (PRIVACY.md P7): keep an application despite retention, and let it go again.

A hold needs a reason, who placed it and a review date. While it is active the application's
`purge_due_at` is null and the sweep never erases it; lifting recomputes when it is due.
A review date that has passed is acted on: the privacy officers get a daily digest of the
overdue reviews until each hold is lifted (the review's outcome is lifting it, or placing a
new hold with a new date and lifting this one).
"""

import logging
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats.refusals import ServiceRefused
from notifications.services import queue_email
from recruitment.access import Actor
from recruitment.audit import services as audit
from recruitment.models import Application, HoldReviewDigest, LegalHold
from recruitment.retention.services import schedule as retention

logger = logging.getLogger(__name__)

# Holds listed in one digest email; the page behind its link lists them all.
DIGEST_SIZE = 200


class HoldError(ServiceRefused):
    """A hold cannot be placed or lifted; the message is safe to show to staff."""


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


# --- Overdue reviews ----------------------------------------------------------------------------


def holds_overdue_for_review(*, today: date) -> QuerySet[LegalHold]:
    """Active holds whose review date is before `today` (a local calendar day): the review
    was due on that day and has not led to lifting the hold. Oldest review first."""
    return LegalHold.objects.filter(lifted_at__isnull=True, review_at__lt=today).order_by(
        "review_at", "pk"
    )


@transaction.atomic
def send_overdue_review_digest(*, now: datetime | None = None) -> int:
    """Emails the privacy officers (PRIVACY_OFFICER_EMAILS) the list of legal holds whose
    review date has passed (`hold_reviews_overdue`); returns how many holds it listed.

    At most once per local day: the day's HoldReviewDigest row is written in the same
    transaction as the emails, and its unique day makes a second run that day (or a
    concurrent one, which waits for this one's commit) send nothing. A day with no overdue
    review writes nothing. The emails hold hold and application ids, dates and links to
    the staff retention page: no candidate data, not the hold's free-text reason, so they
    are not tied to the candidate (`subject_ref` None), like the request digests. Side
    effects: stamps each listed hold's `review_reminded_at` (what lets the portal say the
    officers were reminded). With no officer address configured nothing is written (and a
    warning is logged). Rerun-safe.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    if not settings.PRIVACY_OFFICER_EMAILS:
        logger.warning("no PRIVACY_OFFICER_EMAILS: overdue legal-hold reviews not reported")
        return 0
    if HoldReviewDigest.objects.filter(sent_on=today).exists():
        return 0  # today's went out; checked again under the unique key below
    # Lock order as everywhere else: application rows before their holds.
    overdue = holds_overdue_for_review(today=today)
    list(
        Application.objects.filter(pk__in=overdue.values("application_id"))
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    rows = list(overdue.select_for_update().only("id", "application_id", "review_at", "placed_at"))
    if not rows:
        return 0
    _, created = HoldReviewDigest.objects.get_or_create(
        sent_on=today, defaults={"sent_at": now, "holds": len(rows)}
    )
    if not created:
        return 0
    LegalHold.objects.filter(pk__in=[row.pk for row in rows]).update(review_reminded_at=now)
    page = f"{settings.PUBLIC_URL}{reverse('staff:retention')}"
    context: dict[str, Any] = {
        "holds": [
            {
                "id": row.pk,
                "application_id": str(row.application_id),
                "review_at": row.review_at,
                "days_overdue": (today - row.review_at).days,
                "placed_at": row.placed_at,
                "url": f"{page}#hold-{row.pk}",
            }
            for row in rows[:DIGEST_SIZE]
        ],
        "total": len(rows),
        "retention_url": page,
    }
    for address in settings.PRIVACY_OFFICER_EMAILS:
        queue_email(
            to=address,
            template="retention/emails/hold_reviews_overdue",
            context=context,
            language=settings.LANGUAGE_CODE,
            subject_ref=None,
        )
    logger.info("hold_reviews_overdue queued for %d legal hold(s)", len(rows))
    return len(rows)
