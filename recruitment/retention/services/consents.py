"""Talent-pool consents over time: giving, withdrawing, and the reminder before expiry.

A consent is append-only (P3): giving or renewing writes a new row; withdrawing sets only
`withdrawn_at`; that a reminder went out is recorded beside it, in a ConsentReminder written
in the same transaction as the email. Every change locks the candidate's application rows
first, as the purge does, so a consent and a purge never cross: whichever locks first wins.
"""

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ats import enqueue
from ats.dates import add_months
from ats.refusals import ServiceRefused
from notifications.services import queue_email
from recruitment.models import (
    Application,
    ApplicationEvent,
    Candidate,
    ConsentReminder,
    LegalHold,
    RetentionConsent,
)
from recruitment.notices import services as privacy_texts
from recruitment.notices.texts import consent_text_in, text_version
from recruitment.retention.services import schedule as retention

logger = logging.getLogger(__name__)

BATCH_SIZE = 500


class ConsentRefused(ServiceRefused):
    """The consent cannot be recorded; `message` says why, for the candidate."""


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
        not Application.objects.lock_candidate(candidate.pk)
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
    Application.objects.lock_candidate(candidate.pk)
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
    Application.objects.lock_candidate(consent.candidate_id)
    locked = RetentionConsent.objects.select_for_update().filter(pk=consent.pk).first()
    if locked is None or locked.withdrawn_at is not None:
        return locked or consent
    locked.withdrawn_at = now
    locked.save(update_fields=["withdrawn_at"])
    retention.recompute(Application.objects.filter(candidate_id=locked.candidate_id))
    enqueue.send_on_commit(retention.PURGE_CANDIDATE_TASK, str(locked.candidate_id))
    return locked


def _reminder_candidates(*, now: datetime) -> QuerySet[RetentionConsent]:
    """Consents that may be due an expiry reminder: necessary conditions only, in SQL, so
    that the rule itself (`applications_ending_with`) is evaluated for few rows.

    Talent-pool, confirmed (an unconfirmed consent keeps nothing), not withdrawn, expiring
    within CONSENT_RENEWAL_NOTICE_DAYS, not yet reminded of, and covering at least one
    application that its expiry could end: of a concluded process, not hired, held or
    restricted (each of those keeps it whatever the consent does).
    """
    window_end = now + timedelta(days=settings.CONSENT_RENEWAL_NOTICE_DAYS)
    active_hold = LegalHold.objects.filter(application=OuterRef("pk"), lifted_at__isnull=True)
    endable = (
        Application.objects.filter(posting__concluded_at__isnull=False, restricted=False)
        .exclude(stage=Application.Stage.HIRED)
        .exclude(Exists(active_hold))
    )
    linked = Q(application__isnull=False, application__in=endable.values("pk"))
    # A consent given without an application (portal) covers all the candidate's.
    candidate_wide = Q(application__isnull=True) & Q(
        Exists(endable.filter(candidate=OuterRef("candidate")))
    )
    return RetentionConsent.objects.filter(
        linked | candidate_wide,
        scope=RetentionConsent.Scope.TALENT_POOL,
        confirmed_at__isnull=False,
        withdrawn_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=window_end,
        expiry_reminder__isnull=True,
    )


def applications_ending_with(
    consent: RetentionConsent, applications: Iterable[Application]
) -> list[Application]:
    """Those of `applications` (loaded `with_retention_facts`) whose retention ends when
    `consent` expires: the retention rules (`retention.due_for`) make each due at that very
    instant because a consent ended, and `consent` covers it.

    So none in progress (the process has not concluded), hired, held, restricted, flagged or
    asked to be erased, nor kept longer by another confirmed consent. Of two covering
    consents that expire at the same instant, one speaks for both (the greater id), so the
    candidate is reminded once.
    """
    ending = []
    for application in applications:
        if not retention.covers(consent, application):
            continue
        due = retention.due_for(application)
        if due.reason != retention.Reason.CONSENT_ENDED or due.at != consent.expires_at:
            continue
        same_instant = [
            other.pk
            for other in application.candidate.talent_pool_consents  # type: ignore[attr-defined]
            if retention.covers(other, application) and other.expires_at == consent.expires_at
        ]
        if max(same_instant, default=consent.pk) == consent.pk:
            ending.append(application)
    return ending


def _covered(*, application_id: UUID | None, candidate_id: UUID) -> QuerySet[Application]:
    """The applications a consent may cover: its own, or (given in the portal) all the
    candidate's."""
    if application_id is not None:
        return Application.objects.filter(pk=application_id)
    return Application.objects.filter(candidate_id=candidate_id)


def consents_due_a_reminder(*, now: datetime) -> list[tuple[RetentionConsent, list[Application]]]:
    """Every talent-pool consent whose expiry reminder is due now and not yet sent, with the
    applications its expiry would end (`applications_ending_with`), oldest expiry first.

    A reminder is due exactly when the expiry would make something due for erasure: a
    reminder promising a deletion that will not happen (the process still runs, the
    application was hired, is held or restricted, or another consent keeps it longer) is
    untrue. Such a consent is reminded of later if that changes within the notice window.
    Read-only.
    """
    due = []
    for consent in _reminder_candidates(now=now).order_by("expires_at", "pk"):
        ending = applications_ending_with(
            consent,
            retention.with_retention_facts(
                _covered(application_id=consent.application_id, candidate_id=consent.candidate_id)
            ).order_by("pk"),
        )
        if ending:
            due.append((consent, ending))
    return due


def send_expiry_reminders(*, now: datetime | None = None) -> int:
    """Queues the expiry reminder for every consent due one; returns how many were queued.

    In batches, one transaction per consent: the ConsentReminder row and the outbox email
    commit together, in the consent's language, naming the applications that will be
    deleted. Rerun-safe and safe to run concurrently: a reminded consent is no longer due,
    and the unique ConsentReminder makes a second, racing run skip it.
    """
    now = now or timezone.now()
    sent = 0
    # Keyset pagination: a consent that is not due stays among the candidates, so paging
    # by "what is still unsent" would stop at a batch of them.
    after: tuple[datetime, UUID] | None = None
    while True:
        candidates = _reminder_candidates(now=now)
        if after is not None:
            candidates = candidates.filter(
                Q(expires_at__gt=after[0]) | Q(expires_at=after[0], pk__gt=after[1])
            )
        batch = list(
            candidates.order_by("expires_at", "pk").values_list("expires_at", "pk")[:BATCH_SIZE]
        )
        if not batch:
            return sent
        for _expires_at, consent_id in batch:
            if _remind(consent_id, now=now):
                sent += 1
        after = batch[-1]


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
    covered = _covered(
        application_id=consent["application_id"], candidate_id=consent["candidate_id"]
    )
    if not list(covered.select_for_update().order_by("pk").values_list("pk", flat=True)):
        return False
    due = _reminder_candidates(now=now).filter(pk=consent_id).select_related("candidate").first()
    if due is None:
        return False
    ending = applications_ending_with(due, retention.with_retention_facts(covered).order_by("pk"))
    if not ending:
        return False
    _, created = ConsentReminder.objects.get_or_create(consent=due, defaults={"sent_at": now})
    if not created:
        return False
    titles = sorted({application.posting.title for application in ending})
    others_kept = Application.objects.filter(candidate_id=due.candidate_id).exclude(
        pk__in=[application.pk for application in ending]
    )
    queue_email(
        to=due.candidate.email,
        template="retention/emails/consent_expiring",
        context={
            "full_name": due.candidate.full_name,
            "posting_titles": titles,
            "others_kept": others_kept.exists(),
            "kept_until": due.expires_at,
        },
        language=due.language,
        # The purge deletes outbox emails by application id, and by candidate id when it
        # deletes the candidate. An email naming one application goes with it; one naming
        # several goes with the candidate (they are erased at the same instant, but not
        # necessarily in the same batch).
        subject_ref=ending[0].pk if len(ending) == 1 else due.candidate_id,
        personal_link="consent-renewal",
    )
    logger.info("consent %s expiry reminder queued (%d application(s))", due.pk, len(ending))
    return True
