"""Legal-hold review dates are acted on (PRIVACY.md P7, issue 16 defect 7): a daily digest
to the privacy officers, the retention page highlights overdue reviews, and the portal
says the truth about a review date that has passed."""

import threading
from datetime import date, datetime, time, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.models import Application, HoldReviewDigest, LegalHold, PortalToken
from recruitment.retention import tasks
from recruitment.retention.services import holds
from recruitment.rights.services import portal_access
from tests.factories import ApplicationFactory
from tests.harness.applying import apply_as
from tests.harness.rights import open_portal

TEMPLATE = "retention/emails/hold_reviews_overdue"


def at_noon(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(12)))


def hold_on(application: Application, *, review_at: date, reason: str = "Court order") -> LegalHold:
    return LegalHold.objects.create(application=application, reason=reason, review_at=review_at)


def digests() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(template=TEMPLATE).order_by("created_at"))


# --- The digest ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_digest_lists_only_holds_whose_review_date_has_passed(
    posting: Any, settings: Any
) -> None:
    settings.PRIVACY_OFFICER_EMAILS = ["dpo@example.com", "deputy@example.com"]
    today = timezone.localdate()
    overdue = hold_on(
        apply_as(posting, "Olga Overdue"),
        review_at=today - timedelta(days=3),
        reason="Olga Overdue's labour court case",
    )
    hold_on(apply_as(posting, "Tara Today"), review_at=today)
    lifted = hold_on(apply_as(posting, "Lena Lifted"), review_at=today - timedelta(days=9))
    LegalHold.objects.filter(pk=lifted.pk).update(lifted_at=timezone.now())

    listed = holds.send_overdue_review_digest(now=at_noon(today))

    # Then one email per officer lists the overdue hold, with a link to it on the staff page
    assert listed == 1
    sent = digests()
    assert sorted(e.to_address for e in sent) == ["deputy@example.com", "dpo@example.com"]
    for email in sent:
        assert email.subject_ref is None
        text = email.body_text
        assert f"{settings.PUBLIC_URL}{reverse('staff:retention')}#hold-{overdue.pk}" in text
        assert str(overdue.application_id) in text
        assert "3 days ago" in text
        # ... and nothing about the person: no name, address or the hold's free-text reason
        for words in ("Olga", "olga.overdue@example.com", "labour court", "Tara", "Lena"):
            assert words not in text and words not in email.body_html
            assert words not in email.subject
    assert "1 legal hold" in sent[0].subject
    overdue.refresh_from_db()
    assert overdue.review_reminded_at == at_noon(today)


@pytest.mark.django_db
def test_the_digest_goes_out_at_most_once_a_day_and_again_the_next_day(posting: Any) -> None:
    today = timezone.localdate()
    hold_on(apply_as(posting, "Daily Nag"), review_at=today - timedelta(days=1))
    officers = len(settings.PRIVACY_OFFICER_EMAILS)

    morning = holds.send_overdue_review_digest(now=at_noon(today) - timedelta(hours=11))
    evening = holds.send_overdue_review_digest(now=at_noon(today) + timedelta(hours=11))
    tomorrow = holds.send_overdue_review_digest(now=at_noon(today + timedelta(days=1)))

    assert (morning, evening, tomorrow) == (1, 0, 1)
    assert len(digests()) == 2 * officers
    assert sorted(HoldReviewDigest.objects.values_list("sent_on", flat=True)) == [
        today,
        today + timedelta(days=1),
    ]


@pytest.mark.django_db
def test_no_digest_without_overdue_reviews_or_without_officers(posting: Any, settings: Any) -> None:
    today = timezone.localdate()
    hold = hold_on(apply_as(posting, "Not Yet"), review_at=today)
    assert holds.send_overdue_review_digest(now=at_noon(today)) == 0
    assert not HoldReviewDigest.objects.exists()

    settings.PRIVACY_OFFICER_EMAILS = []
    later = at_noon(today + timedelta(days=2))
    assert holds.send_overdue_review_digest(now=later) == 0
    hold.refresh_from_db()
    assert hold.review_reminded_at is None
    assert digests() == [] and not HoldReviewDigest.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_two_runs_at_once_send_one_digest(posting: Any) -> None:
    today = timezone.localdate()
    hold_on(ApplicationFactory.create(posting=posting), review_at=today - timedelta(days=1))
    results: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            results.append(holds.send_overdue_review_digest(now=at_noon(today)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 1]
    assert len(digests()) == len(settings.PRIVACY_OFFICER_EMAILS)
    assert HoldReviewDigest.objects.count() == 1


@pytest.mark.django_db
def test_beat_runs_the_digest_task(posting: Any) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["recruitment.send_hold_review_reminders"]
    assert entry["task"] == tasks.send_hold_review_reminders.name
    assert entry["schedule"] <= 24 * 3600
    hold_on(
        ApplicationFactory.create(posting=posting),
        review_at=timezone.localdate() - timedelta(days=1),
    )

    assert tasks.send_hold_review_reminders() == 1
    assert tasks.send_hold_review_reminders() == 0


# --- The retention page --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_retention_page_highlights_overdue_reviews_and_says_who_was_reminded(
    officer_client: Client, posting: Any
) -> None:
    today = timezone.localdate()
    overdue = hold_on(
        ApplicationFactory.create(posting=posting), review_at=today - timedelta(days=4)
    )
    later = hold_on(ApplicationFactory.create(posting=posting), review_at=today + timedelta(days=4))

    before = officer_client.get(reverse("staff:retention")).content.decode()
    holds.send_overdue_review_digest()
    after = officer_client.get(reverse("staff:retention")).content.decode()

    assert f'<tr id="hold-{overdue.pk}" class="overdue">' in before
    assert f'<tr id="hold-{later.pk}">' in before
    assert "4 days overdue" in before
    assert "The review date of 1 hold has passed" in before
    assert "Officers reminded on" not in before
    assert "Officers reminded on" in after


# --- The portal ----------------------------------------------------------------------------------


def portal_page(client: Client, application: Application) -> str:
    token = portal_access.issue_token(
        candidate=application.candidate, purpose=PortalToken.Purpose.ACCESS
    )
    open_portal(client, token)
    return " ".join(client.get(reverse("privacy:portal")).content.decode().split())


@pytest.mark.django_db
def test_the_portal_no_longer_promises_a_review_date_that_has_passed(
    client: Client, posting: Any
) -> None:
    application = apply_as(posting, "Past Review")
    review = timezone.localdate() - timedelta(days=2)
    hold_on(application, review_at=review, reason="Tax inspection")

    page = portal_page(client, application)

    # Then it says the review is overdue, not "reviewed by" a past date, and where to complain
    assert "Tax inspection" in page
    assert "it is reviewed by" not in page
    assert "and is overdue." in page
    assert "have been reminded" not in page, "nobody was reminded yet"
    assert settings.SUPERVISORY_AUTHORITY["name"] in page
    assert "you may complain to the supervisory authority" in page

    # And once the officers were reminded, it says so
    holds.send_overdue_review_digest()
    page = portal_page(client, application)
    assert "is overdue: our privacy officers have been reminded to carry it out." in page


@pytest.mark.django_db
def test_the_portal_still_shows_a_future_review_date(client: Client, posting: Any) -> None:
    application = apply_as(posting, "Future Review")
    hold_on(application, review_at=timezone.localdate() + timedelta(days=5))

    page = portal_page(client, application)

    assert "it is reviewed by" in page
    assert "is overdue" not in page
