"""Talent-pool consents over time: the reminder before one expires (PRIVACY.md P5).

A consent is append-only (P3), so that its reminder went out is recorded beside it, in a
ConsentReminder written in the same transaction as the email.
"""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from notifications.services import queue_email
from recruitment.models import Application, ConsentReminder, RetentionConsent

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


def consents_due_a_reminder(*, now: datetime) -> QuerySet[RetentionConsent]:
    """Talent-pool consents whose expiry reminder is due and not yet sent.

    Due: not withdrawn, not expired, expiring within CONSENT_RENEWAL_NOTICE_DAYS, for an
    application that still exists, is not restricted (a restricted application gets no
    email, P14) and was not hired, and not superseded by another valid consent of the same
    candidate that expires later (then nothing is deleted at this one's expiry, and that
    consent gets its own reminder in time).
    """
    window_end = now + timedelta(days=settings.CONSENT_RENEWAL_NOTICE_DAYS)
    talent_pool = RetentionConsent.objects.filter(scope=RetentionConsent.Scope.TALENT_POOL)
    outlasting = talent_pool.filter(
        Q(expires_at__gt=OuterRef("expires_at"))
        # Two consents expiring at the same instant: only one of them is reminded of.
        | Q(expires_at=OuterRef("expires_at"), pk__gt=OuterRef("pk")),
        candidate=OuterRef("candidate"),
        withdrawn_at__isnull=True,
    )
    # A consent given without an application (portal) covers the candidate's applications.
    unrestricted_application = Application.objects.filter(
        candidate=OuterRef("candidate"), restricted=False
    )
    # A hired application is handed over to HR, not deleted at the consent's expiry: telling
    # that candidate "we delete it unless you renew" would be untrue.
    linked = Q(application__isnull=False, application__restricted=False) & ~Q(
        application__stage=Application.Stage.HIRED
    )
    return talent_pool.filter(
        linked | (Q(application__isnull=True) & Q(Exists(unrestricted_application))),
        withdrawn_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=window_end,
        expiry_reminder__isnull=True,
    ).exclude(Exists(outlasting))


def send_expiry_reminders(*, now: datetime | None = None) -> int:
    """Queues the expiry reminder for every consent due one; returns how many were queued.

    In batches, one transaction per consent: the ConsentReminder row and the outbox email
    commit together, in the consent's language. Rerun-safe and safe to run concurrently: a
    reminded consent is no longer due, and the unique ConsentReminder makes a second,
    racing run skip it.
    """
    now = now or timezone.now()
    sent = 0
    seen: set[UUID] = set()
    while True:
        batch = list(
            consents_due_a_reminder(now=now)
            .order_by("expires_at", "pk")
            .values_list("pk", flat=True)[:BATCH_SIZE]
        )
        ids = [pk for pk in batch if pk not in seen]
        if not ids:
            return sent
        for consent_id in ids:
            seen.add(consent_id)
            if _remind(consent_id, now=now):
                sent += 1


@transaction.atomic
def _remind(consent_id: UUID, *, now: datetime) -> bool:
    """Queues one consent's reminder if it is still due. True if this call queued it."""
    consent = (
        RetentionConsent.objects.filter(pk=consent_id)
        .values("application_id", "candidate_id")
        .first()
    )
    if consent is None:
        return False
    # Lock the application rows the purge locks, before re-checking: a purge then either
    # ran first (the consent is gone) or waits and deletes this email with the application.
    if consent["application_id"] is not None:
        covered = Application.objects.filter(pk=consent["application_id"])
    else:
        covered = Application.objects.filter(candidate_id=consent["candidate_id"])
    if not list(covered.select_for_update().order_by("pk").values_list("pk", flat=True)):
        return False
    due = (
        consents_due_a_reminder(now=now)
        .filter(pk=consent_id)
        .select_related("candidate", "application__posting")
        .first()
    )
    if due is None:
        return False
    _, created = ConsentReminder.objects.get_or_create(consent=due, defaults={"sent_at": now})
    if not created:
        return False
    application = due.application
    queue_email(
        to=due.candidate.email,
        template="consent_expiring",
        context={
            "full_name": due.candidate.full_name,
            "posting_title": application.posting.title if application else "",
            "kept_until": due.expires_at,
        },
        language=due.language,
        # The purge deletes outbox emails by application id, and by candidate id when it
        # deletes the candidate: a candidate-wide consent's reminder goes with the candidate.
        subject_ref=application.pk if application else due.candidate_id,
    )
    logger.info("consent %s expiry reminder queued", due.pk)
    return True
