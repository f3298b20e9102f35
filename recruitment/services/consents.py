"""Talent-pool consents over time: giving, withdrawing, and the reminder before expiry.

A consent is append-only (P3): giving or renewing writes a new row; withdrawing sets only
`withdrawn_at`; that a reminder went out is recorded beside it, in a ConsentReminder written
in the same transaction as the email. Every change locks the candidate's application rows
first, as the purge does, so a consent and a purge never cross: whichever locks first wins.
"""

import logging
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from notifications.services import queue_email
from recruitment.dates import add_months
from recruitment.models import (
    Application,
    ApplicationEvent,
    Candidate,
    ConsentReminder,
    RetentionConsent,
)
from recruitment.notices import consent_text_in, text_version
from recruitment.services import privacy_texts, retention

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
PURGE_CANDIDATE_TASK = "recruitment.purge_candidate"


class ConsentRefused(Exception):
    """The consent cannot be recorded; `message` says why, for the candidate."""

    def __init__(self, message: object) -> None:
        super().__init__(str(message))
        self.message = message


def _lock_applications(candidate_id: UUID) -> list[UUID]:
    """Locks the candidate's application rows (the purge's lock), in a stable order."""
    return list(
        Application.objects.filter(candidate_id=candidate_id)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def give_consent(
    *,
    candidate: Candidate,
    language: str,
    channel: str,
    consent_text_version: int | None = None,
    now: datetime | None = None,
) -> RetentionConsent:
    """Records a new explicit consent, given in the portal, to keep the candidate's
    applications for future openings (also how a consent is renewed), under consent text version
    `consent_text_version` (the one the caller showed; None: the one in effect now), for
    that version's months.

    The consent records the version, and the fingerprint of its text in `language`. Earlier
    consents keep their own version and expiry. Side effects: one consent row; every
    application's purge_due_at recomputed. Raises ConsentRefused when the version is unknown
    or not yet in effect, or when nothing is left to keep (a purge ran first): a consent is
    never recorded for data that is already gone. Not idempotent: each call is a new consent.
    """
    now = now or timezone.now()
    try:
        consent_text = privacy_texts.consent_text_shown(number=consent_text_version, now=now)
    except privacy_texts.VersionNotValid:
        raise ConsentRefused(
            _(
                "The consent text has changed since this page was opened. Please read it "
                "again and confirm once more."
            )
        ) from None
    if (
        not _lock_applications(candidate.pk)
        or not Candidate.objects.filter(pk=candidate.pk).exists()
    ):
        raise ConsentRefused(
            _("Your application has already been deleted, so there is nothing left to keep.")
        )
    consent = RetentionConsent.objects.create(
        candidate_id=candidate.pk,
        application=None,
        scope=RetentionConsent.Scope.TALENT_POOL,
        text_version=text_version(consent_text_in(consent_text, language)),
        consent_text=consent_text,
        language=language,
        channel=channel,
        given_at=now,
        # Given in a portal session, which only the owner of the address can open.
        confirmed_at=now,
        expires_at=add_months(now, consent_text.months),
    )
    retention.recompute(Application.objects.filter(candidate_id=candidate.pk))
    return consent


@transaction.atomic
def confirm_consent(
    *, candidate: Candidate, consent_id: UUID, now: datetime | None = None
) -> RetentionConsent:
    """The owner of the address confirms a consent ticked on the application form (P3,
    P22): from now on it keeps the application it was given for, until it expires.

    Side effects, in one transaction: locks the candidate's application rows (the purge's
    lock), then the consent; sets `confirmed_at`, writes a CONSENT_CONFIRMED event on its
    application and recomputes when the candidate's applications are due. Rerun-safe:
    confirming a confirmed consent changes nothing. Raises ConsentRefused when the consent
    is not this candidate's, was withdrawn, has expired, or its application is gone.
    """
    now = now or timezone.now()
    _lock_applications(candidate.pk)
    consent = (
        RetentionConsent.objects.select_for_update()
        .filter(pk=consent_id, candidate_id=candidate.pk)
        .first()
    )
    if consent is None or consent.withdrawn_at is not None or consent.expires_at <= now:
        raise ConsentRefused(_("This consent can no longer be confirmed."))
    if consent.confirmed_at is not None:
        return consent
    consent.confirmed_at = now
    consent.save(update_fields=["confirmed_at"])
    if consent.application_id is not None:
        ApplicationEvent.objects.create(
            application_id=consent.application_id, kind=ApplicationEvent.Kind.CONSENT_CONFIRMED
        )
    retention.recompute(Application.objects.filter(candidate_id=candidate.pk))
    return consent


@transaction.atomic
def withdraw_consent(*, consent: RetentionConsent, now: datetime | None = None) -> RetentionConsent:
    """Withdraws a consent at once (PRIVACY.md P4): sets `withdrawn_at` (the only change a
    consent row ever gets), recomputes when each application is due, and after commit asks
    a worker to sweep this candidate's applications straight away (those of a concluded
    process are then erased; the beat sweep catches up if the message is lost).
    Rerun-safe: withdrawing a withdrawn consent changes nothing.
    """
    now = now or timezone.now()
    _lock_applications(consent.candidate_id)
    locked = RetentionConsent.objects.select_for_update().filter(pk=consent.pk).first()
    if locked is None or locked.withdrawn_at is not None:
        return locked or consent
    locked.withdrawn_at = now
    locked.save(update_fields=["withdrawn_at"])
    retention.recompute(Application.objects.filter(candidate_id=locked.candidate_id))
    retention.sweep_after_commit(PURGE_CANDIDATE_TASK, str(locked.candidate_id))
    return locked


def consents_due_a_reminder(*, now: datetime) -> QuerySet[RetentionConsent]:
    """Talent-pool consents whose expiry reminder is due and not yet sent.

    Due: confirmed, not withdrawn, not expired, expiring within CONSENT_RENEWAL_NOTICE_DAYS, for an
    application that still exists, is not restricted (a restricted application gets no
    email, P14) and was not hired, and not superseded by another valid consent of the same
    candidate, covering as much, that expires later (then nothing is deleted at this one's
    expiry, and that consent gets its own reminder in time).
    """
    window_end = now + timedelta(days=settings.CONSENT_RENEWAL_NOTICE_DAYS)
    talent_pool = RetentionConsent.objects.filter(scope=RetentionConsent.Scope.TALENT_POOL)
    outlasting = talent_pool.filter(
        Q(expires_at__gt=OuterRef("expires_at"))
        # Two consents expiring at the same instant: only one of them is reminded of.
        | Q(expires_at=OuterRef("expires_at"), pk__gt=OuterRef("pk")),
        # ... and covers at least what this one covers (a portal consent covers all).
        Q(application__isnull=True) | Q(application=OuterRef("application")),
        candidate=OuterRef("candidate"),
        confirmed_at__isnull=False,
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
        # An unconfirmed consent keeps nothing: there is nothing to renew.
        confirmed_at__isnull=False,
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
        personal_link="consent-renewal",
    )
    logger.info("consent %s expiry reminder queued", due.pk)
    return True
