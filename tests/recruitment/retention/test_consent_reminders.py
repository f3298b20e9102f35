"""Consent expiry reminders (PRIVACY.md P5): once, in time, in the consent's language, purged."""

import threading
import uuid
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from notifications import services as outbox
from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.models import (
    Application,
    Candidate,
    ConsentReminder,
    ErasureRecord,
    LegalHold,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.pipeline.services import stages as pipeline
from recruitment.retention import tasks
from recruitment.retention.services import consents, purge
from recruitment.retention.services import schedule as retention
from tests.factories import (
    ApplicationFactory,
    CandidateFactory,
    MembershipFactory,
    PostingFactory,
)
from tests.harness.applying import apply_as
from tests.harness.evidence import deliver_all_emails

Stage = Application.Stage
TEMPLATE = "retention/emails/consent_expiring"


def consenting(posting: Posting, name: str) -> tuple[Application, RetentionConsent]:
    """An application with a talent-pool consent; its confirmation email already handled."""
    application = apply_as(posting, name, consent=True)
    OutboundEmail.objects.filter(subject_ref=application.pk).delete()
    return application, RetentionConsent.objects.get(application=application)


def conclude(posting: Posting) -> None:
    """The posting's process is formally concluded; every undecided application is ended."""
    recruiter = MembershipFactory.create(posting=posting, role=TeamMembership.Role.RECRUITER).user
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter), reject_remaining=True)


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
    conclude(posting)

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
    conclude(posting)

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
    # What goes is named: the position applied for, and that nothing else is left after it
    assert f"When it ends, we delete your application for this position: - {posting.title}" in text
    assert "If you do nothing, we delete it and all your personal data on" in text
    assert settings.CONTROLLER["privacy_email"] in text
    assert "renew your consent" in email.body_html


@pytest.mark.django_db
def test_the_reminder_is_written_in_the_language_of_the_consent(posting: Posting) -> None:
    # Given a candidate who applied in English but consented again, later, in Croatian
    application, consent = consenting(posting, "Drugi Jezik")
    conclude(posting)
    croatian = renewal(consent, days_later=30, language="hr")

    consents.send_expiry_reminders(now=before(croatian, days=5))

    [email] = reminders()
    assert application.language == "en"
    assert email.language == "hr"


@pytest.mark.django_db
def test_no_reminder_before_the_notice_window(posting: Posting, settings: Any) -> None:
    _, consent = consenting(posting, "Too Early")
    conclude(posting)
    days = settings.CONSENT_RENEWAL_NOTICE_DAYS
    assert days == 30

    assert consents.send_expiry_reminders(now=before(consent, days=days, minutes=1)) == 0
    assert reminders() == []
    assert consents.send_expiry_reminders(now=before(consent, days=days)) == 1


@pytest.mark.django_db
def test_the_notice_window_is_configurable(posting: Posting, settings: Any) -> None:
    _, consent = consenting(posting, "Short Notice")
    conclude(posting)
    settings.CONSENT_RENEWAL_NOTICE_DAYS = 7

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 0
    assert consents.send_expiry_reminders(now=before(consent, days=6)) == 1


# --- Not when there is nothing to remind of -------------------------------------------------------


@pytest.mark.django_db
def test_no_reminder_for_a_withdrawn_consent(posting: Posting) -> None:
    _, consent = consenting(posting, "Withdrew Consent")
    conclude(posting)
    RetentionConsent.objects.filter(pk=consent.pk).update(withdrawn_at=timezone.now())

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 0
    assert reminders() == []


@pytest.mark.django_db
def test_no_reminder_for_an_expired_consent(posting: Posting) -> None:
    _, consent = consenting(posting, "Already Expired")
    conclude(posting)

    assert consents.send_expiry_reminders(now=consent.expires_at + timedelta(minutes=1)) == 0
    assert consents.send_expiry_reminders(now=consent.expires_at) == 0
    assert reminders() == []


@pytest.mark.django_db
def test_a_later_consent_supersedes_and_is_reminded_of_in_its_own_time(posting: Posting) -> None:
    # Given a consent and a renewal that lasts a year longer
    application, consent = consenting(posting, "Renewed Consent")
    conclude(posting)
    renewed = renewal(consent, days_later=365)

    # When the task runs in the first consent's window, then in the renewal's
    in_first_window = consents.send_expiry_reminders(now=before(consent, days=10))
    in_renewal_window = consents.send_expiry_reminders(now=before(renewed, days=10))

    # Then only the renewal is reminded of; it names the one application it ends, and is
    # erased with it
    assert (in_first_window, in_renewal_window) == (0, 1)
    [email] = reminders()
    assert email.subject_ref == application.pk
    assert ConsentReminder.objects.get().consent_id == renewed.pk
    assert f"Your application for {posting.title}: we delete it on" in email.subject


@pytest.mark.django_db
def test_a_withdrawn_renewal_does_not_supersede(posting: Posting) -> None:
    _, consent = consenting(posting, "Withdrawn Renewal")
    conclude(posting)
    renewed = renewal(consent, days_later=365)
    RetentionConsent.objects.filter(pk=renewed.pk).update(withdrawn_at=timezone.now())

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 1
    assert ConsentReminder.objects.get().consent_id == consent.pk


@pytest.mark.django_db
def test_a_restricted_application_gets_no_reminder(posting: Posting) -> None:
    application, consent = consenting(posting, "Restricted Reminder")
    conclude(posting)
    Application.objects.filter(pk=application.pk).update(restricted=True)

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 0


@pytest.mark.django_db
def test_a_hired_application_gets_no_reminder(posting: Posting, recruiter: Any) -> None:
    application, consent = consenting(posting, "Hired Reminder")
    pipeline.move_application(
        application_id=application.pk, to_stage="hired", actor=Actor(user=recruiter)
    )
    conclude(posting)

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 0


@pytest.mark.django_db
def test_reminders_go_out_in_batches(posting: Posting, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(consents, "BATCH_SIZE", 2)
    pairs = [consenting(posting, f"Batch Person{n}") for n in range(5)]
    conclude(posting)
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
    conclude(posting)
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
    conclude(posting)
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
def test_a_candidate_wide_reminder_names_every_application_and_goes_with_the_candidate(
    posting: Posting,
) -> None:
    # Given two applications of one person, both processes concluded, kept by a renewal
    # given in the portal (it covers both)
    application, consent = consenting(posting, "Renewed Then Purged")
    other_posting = PostingFactory.create(title="Data Engineer")
    other = apply_as(other_posting, "Renewed Then Purged")
    assert other.candidate_id == application.candidate_id
    renewed = renewal(consent, days_later=60)
    conclude(posting)
    conclude(other_posting)
    OutboundEmail.objects.all().delete()

    # When the reminder goes out
    assert consents.send_expiry_reminders(now=before(renewed, days=10)) == 1

    # Then one email names both positions, and is tied to the candidate
    [email] = reminders()
    assert email.subject_ref == application.candidate_id
    assert "Your 2 applications: we delete them on" in email.subject
    text = " ".join(email.body_text.split())
    assert (
        "When it ends, we delete your applications for these positions: "
        f"- {posting.title} - Data Engineer"
    ) in text
    assert "If you do nothing, we delete them and all your personal data on" in text

    # And it goes when the purge erases the person with their last application
    later = renewed.expires_at + timedelta(minutes=1)
    assert purge.purge_application(application.pk, now=later) == purge.Outcome.ERASED
    assert purge.purge_application(other.pk, now=later) == purge.Outcome.ERASED
    assert not OutboundEmail.objects.exists()
    assert not ConsentReminder.objects.exists()


@pytest.mark.django_db
def test_a_reminder_says_which_applications_stay(posting: Posting) -> None:
    # Given a person kept by a consent for a concluded process, who is also in a running one
    application, consent = consenting(posting, "Partly Kept")
    conclude(posting)
    apply_as(PostingFactory.create(title="Still Running"), "Partly Kept")
    OutboundEmail.objects.all().delete()

    assert consents.send_expiry_reminders(now=before(consent, days=10)) == 1

    # Then the email names only what goes, and does not claim all their data goes
    [email] = reminders()
    text = " ".join(email.body_text.split())
    assert posting.title in text
    assert "Still Running" not in text
    assert "all your personal data" not in text
    assert "Your other applications are not affected." in text
    assert email.subject_ref == application.pk


# --- The property: a reminder exactly when its expiry would make something due -------------------

APPLICATION = st.fixed_dictionaries(
    {
        "stage": st.sampled_from(
            [Stage.APPLIED, Stage.INTERVIEW, Stage.UNSUCCESSFUL, Stage.WITHDRAWN, Stage.HIRED]
        ),
        "concluded": st.booleans(),
        "held": st.booleans(),
        "hold_lifted": st.booleans(),
        "restricted": st.booleans(),
        "under_age": st.booleans(),
    }
)
# None: a consent given in the portal (it covers every application); n: for application n.
COVERS = st.one_of(st.none(), st.integers(0, 1))
OTHER_CONSENT = st.fixed_dictionaries(
    {
        "covers": COVERS,
        # Days after the first consent's expiry (never the same instant; +60 is past the
        # notice window from where the reminders run).
        "expires_after_days": st.sampled_from([-5, 5, 60]),
        "confirmed": st.booleans(),
        "withdrawn": st.booleans(),
    }
)


def _consent(
    candidate: Candidate, application: Application | None, *, expires_at: datetime, **state: bool
) -> RetentionConsent:
    given = expires_at - timedelta(days=365)
    return RetentionConsent.objects.create(
        candidate=candidate,
        application=application,
        scope=RetentionConsent.Scope.TALENT_POOL,
        text_version="c" * 64,
        language="en",
        channel=RetentionConsent.Channel.APPLICATION_FORM
        if application
        else RetentionConsent.Channel.PORTAL,
        given_at=given,
        confirmed_at=given if state.get("confirmed", True) else None,
        withdrawn_at=given + timedelta(days=1) if state.get("withdrawn", False) else None,
        expires_at=expires_at,
    )


@pytest.mark.django_db
@given(
    applications=st.lists(APPLICATION, min_size=1, max_size=2),
    first_covers=COVERS,
    others=st.lists(OTHER_CONSENT, max_size=2, unique_by=lambda o: o["expires_after_days"]),
)
@hypothesis_settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_a_reminder_goes_out_exactly_when_the_expiry_would_make_something_due(
    applications: list[dict[str, Any]],
    first_covers: int | None,
    others: list[dict[str, Any]],
) -> None:
    with transaction.atomic():
        now = timezone.now()
        expiry = now + timedelta(days=10)
        # Given a person's applications in every combination of stage, conclusion, hold,
        # restriction and the under-age flag, and their consents
        candidate = CandidateFactory.create()
        rows = []
        for spec in applications:
            posting = PostingFactory.create(
                title=f"Position {uuid.uuid4().hex[:10]}",
                concluded_at=now - timedelta(days=1) if spec["concluded"] else None,
            )
            application = ApplicationFactory.create(
                candidate=candidate,
                posting=posting,
                stage=spec["stage"],
                decided_at=now - timedelta(days=2),
                restricted=spec["restricted"],
                under_age_flagged_at=now - timedelta(days=1) if spec["under_age"] else None,
            )
            if spec["held"]:
                LegalHold.objects.create(
                    application=application,
                    reason="Court order",
                    review_at=timezone.localdate() + timedelta(days=30),
                    lifted_at=now if spec["hold_lifted"] else None,
                )
            rows.append(application)

        def covered(index: int | None) -> Application | None:
            return None if index is None else rows[min(index, len(rows) - 1)]

        consents_given = [_consent(candidate, covered(first_covers), expires_at=expiry)]
        for other in others:
            consents_given.append(
                _consent(
                    candidate,
                    covered(other["covers"]),
                    expires_at=expiry + timedelta(days=other["expires_after_days"]),
                    confirmed=other["confirmed"],
                    withdrawn=other["withdrawn"],
                )
            )
        retention.recompute(Application.objects.filter(candidate=candidate))

        # When the daily task runs ten days before the first consent ends
        consents.send_expiry_reminders(now=now)

        # Then each consent is reminded of exactly when its expiry would make an application
        # due for erasure (the purge's own view: due at the expiry, not a moment before),
        # and its email names exactly those applications
        def due_at(moment: datetime) -> set[UUID]:
            return set(
                purge.due_applications(now=moment, candidate_id=candidate.pk).values_list(
                    "pk", flat=True
                )
            )

        window_end = now + timedelta(days=settings.CONSENT_RENEWAL_NOTICE_DAYS)
        for consent in consents_given:
            ending = due_at(consent.expires_at) - due_at(consent.expires_at - timedelta(seconds=1))
            expected = bool(ending) and consent.expires_at <= window_end
            reminded = ConsentReminder.objects.filter(consent=consent).exists()
            assert reminded == expected, (consent.expires_at - now, ending)
            if not expected:
                continue
            until = date_format(timezone.localtime(consent.expires_at), "DATE_FORMAT")
            [email] = [e for e in reminders() if until in e.subject]
            text = " ".join(email.body_text.split())
            for application in rows:
                assert (application.posting.title in text) == (application.pk in ending)
        transaction.set_rollback(True)
