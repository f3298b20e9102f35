"""Candidate data exports (PRIVACY.md P10 access, P11 portability): complete, only theirs,
checksummed, expiring, erased with the candidate, built by a real worker, audited for staff."""

import hashlib
import io
import json
import tempfile
import time
import urllib.request
import uuid
from collections.abc import Callable
from datetime import timedelta
from types import SimpleNamespace
from typing import IO, Any

import pytest
from botocore.exceptions import EndpointConnectionError
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ats import enqueue
from recruitment.access import Actor
from recruitment.cvs import storage
from recruitment.models import (
    AccessEvent,
    Answer,
    Application,
    Candidate,
    ConsentReminder,
    CurriculumVitae,
    DataExport,
    DataSubjectRequest,
    ErasureRecord,
    Interview,
    InterviewNote,
    LegalHold,
    PortalToken,
    Posting,
    Question,
    RetentionConsent,
    TeamMembership,
)
from recruitment.pipeline.services import interviews, messaging
from recruitment.pipeline.services import stages as pipeline
from recruitment.pipeline.services.notes import add_note
from recruitment.pool.services import invitations
from recruitment.retention.services import purge
from recruitment.retention.services.reconciliation import reconcile_storage
from recruitment.rights.services import export_contents, exports
from tests.factories import DataExportFactory, MembershipFactory, PostingFactory, UserFactory
from tests.harness.applying import apply_as, concluded, pdf_naming
from tests.harness.evidence import bucket_contents
from tests.harness.faults import point_storage_at
from tests.harness.rights import archive_of, built, data_of
from tools import devstack

Status = DataExport.Status


def export_objects() -> set[str]:
    return {key for key, _ in storage.iter_export_objects()}


def candidate_with_everything(posting: Posting, recruiter: Any, name: str) -> Application:
    """One candidate with a row of every model that holds candidate data."""
    application = apply_as(posting, name, consent=True)  # CV, consent, event, email
    actor = Actor(user=recruiter)
    add_note(
        application=application,
        actor=actor,
        kind="technical_interview",
        body=f"Interview note about {name}.",
        rating=4,
        scorecard="SQL: strong",
    )
    pipeline.move_application(
        application_id=application.pk, to_stage="screening", actor=actor, reason="Looks good"
    )
    application.assignments.create(interviewer=UserFactory.create())
    question = Question.objects.create(
        posting=posting, kind=Question.Kind.SHORT_TEXT, label="Where?", created_at=timezone.now()
    )
    Answer.objects.create(application=application, question=question, value=f"{name} lives here")
    LegalHold.objects.create(
        application=application,
        reason=f"Court case about {name}",
        review_at=timezone.localdate() + timedelta(days=30),
        placed_by=recruiter,
    )
    now = timezone.now()
    ConsentReminder.objects.create(
        consent=RetentionConsent.objects.get(application=application), sent_at=now
    )
    PortalToken.objects.create(
        candidate=application.candidate,
        purpose=PortalToken.Purpose.ACCESS,
        token_hash=hashlib.sha256(name.encode()).hexdigest(),
        created_at=now,
        expires_at=now + timedelta(hours=1),
    )
    DataSubjectRequest.objects.create(
        candidate=application.candidate,
        kind=DataSubjectRequest.Kind.ACCESS,
        channel=DataSubjectRequest.Channel.EMAIL,
        details=f"{name} asks for a copy.",
        received_at=now,
        original_due_at=now + timedelta(days=30),
        due_at=now + timedelta(days=30),
    )
    # In the pool (the consent is confirmed): invited to another posting of the recruiter's.
    opening = PostingFactory.create()
    MembershipFactory.create(posting=opening, user=recruiter)
    [invited] = invitations.invite(
        actor=actor, posting=opening, candidate_ids=[application.candidate_id]
    )
    assert invited.invitation is not None
    messaging.send_message(
        actor=actor,
        application_id=application.pk,
        subject="Next steps",
        body=f"A message to {name}: may we call you?",
    )
    messaging.reply(candidate=application.candidate, application_id=application.pk, body="Yes.")
    # An interview with a panel, answered by the candidate, and a note written after it.
    panelist = MembershipFactory.create(posting=posting, role="interviewer").user
    panelist.email = "panelist@staff.example"
    panelist.save()
    interview = interviews.schedule_interview(
        actor=actor,
        application_id=application.pk,
        details=interviews.Details(
            starts_at=now + timedelta(days=3),
            duration_minutes=45,
            time_zone="Europe/Sarajevo",
            kind="on_site",
            address="Kralja Tvrtka 1, Mostar",
            note_for_candidate=f"Interview note for {name}: bring your portfolio.",
            interviewer_ids=(panelist.pk,),
        ),
    )
    interviews.answer_interview(
        candidate_id=application.candidate_id,
        interview_id=interview.pk,
        answer="new_time",
        message=f"{name} prefers mornings.",
    )
    InterviewNote.objects.filter(application=application).update(interview=interview)
    return application


# --- Completeness: no model holding candidate data is left out of data.json -------------------

# Every model holding candidate data, and where data.json shows it ("[]" walks a list).
EXPORTED_AS = {
    "recruitment.Candidate": "profile.full_name",
    "recruitment.Application": "applications[].cover_letter",
    "recruitment.CurriculumVitae": "applications[].cvs[].sha256",
    "recruitment.RetentionConsent": "consents[].text_version",
    "recruitment.ConsentReminder": "consents[].expiry_reminder_sent_at",
    "recruitment.ApplicationEvent": "applications[].stage_history[].kind",
    "recruitment.InterviewNote": "applications[].interview_notes[].body",
    "recruitment.InterviewAssignment": "applications[].interviewers_assigned",
    "recruitment.Answer": "applications[].answers[].value",
    # The question version each answer answered, exactly as asked (no personal data itself).
    "recruitment.Question": "applications[].answers[].question.label",
    "recruitment.LegalHold": "applications[].retention.legal_holds[].reason",
    "recruitment.PortalToken": "portal_links[].purpose",
    "recruitment.Invitation": "invitations[].invited_at",
    "recruitment.CandidateMessage": "applications[].messages[].body",
    "recruitment.Interview": "applications[].interviews[].note_for_candidate",
    "recruitment.InterviewInterviewer": "applications[].interviews[].interviewers",
    "recruitment.DataSubjectRequest": "requests[].details",
    "recruitment.DataExport": "exports[].status",
    # The review's effect: each passage's text as decided, and how many were decided.
    "recruitment.ExportPassageReview": "exports[].passages_reviewed",
    "notifications.OutboundEmail": "emails[].subject",
}
# Deliberately not exported, and why.
NOT_EXPORTED = {
    # Staff activity (who opened which application): the staff's data, not the candidate's.
    "recruitment.AccessEvent": "staff audit log",
    # Proof of erasures already done, with no personal data.
    "recruitment.ErasureRecord": "no personal data",
}
CANDIDATE_ROOTS = (Application, Candidate, RetentionConsent, Interview)


def values_at(document: Any, path: str) -> list[Any]:
    """The values at `path` ("a[].b" walks every item of list a)."""
    values = [document]
    for part in path.split("."):
        walks = part.endswith("[]")
        name = part.removesuffix("[]")
        values = [value[name] for value in values]
        if walks:
            values = [item for value in values for item in value]
    return values


def test_every_model_holding_candidate_data_is_in_the_export_or_excluded_on_purpose() -> None:
    touching = {"recruitment.Application", "recruitment.Candidate"}
    for model in apps.get_models():
        label = f"{model._meta.app_label}.{model.__name__}"
        for field in model._meta.get_fields():
            if getattr(field, "related_model", None) in CANDIDATE_ROOTS and not field.auto_created:
                touching.add(label)
            if field.name in {"application_id", "subject_ref"}:
                touching.add(label)
    assert touching - set(EXPORTED_AS) - set(NOT_EXPORTED) == set()
    assert set(EXPORTED_AS).isdisjoint(NOT_EXPORTED)


@pytest.mark.django_db
def test_the_export_shows_a_row_of_every_exported_model(posting: Posting, recruiter: Any) -> None:
    application = candidate_with_everything(posting, recruiter, "Ana Complete")

    document = data_of(built(application.candidate))

    for label, path in EXPORTED_AS.items():
        found = [value for value in values_at(document, path) if value not in (None, "", 0, [])]
        assert found, f"{label}: nothing at {path}"
    [entry] = document["applications"]
    assert entry["posting"]["title"] == posting.title
    assert entry["interview_notes"][0]["body"] == "Interview note about Ana Complete."
    assert entry["interview_notes"][0]["author_role"] == "recruiter"
    assert [(m["direction"], m["by"]) for m in entry["messages"]] == [
        ("to_candidate", "recruiter"),
        ("from_candidate", "candidate"),
    ]
    assert entry["messages"][0]["body"] == "A message to Ana Complete: may we call you?"
    assert recruiter.username not in json.dumps(document), "staff appear by role, not by name"
    assert "token_hash" not in json.dumps(document)
    assert entry["retention"]["legal_holds"][0]["reason"] == "Court case about Ana Complete"
    assert [event["kind"] for event in entry["stage_history"]][-4:] == [
        "stage_changed",
        "interviewer_assigned",
        "interview_scheduled",
        "interview_answered",
    ]
    assert entry["stage_history"][0]["by"] == "candidate_or_system"
    assert {email["template"] for email in document["emails"]} >= {
        "careers/emails/application_received",
        "pipeline/emails/interview_invitation",
    }
    # The interview: the candidate's note and answer; staff by role; the invitation's
    # calendar text with the email; the interviewer's own copy is not the candidate's data.
    [interview] = entry["interviews"]
    assert interview["note_for_candidate"].startswith("Interview note for Ana Complete")
    assert interview["answer"] == "new_time"
    assert interview["answer_message"] == "Ana Complete prefers mornings."
    assert interview["interviewers"] == ["interviewer"]
    assert interview["scheduled_by"] == "recruiter"
    assert entry["interview_notes"][0]["interview_id"] == interview["id"]
    [invitation] = [e for e in document["emails"] if e["template"].endswith("interview_invitation")]
    assert "BEGIN:VCALENDAR" in invitation["calendar"]
    assert "panelist@staff.example" not in {email["to"] for email in document["emails"]}


# --- Only theirs ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_export_holds_no_other_candidates_data(posting: Posting, recruiter: Any) -> None:
    mine = candidate_with_everything(posting, recruiter, "Mina Mine")
    other = candidate_with_everything(posting, recruiter, "Oskar Other")
    other_candidate = Candidate.objects.get(pk=other.candidate_id)
    other_cv = storage.read_object(other.cvs.get().storage_key)

    export = built(mine.candidate)

    raw = storage.read_object(export.storage_key)
    archive = archive_of(export)
    texts = [raw, *(archive.read(name) for name in archive.namelist())]
    theirs = [
        other_candidate.full_name,
        other_candidate.email,
        other_candidate.phone,
        "Interview note about Oskar Other.",
        "Cover letter by Oskar Other.",
        "Court case about Oskar Other",
        "Oskar Other asks for a copy.",
    ]
    for value in theirs:
        assert not any(value.encode() in text for text in texts), value
    assert not any(other_cv in text for text in texts), "the other candidate's CV"
    # The scan is real: the same search finds this candidate's own data.
    for value in ["Mina Mine", "mina.mine@example.com", "Interview note about Mina Mine."]:
        assert any(value.encode() in text for text in texts), value


# --- Checksums, README, schema ----------------------------------------------------------------


@pytest.mark.django_db
def test_the_cvs_in_the_export_are_the_uploaded_bytes_with_matching_checksums(
    posting: Posting,
) -> None:
    application = apply_as(posting, "Checksum Checked")
    cv = application.cvs.get()
    uploaded = pdf_naming("Checksum Checked")

    export = built(application.candidate)

    archive = archive_of(export)
    document = json.loads(archive.read("data.json"))
    assert document["schema"] == "ats-candidate-export/1"
    [entry] = document["applications"][0]["cvs"]
    assert entry["file"] == "cvs/1-Checksum_Checked.pdf"
    assert entry["original_filename"] == cv.original_filename
    copied = archive.read(entry["file"])
    assert copied == uploaded
    assert hashlib.sha256(copied).hexdigest() == cv.sha256 == entry["sha256"]
    assert entry["checksum_matches_upload"] is True
    assert entry["size"] == len(uploaded)
    readme = archive.read("README.txt").decode()
    assert "ats-candidate-export/1" in readme
    assert "docs/export-schema.md" in readme
    assert cv.sha256 in readme
    assert hashlib.sha256(archive.read("data.json")).hexdigest() in readme
    assert set(archive.namelist()) == {"data.json", "README.txt", entry["file"]}
    # The row records the ZIP's own size and checksum.
    raw = storage.read_object(export.storage_key)
    assert (export.size, export.sha256) == (len(raw), hashlib.sha256(raw).hexdigest())
    assert storage.object_metadata(export.storage_key)["ContentType"] == "application/zip"


@pytest.mark.django_db
def test_a_cv_that_no_longer_matches_its_checksum_is_exported_and_flagged(posting: Posting) -> None:
    application = apply_as(posting, "Changed Bytes")
    CurriculumVitae.objects.filter(application=application).update(sha256="0" * 64)

    archive = archive_of(built(application.candidate))

    [entry] = json.loads(archive.read("data.json"))["applications"][0]["cvs"]
    assert entry["checksum_matches_upload"] is False
    assert "NOT the same" in archive.read("README.txt").decode()


def test_cv_file_names_are_made_harmless_inside_the_zip() -> None:
    assert export_contents.safe_filename("../../etc/passwd") == "passwd"
    assert export_contents.safe_filename("C:\\Users\\ana\\CV (final).pdf") == "CV_final.pdf"
    assert export_contents.safe_filename("Đorđe Petrović CV.pdf") == "Đorđe_Petrović_CV.pdf"
    assert export_contents.safe_filename("...") == "cv"
    assert "/" not in export_contents.safe_filename("a/b\\c.docx")


# --- Requests: one at a time, reused while valid, never lost ------------------------------------


@pytest.mark.django_db
def test_asking_again_while_an_export_is_valid_returns_the_same_export(posting: Posting) -> None:
    candidate = apply_as(posting, "Asks Twice").candidate
    officer = UserFactory.create()

    first = built(candidate)
    assert exports.request_export(candidate=candidate) == first
    by_staff = exports.request_export(candidate=candidate, requested_by=officer)
    assert by_staff != first and by_staff.status == Status.PENDING
    assert exports.request_export(candidate=candidate, requested_by=officer) == by_staff
    later = first.expires_at + timedelta(seconds=1)
    assert exports.request_export(candidate=candidate, now=later) not in {first, by_staff}


@pytest.mark.django_db
def test_a_request_is_enqueued_after_commit_and_a_broker_failure_is_only_logged(
    posting: Posting,
    monkeypatch: pytest.MonkeyPatch,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    candidate = apply_as(posting, "Broker Down").candidate

    def broker_down(name: str, args: list[str]) -> None:
        raise ConnectionError("broker down")

    monkeypatch.setattr(enqueue, "current_app", SimpleNamespace(send_task=broker_down))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        export = exports.request_export(candidate=candidate)

    assert len(callbacks) == 1
    assert DataExport.objects.get().status == Status.PENDING
    assert f"recruitment.build_export({export.pk}) not enqueued (ConnectionError)" in caplog.text
    assert "Broker Down" not in caplog.text and "broker.down" not in caplog.text

    # The hourly run enqueues it again once it looks stuck, with its id only.
    sent: list[tuple[str, list[str]]] = []
    monkeypatch.setattr(
        enqueue,
        "current_app",
        SimpleNamespace(send_task=lambda name, args: sent.append((name, args))),
    )
    assert exports.requeue_stale_exports() == 0, "not stuck yet"
    assert exports.requeue_stale_exports(now=timezone.now() + timedelta(minutes=11)) == 1
    assert sent == [("recruitment.build_export", [str(export.pk)])]


@pytest.mark.django_db
def test_building_twice_has_one_effect(posting: Posting) -> None:
    export = built(apply_as(posting, "Built Twice").candidate)

    exports.build_export(export_id=export.pk)
    exports.build_export(export_id=uuid.uuid4())  # a missing export is a no-op

    assert DataExport.objects.get() == export
    assert export_objects() == {export.storage_key}


@pytest.mark.django_db
def test_an_export_deleted_while_it_was_built_leaves_no_object(
    posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    candidate = apply_as(posting, "Erased Meanwhile").candidate
    export = exports.request_export(candidate=candidate)
    real_put = storage.put_export

    def put_then_erase_the_candidates_exports(fileobj: IO[bytes], *, filename: str) -> str:
        key = real_put(fileobj, filename=filename)
        DataExport.objects.filter(candidate=candidate).delete()  # as the purge's cascade does
        return key

    monkeypatch.setattr(storage, "put_export", put_then_erase_the_candidates_exports)
    exports.build_export(export_id=export.pk)

    assert export_objects() == set()


# --- Expiry ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_expired_and_failed_exports_are_deleted_object_and_row_and_a_rerun_does_nothing() -> None:
    now = timezone.now()
    valid = DataExportFactory.create()
    expired = DataExportFactory.create(expires_at=now - timedelta(minutes=1))
    failed = DataExportFactory.create(status=Status.FAILED, storage_key="", size=None, sha256="")
    expired_pending = DataExportFactory.create(
        status=Status.PENDING, storage_key="", expires_at=now - timedelta(hours=1)
    )

    assert exports.delete_expired_exports(now=now) == 3

    assert list(DataExport.objects.all()) == [valid]
    assert export_objects() == {valid.storage_key}
    assert not DataExport.objects.filter(pk__in=[expired.pk, failed.pk, expired_pending.pk])
    assert exports.delete_expired_exports(now=now) == 0
    assert export_objects() == {valid.storage_key}


@pytest.mark.django_db
def test_an_expired_export_cannot_be_downloaded() -> None:
    export = DataExportFactory.create()
    assert export.storage_key in exports.export_download_url(export=export)
    with pytest.raises(exports.ExportNotReady):
        exports.export_download_url(export=export, now=export.expires_at)
    with pytest.raises(exports.ExportNotReady):
        exports.export_download_url(export=DataExportFactory.create(status=Status.PENDING))


@pytest.mark.django_db
def test_reconciliation_deletes_export_objects_no_row_references() -> None:
    kept = DataExportFactory.create()
    orphan = storage.put_export(io.BytesIO(b"PK\x05\x06" + b"\x00" * 18))

    report = reconcile_storage(execute=True, min_age=timedelta(0))

    assert report.orphaned == [orphan]
    assert export_objects() == {kept.storage_key}


# --- Erased with the candidate -----------------------------------------------------------------


@pytest.mark.django_db
def test_purging_a_candidate_erases_their_export_objects_too(
    posting: Posting, recruiter: Any
) -> None:
    application = apply_as(posting, "Purged Exporter")
    built(application.candidate)
    exports.request_export(candidate=application.candidate, requested_by=recruiter)  # pending
    concluded(posting, recruiter, application)

    outcome = purge.purge_application(application.pk, now=timezone.now() + timedelta(days=1))

    assert outcome == purge.Outcome.ERASED
    assert export_objects() == set()
    assert not DataExport.objects.exists()
    assert b"Purged Exporter" not in bucket_contents()
    record = ErasureRecord.objects.get()
    assert record.objects_deleted == 2, "the CV and the export"


@pytest.mark.django_db
def test_purging_one_application_erases_the_exports_that_copy_it(recruiter: Any) -> None:
    first, second = PostingFactory.create(), PostingFactory.create()
    MembershipFactory.create(posting=first, user=recruiter, role=TeamMembership.Role.RECRUITER)
    purged = apply_as(first, "Stays Candidate")
    apply_as(second, "Stays Candidate")
    built(purged.candidate)
    concluded(first, recruiter, purged)

    assert purge.purge_application(purged.pk, now=timezone.now() + timedelta(days=1)) == "erased"

    assert Candidate.objects.filter(email="stays.candidate@example.com").exists()
    assert export_objects() == set()
    assert not DataExport.objects.exists()
    assert ErasureRecord.objects.get().objects_deleted == 2


@pytest.mark.django_db
def test_an_export_object_storage_refuses_keeps_the_application_and_is_retried(
    posting: Posting, recruiter: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    application = apply_as(posting, "Refused Export")
    export = built(application.candidate)
    concluded(posting, recruiter, application)
    client = storage._client()
    real_delete = client.delete_objects

    def refuse_the_export(**kwargs: Any) -> dict[str, Any]:
        objects = kwargs["Delete"]["Objects"]
        others = [item for item in objects if item["Key"] != export.storage_key]
        response = real_delete(**{**kwargs, "Delete": {**kwargs["Delete"], "Objects": others}})
        errors = [{"Key": export.storage_key, "Code": "InternalError", "Message": "try again"}]
        return {**response, "Errors": [*response.get("Errors", []), *errors]}

    monkeypatch.setattr(client, "delete_objects", refuse_the_export)
    later = timezone.now() + timedelta(days=1)
    assert purge.purge_application(application.pk, now=later) == purge.Outcome.FAILED
    assert DataExport.objects.filter(pk=export.pk).exists()
    assert export_objects() == {export.storage_key}
    assert not ErasureRecord.objects.exists()

    monkeypatch.setattr(client, "delete_objects", real_delete)
    assert purge.sweep(now=later + timedelta(hours=2)).erased == 1
    assert export_objects() == set() and not DataExport.objects.exists()


# --- A real worker ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
def test_a_real_worker_builds_the_export_after_commit(
    posting: Posting, celery_worker: None
) -> None:
    application = apply_as(posting, "Worker Built")

    export = exports.request_export(candidate=application.candidate)

    deadline = time.monotonic() + 30
    while export.status == Status.PENDING and time.monotonic() < deadline:
        time.sleep(0.2)
        export.refresh_from_db()
    assert export.status == Status.READY
    assert data_of(export)["profile"]["full_name"] == "Worker Built"


# --- Storage down ------------------------------------------------------------------------------


@pytest.fixture
def temp_files(monkeypatch: pytest.MonkeyPatch) -> list[IO[bytes]]:
    """Every temporary file the build opens, to check it is closed (and so gone)."""
    opened: list[IO[bytes]] = []
    real: Callable[..., IO[bytes]] = tempfile.TemporaryFile

    def recording(*args: Any, **kwargs: Any) -> IO[bytes]:
        opened.append(real(*args, **kwargs))
        return opened[-1]

    monkeypatch.setattr(exports.tempfile, "TemporaryFile", recording)
    return opened


@pytest.mark.django_db
def test_storage_down_during_a_build_leaves_no_ready_row_no_object_and_no_temp_file(
    posting: Posting, settings: Any, temp_files: list[IO[bytes]]
) -> None:
    export = exports.request_export(candidate=apply_as(posting, "Storage Down").candidate)
    working_endpoint = settings.STORAGES["cvs"]["OPTIONS"]["endpoint_url"]
    point_storage_at(settings, f"http://127.0.0.1:{devstack.free_port()}")

    with pytest.raises(storage.StorageUnavailable):
        exports.build_export(export_id=export.pk, last_attempt=False)
    export.refresh_from_db()
    assert (export.status, export.storage_key) == (Status.PENDING, ""), "left for a retry"

    exports.build_export(export_id=export.pk, last_attempt=True)
    export.refresh_from_db()
    assert (export.status, export.storage_key) == (Status.FAILED, "")

    assert len(temp_files) == 2 and all(file.closed for file in temp_files)
    point_storage_at(settings, working_endpoint)
    assert export_objects() == set()
    assert exports.delete_expired_exports() == 1, "the failed row goes at the next hourly run"


@pytest.mark.django_db
def test_an_upload_failing_part_way_leaves_no_partial_object(
    posting: Posting, monkeypatch: pytest.MonkeyPatch, temp_files: list[IO[bytes]]
) -> None:
    export = exports.request_export(candidate=apply_as(posting, "Upload Fails").candidate)
    client = storage._client()
    real_upload = client.upload_fileobj

    def upload_then_fail(fileobj: IO[bytes], bucket: str, key: str, **kwargs: Any) -> None:
        real_upload(fileobj, bucket, key, **kwargs)  # the object lands, the answer is lost
        raise EndpointConnectionError(endpoint_url="http://s3")

    monkeypatch.setattr(client, "upload_fileobj", upload_then_fail)
    with pytest.raises(storage.StorageUnavailable):
        exports.build_export(export_id=export.pk, last_attempt=False)

    assert export_objects() == set()
    assert DataExport.objects.get().status == Status.PENDING
    assert [file.closed for file in temp_files] == [True]


# --- Staff -------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_privacy_officer_produces_and_downloads_an_export_audited(
    posting: Posting, officer: Any, officer_client: Client
) -> None:
    application = apply_as(posting, "Asked By Email")

    response = officer_client.post(
        reverse("staff:application_export", kwargs={"pk": application.pk})
    )

    page = reverse("staff:application_exports", kwargs={"pk": application.pk})
    assert response.status_code == 302 and response["Location"] == page
    export = DataExport.objects.get()
    assert export.requested_by == officer
    produced = AccessEvent.objects.get(action=AccessEvent.Action.EXPORT_CANDIDATE_DATA)
    assert (produced.actor, produced.application_id) == (officer, application.pk)

    exports.build_export(export_id=export.pk)
    listing = officer_client.get(page).content.decode()
    download = reverse(
        "staff:export_download", kwargs={"pk": application.pk, "export_id": export.pk}
    )
    assert download in listing and "Asked By Email" not in listing
    response = officer_client.get(download)
    assert response.status_code == 302
    # The download name is stored with the object, not carried in the link.
    assert "my-data-" not in response["Location"]
    with urllib.request.urlopen(response["Location"], timeout=10) as link:  # noqa: S310
        assert link.headers["Content-Disposition"].startswith('attachment; filename="my-data-')
    assert response["Referrer-Policy"] == "no-referrer"
    downloaded = AccessEvent.objects.get(action=AccessEvent.Action.DOWNLOAD_CANDIDATE_EXPORT)
    assert (downloaded.actor, downloaded.application_id) == (officer, application.pk)


@pytest.mark.django_db
def test_a_recruiter_cannot_produce_or_download_an_export(
    client: Client, posting: Posting, recruiter: Any
) -> None:
    application = apply_as(posting, "Not For Recruiters")
    export = built(application.candidate)
    client.force_login(recruiter)

    produce = client.post(reverse("staff:application_export", kwargs={"pk": application.pk}))
    download = client.get(
        reverse("staff:export_download", kwargs={"pk": application.pk, "export_id": export.pk})
    )
    page = client.get(reverse("staff:application", kwargs={"pk": application.pk}))

    assert (produce.status_code, download.status_code) == (404, 404)
    assert DataExport.objects.get() == export
    assert not AccessEvent.objects.filter(
        action__in=["export_candidate_data", "download_candidate_export"]
    )
    assert "Produce data export" not in page.content.decode()


@pytest.mark.django_db
def test_an_admin_produces_the_export_from_the_application_page(
    client: Client, posting: Posting
) -> None:
    application = apply_as(posting, "Admin Page")
    client.force_login(UserFactory.create(is_superuser=True))
    url = reverse("staff:application", kwargs={"pk": application.pk})
    assert "Produce data export" in client.get(url).content.decode()

    response = client.post(
        reverse("staff:application_export", kwargs={"pk": application.pk}), {"next": url}
    )

    assert response["Location"] == url
    assert DataExport.objects.filter(candidate=application.candidate).count() == 1


@pytest.mark.django_db
def test_an_export_not_ready_is_not_downloadable(posting: Posting, officer_client: Client) -> None:
    application = apply_as(posting, "Not Ready")
    export = exports.request_export(candidate=application.candidate)

    response = officer_client.get(
        reverse("staff:export_download", kwargs={"pk": application.pk, "export_id": export.pk})
    )

    assert response.status_code == 404
    assert not AccessEvent.objects.filter(action="download_candidate_export").exists()
