"""Staff notifications (issue 20): each recruiter hears of new applications, candidates'
replies and candidates' answers to interview invitations on the postings they recruit for
(and whoever arranged an interview hears of its answers), at once (within a sweep's
interval), once a day, or not at all (`StaffNotificationSetting`).

The digest carries counts and links only: each posting's title with how many applications
arrived, how many replies candidates wrote and how many interview invitations they
answered, a link to its board, and links to the applications with replies or answers.
Never a candidate's name, address, phone, CV or words.

Due dates are stored, not scheduled: the beat task `recruitment.send_staff_digests` (every
STAFF_DIGEST_SWEEP_SECONDS) sends those whose `next_due_at` has passed; a candidate's reply
or interview answer also asks it to run at once. A digest covers `(covered_until, now -
DIGEST_LAG]`: the lag lets a transaction that wrote a row a moment before commit be counted
by the next digest instead of falling between two. Each digest is in the language its
reader chose for their emails (staff_language).
"""

import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from notifications.services import queue_email
from recruitment.models import (
    Application,
    CandidateMessage,
    Interview,
    Posting,
    StaffNotificationSetting,
    TeamMembership,
)
from recruitment.pipeline.services import staff_language

logger = logging.getLogger(__name__)

TEMPLATE = "pipeline/emails/staff_digest"
DIGEST_LAG = timedelta(seconds=30)
Frequency = StaffNotificationSetting.Frequency


def next_daily(now: datetime) -> datetime:
    """The next STAFF_DIGEST_HOUR o'clock, local time, after `now`."""
    local = timezone.localtime(now)
    at = timezone.make_aware(
        datetime.combine(local.date(), time(settings.STAFF_DIGEST_HOUR)), local.tzinfo
    )
    if at <= now:
        at = timezone.make_aware(
            datetime.combine(local.date() + timedelta(days=1), time(settings.STAFF_DIGEST_HOUR)),
            local.tzinfo,
        )
    return at


def _next_due(frequency: str, now: datetime) -> datetime:
    return now if frequency == Frequency.IMMEDIATE else next_daily(now)


def setting_for(user: Any, *, now: datetime | None = None) -> StaffNotificationSetting:
    """The user's setting, or the default (daily) not yet saved. No side effects."""
    now = now or timezone.now()
    found = StaffNotificationSetting.objects.filter(user_id=user.pk).first()
    return found or StaffNotificationSetting(
        user_id=user.pk,
        frequency=Frequency.DAILY,
        covered_until=now,
        next_due_at=next_daily(now),
    )


@transaction.atomic
def choose_frequency(
    *, user: Any, frequency: str, now: datetime | None = None
) -> StaffNotificationSetting:
    """Saves the user's choice. Turning notifications on (from off) starts from now, so
    nobody gets a digest of everything since they turned them off. Rerun-safe."""
    if frequency not in Frequency.values:
        raise ValueError(f"unknown frequency {frequency!r}")
    now = now or timezone.now()
    setting, created = StaffNotificationSetting.objects.select_for_update().get_or_create(
        user_id=user.pk,
        defaults={"frequency": frequency, "covered_until": now, "next_due_at": now},
    )
    if not created and setting.frequency == frequency:
        return setting
    if created or setting.frequency == Frequency.OFF:
        setting.covered_until = now
    setting.frequency = frequency
    setting.next_due_at = _next_due(frequency, now)
    setting.save(update_fields=["frequency", "covered_until", "next_due_at"])
    return setting


@transaction.atomic
def choose_email_language(
    *, user: Any, language: str, now: datetime | None = None
) -> StaffNotificationSetting:
    """Saves the language of the emails the product sends this staff member (digests,
    interview invitations, updates and reminders). Side effects: the setting (made with the
    default frequency if the user has none). Rerun-safe. Raises ValueError for a language
    the site does not offer."""
    if not staff_language.offered(language):
        raise ValueError(f"unknown language {language!r}")
    now = now or timezone.now()
    setting, created = StaffNotificationSetting.objects.select_for_update().get_or_create(
        user_id=user.pk,
        defaults={
            "frequency": Frequency.DAILY,
            "language": language,
            "covered_until": now,
            "next_due_at": next_daily(now),
        },
    )
    if created or setting.language == language:
        return setting
    setting.language = language
    setting.save(update_fields=["language"])
    return setting


def _recruiter_ids() -> set[int]:
    return set(
        TeamMembership.objects.filter(
            role=TeamMembership.Role.RECRUITER, user__is_active=True, user__is_staff=True
        ).values_list("user_id", flat=True)
    )


def _scheduler_ids(now: datetime) -> set[int]:
    """Staff who arranged an upcoming interview (they hear of its answers)."""
    return set(
        Interview.objects.filter(
            starts_at__gt=now, scheduled_by__is_active=True, scheduled_by__is_staff=True
        )
        .order_by()
        .values_list("scheduled_by_id", flat=True)
        .distinct()
    )


def _ensure_settings(now: datetime) -> None:
    """A row (the default: daily, counting from now) for every recruiter, and everyone who
    arranged an upcoming interview, without one."""
    recruiters = _recruiter_ids() | _scheduler_ids(now)
    have = set(
        StaffNotificationSetting.objects.filter(user_id__in=recruiters).values_list(
            "user_id", flat=True
        )
    )
    StaffNotificationSetting.objects.bulk_create(
        [
            StaffNotificationSetting(
                user_id=user_id,
                frequency=Frequency.DAILY,
                covered_until=now,
                next_due_at=next_daily(now),
            )
            for user_id in recruiters - have
        ],
        ignore_conflicts=True,
    )


def send_due_digests(*, now: datetime | None = None) -> int:
    """Sends every digest that is due, each user in a transaction of their own; returns
    how many emails were queued. Side effects per due user: at most one outbox email, the
    setting's `covered_until`, `next_due_at` and `last_sent_at`. Rerun-safe: a second run
    finds nothing due (or nothing new)."""
    now = now or timezone.now()
    _ensure_settings(now)
    due = StaffNotificationSetting.objects.filter(next_due_at__lte=now).exclude(
        frequency=Frequency.OFF
    )
    sent = 0
    for user_id in list(due.values_list("user_id", flat=True)):
        sent += _send_one(user_id, now=now)
    return sent


@transaction.atomic
def _send_one(user_id: int, *, now: datetime) -> int:
    setting = (
        StaffNotificationSetting.objects.select_for_update(skip_locked=True)
        .filter(user_id=user_id, next_due_at__lte=now)
        .exclude(frequency=Frequency.OFF)
        .first()
    )
    if setting is None:  # another run has it, or it was sent meanwhile
        return 0
    until = now - DIGEST_LAG
    context = digest_context(user_id, since=setting.covered_until, until=until)
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    queued = 0
    if context["postings"] and user is not None and user.email:
        queue_email(
            to=user.email,
            template=TEMPLATE,
            context=context,
            language=staff_language.email_language_of(user_id),
            subject_ref=None,
        )
        setting.last_sent_at = now
        queued = 1
    setting.covered_until = max(setting.covered_until, until)
    setting.next_due_at = _next_due(setting.frequency, now + timedelta(seconds=1))
    setting.save(update_fields=["covered_until", "next_due_at", "last_sent_at"])
    if queued:
        logger.info("staff digest queued for user %s", user_id)
    return queued


def digest_context(user_id: int, *, since: datetime, until: datetime) -> dict[str, Any]:
    """Counts and links for the postings `user_id` recruits for (new applications, replies,
    interview answers) and for the interviews they arranged on any other posting they are
    still on the team of (answers only), between `since` and `until`: no candidate's data
    (names, addresses, texts) at all. Read-only."""
    recruiting = dict(
        Posting.objects.filter(
            memberships__user_id=user_id, memberships__role=TeamMembership.Role.RECRUITER
        ).values_list("pk", "title")
    )
    on_team = dict(Posting.objects.filter(memberships__user_id=user_id).values_list("pk", "title"))
    new = dict(
        Application.objects.filter(
            posting_id__in=list(recruiting), created_at__gt=since, created_at__lte=until
        )
        .order_by()
        .values("posting_id")
        .annotate(n=Count("pk"))
        .values_list("posting_id", "n")
    )
    replies: dict[int, set[Any]] = {}
    for posting_id, application_id in CandidateMessage.objects.filter(
        direction=CandidateMessage.Direction.FROM_CANDIDATE,
        application__posting_id__in=list(recruiting),
        created_at__gt=since,
        created_at__lte=until,
    ).values_list("application__posting_id", "application_id"):
        replies.setdefault(posting_id, set()).add(application_id)
    reply_counts = dict(
        CandidateMessage.objects.filter(
            direction=CandidateMessage.Direction.FROM_CANDIDATE,
            application__posting_id__in=list(recruiting),
            created_at__gt=since,
            created_at__lte=until,
        )
        .order_by()
        .values("application__posting_id")
        .annotate(n=Count("pk"))
        .values_list("application__posting_id", "n")
    )
    # The candidate's latest answer to each interview answered in the window (an answer
    # changed twice counts once); the answer itself and its message stay on the page.
    answers: dict[int, set[Any]] = {}
    answer_counts: dict[int, int] = {}
    for posting_id, application_id in (
        Interview.objects.filter(
            Q(application__posting_id__in=list(recruiting)) | Q(scheduled_by_id=user_id),
            application__posting_id__in=list(on_team),
            answered_at__gt=since,
            answered_at__lte=until,
        )
        .exclude(answer=Interview.Answer.NONE)
        .values_list("application__posting_id", "application_id")
    ):
        answers.setdefault(posting_id, set()).add(application_id)
        answer_counts[posting_id] = answer_counts.get(posting_id, 0) + 1
    base = settings.PUBLIC_URL

    def links(application_ids: set[Any], anchor: str) -> list[str]:
        return [
            base + reverse("staff:application", kwargs={"pk": application_id}) + anchor
            for application_id in sorted(application_ids, key=str)
        ]

    rows = []
    for posting_id, title in sorted(on_team.items(), key=lambda item: item[1]):
        if not (
            new.get(posting_id) or reply_counts.get(posting_id) or answer_counts.get(posting_id)
        ):
            continue
        rows.append(
            {
                "title": title,
                "new_applications": new.get(posting_id, 0),
                "replies": reply_counts.get(posting_id, 0),
                "interview_answers": answer_counts.get(posting_id, 0),
                "board_url": base + reverse("staff:pipeline", kwargs={"pk": posting_id}),
                "reply_urls": links(replies.get(posting_id, set()), "#h-messages"),
                "answer_urls": links(answers.get(posting_id, set()), "#h-interviews"),
            }
        )
    return {
        "postings": rows,
        "settings_url": base + reverse("staff:notifications"),
    }
