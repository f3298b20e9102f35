"""Every right answered, on time, in the candidate's own calendar (issue 16, defects 1-4).

Regression tests for what a review of the rights and their clocks found: the purge closed
open requests as if answered; deadlines and consent months were counted on UTC days; an
extension counted before the candidate heard of it. Each failed on the code before its fix.
The jurisdiction here is Serbia (Europe/Belgrade: UTC+1, UTC+2 in summer).
"""

import calendar
import time as time_module
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from ats.dates import add_months, end_of_local_day
from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.models import DataSubjectRequest, Posting
from recruitment.pipeline.services import stages as pipeline
from recruitment.retention.services import consents, holds, purge
from recruitment.rights import tasks
from recruitment.rights.services import register, requests, self_service
from tests.promise.test_promise_defects import apply, open_portal, sweep_later

Status = DataSubjectRequest.Status
BELGRADE = ZoneInfo("Europe/Belgrade")
OFFICERS = ["dpo@example.com"]
# Instants spread over two years, with both daylight-saving changes and every hour of the
# day (the UTC date differs from the local one between 00:00 and 02:00 local).
INSTANTS = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@pytest.fixture(autouse=True)
def _serbia(settings: Any) -> None:
    settings.TIME_ZONE = "Europe/Belgrade"
    settings.PRIVACY_REQUEST_DEADLINE_DAYS = 30
    settings.PRIVACY_REQUEST_EXTENSION_DAYS = 60
    settings.PRIVACY_OFFICER_EMAILS = OFFICERS


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BELGRADE)


def record(candidate: Any, *, received_at: datetime, kind: str = "access") -> DataSubjectRequest:
    return register.record_request(
        candidate=candidate,
        kind=kind,
        channel="email",
        details="Please send me a copy of my data.",
        received_at=received_at,
    )


# --- 1. The purge never closes a request as answered -----------------------------------------


@pytest.mark.django_db
def test_a_request_open_when_the_data_is_erased_is_closed_unanswered_and_the_officers_told(
    posting: Posting, recruiter_actor: Actor, superuser_actor: Actor
) -> None:
    application = apply(posting, "asked@example.com", name="Jelena Petrović")
    asked = record(application.candidate, received_at=timezone.now() - timedelta(days=2))
    answered = record(application.candidate, received_at=timezone.now(), kind="rectification")
    requests.resolve_request(
        request=answered, resolution="Corrected by letter.", actor=superuser_actor
    )

    pipeline.conclude_process(posting=posting, actor=recruiter_actor, reject_remaining=True)
    sweep_later()

    asked.refresh_from_db()
    answered.refresh_from_db()
    assert asked.candidate_id is None  # erased with the person
    assert asked.status == Status.ERASED_UNANSWERED  # never "resolved": nobody answered it
    assert asked.resolved_at is not None
    assert answered.status == Status.RESOLVED  # answered before: stays so
    [alert] = OutboundEmail.objects.filter(template="rights/emails/request_erased_unanswered")
    assert alert.to_address == "dpo@example.com"
    assert str(asked.pk) in alert.body_text and str(answered.pk) not in alert.body_text
    # Ids, kinds and dates only: the alert outlives the person.
    assert "Jelena" not in alert.body_text + alert.body_html
    assert "asked@example.com" not in alert.body_text + alert.body_html


@pytest.mark.django_db
def test_the_officers_page_says_an_erased_request_still_needs_an_answer(
    client: Client, posting: Posting, superuser_actor: Actor
) -> None:
    application = apply(posting, "flagged@example.com")
    asked = record(application.candidate, received_at=timezone.now(), kind="objection")
    purge.erase_now(application=application, actor=superuser_actor)  # under-age: erased at once

    client.force_login(superuser_actor.user)
    page = client.get(reverse("staff:request", kwargs={"pk": asked.pk})).content.decode()
    queue = client.get(reverse("staff:requests"), {"status": Status.ERASED_UNANSWERED})

    assert "Erased before it was answered" in page
    assert "it was never answered" in page
    assert str(asked.pk) in queue.content.decode()


# --- 2. Deadlines in local calendar days -------------------------------------------------------


@hypothesis_settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(received=INSTANTS)
@example(received=datetime(2026, 3, 28, 22, 30, tzinfo=UTC))  # 23:30 the night before DST
@example(received=datetime(2026, 10, 24, 23, 30, tzinfo=UTC))  # 01:30 local, DST ends 25th
def test_a_request_is_due_at_the_end_of_the_local_day_thirty_days_after_it_arrived(
    received: datetime,
) -> None:
    due = register.due_date_for(received)

    arrived_on = received.astimezone(BELGRADE).date()
    assert due.astimezone(BELGRADE).date() == arrived_on + timedelta(days=30)
    assert due == end_of_local_day(arrived_on + timedelta(days=30))
    # The whole last day counts; the next local day it is overdue.
    assert due + timedelta(microseconds=1) == datetime.combine(
        arrived_on + timedelta(days=31), time.min, tzinfo=BELGRADE
    )


@pytest.mark.django_db
def test_a_request_received_at_half_past_eleven_in_belgrade_is_due_thirty_local_days_later(
    posting: Posting,
) -> None:
    application = apply(posting, "late@example.com")
    # 23:30 in Belgrade on 1 June is 21:30 UTC: the same day, but 30 UTC days would land
    # on 1 July 21:30 UTC = 23:30 local, and an hour later it was already "overdue".
    request = record(application.candidate, received_at=local(2026, 6, 1, 23, 30))

    assert timezone.localdate(request.due_at) == date(2026, 7, 1)
    assert register.days_left(request, now=local(2026, 7, 1, 23, 59)) == 0
    assert register.days_left(request, now=local(2026, 7, 2, 0, 1)) == -1
    # The extension window stays open to the end of the last local day.
    assert requests.extension_refusal(request, now=local(2026, 7, 1, 23, 59)) is None


@pytest.mark.django_db
def test_the_portal_states_the_due_date_in_local_time(client: Client, posting: Posting) -> None:
    application = apply(posting, "portal@example.com")
    open_portal(client, application.candidate)
    # 00:30 in Belgrade on 2 June is 22:30 UTC on 1 June.
    moment = local(2026, 6, 2, 0, 30)

    with mock.patch("django.utils.timezone.now", return_value=moment):
        response = client.post(
            reverse("privacy:request"),
            {"kind": "objection", "details": "Stop."},
            follow=True,
        )

    request = DataSubjectRequest.objects.get(kind="objection")
    with translation.override("en"):
        due = date_format(date(2026, 7, 2), "DATE_FORMAT")
    assert timezone.localdate(request.due_at) == date(2026, 7, 2)
    assert f"We will answer by {due}" in response.content.decode()


# --- 3. Consent months in local calendar months ----------------------------------------------


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moment=INSTANTS, months=st.integers(min_value=1, max_value=36))
@example(moment=local(2026, 5, 31, 1, 0).astimezone(UTC), months=6)
@example(moment=local(2026, 3, 1, 0, 30).astimezone(UTC), months=1)
def test_consent_months_are_local_calendar_months(moment: datetime, months: int) -> None:
    with timezone.override(BELGRADE):
        given_on = moment.astimezone(BELGRADE)
        ends = add_months(moment, months).astimezone(BELGRADE)

    index = given_on.month - 1 + months
    year, month = given_on.year + index // 12, index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    assert ends.date() == date(year, month, min(given_on.day, last_day))
    # The same local time of day, unless that hour does not exist on the day (DST gap).
    assert ends.time() == given_on.time() or ends.utcoffset() != given_on.utcoffset()


def test_the_reviewed_examples_end_on_the_right_local_day() -> None:
    with timezone.override(BELGRADE):
        # 31 May + 6 months is 30 November (not 1 December, as counted on UTC dates).
        assert add_months(local(2026, 5, 31, 1, 0), 6).date() == date(2026, 11, 30)
        # 1 March + 1 month is 1 April (not 29 March, as counted from 28 February UTC).
        assert add_months(local(2026, 3, 1, 0, 30), 1).date() == date(2026, 4, 1)


# --- 4. An extension counts once the candidate has been told ----------------------------------


@pytest.fixture
def extended(posting: Posting, superuser_actor: Actor) -> DataSubjectRequest:
    application = apply(posting, "waiting@example.com")
    request = record(application.candidate, received_at=timezone.now() - timedelta(days=5))
    return requests.extend_request(
        request=request, days=20, reason="Records in three offices.", actor=superuser_actor
    )


@pytest.mark.django_db
def test_a_failed_extension_notice_leaves_the_first_due_date_and_alerts_the_officers(
    extended: DataSubjectRequest,
) -> None:
    first_due = extended.original_due_at
    assert extended.extension_notice_id is not None
    OutboundEmail.objects.filter(pk=extended.extension_notice_id).update(
        status=OutboundEmail.Status.FAILED
    )

    assert requests.settle_extensions() == (0, 1)

    extended.refresh_from_db()
    assert extended.due_at == first_due and extended.extended_at is None
    assert extended.pending_due_at is None
    [alert] = OutboundEmail.objects.filter(template="rights/emails/request_extension_void")
    assert str(extended.pk) in alert.body_text
    # The overdue alert comes when the real (first) due date has passed.
    assert list(requests.requests_due_an_overdue_alert(now=first_due + timedelta(days=1))) == [
        extended
    ]


@pytest.mark.django_db
def test_an_extension_whose_notice_is_still_unsent_at_the_first_due_date_is_void(
    extended: DataSubjectRequest,
) -> None:
    first_due = extended.original_due_at

    assert requests.settle_extensions(now=first_due - timedelta(minutes=1)) == (0, 0)
    assert requests.settle_extensions(now=first_due + timedelta(minutes=1)) == (0, 1)

    extended.refresh_from_db()
    assert extended.due_at == first_due
    # Sent after all, too late: it still changes nothing.
    OutboundEmail.objects.filter(template="rights/emails/request_extended").update(
        status=OutboundEmail.Status.SENT, sent_at=first_due + timedelta(hours=1)
    )
    assert requests.settle_extensions() == (0, 0)
    assert DataSubjectRequest.objects.get(pk=extended.pk).due_at == first_due


@pytest.mark.django_db(transaction=True)
def test_an_extension_takes_effect_once_a_real_worker_has_sent_its_notice(
    posting: Posting,
    superuser_actor: Actor,
    celery_worker: None,
    smtp_mailbox: Any,
    unique_email: Any,
) -> None:
    address = unique_email("extended")
    application = apply(posting, address)
    request = record(application.candidate, received_at=timezone.now() - timedelta(days=5))

    # The notice is delivered by the worker after commit; beat would then settle it.
    requests.extend_request(
        request=request, days=20, reason="Backups to search.", actor=superuser_actor
    )
    smtp_mailbox.wait_for(address, count=2)  # the confirmation of the application, then it
    tasks.settle_request_extensions.delay()

    for _attempt in range(300):  # the worker settles it within moments; wait up to 30 s
        request.refresh_from_db()
        if request.extended_at is not None:
            break
        time_module.sleep(0.1)
    sent_at = OutboundEmail.objects.get(template="rights/emails/request_extended").sent_at
    assert request.extended_at == sent_at
    assert timezone.localdate(request.due_at) == timezone.localdate(
        request.original_due_at
    ) + timedelta(days=20)


# --- What a hold's end says -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_hold_lifted_after_the_consent_ended_announces_a_deletion_not_a_past_date(
    posting: Posting, recruiter_actor: Actor, superuser_actor: Actor
) -> None:
    application = apply(posting, "held@example.com")
    consents.give_consent(candidate=application.candidate, language="en", channel="portal")
    hold = holds.place_hold(
        application=application,
        actor=superuser_actor,
        reason="Court order",
        review_at=date(2040, 1, 1),
    )
    pipeline.conclude_process(posting=posting, actor=recruiter_actor, reject_remaining=True)
    later = timezone.now() + timedelta(days=5 * 365)  # the consent has long ended

    with mock.patch("django.utils.timezone.now", return_value=later):
        holds.lift_hold(hold=hold, actor=superuser_actor)

    told = OutboundEmail.objects.filter(to_address="held@example.com").values_list(
        "template", flat=True
    )
    assert (
        "retention/emails/data_deleted" in told
        and "retention/emails/data_kept_with_consent" not in told
    )


@pytest.mark.django_db
def test_the_erasure_email_says_a_hold_review_is_overdue_rather_than_promising_a_past_date(
    posting: Posting, superuser_actor: Actor
) -> None:
    application = apply(posting, "kept@example.com")
    holds.place_hold(
        application=application,
        actor=superuser_actor,
        reason="Court order",
        review_at=timezone.localdate() - timedelta(days=3),
    )

    self_service.request_erasure(candidate=application.candidate)

    email = OutboundEmail.objects.get(template="rights/emails/data_erased_on_request")
    assert "is overdue" in email.body_text and "reviewed by" not in email.body_text
