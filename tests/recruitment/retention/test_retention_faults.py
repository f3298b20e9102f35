"""Retention under faults: nothing is reported erased early, nothing is left behind."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings as django_settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from notifications.models import OutboundEmail
from recruitment.access import Actor
from recruitment.cvs import storage
from recruitment.models import (
    Application,
    ApplicationEvent,
    ApplicationStatistic,
    ErasureRecord,
    Posting,
)
from recruitment.pipeline.services import stages as pipeline
from recruitment.retention.services import ledger, purge, restrictions
from recruitment.rights.services import requests, self_service
from tests.harness.applying import apply_as
from tests.harness.faults import celery_broker, private_redis, storage_on_private_seaweedfs

ROOT = Path(__file__).resolve().parents[3]


def concluded(posting: Posting, recruiter: Any, *names: str) -> list[Application]:
    applications = [apply_as(posting, name) for name in names]
    for application in applications:
        pipeline.move_application(
            application_id=application.pk, to_stage="unsuccessful", actor=Actor(user=recruiter)
        )
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    OutboundEmail.objects.all().delete()  # the notices are out; purges need not wait
    return applications


@pytest.mark.django_db
def test_a_partial_delete_objects_failure_keeps_the_rows_and_is_retried(
    posting: Posting, recruiter: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    [application] = concluded(posting, recruiter, "Partial Failure")
    client = storage._client()
    real_delete = client.delete_objects

    def one_key_refused(**kwargs: Any) -> dict[str, Any]:
        # Real S3 reports per-key failures inside a 200 response.
        keys = [item["Key"] for item in kwargs["Delete"]["Objects"]]
        return {"Errors": [{"Key": keys[0], "Code": "InternalError", "Message": "try again"}]}

    monkeypatch.setattr(client, "delete_objects", one_key_refused)
    later = timezone.now() + timedelta(days=1)
    assert purge.purge_application(application.pk, now=later) == purge.Outcome.FAILED
    assert Application.objects.filter(pk=application.pk).exists()
    assert not ErasureRecord.objects.exists()

    monkeypatch.setattr(client, "delete_objects", real_delete)
    assert purge.sweep(now=later + timedelta(hours=2)).erased == 1
    assert ErasureRecord.objects.filter(application_id=application.pk).count() == 1


@pytest.mark.django_db
def test_in_a_batch_only_the_application_whose_object_stayed_keeps_its_rows(
    posting: Posting, recruiter: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rows are deleted while storage works; a refused key undoes only its own."""
    refused, erased = concluded(posting, recruiter, "Refused Key", "Erased Key")
    refused_key = refused.cvs.get().storage_key
    client = storage._client()
    real_delete = client.delete_objects

    def refuse_one_key(**kwargs: Any) -> dict[str, Any]:
        objects = kwargs["Delete"]["Objects"]
        others = [item for item in objects if item["Key"] != refused_key]
        response = real_delete(**{**kwargs, "Delete": {**kwargs["Delete"], "Objects": others}})
        errors = [{"Key": refused_key, "Code": "InternalError", "Message": "try again"}]
        return {**response, "Errors": [*response.get("Errors", []), *errors]}

    monkeypatch.setattr(client, "delete_objects", refuse_one_key)
    later = timezone.now() + timedelta(days=1)
    outcomes = purge.purge_batch([refused.pk, erased.pk], now=later)

    assert outcomes == {refused.pk: purge.Outcome.FAILED, erased.pk: purge.Outcome.ERASED}
    assert not Application.objects.filter(pk=erased.pk).exists()
    kept = Application.objects.get(pk=refused.pk)
    assert (kept.purge_failures, kept.cvs.count(), kept.events.exists()) == (1, 1, True)
    assert storage.read_object(refused_key).startswith(b"%PDF")
    assert list(ErasureRecord.objects.values_list("application_id", flat=True)) == [erased.pk]
    # The anonymous statistics count the erased one once, not the one that stayed.
    assert sum(ApplicationStatistic.objects.values_list("count", flat=True)) == 1
    assert ledger.verify().ok

    monkeypatch.setattr(client, "delete_objects", real_delete)
    assert purge.sweep(now=later + timedelta(hours=2)).erased == 1
    assert sum(ApplicationStatistic.objects.values_list("count", flat=True)) == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
def test_purges_queued_in_a_flushed_redis_are_caught_by_the_sweep(
    posting: Posting, recruiter: Any
) -> None:
    with private_redis() as broker, celery_broker(broker.url):
        applications = concluded(posting, recruiter, "Flushed One", "Flushed Two")
        # The conclusion enqueued its posting sweep in this broker; it is lost with a flush.
        redis.Redis.from_url(broker.url).flushall()
    assert Application.objects.filter(pk__in=[a.pk for a in applications]).count() == 2

    # The database, not the broker, is the source of truth: the next beat sweep erases them.
    report = purge.sweep(now=timezone.now() + timedelta(minutes=1))
    assert report.erased == 2
    assert ledger.verify().ok


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(180)
def test_a_worker_killed_mid_purge_leaves_it_for_the_next_sweep_with_one_record(
    posting: Posting, recruiter: Any, settings: Any
) -> None:
    options = settings.STORAGES["cvs"]["OPTIONS"]
    with storage_on_private_seaweedfs(settings) as s3, private_redis() as broker:
        [application] = concluded(posting, recruiter, "Killed Mid Purge")
        db = connection.settings_dict
        worker_env = {
            **os.environ,
            "DATABASE_URL": (
                f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
            ),
            "REDIS_URL": broker.url,
            "S3_ENDPOINT_URL": s3.url,
            "S3_BUCKET": options["bucket_name"],
        }
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "ats",
                "worker",
                "--pool=solo",
            ],
            cwd=ROOT,
            env=worker_env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            # Freeze storage so the worker is caught inside the purge, holding the row lock.
            os.kill(s3.pid, signal.SIGSTOP)
            with celery_broker(broker.url):
                from ats.celery import app

                app.send_task("recruitment.sweep_retention")
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not _row_is_locked(application.pk):
                time.sleep(0.2)
            assert _row_is_locked(application.pk), "the worker never reached the purge"
            worker.kill()  # SIGKILL: no cleanup, no rollback of its own
            worker.wait(timeout=10)
        finally:
            os.kill(s3.pid, signal.SIGCONT)
            if worker.poll() is None:
                worker.kill()

        # PostgreSQL rolled the dead worker's transaction back: nothing is half-deleted.
        deadline = time.monotonic() + 30
        while _row_is_locked(application.pk) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert Application.objects.filter(pk=application.pk).exists()
        assert not ErasureRecord.objects.exists()

        report = purge.sweep(now=timezone.now() + timedelta(minutes=5))
        assert report.erased == 1
        assert ErasureRecord.objects.filter(application_id=application.pk).count() == 1
        assert list(storage.iter_cv_objects()) == []
    assert django_settings.STORAGES  # restored by the settings fixture


def _row_is_locked(application_id: Any) -> bool:
    """True while another transaction holds the application row's lock (the purge does)."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM recruitment_application WHERE id = %s FOR UPDATE NOWAIT",
                [application_id],
            )
    except OperationalError:
        return True
    return False


@pytest.mark.django_db
def test_an_unexpected_error_in_one_purge_does_not_stop_the_sweep(
    posting: Posting, recruiter: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken, fine = concluded(posting, recruiter, "Broken Purge", "Fine Purge")
    real_delete_rows = purge._delete_rows_batch

    def fails_with_one(applications: list[Application]) -> dict[Any, dict[str, int]]:
        if any(application.pk == broken.pk for application in applications):
            raise RuntimeError("a bug")
        return real_delete_rows(applications)

    monkeypatch.setattr(purge, "_delete_rows_batch", fails_with_one)
    report = purge.sweep(now=timezone.now() + timedelta(days=1))

    assert (report.erased, report.failed) == (1, 1)
    assert not Application.objects.filter(pk=fine.pk).exists()
    broken.refresh_from_db()
    assert broken.purge_failures == 1 and broken.purge_last_error == "RuntimeError"
    assert not ErasureRecord.objects.filter(application_id=broken.pk).exists()
    # Its CV object went first; its rows remain, and the next sweep completes the erasure.
    monkeypatch.setattr(purge, "_delete_rows_batch", real_delete_rows)
    assert purge.sweep(now=timezone.now() + timedelta(days=2)).erased == 1
    assert not Application.objects.filter(pk=broken.pk).exists()


@pytest.mark.django_db
@pytest.mark.timeout(120)
def test_in_a_versioned_bucket_every_version_of_a_cv_is_erased(
    posting: Posting, recruiter: Any, settings: Any
) -> None:
    with storage_on_private_seaweedfs(settings):
        client = storage._client()
        bucket = settings.STORAGES["cvs"]["OPTIONS"]["bucket_name"]
        client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        [application] = concluded(posting, recruiter, "Versioned Person")
        key = application.cvs.get().storage_key
        # An older version of the same key, as a replaced upload would leave behind.
        client.put_object(Bucket=bucket, Key=key, Body=b"%PDF-1.7 Versioned Person old copy")
        assert len(list(storage.iter_all_object_versions())) == 2

        assert purge.sweep(now=timezone.now() + timedelta(days=1)).erased == 1

        listing = client.list_object_versions(Bucket=bucket)
        assert listing.get("Versions", []) == []
        assert listing.get("DeleteMarkers", []) == []
        record = ErasureRecord.objects.get(application_id=application.pk)
        assert record.objects_deleted == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(120)
def test_a_consent_arriving_during_a_purge_is_refused_never_recorded_for_gone_data(
    posting: Posting, recruiter: Any, settings: Any
) -> None:
    import threading

    from recruitment.models import Candidate, RetentionConsent
    from recruitment.retention.services import consents

    with storage_on_private_seaweedfs(settings) as s3:
        [application] = concluded(posting, recruiter, "Late Consent")
        candidate = Candidate.objects.get(pk=application.candidate_id)
        outcomes: dict[str, Any] = {}

        def run_purge() -> None:
            try:
                outcomes["purge"] = purge.purge_application(
                    application.pk, now=timezone.now() + timedelta(days=1)
                )
            finally:
                connection.close()

        def consent() -> None:
            try:
                consents.give_consent(candidate=candidate, language="en", channel="portal")
                outcomes["consent"] = "recorded"
            except consents.ConsentRefused as refused:
                outcomes["consent"] = str(refused.message)
            finally:
                connection.close()

        os.kill(s3.pid, signal.SIGSTOP)  # the purge holds the row lock, waiting on storage
        purger = threading.Thread(target=run_purge)
        purger.start()
        deadline = time.monotonic() + 30
        while not _row_is_locked(application.pk) and time.monotonic() < deadline:
            time.sleep(0.1)
        consenter = threading.Thread(target=consent)
        consenter.start()
        time.sleep(1)
        assert consenter.is_alive(), "the consent waits for the purge's lock"
        os.kill(s3.pid, signal.SIGCONT)
        purger.join(timeout=60)
        consenter.join(timeout=60)

    assert outcomes["purge"] == purge.Outcome.ERASED
    assert "already been deleted" in outcomes["consent"]
    assert not RetentionConsent.objects.exists()
    assert not Application.objects.exists()


@pytest.mark.django_db
def test_a_consent_given_before_the_purge_wins_and_the_purge_skips(
    posting: Posting, recruiter: Any
) -> None:
    from recruitment.models import Candidate
    from recruitment.retention.services import consents

    [application] = concluded(posting, recruiter, "Early Consent")
    consents.give_consent(
        candidate=Candidate.objects.get(pk=application.candidate_id),
        language="en",
        channel="portal",
    )
    later = timezone.now() + timedelta(days=1)
    assert purge.purge_application(application.pk, now=later) == purge.Outcome.NOT_DUE
    assert Application.objects.filter(pk=application.pk).exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.timeout(90)
def test_withdrawing_consent_after_conclusion_erases_at_once_through_a_worker(
    posting: Posting, recruiter: Any, celery_worker: None
) -> None:
    from recruitment.models import RetentionConsent
    from recruitment.retention.services import consents

    application = apply_as(posting, "Withdraws Later", consent=True)
    pipeline.move_application(
        application_id=application.pk, to_stage="unsuccessful", actor=Actor(user=recruiter)
    )
    pipeline.conclude_process(posting=posting, actor=Actor(user=recruiter))
    time.sleep(1)
    assert Application.objects.filter(pk=application.pk).exists(), "kept with consent"
    OutboundEmail.objects.all().delete()  # the "kept with your consent" notice is out

    consents.withdraw_consent(consent=RetentionConsent.objects.get())

    deadline = time.monotonic() + 30
    while Application.objects.filter(pk=application.pk).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not Application.objects.filter(pk=application.pk).exists()
    assert ErasureRecord.objects.get(application_id=application.pk).reason == "process_concluded"


@pytest.mark.django_db
def test_the_sweep_freezes_only_what_an_open_restriction_request_covers(
    posting: Posting, superuser_actor: Actor
) -> None:
    """A freeze lost after an application committed (the database failed just then) is
    made good by the sweep, for open restriction requests only."""
    open_ = apply_as(posting, "Still Restricted")
    closed = apply_as(posting, "Once Restricted")
    other = apply_as(posting, "Never Restricted")
    self_service.restrict_processing(candidate=open_.candidate, details="")
    request = self_service.restrict_processing(candidate=closed.candidate, details="")
    requests.resolve_request(request=request, resolution="Answered.", actor=superuser_actor)
    Application.objects.filter(pk=open_.pk).update(restricted=False)  # the lost freeze

    assert restrictions.freeze_requested() == 1
    assert restrictions.freeze_requested() == 0
    assert set(Application.objects.filter(restricted=True)) == {open_}
    assert closed.events.filter(kind=ApplicationEvent.Kind.RESTRICTED).count() == 1  # none new
    assert not other.events.filter(kind=ApplicationEvent.Kind.RESTRICTED).exists()
