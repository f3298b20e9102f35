"""Retention: the right applications are erased at the right time, completely, provably."""

import threading
import time
import uuid
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from notifications import services as outbox
from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.cvs import storage
from recruitment.models import (
    AccessEvent,
    Application,
    Candidate,
    CurriculumVitae,
    ErasureRecord,
    Interview,
    LegalHold,
    Posting,
    RetentionConsent,
    TeamMembership,
)
from recruitment.pipeline.services import interviews, messaging
from recruitment.pipeline.services import stages as pipeline
from recruitment.pipeline.services.notes import add_note
from recruitment.retention.services import ledger, purge
from recruitment.retention.services import schedule as retention
from tests.factories import MembershipFactory, PostingFactory
from tests.harness.applying import apply_as
from tests.harness.evidence import bucket_contents, database_dump, deliver_all_emails, personal_data
from tests.harness.faults import point_storage_at
from tools import devstack

Stage = Application.Stage


# --- The rules --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_rules_for_each_situation(posting: Posting) -> None:
    now = timezone.now()
    posting.concluded_at = now
    application = Application(stage=Stage.UNSUCCESSFUL, posting=posting)
    expires = now + timedelta(days=365)
    consent = RetentionConsent(expires_at=expires, confirmed_at=now, withdrawn_at=None)

    def due(**kwargs: Any) -> retention.Due:
        defaults = {"posting": posting, "consents": [], "on_hold": False}
        return retention.compute_due(application, **{**defaults, **kwargs})

    assert due() == retention.Due(at=now, reason="process_concluded")
    assert due(consents=[consent]) == retention.Due(at=consent.expires_at, reason="consent_ended")
    withdrawn = RetentionConsent(expires_at=expires, confirmed_at=now, withdrawn_at=now)
    assert due(consents=[withdrawn]).at == now
    unconfirmed = RetentionConsent(expires_at=expires, confirmed_at=None)
    assert due(consents=[unconfirmed]).at == now, "a consent nobody confirmed keeps nothing"
    for_another = RetentionConsent(expires_at=expires, confirmed_at=now, application=Application())
    assert due(consents=[for_another]).at == now, "a form consent covers its own application"
    application.stage = Stage.SCREENING
    assert due() == retention.Due(at=now, reason="process_concluded"), "conclusion ends it"
    application.stage = Stage.UNSUCCESSFUL
    assert due(on_hold=True) == retention.NOT_DUE
    application.restricted = True
    assert due() == retention.NOT_DUE
    application.restricted = False
    application.stage = Stage.HIRED
    assert due() == retention.NOT_DUE, "hired applications are kept by default"
    application.stage = Stage.INTERVIEW
    posting.concluded_at = None
    assert due() == retention.NOT_DUE
    application.under_age_flagged_at = now
    assert due() == retention.Due(at=now, reason="under_age")


@pytest.mark.django_db
def test_grace_period_and_hired_hand_over_retention_are_configurable(
    posting: Posting, settings: Any
) -> None:
    now = timezone.now()
    posting.concluded_at = now
    settings.RETENTION_GRACE_DAYS = 7
    unsuccessful = Application(stage=Stage.UNSUCCESSFUL, posting=posting)
    assert retention.compute_due(unsuccessful, posting=posting, consents=[], on_hold=False).at == (
        now + timedelta(days=7)
    )
    settings.HIRED_RETENTION_DAYS = 30
    hired = Application(stage=Stage.HIRED, posting=posting, decided_at=now)
    assert retention.compute_due(hired, posting=posting, consents=[], on_hold=False).at == (
        now + timedelta(days=30)
    )


# --- Conclusion, end to end -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_concluding_erases_exactly_the_unsuccessful_non_consenting_applications_everywhere(
    posting: Posting, recruiter: Any
) -> None:
    actor = Actor(user=recruiter)
    gone_unsuccessful = apply_as(posting, "Petar Gone")
    gone_withdrawn = apply_as(posting, "Vesna Withdrawn")
    kept_consent = apply_as(posting, "Kosta Consent", consent=True)
    kept_hired = apply_as(posting, "Hana Hired")
    kept_hold = apply_as(posting, "Luka Hold")
    kept_restricted = apply_as(posting, "Rada Restricted")
    # An interview with a panel, answered, and a note written after it (issue 20).
    panelist = MembershipFactory.create(posting=posting, role="interviewer").user
    panelist.email = "panelist-gone@staff.example"
    panelist.save()
    interview = interviews.schedule_interview(
        actor=actor,
        application_id=gone_unsuccessful.pk,
        details=interviews.Details(
            starts_at=timezone.now() + timedelta(days=2),
            duration_minutes=30,
            time_zone="Europe/Sarajevo",
            kind="video",
            video_url="https://meet.example.com/petar-gone-room",
            note_for_candidate="Petar's interview note: ask for the gatehouse",
            interviewer_ids=(panelist.pk,),
        ),
    )
    interviews.answer_interview(
        candidate_id=gone_unsuccessful.candidate_id,
        interview_id=interview.pk,
        answer="new_time",
        message="Petar's answer: afternoons only",
    )
    for application in (gone_unsuccessful, kept_consent, kept_hold, kept_restricted):
        pipeline.move_application(
            application_id=application.pk, to_stage="unsuccessful", actor=actor
        )
    pipeline.move_application(application_id=gone_withdrawn.pk, to_stage="withdrawn", actor=actor)
    pipeline.move_application(application_id=kept_hired.pk, to_stage="hired", actor=actor)
    add_note(
        application=gone_unsuccessful,
        actor=actor,
        kind="general",
        body="Notes about Petar Gone.",
        rating=2,
        scorecard="",
        interview=interview,
    )
    LegalHold.objects.create(
        application=kept_hold,
        reason="Pending court case",
        review_at=timezone.now().date(),
        placed_by=recruiter,
    )
    Application.objects.filter(pk=kept_restricted.pk).update(restricted=True)
    gone = [gone_unsuccessful, gone_withdrawn]
    kept = [kept_consent, kept_hired, kept_hold, kept_restricted]
    # Issue 20: the thread goes too, what staff wrote and what the candidate answered.
    messaging.send_message(
        actor=actor,
        application_id=gone_unsuccessful.pk,
        subject="About your application",
        body="A message about Petar's interview on Tuesday.",
    )
    messaging.reply(
        candidate=gone_unsuccessful.candidate,
        application_id=gone_unsuccessful.pk,
        body="Petar answers: Tuesday suits me.",
    )
    gone_data = [value for a in gone for value in personal_data(a)]
    gone_data += [
        "A message about Petar's interview on Tuesday.",
        "Petar answers: Tuesday suits me.",
        "Petar's interview note",
        "Petar's answer",
        "petar-gone-room",
        interview.uid,
    ]
    kept_data = [value for a in kept for value in personal_data(a)]

    pipeline.conclude_process(posting=posting, actor=actor)

    # Each ending candidate is told first: deletion, or until when consent keeps the data.
    templates = dict(
        OutboundEmail.objects.filter(template__contains="/emails/data_").values_list(
            "subject_ref", "template"
        )
    )
    assert templates == {
        gone_unsuccessful.pk: "retention/emails/data_deleted",
        gone_withdrawn.pk: "retention/emails/data_deleted",
        kept_consent.pk: "retention/emails/data_kept_with_consent",
    }
    # Not before those emails are out: the purge waits and tries again a minute later.
    first = purge.sweep()
    assert (first.erased, first.skipped) == (0, 2)
    deliver_all_emails()
    report = purge.sweep(now=timezone.now() + timedelta(minutes=2))

    assert report.erased == 2
    assert not Interview.objects.exists()
    assert not OutboundEmail.objects.filter(to_address=panelist.email).exists()
    assert set(Application.objects.values_list("pk", flat=True)) == {a.pk for a in kept}
    records = ErasureRecord.objects.order_by("pk")
    assert {r.application_id for r in records} == {a.pk for a in gone}
    assert all(r.reason == "process_concluded" and r.objects_deleted == 1 for r in records)
    assert ledger.verify().ok
    # The audit trail survives, without personal data.
    assert AccessEvent.objects.filter(application_id=gone_unsuccessful.pk).exists()

    dump = database_dump()
    contents = bucket_contents()
    for value in gone_data:
        assert value not in dump, value
        assert value.encode() not in contents, value
    for value in kept_data:
        assert value in dump, value
    assert b"Kosta Consent" in contents and b"Hana Hired" in contents
    assert CurriculumVitae.objects.count() == len(list(storage.iter_cv_objects())) == 4


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_a_real_worker_purges_after_conclusion_without_anyone_calling_the_sweep(
    posting: Posting, recruiter: Any, celery_worker: None, settings: Any, smtp_mailbox: Any
) -> None:
    settings.OUTBOX_RETRY_AFTER_SECONDS = 0
    application = apply_as(posting, "Worker Purged")
    pipeline.move_application(
        application_id=application.pk, to_stage="unsuccessful", actor=Actor(user=recruiter)
    )

    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))

    # The worker delivers the notice first, then the posting sweep erases everything.
    received = smtp_mailbox.wait_for("worker.purged@example.com", count=2)
    # Long subjects are folded over lines by the mail system; compare them unfolded.
    [notice] = [m for m in received if "is being deleted" in " ".join(str(m["Subject"]).split())]
    assert (
        "deleting your personal data" in notice.get_payload()[0].get_payload(decode=True).decode()
    )
    deadline = time.monotonic() + 30
    while Application.objects.filter(pk=application.pk).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Application.objects.filter(pk=application.pk).exists()
    assert ErasureRecord.objects.filter(application_id=application.pk).count() == 1


# --- Purge mechanics --------------------------------------------------------------------------


def concluded_unsuccessful(posting: Posting, recruiter: Any, name: str) -> Application:
    application = apply_as(posting, name)
    pipeline.move_application(
        application_id=application.pk, to_stage="unsuccessful", actor=Actor(user=recruiter)
    )
    return application


@pytest.mark.django_db
def test_purging_twice_has_one_effect_and_one_record(posting: Posting, recruiter: Any) -> None:
    application = concluded_unsuccessful(posting, recruiter, "Twice Purged")
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    later = timezone.now() + timedelta(days=2)

    assert purge.purge_application(application.pk, now=later) == purge.Outcome.ERASED
    assert purge.purge_application(application.pk, now=later) == purge.Outcome.GONE
    assert ErasureRecord.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_two_workers_purging_at_once_have_one_effect(posting: Posting, recruiter: Any) -> None:
    application = concluded_unsuccessful(posting, recruiter, "Raced Purge")
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    later = timezone.now() + timedelta(days=2)
    outcomes: list[str] = []

    def run_purge() -> None:
        try:
            outcomes.append(purge.purge_application(application.pk, now=later))
        finally:
            connection.close()

    threads = [threading.Thread(target=run_purge) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["erased", "gone"]
    assert ErasureRecord.objects.count() == 1
    assert ledger.verify().ok


@pytest.mark.django_db
def test_storage_down_keeps_every_row_records_the_failure_and_a_later_sweep_finishes(
    posting: Posting, recruiter: Any, settings: Any
) -> None:
    application = concluded_unsuccessful(posting, recruiter, "Storage Down")
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    OutboundEmail.objects.all().delete()  # notices already out, for this test
    later = timezone.now() + timedelta(days=2)
    working_endpoint = settings.STORAGES["cvs"]["OPTIONS"]["endpoint_url"]
    point_storage_at(settings, f"http://127.0.0.1:{devstack.free_port()}")

    report = purge.sweep(now=later)

    assert (report.erased, report.failed) == (0, 1)
    application.refresh_from_db()
    assert application.purge_failures == 1
    assert application.purge_last_error == "StorageUnavailable"
    assert application.purge_due_at is not None
    assert application.purge_due_at > later, "retried later, with backoff"
    assert not ErasureRecord.objects.exists(), "never reported erased early"

    point_storage_at(settings, working_endpoint)
    assert purge.sweep(now=later + timedelta(hours=2)).erased == 1
    assert not Application.objects.filter(pk=application.pk).exists()


@pytest.mark.django_db
def test_consent_keeps_the_application_until_it_expires(posting: Posting, recruiter: Any) -> None:
    application = apply_as(posting, "Consent Expires", consent=True)
    pipeline.move_application(
        application_id=application.pk, to_stage="unsuccessful", actor=Actor(user=recruiter)
    )
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    OutboundEmail.objects.all().delete()
    expires = RetentionConsent.objects.get().expires_at

    assert purge.sweep(now=expires - timedelta(days=1)).erased == 0
    assert purge.sweep(now=expires + timedelta(minutes=1)).erased == 1
    assert ErasureRecord.objects.get().reason == "consent_ended"


@pytest.mark.django_db
def test_a_consent_withdrawn_after_conclusion_makes_the_application_due_at_once(
    posting: Posting, recruiter: Any
) -> None:
    application = apply_as(posting, "Changed Mind", consent=True)
    pipeline.move_application(
        application_id=application.pk, to_stage="unsuccessful", actor=Actor(user=recruiter)
    )
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    OutboundEmail.objects.all().delete()
    RetentionConsent.objects.update(withdrawn_at=timezone.now())
    retention.recompute(Application.objects.filter(pk=application.pk))

    assert purge.sweep(now=timezone.now() + timedelta(seconds=1)).erased == 1


@pytest.mark.django_db
def test_the_under_age_flag_erases_at_once_from_the_application_page(
    client: Client, posting: Posting, recruiter: Any
) -> None:
    application = apply_as(posting, "Too Young")
    client.force_login(recruiter)
    response = client.post(reverse("staff:under_age", kwargs={"pk": application.pk}), follow=True)

    assert "flagged as under-age and erased" in response.content.decode()
    assert not Application.objects.filter(pk=application.pk).exists()
    assert not Candidate.objects.filter(email="too.young@example.com").exists()
    assert not OutboundEmail.objects.filter(subject_ref=application.pk).exists()
    record = ErasureRecord.objects.get()
    assert (record.reason, record.actor) == ("under_age", recruiter.username)


@pytest.mark.django_db
def test_a_legal_hold_stops_even_the_under_age_erasure(
    client: Client, posting: Posting, recruiter: Any
) -> None:
    application = apply_as(posting, "Held Young")
    LegalHold.objects.create(
        application=application, reason="Court order", review_at=timezone.now().date()
    )
    client.force_login(recruiter)
    response = client.post(reverse("staff:under_age", kwargs={"pk": application.pk}), follow=True)
    assert "a legal hold or a restriction keeps it" in response.content.decode()
    assert Application.objects.filter(pk=application.pk).exists()


@pytest.mark.django_db
def test_the_ledger_detects_a_tampered_record(posting: Posting, recruiter: Any) -> None:
    for name in ("Ledger One", "Ledger Two", "Ledger Three"):
        concluded_unsuccessful(posting, recruiter, name)
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    OutboundEmail.objects.all().delete()
    purge.sweep(now=timezone.now() + timedelta(days=1))
    assert ledger.verify() == ledger.Verification(ok=True, checked=3)

    middle = ErasureRecord.objects.order_by("pk")[1]
    ErasureRecord.objects.filter(pk=middle.pk).update(reason="under_age")
    assert ledger.verify() == ledger.Verification(ok=False, checked=1, first_broken_pk=middle.pk)


def check_append_many_chains_the_records_in_order_with_their_values() -> None:
    """The purge's ledger insert: one statement, rows in list order (the chain follows
    primary keys), every value as given (JSON, times) so the chain verifies."""
    ledger.append(**ledger_fields(0))
    records = [ErasureRecord(**ledger_fields(n)) for n in range(1, 6)]

    with CaptureQueriesContext(connection) as captured:
        saved = ledger.append_many(records)
    inserts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("INSERT")]
    assert len(inserts) == 1
    if connection.vendor == "postgresql":
        assert "UNNEST" in inserts[0]  # a parameter per column, not per value
    assert ledger.append_many([]) == []

    stored = list(ErasureRecord.objects.order_by("pk"))[1:]
    assert [r.pk for r in saved] == [r.pk for r in stored]
    assert [r.application_id for r in stored] == [r.application_id for r in records]
    assert [r.rows_deleted for r in stored] == [r.rows_deleted for r in records]
    assert [r.erased_at for r in stored] == [r.erased_at for r in records]
    assert ledger.verify() == ledger.Verification(ok=True, checked=6)


def ledger_fields(n: int) -> dict[str, Any]:
    return {
        "application_id": uuid.uuid4(),
        "posting_id": n,
        "reason": "concluded",
        "stage_reached": "screening",
        "objects_deleted": n,
        "rows_deleted": {"notes": n, "nested": {"kind": "ok"}},
        "actor": "system",
        "erased_at": timezone.now().replace(microsecond=0) + timedelta(seconds=n),
    }


@pytest.mark.django_db
def test_append_many_chains_the_records_in_order_with_their_values() -> None:
    assert connection.vendor == "postgresql"
    check_append_many_chains_the_records_in_order_with_their_values()


@pytest.mark.sqlite
@pytest.mark.django_db
def test_append_many_on_sqlite_chains_the_records_in_order_with_their_values() -> None:
    assert connection.vendor == "sqlite"
    check_append_many_chains_the_records_in_order_with_their_values()


@pytest.mark.django_db
def test_a_purge_timed_in_local_time_still_verifies(posting: Posting, recruiter: Any) -> None:
    """Found by tests/promise/test_promise_model.py: a sweep run at a consent's expiry,
    an instant in the local zone, hashed "+02:00" and the database gave back "+00:00"."""
    concluded_unsuccessful(posting, recruiter, "Local Time")
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    OutboundEmail.objects.all().delete()
    later = timezone.localtime(timezone.now() + timedelta(days=1), ZoneInfo("Europe/Belgrade"))

    purge.sweep(now=later)

    assert ledger.verify() == ledger.Verification(ok=True, checked=1)


@pytest.mark.django_db
def test_a_candidate_with_another_application_keeps_their_profile(recruiter: Any) -> None:
    first, second = PostingFactory.create(), PostingFactory.create()
    MembershipFactory.create(posting=first, user=recruiter, role=TeamMembership.Role.RECRUITER)
    purged = concluded_unsuccessful(first, recruiter, "Two Postings")
    apply_as(second, "Two Postings")
    pipeline.conclude_process(posting=first, actor=Actor(user=recruiter))
    OutboundEmail.objects.filter(subject_ref=purged.pk).delete()

    assert purge.sweep(now=timezone.now() + timedelta(days=1)).erased == 1
    assert Candidate.objects.filter(email="two.postings@example.com").exists()
    assert ErasureRecord.objects.get().rows_deleted["candidates"] == 0


# --- Coverage: no model with candidate data escapes the purge -----------------------------------

# Every model that holds candidate personal data, and how the purge reaches it.
PURGED_WITH_THE_APPLICATION = {
    "recruitment.Application": "deleted",
    "recruitment.Candidate": "deleted when no other application keeps it",
    "recruitment.CurriculumVitae": "cascade (objects erased first)",
    "recruitment.RetentionConsent": "cascade",
    "recruitment.ApplicationEvent": "cascade",
    "recruitment.InterviewNote": "cascade",
    "recruitment.InterviewAssignment": "cascade",
    "recruitment.LegalHold": "cascade",
    # No personal data of its own, but it points at a consent: it goes with the consent.
    "recruitment.ConsentReminder": "cascade",
    "recruitment.PortalToken": "cascade",
    # Kept as an anonymous record: candidate nulled, free texts cleared (purge.py).
    "recruitment.DataSubjectRequest": "anonymised",
    "recruitment.DataExport": "cascade (objects erased first)",
    # A privacy officer's decision on a passage of an export (issue 16): goes with both.
    "recruitment.ExportPassageReview": "cascade",
    # Issue 19: with the person, or with the application made through it (both cascade).
    "recruitment.Invitation": "cascade",
    # Issue 20: the thread of messages, with its application.
    "recruitment.CandidateMessage": "cascade",
    # Issue 20: the answers to a posting's questions go with their application.
    "recruitment.Answer": "cascade",
    # Issue 20: interviews and their panels (a note written after one goes with the
    # application; its link to the interview is cleared first).
    "recruitment.Interview": "cascade",
    "recruitment.InterviewInterviewer": "cascade",
    "notifications.OutboundEmail": "purge_emails(subject_refs=...)",
}
# Models that refer to applications but hold no personal data, and survive on purpose.
NO_PERSONAL_DATA = {
    "recruitment.AccessEvent",
    "recruitment.ErasureRecord",
    # A posting's question versions: the posting's configuration, kept for other answers
    # (tests/recruitment/questions/test_purge.py checks they hold nothing of the person).
    "recruitment.Question",
}
# A model cascading from one of these is purged with it: the application and the candidate,
# and models that themselves cascade from them (checked below, so the chain is real).
PURGE_ROOTS = (Application, Candidate)
PURGED_BY_CASCADE_FROM = (*PURGE_ROOTS, RetentionConsent, Interview)


def test_every_model_holding_candidate_data_is_covered_by_the_purge() -> None:
    touching = set()
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model.__name__}"
        for field in model._meta.get_fields():
            target = getattr(field, "related_model", None)
            if target in PURGED_BY_CASCADE_FROM and not field.auto_created:
                touching.add(label)
            if field.name in {"application_id", "subject_ref"}:
                touching.add(label)
    touching |= {"recruitment.Application", "recruitment.Candidate"}
    uncovered = touching - set(PURGED_WITH_THE_APPLICATION) - NO_PERSONAL_DATA
    assert uncovered == set()
    # And the coverage claims are real: cascades really point at the application/candidate,
    # or at a model that itself cascades from them.
    for label, how in PURGED_WITH_THE_APPLICATION.items():
        if how.startswith("cascade"):
            model = apps.get_model(label)
            fk = next(f for f in model._meta.fields if f.related_model in PURGED_BY_CASCADE_FROM)
            assert fk.remote_field.on_delete.__name__ == "CASCADE", label
            parent = fk.related_model
            if parent not in PURGE_ROOTS:
                parent_label = f"{parent._meta.app_label}.{parent.__name__}"
                assert PURGED_WITH_THE_APPLICATION.get(parent_label, "").startswith("cascade"), (
                    label
                )
                parent_fks = [f for f in parent._meta.fields if f.related_model in PURGE_ROOTS]
                assert parent_fks, label
                assert all(f.remote_field.on_delete.__name__ == "CASCADE" for f in parent_fks), (
                    label
                )


def test_the_settings_document_the_hired_hand_over() -> None:
    assert settings.HIRED_RETENTION_DAYS is None  # the default: kept, handed over to HR


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_the_posting_sweep_retries_until_the_deletion_notice_is_out(
    posting: Posting, recruiter: Any, celery_worker: None, settings: Any, smtp_mailbox: Any
) -> None:
    settings.OUTBOX_RETRY_AFTER_SECONDS = 1
    real_smtp_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = devstack.free_port()  # the SMTP peer is down at conclusion
    application = apply_as(posting, "Waits For Notice")
    pipeline.move_application(
        application_id=application.pk, to_stage="unsuccessful", actor=Actor(user=recruiter)
    )
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    time.sleep(3)
    # The notice could not go out, so the purge waits (and keeps looking).
    assert Application.objects.filter(pk=application.pk).exists()

    # SMTP is back; the outbox sweep (beat, every minute) re-enqueues the notice.
    settings.EMAIL_PORT = real_smtp_port
    OutboundEmail.objects.filter(status="pending").update(next_attempt_at=timezone.now())
    outbox.requeue_due_emails()
    deadline = time.monotonic() + 60
    while Application.objects.filter(pk=application.pk).exists() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert not Application.objects.filter(pk=application.pk).exists()
    received = smtp_mailbox.messages_to("waits.for.notice@example.com")
    assert any("is being deleted" in " ".join(str(m["Subject"]).split()) for m in received)
