"""Exports and the purge on real PostgreSQL, two connections at once (issue 16, defect 11):
building an export takes the purge's lock (the person's application rows, by pk), so no
interleaving leaves a ready export that still holds erased data."""

import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from recruitment.cvs import storage
from recruitment.models import Application, DataExport, Posting, TeamMembership
from recruitment.retention.services import purge
from recruitment.rights.services import exports
from tests.factories import MembershipFactory, PostingFactory
from tests.harness.applying import apply_as, concluded
from tests.harness.rights import data_of


def _wait_until(condition: Callable[[], bool], *, what: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    pytest.fail(f"timed out waiting until {what}")


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE wait_event_type = 'Lock' AND datname = current_database()"
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def _in_thread(target: Callable[[], None], outcome: dict[str, Any], name: str) -> threading.Thread:
    def run() -> None:
        try:
            target()
            outcome[name] = "done"
        except BaseException as exc:  # reported by the test, not lost in the thread
            outcome[name] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


def _assert_no_ready_export_holds_erased_data() -> None:
    existing = {str(pk) for pk in Application.objects.values_list("pk", flat=True)}
    for export in DataExport.objects.filter(status=DataExport.Status.READY):
        exported = {entry["id"] for entry in data_of(export)["applications"]}
        assert exported <= existing, "a ready export holds an erased application"


@pytest.fixture
def two_postings_one_person() -> tuple[Posting, Application, Application, Any]:
    """A person with an application in each of two postings; the first posting's is
    unsuccessful and its process concluded, so the purge erases it and keeps the person."""
    first, second = PostingFactory.create(), PostingFactory.create()
    recruiter = MembershipFactory.create(posting=first, role=TeamMembership.Role.RECRUITER).user
    erased = apply_as(first, "Racing Exporter")
    kept = apply_as(second, "Racing Exporter")
    concluded(first, recruiter, erased)
    return first, erased, kept, recruiter


@pytest.mark.django_db(transaction=True)
def test_an_export_asked_for_during_a_purge_waits_and_holds_none_of_the_erased_data(
    two_postings_one_person: tuple[Posting, Application, Application, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _posting, erased, kept, _recruiter = two_postings_one_person
    purging, release = threading.Event(), threading.Event()
    real_erase = storage.erase_objects_in_background

    def erase_when_released(keys: list[str]) -> Any:
        # The purge holds its locks (the application rows, the exports it found) here.
        purging.set()
        release.wait(timeout=30)
        return real_erase(keys)

    monkeypatch.setattr(storage, "erase_objects_in_background", erase_when_released)
    outcome: dict[str, Any] = {}

    def purge_it() -> None:
        outcome["purged"] = purge.purge_application(
            erased.pk, now=timezone.now() + timedelta(days=1)
        )

    def export_it() -> None:
        export = exports.request_export(candidate=kept.candidate)
        exports.build_export(export_id=export.pk)

    purger = _in_thread(purge_it, outcome, "purger")
    assert purging.wait(timeout=30)
    exporter = _in_thread(export_it, outcome, "exporter")
    # Either the export waits for the purge's lock (the fix), or it runs to the end
    # meanwhile (the defect): both are let through, and the outcome decides.
    _wait_until(
        lambda: not exporter.is_alive() or _someone_waits_for_a_lock(),
        what="the export finished or waited for the purge",
    )
    release.set()
    purger.join(timeout=30)
    exporter.join(timeout=30)

    assert outcome == {"purger": "done", "purged": purge.Outcome.ERASED, "exporter": "done"}
    assert not Application.objects.filter(pk=erased.pk).exists()
    export = DataExport.objects.get()
    assert export.status == DataExport.Status.READY
    assert [entry["id"] for entry in data_of(export)["applications"]] == [str(kept.pk)]
    _assert_no_ready_export_holds_erased_data()


@pytest.mark.django_db(transaction=True)
def test_a_purge_during_a_build_waits_for_it_and_then_erases_the_export(
    two_postings_one_person: tuple[Posting, Application, Application, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _posting, erased, kept, _recruiter = two_postings_one_person
    export = exports.request_export(candidate=kept.candidate)
    collecting, release = threading.Event(), threading.Event()
    real_collect = exports.export_contents.collect

    def collect_when_released(**kwargs: Any) -> Any:
        collected = real_collect(**kwargs)
        collecting.set()
        release.wait(timeout=30)
        return collected

    monkeypatch.setattr(exports.export_contents, "collect", collect_when_released)
    outcome: dict[str, Any] = {}
    builder = _in_thread(lambda: exports.build_export(export_id=export.pk), outcome, "builder")
    assert collecting.wait(timeout=30)

    def purge_it() -> None:
        outcome["purged"] = purge.purge_application(
            erased.pk, now=timezone.now() + timedelta(days=1)
        )

    purger = _in_thread(purge_it, outcome, "purger")
    _wait_until(
        lambda: not purger.is_alive() or _someone_waits_for_a_lock(),
        what="the purge finished or waited for the build",
    )
    release.set()
    builder.join(timeout=30)
    purger.join(timeout=30)

    assert outcome == {"builder": "done", "purger": "done", "purged": purge.Outcome.ERASED}
    assert not Application.objects.filter(pk=erased.pk).exists()
    # The export copied the erased application: it went with it, object and row.
    assert not DataExport.objects.exists()
    assert {key for key, _ in storage.iter_export_objects()} == set()
    _assert_no_ready_export_holds_erased_data()
