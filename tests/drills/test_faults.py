"""Fault drills: real services killed or frozen by PID while the app works, then the
invariants (tests/drills/invariants.py) prove nothing was half-done, duplicated or lost.

Each drill runs on private instances (tests/harness/faults.py), so the shared services of the
session are never disturbed, and each is bounded by its own timeout.
"""

import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import timedelta
from typing import Any
from uuid import UUID

import pytest
from django.db import OperationalError, close_old_connections, connection
from django.test import Client
from django.utils import timezone

from notifications.models import OutboundEmail
from notifications.services import requeue_due_emails
from recruitment.cvs import storage
from recruitment.models import (
    Application,
    CurriculumVitae,
    ErasureRecord,
    Posting,
    TeamMembership,
)
from recruitment.retention.services import purge
from recruitment.retention.services.reconciliation import reconcile_storage
from tests.drills.invariants import check_invariants
from tests.factories import MembershipFactory, PostingFactory
from tests.harness.applying import apply
from tests.harness.faults import (
    celery_broker,
    database_on_restartable_postgres,
    private_redis,
    storage_on_private_seaweedfs,
    storage_on_restartable_seaweedfs,
)
from tests.harness.processes import app_env, celery_worker_process, celery_worker_running
from tests.recruitment.retention.test_retention_faults import _row_is_locked, concluded

pytestmark = [pytest.mark.drill, pytest.mark.django_db(transaction=True)]

NOT_RECEIVED = "We could not receive your application."


def submit_concurrently(
    posting: Posting, emails: list[str], *, threads: int, after_each: Callable[[int], None]
) -> list[Any]:
    """Submits one application per address through the view, from `threads` clients;
    `after_each(done)` runs (under a lock) after each response, to inject the fault."""
    lock = threading.Lock()
    done = [0]

    def submit(email: str) -> Any:
        try:
            response = apply(Client(), posting, email=email)
        finally:
            connection.close()
        with lock:
            done[0] += 1
            after_each(done[0])
        return response

    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(submit, emails))


def saved_ids() -> dict[str, UUID]:
    return dict(Application.objects.values_list("candidate__email", "pk"))


def forget_private_objects() -> None:
    """Before the private store goes: delete its objects and the rows pointing at them, so
    the session's own CV-objects==rows check (on the shared bucket) stays meaningful."""
    storage.delete_keys([key for key, _ in storage.iter_cv_objects()])
    CurriculumVitae.objects.all().delete()


# --- Object storage --------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_storage_killed_during_submissions_then_restarted(
    posting: Posting, settings: Any, unique_email: Any
) -> None:
    settings.APPLY_RATE_LIMIT = "100000/3600"
    emails = [unique_email("s3-killed") for _ in range(40)]
    with storage_on_restartable_seaweedfs(settings) as s3:

        def kill_after_ten(done: int) -> None:
            if done == 10:
                s3.kill()

        responses = submit_concurrently(posting, emails, threads=6, after_each=kill_after_ten)
        statuses = [r.status_code for r in responses]
        assert set(statuses) <= {302, 503}, statuses
        assert statuses.count(302) >= 10 and statuses.count(503) >= 20, statuses
        for response in responses:
            if response.status_code == 503:
                assert NOT_RECEIVED in response.content.decode()
        accepted = {e for e, r in zip(emails, responses, strict=True) if r.status_code == 302}
        saved = saved_ids()
        assert set(saved) == accepted, "a row for every 302, none for a 503"

        s3.start()  # the same data and endpoint, as after an orchestrator's restart
        # An upload the store completed as it died leaves an object whose rows rolled back,
        # and the compensating delete could not reach the store: the reconciliation (run by
        # beat) removes those. Every submission has ended, so none is too young to judge.
        report = reconcile_storage(execute=True, min_age=timedelta(0))
        assert len(report.orphaned) <= statuses.count(503), "only refused submissions'"
        assert report.not_deleted == []
        check_invariants(survivors=saved.values())
        late = unique_email("s3-back")
        assert apply(Client(), posting, email=late).status_code == 302
        check_invariants(survivors=saved_ids().values())
        forget_private_objects()


@pytest.mark.timeout(120)
def test_storage_killed_during_a_purge_is_retried_after_restart_with_one_record_each(
    posting: Posting, recruiter: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings.RETENTION_BATCH_SIZE = 2
    names = [f"Purge Drill {n}" for n in range(6)]
    with storage_on_restartable_seaweedfs(settings) as s3:
        applications = concluded(posting, recruiter, *names)
        ids = [a.pk for a in applications]
        real_erase = storage.erase_objects
        calls = [0]

        def killed_at_second_batch(keys: list[str], *, client: Any = None) -> set[str]:
            calls[0] += 1
            if calls[0] == 2:
                s3.kill()  # the first batch is erased; storage dies under the second
            return real_erase(keys, client=client)

        monkeypatch.setattr(storage, "erase_objects", killed_at_second_batch)
        later = timezone.now() + timedelta(days=1)
        first = purge.sweep(now=later)
        assert (first.erased, first.failed) == (2, 4)
        erased = set(ErasureRecord.objects.values_list("application_id", flat=True))
        remaining = set(ids) - erased
        assert Application.objects.filter(pk__in=remaining).count() == 4, "their rows stay"
        assert all(
            a.purge_failures == 1 and a.purge_last_error == "StorageUnavailable"
            for a in Application.objects.all()
        )
        # While storage is down the sweep retries nothing early and erases nothing.
        assert purge.sweep(now=later + timedelta(seconds=30)).erased == 0

        s3.start()
        check_invariants(survivors=remaining, purged=erased, confirmations=False)
        report = purge.sweep(now=later + timedelta(minutes=5))
        assert (report.erased, report.failed) == (4, 0)
        check_invariants(purged=ids, purged_data=names, confirmations=False)
        assert calls[0] >= 4


# --- PostgreSQL ------------------------------------------------------------------------------


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "shutdown", [signal.SIGINT, signal.SIGQUIT], ids=["fast-shutdown", "immediate-shutdown"]
)
def test_postgres_restarted_mid_purge_the_next_sweep_completes_with_one_record_each(
    settings: Any, monkeypatch: pytest.MonkeyPatch, shutdown: int
) -> None:
    """The PostgreSQL server itself, a private cluster (the shared one serves the other xdist
    worker), is restarted by PID while storage erases a purge's objects: stopped "fast"
    (sessions terminated, as `pg_ctl restart` does) or "immediate" (as a crash; recovery from
    the WAL on start), then started on the same data and port. The purge's transaction dies
    with its session and is rolled back, the objects are gone already, and the next sweep, on
    a fresh connection, finishes the job: one record each, nothing personal left."""
    names = [f"Restarted Purge {n}" for n in range(3)]
    with database_on_restartable_postgres() as db, storage_on_private_seaweedfs(settings):
        posting = PostingFactory.create()
        recruiter = MembershipFactory.create(
            posting=posting, role=TeamMembership.Role.RECRUITER
        ).user
        applications = concluded(posting, recruiter, *names)
        ids = [a.pk for a in applications]
        real_background = storage.erase_objects_in_background
        stopped: list[int] = []

        def restart_once_the_objects_are_gone(keys: list[str]) -> "Future[set[str]]":
            future = real_background(keys)
            if not stopped:
                assert future.result(timeout=30) == set(), "every object erased"
                stopped.append(db.pid)
                db.restart(shutdown)  # the purge's transaction is open, its rows not deleted
            return future

        monkeypatch.setattr(
            storage, "erase_objects_in_background", restart_once_the_objects_are_gone
        )
        later = timezone.now() + timedelta(days=1)
        with pytest.raises(OperationalError):
            purge.purge_batch(ids, now=later)
        assert stopped and db.pid != stopped[0], "a new postmaster serves the same data"
        # No explicit close is needed here: atomic() could not roll back on the dead
        # connection, so it dropped it and connected afresh on its way out (Atomic.__exit__:
        # close(), then set_autocommit), to the server that is back by now.

        # Rolled back: every row is still there, nothing is recorded as erased.
        assert Application.objects.filter(pk__in=ids).count() == 3
        assert not ErasureRecord.objects.exists()
        assert list(storage.iter_cv_objects()) == [], "the objects went before the rows"

        # Restarted again while this connection sits idle. A Celery worker closes its
        # connections around every task (its Django fixup), but a web process keeps its own
        # between requests (CONN_MAX_AGE; erase_now purges from a view) and, before the next
        # request, drops it only if an error occurred on it or it expired
        # (close_old_connections). Neither is the case, so it is kept, dead; the health check
        # at the first query (CONN_HEALTH_CHECKS) finds it so and connects afresh. Without
        # the health check, the sweep below fails on its first query.
        db.restart(shutdown)
        close_old_connections()
        assert connection.connection is not None, "kept (CONN_MAX_AGE), for the health check"
        report = purge.sweep(now=later + timedelta(minutes=1))
        assert (report.erased, report.failed) == (3, 0)
        check_invariants(purged=ids, purged_data=names, confirmations=False)


# --- Redis (broker) --------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_redis_frozen_then_killed_during_submissions_every_email_follows_when_it_is_back(
    posting: Posting, settings: Any, smtp_mailbox: Any, unique_email: Any
) -> None:
    settings.APPLY_RATE_LIMIT = "100000/3600"
    emails = [unique_email("redis-drill") for _ in range(24)]
    with private_redis() as broker, celery_broker(broker.url):

        def freeze_then_kill(done: int) -> None:
            if done == 6:
                os.kill(broker.pid, signal.SIGSTOP)
            elif done == 14:
                os.kill(broker.pid, signal.SIGKILL)  # with what it held: nothing persisted

        responses = submit_concurrently(posting, emails, threads=4, after_each=freeze_then_kill)

    assert [r.status_code for r in responses] == [302] * len(emails)
    saved = saved_ids()
    assert set(saved) == set(emails)
    # No worker ran and the broker's messages died with it: the outbox holds every email.
    assert OutboundEmail.objects.filter(status=OutboundEmail.Status.PENDING).count() == 24
    check_invariants(survivors=saved.values())

    # Redis is back (a fresh instance, as after a restart without persistence).
    with private_redis() as back, celery_broker(back.url), celery_worker_running():
        OutboundEmail.objects.update(next_attempt_at=timezone.now())
        assert requeue_due_emails() == 24
        deadline = time.monotonic() + 30
        for email in emails:
            left = max(deadline - time.monotonic(), 0.1)
            assert len(smtp_mailbox.wait_for(email, timeout=left)) == 1, email
    assert OutboundEmail.objects.exclude(status=OutboundEmail.Status.SENT).count() == 0
    check_invariants(survivors=saved.values())


# --- A Celery worker -------------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_worker_sigkilled_mid_purge_the_next_sweep_erases_each_once(
    posting: Posting, recruiter: Any, settings: Any
) -> None:
    """A real `celery -A ats worker` subprocess is caught inside a purge batch (storage
    frozen under it) and SIGKILLed: PostgreSQL rolls its transaction back, and the next
    sweep erases every application exactly once, the locked batch and the others."""
    from ats.celery import app

    names = [f"Worker Killed {n}" for n in range(4)]
    with storage_on_private_seaweedfs(settings) as s3, private_redis() as broker:
        applications = concluded(posting, recruiter, *names)
        ids = [a.pk for a in applications]
        env = app_env(settings, REDIS_URL=broker.url, ATS_RETENTION_BATCH_SIZE="2")
        os.kill(s3.pid, signal.SIGSTOP)
        try:
            with celery_worker_process(env) as worker:
                with celery_broker(broker.url):
                    app.send_task("recruitment.sweep_retention")
                deadline = time.monotonic() + 60
                while not any(_row_is_locked(pk) for pk in ids) and time.monotonic() < deadline:
                    assert worker.poll() is None, "the worker died on its own"
                    time.sleep(0.2)
                locked = [pk for pk in ids if _row_is_locked(pk)]
                assert len(locked) == 2, "the worker holds its first batch, in the purge"
                worker.kill()
                worker.wait(timeout=10)
        finally:
            os.kill(s3.pid, signal.SIGCONT)

        deadline = time.monotonic() + 30
        while any(_row_is_locked(pk) for pk in ids) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert Application.objects.filter(pk__in=ids).count() == 4, "rolled back, not half-done"
        assert not ErasureRecord.objects.exists()
        check_invariants(survivors=ids, confirmations=False)

        later = timezone.now() + timedelta(minutes=5)
        assert purge.sweep(now=later).erased == 4
        assert purge.sweep(now=later + timedelta(minutes=5)).erased == 0, "rerun-safe"
        check_invariants(purged=ids, purged_data=names, confirmations=False)
