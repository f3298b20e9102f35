"""Consent expiry reminders (PRIVACY.md P5): once, in time, in the consent's language, purged."""

import threading
from datetime import datetime, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone, translation
from django.utils.formats import date_format

from notifications import services as outbox
from notifications.models import OutboundEmail
from recruitment import tasks
from recruitment.access import Actor
from recruitment.models import (
    Application,
    Candidate,
    ConsentReminder,
    ErasureRecord,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.services import consents, pipeline, purge
from tests.factories import MembershipFactory
from tests.recruitment.test_retention import apply_as, deliver_all_emails

Stage = Application.Stage
TEMPLATE = "consent_expiring"


@pytest.fixture
def recruiter(posting: Posting) -> Any:
    return MembershipFactory(posting=posting, role=TeamMembership.Role.RECRUITER).user


def consenting(posting: Posting, name: str) -> tuple[Application, RetentionConsent]:
    """An application with a talent-pool consent; its confirmation email already handled."""
    application = apply_as(posting, name, consent=True)
    OutboundEmail.objects.filter(subject_ref=application.pk).delete()
    return application, RetentionConsent.objects.get(application=application)


def reminders() -> list[OutboundEmail]:
    return list(OutboundEmail.objects.filter(template=TEMPLATE))


def renewal(
    consent: RetentionConsent, *, days_later: int, language: str = "en"
) -> RetentionConsent:
    """A new, candidate-wide consent (as the portal will give), valid `days_later` longer."""
    given = consent.given_at + timedelta(days=300)
    return RetentionConsent.objects.create(
        candidate_id=consent.candidate_id,
        application=None,
        scope=RetentionConsent.Scope.TALENT_POOL,
        text_version="b" * 64,
        language=language,
        channel=RetentionConsent.Channel.PORTAL,
        given_at=given,
        confirmed_at=given,
        expires_at=consent.expires_at + timedelta(days=days_later),
    )


def before(consent: RetentionConsent, **delta: float) -> datetime:
    return consent.expires_at - timedelta(**delta)


# --- Once, in the window ------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_reminder_goes_out_once_within_the_notice_window(posting: Posting) -> None:
    # Given a consent expiring in ten days
    application, consent = consenting(posting, "Reminded Once")

    # When the daily task runs, then runs again (the same day and a week later)
    first = consents.send_expiry_reminders(now=before(consent, days=10))
    again = consents.send_expiry_reminders(now=before(consent, days=10))
    week_later = consents.send_expiry_reminders(now=before(consent, days=3))

    # Then exactly one reminder was queued, about this application, to this candidate
    assert (first, again, week_later) == (1, 0, 0)
    [email] = reminders()
    assert email.to_address == "reminded.once@example.com"
    assert email.subject_ref == application.pk
    assert email.language == consent.language == "en"
    reminder = ConsentReminder.objects.get()
    assert reminder.consent_id == consent.pk
    # The consent itself was not touched (append-only)
    assert RetentionConsent.objects.get(pk=consent.pk).withdrawn_at is None


@pytest.mark.django_db
def test_the_reminder_says_until_when_and_how_to_renew(posting: Posting) -> None:
    _, consent = consenting(posting, "Reads Reminder")

    with translation.override("en"):
        consents.send_expiry_reminders(now=before(consent, days=10))

    [email] = reminders()
    with translation.override("en"):
        until = date_format(timezone.localtime(consent.expires_at), "DATE_FORMAT")
    assert email.subject == (
        f"Your application for {posting.title}: we delete it on {until} "
        "unless you renew your consent"
    )
    text = " ".join(email.body_text.split())
    assert "Dear Reads Reminder," in text
    assert "renew your consent in your privacy portal" in text
    # The stored email holds a placeholder; each delivery mints a one-time renewal link.
    assert outbox.PERSONAL_LINK_PLACEHOLDER in text and email.personal_link == "consent-renewal"
    assert "If you do nothing, we delete your application and your personal data on" in text
    assert settings.CONTROLLER["privacy_email"] in text
    assert "renew your consent" in email.body_html


@pytest.mark.django_db
def test_the_reminder_is_written_in_the_language_of_the_consent(posting: Posting) -> None:
    # Given a candidate who applied in English but consented again, later, in Croatian
    application, consent = consenting(posting, "Drugi Jezik")
    croatian = renewal(consent, days_later=30, language="hr")

    consents.send_expiry_reminders(now=before(croatian, days=5))

    [email] = reminders()
    assert application.language == "en"
    assert email.language == "hr"


@pytest.mark.django_db
def test_no_reminder_before_the_notice_window(posting: Posting, settings: Any) -> None:
    _, consent = consenting(posting, "Too Early")
    days = settings.CONSENT_RENEWAL_NOTICE_DAYS
    assert days == 30

    assert consents.send_expiry_reminders(now=before(consent, days=days, minutes=1)) == 0
    assert reminders() == []
    assert consents.send_expiry_reminders(now=before(consent, days=days)) == 1


@pytest.mark.django_db
def test_the_notice_window_is_configurable(posting: Posting, settings: Any) -> None:
    _, consent = consenting(posting, "Short Notice")
    settings.CONSENT_RENEWAL_NOTICE_DAYS = 7

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 0
    assert consents.send_expiry_reminders(now=before(consent, days=6)) == 1


# --- Not when there is nothing to remind of -------------------------------------------------------


@pytest.mark.django_db
def test_no_reminder_for_a_withdrawn_consent(posting: Posting) -> None:
    _, consent = consenting(posting, "Withdrew Consent")
    RetentionConsent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 0
    assert reminders() == []


@pytest.mark.django_db
def test_no_reminder_for_an_expired_consent(posting: Posting) -> None:
    _, consent = consenting(posting, "Already Expired")

    assert consents.send_expiry_reminders(now=consent.expires_at + timedelta(minutes=1)) == 0
    assert consents.send_expiry_reminders(now=consent.expires_at) == 0
    assert reminders() == []


@pytest.mark.django_db
def test_a_later_consent_supersedes_and_is_reminded_of_in_its_own_time(posting: Posting) -> None:
    # Given a consent and a renewal that lasts a year longer
    application, consent = consenting(posting, "Renewed Consent")
    renewed = renewal(consent, days_later=365)

    # When the task runs in the first consent's window, then in the renewal's
    in_first_window = consents.send_expiry_reminders(now=before(consent, days=10))
    in_renewal_window = consents.send_expiry_reminders(now=before(renewed, days=10))

    # Then only the renewal is reminded of; a candidate-wide consent's email is about the
    # candidate, so the purge of their last application deletes it
    assert (in_first_window, in_renewal_window) == (0, 1)
    [email] = reminders()
    assert email.subject_ref == application.candidate_id
    assert ConsentReminder.objects.get().consent_id == renewed.pk
    assert "Your application: we delete it on" in email.subject


@pytest.mark.django_db
def test_a_withdrawn_renewal_does_not_supersede(posting: Posting) -> None:
    _, consent = consenting(posting, "Withdrawn Renewal")
    renewed = renewal(consent, days_later=365)
    RetentionConsent.objects.filter(pk=renewed.pk).update(withdrawn_at=timezone.now())

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 1
    assert ConsentReminder.objects.get().consent_id == consent.pk


@pytest.mark.django_db
def test_a_restricted_application_gets_no_reminder(posting: Posting) -> None:
    application, consent = consenting(posting, "Restricted Reminder")
    Application.objects.filter(pk=application.pk).update(restricted=True)

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 0


@pytest.mark.django_db
def test_a_hired_application_gets_no_reminder(posting: Posting, recruiter: Any) -> None:
    application, consent = consenting(posting, "Hired Reminder")
    pipeline.move_application(
        application_id=application.pk, to_stage="hired", actor=Actor(user=recruiter)
    )

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 0


@pytest.mark.django_db
def test_reminders_go_out_in_batches(posting: Posting, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consents, "BATCH_SIZE", 2)
    pairs = [consenting(posting, f"Batch Person{n}") for n in range(5)]
    latest = max(consent.expires_at for _, consent in pairs)

    sent = consents.send_expiry_reminders(now=latest - timedelta(days=10))

    assert sent == 5
    assert {e.subject_ref for e in reminders()} == {a.pk for a, _ in pairs}


# --- The task ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_beat_runs_the_reminder_task_daily(posting: Posting) -> None:
    assert settings.CELERY_BEAT_SCHEDULE["recruitment.send_consent_reminders"] == {
        "task": "recruitment.send_consent_reminders",
        "schedule": 24 * 3600,
    }
    assert tasks.send_consent_reminders.name == "recruitment.send_consent_reminders"
    # A consent given ~11.5 months ago expires within the window today
    _, consent = consenting(posting, "Task Reminded")
    RetentionConsent.objects.filter(pk=consent.pk).update(
        given_at=timezone.now() - timedelta(days=350),
        expires_at=timezone.now() + timedelta(days=15),
    )

    assert tasks.send_consent_reminders() == 1
    assert tasks.send_consent_reminders() == 0


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_two_runs_at_once_send_one_reminder(posting: Posting) -> None:
    _, consent = consenting(posting, "Raced Reminder")
    now = before(consent, days=10)
    results: list[int] = []
    start = threading.Barrier(2)

    def run() -> None:
        try:
            start.wait()
            results.append(consents.send_expiry_reminders(now=now))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 1]
    assert len(reminders()) == 1
    assert ConsentReminder.objects.count() == 1


# --- Purged with the application ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_purge_deletes_the_reminder_and_its_email(posting: Posting, recruiter: Any) -> None:
    # Given an unsuccessful, consenting application in a concluded process, reminded of expiry
    actor = Actor(user=recruiter)
    application, consent = consenting(posting, "Reminded Then Purged")
    pipeline.move_application(application_id=application.pk, to_stage="unsuccessful", actor=actor)
    pipeline.conclude_process(posting=posting, actor=actor)
    deliver_all_emails()
    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 1
    deliver_all_emails()
    assert OutboundEmail.objects.get(template=TEMPLATE).status == OutboundEmail.Status.SENT

    # When the consent expires and the application is purged
    later = consent.expires_at + timedelta(minutes=1)
    outcome = purge.purge_application(application.pk, now=later)

    # Then the reminder and its email went with it
    assert outcome == purge.Outcome.ERASED
    assert ErasureRecord.objects.get().reason == "consent_ended"
    assert not OutboundEmail.objects.filter(subject_ref=application.pk).exists()
    assert not ConsentReminder.objects.exists()
    assert not Candidate.objects.filter(pk=application.candidate_id).exists()


@pytest.mark.django_db
def test_the_purge_deletes_a_candidate_wide_reminder_with_the_candidate(
    posting: Posting, recruiter: Any
) -> None:
    actor = Actor(user=recruiter)
    application, consent = consenting(posting, "Renewed Then Purged")
    renewed = renewal(consent, days_later=60)
    pipeline.move_application(application_id=application.pk, to_stage="unsuccessful", actor=actor)
    pipeline.conclude_process(posting=posting, actor=actor)
    OutboundEmail.objects.all().delete()
    assert consents.send_expiry_reminders(now=before(renewed, days=10)) == 1
    assert OutboundEmail.objects.filter(subject_ref=application.candidate_id).count() == 1

    outcome = purge.purge_application(application.pk, now=renewed.expires_at + timedelta(minutes=1))

    assert outcome == purge.Outcome.ERASED
    assert not OutboundEmail.objects.exists()
    assert not ConsentReminder.objects.exists()
