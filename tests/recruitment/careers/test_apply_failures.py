"""What a candidate sees, and what is left behind, when a part of the system fails."""

import copy
import os
import signal
import threading
from collections.abc import Callable
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import OperationalError, connection
from django.test import Client
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.services import requeue_due_emails
from recruitment.careers import services as applying
from recruitment.cvs import storage
from recruitment.cvs.checks import inspect_cv
from recruitment.models import (
    Application,
    ApplicationEvent,
    Candidate,
    CurriculumVitae,
    Posting,
)
from recruitment.retention.services import restrictions
from recruitment.retention.tasks import sweep_retention
from recruitment.rights.services import self_service
from tests.factories import PostingFactory
from tests.harness.applying import apply, nothing_stored
from tests.harness.faults import (
    celery_broker,
    point_storage_at,
    private_redis,
    storage_on_private_seaweedfs,
)
from tests.harness.processes import celery_worker_running
from tests.hostile.pdf import valid_pdf
from tools import devstack


@pytest.mark.django_db
def test_storage_unreachable_gives_a_503_try_again_page_and_no_rows(
    client: Client, posting: Posting, settings: Any
) -> None:
    point_storage_at(settings, f"http://127.0.0.1:{devstack.free_port()}")
    response = apply(client, posting)

    assert response.status_code == 503
    page = response.content.decode()
    assert "We could not receive your application." in page
    assert "Please try again in a few minutes" in page
    # No rows; the autouse invariant checks the real bucket once storage is restored.
    assert not Application.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
@pytest.mark.timeout(180)
def test_storage_killed_gives_a_503_and_no_rows(
    client: Client, posting: Posting, settings: Any
) -> None:
    with storage_on_private_seaweedfs(settings) as s3:
        os.kill(s3.pid, signal.SIGKILL)
        response = apply(client, posting)

    assert response.status_code == 503
    assert not Application.objects.exists()
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_database_failure_after_upload_deletes_the_object_again(
    client: Client, posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    uploaded: list[str] = []
    real_put = storage.put_cv

    def put_and_remember(*args: Any, **kwargs: Any) -> str:
        uploaded.append(real_put(*args, **kwargs))
        return uploaded[-1]

    def database_down(**kwargs: Any) -> Application:
        raise OperationalError("connection lost")

    monkeypatch.setattr(storage, "put_cv", put_and_remember)
    monkeypatch.setattr(applying, "_record_application", database_down)
    response = apply(client, posting)

    assert response.status_code == 503
    assert len(uploaded) == 1, "the CV reached storage before the database failed"
    assert nothing_stored(), "the compensation deleted the object"


@pytest.mark.django_db
def test_a_database_failure_once_the_application_is_saved_keeps_it_and_the_sweep_freezes_it(
    client: Client, posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows commit, then checking for a restriction fails: the application stands with
    its CV (it used to be answered "not saved" with its object deleted under its row), and
    the retention sweep freezes it before it could be purged."""
    earlier = PostingFactory.create()
    assert apply(client, earlier, email="returning@example.com").status_code == 302
    self_service.restrict_processing(
        candidate=Candidate.objects.get(email="returning@example.com"), details=""
    )

    def database_down(candidate_id: Any) -> list[Application]:
        raise OperationalError("connection lost")

    with monkeypatch.context() as patched:
        patched.setattr(restrictions, "freeze_if_requested", database_down)
        response = apply(client, posting, email="returning@example.com")

    assert response.status_code == 302  # saved, and told so
    application = Application.objects.get(posting=posting)
    assert not application.restricted
    stored = {key for key, _ in storage.iter_cv_objects()}
    assert set(CurriculumVitae.objects.values_list("storage_key", flat=True)) <= stored

    assert sweep_retention() == {"frozen": 1, "erased": 0, "failed": 0, "skipped": 0}
    application.refresh_from_db()
    assert application.restricted
    assert application.events.filter(kind=ApplicationEvent.Kind.RESTRICTED).count() == 1
    assert sweep_retention()["frozen"] == 0  # rerun-safe


@pytest.mark.django_db
def test_reconcile_storage_finds_and_deletes_objects_no_row_references(
    client: Client, posting: Posting, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    # Given: one real application, and one orphan left by a failed compensation.
    assert apply(client, posting).status_code == 302
    kept = CurriculumVitae.objects.get().storage_key

    def database_down(**kwargs: Any) -> Application:
        raise OperationalError("connection lost")

    def storage_down_for_deletes(keys: Any) -> list[str]:
        raise storage.StorageUnavailable

    with monkeypatch.context() as patch:
        patch.setattr(applying, "_record_application", database_down)
        patch.setattr(storage, "delete_keys", storage_down_for_deletes)
        assert apply(client, posting, email="orphan@example.com").status_code == 503
    orphans = {key for key, _ in storage.iter_cv_objects()} - {kept}
    assert len(orphans) == 1

    # When: a dry run, then an executed run.
    call_command("reconcile_storage", "--min-age-minutes=0")
    dry_run = capsys.readouterr().out
    assert "1 orphaned" in dry_run and orphans.pop() in dry_run
    assert len(list(storage.iter_cv_objects())) == 2, "a dry run deletes nothing"

    call_command("reconcile_storage", "--min-age-minutes=0", "--execute")
    assert "Deleted 1 objects." in capsys.readouterr().out
    # Then: only the referenced object is left.
    assert [key for key, _ in storage.iter_cv_objects()] == [kept]


@pytest.mark.django_db
def test_reconcile_storage_ignores_recent_uploads_that_may_still_be_committing(
    capsys: Any,
) -> None:
    from io import BytesIO

    key = storage.put_cv(BytesIO(b"%PDF-in-flight"), content_type="application/pdf")
    try:
        call_command("reconcile_storage", "--execute")  # default: older than 60 minutes
        assert "0 orphaned" in capsys.readouterr().out
        assert key in {k for k, _ in storage.iter_cv_objects()}
    finally:
        storage.delete_keys([key])


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
def test_frozen_broker_the_application_is_saved_and_the_email_follows_when_it_is_back(
    client: Client, posting: Posting, smtp_mailbox: Any, unique_email: Any, caplog: Any
) -> None:
    address = unique_email("frozen-broker")
    with private_redis() as redis, celery_broker(redis.url):
        os.kill(redis.pid, signal.SIGSTOP)
        try:
            # Socket timeouts make this return instead of hanging (pytest-timeout guards it).
            response = apply(client, posting, email=address)
        finally:
            os.kill(redis.pid, signal.SIGCONT)

        assert response.status_code == 302
        assert "not enqueued" in caplog.text, "the publish must have failed on the frozen broker"
        application = Application.objects.get()
        email = OutboundEmail.objects.get(subject_ref=application.id)
        assert email.status == OutboundEmail.Status.PENDING
        assert smtp_mailbox.messages_to(address) == []

        # The broker is back: the outbox sweep re-enqueues and a real worker delivers.
        OutboundEmail.objects.update(next_attempt_at=timezone.now())
        with celery_worker_running():
            assert requeue_due_emails() == 1
            delivered = smtp_mailbox.wait_for(address)

    assert len(delivered) == 1
    assert posting.title in str(delivered[0]["Subject"])
    email.refresh_from_db()
    assert email.status == OutboundEmail.Status.SENT


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_broker_down_the_application_is_saved_with_its_email_pending(
    client: Client, posting: Posting, caplog: Any
) -> None:
    with celery_broker(f"redis://127.0.0.1:{devstack.free_port()}/0"):
        response = apply(client, posting)
    assert response.status_code == 302
    assert "not enqueued" in caplog.text
    application = Application.objects.get()
    email = OutboundEmail.objects.get(subject_ref=application.id)
    assert email.status == OutboundEmail.Status.PENDING
    assert email.next_attempt_at > timezone.now() - timedelta(minutes=5)


@pytest.mark.django_db
def test_rate_limit_cache_down_lets_candidates_apply(
    client: Client, posting: Posting, settings: Any
) -> None:
    caches = copy.deepcopy(settings.CACHES)
    caches["default"]["LOCATION"] = f"redis://127.0.0.1:{devstack.free_port()}/0"
    settings.CACHES = caches
    assert apply(client, posting).status_code == 302


def submit_as(posting: Posting, *, email: str, phone: str = "") -> Application:
    pdf = valid_pdf()
    return applying.submit_application(
        posting=posting,
        applicant=applying.ApplicantData(
            full_name="Race Condition",
            email=email,
            phone=phone,
            cover_letter="",
            consents_to_talent_pool=False,
            language="en",
        ),
        cv=BytesIO(pdf),
        cv_filename="cv.pdf",
        inspected=inspect_cv(BytesIO(pdf), max_bytes=len(pdf)),
    )


def race(monkeypatch: pytest.MonkeyPatch, *submissions: Callable[[], Application]) -> list[Any]:
    """Runs the submissions on threads of their own, each writing its rows only once every
    one has uploaded its CV (so none has committed yet); what each returned or raised."""
    barrier = threading.Barrier(len(submissions), timeout=20)
    real_record = applying._record_application

    def record_after_all_uploaded(**kwargs: Any) -> tuple[Application, bool]:
        barrier.wait()
        return real_record(**kwargs)

    monkeypatch.setattr(applying, "_record_application", record_after_all_uploaded)
    outcomes: list[Any] = []

    def run(submission: Callable[[], Application]) -> None:
        try:
            outcomes.append(submission())
        except Exception as exc:  # the caller's assertions show which
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(submission,)) for submission in submissions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_concurrent_duplicate_submissions_keep_one_application_and_one_object(
    posting: Posting, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Both submissions write their rows before either has committed, so the database's
    # unique constraint must decide, and the loser must remove its object.
    outcomes = race(
        monkeypatch,
        lambda: submit_as(posting, email="race@example.com"),
        lambda: submit_as(posting, email="race@example.com"),
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == [
        "Application",
        "DuplicateApplication",
    ]
    assert Application.objects.count() == 1
    assert len(list(storage.iter_cv_objects())) == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(60)
def test_concurrent_first_applications_from_one_address_make_one_person(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Two postings, one new address: both transactions insert the person before either
    # commits, so the upsert must let the second take the first's row.
    first, second = PostingFactory.create(), PostingFactory.create()
    outcomes = race(
        monkeypatch,
        lambda: submit_as(first, email="first@example.com", phone="+1 111"),
        lambda: submit_as(second, email="first@example.com", phone="+2 222"),
    )

    assert all(isinstance(outcome, Application) for outcome in outcomes), outcomes
    candidate = Candidate.objects.get()
    assert {outcome.candidate_id for outcome in outcomes} == {candidate.pk}
    assert candidate.phone in {"+1 111", "+2 222"}  # the first one's, kept
    assert sorted(candidate.applications.values_list("phone", flat=True)) == ["+1 111", "+2 222"]
