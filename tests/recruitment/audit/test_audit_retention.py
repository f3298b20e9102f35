"""The audit log's own retention (issue 16, defect 10): rows older than
ATS_AUDIT_RETENTION_DAYS are deleted in batches by a daily task, and nothing else is."""

import os
import subprocess
import sys
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from recruitment.audit import services as audit
from recruitment.audit import tasks
from recruitment.models import AccessEvent, ApplicationStatistic, ErasureRecord
from recruitment.retention.services import ledger

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[3]
NOW = datetime.fromisoformat("2026-03-29T01:30:00+00:00")  # the night clocks go forward

FUZZ = hypothesis_settings(
    deadline=None,
    max_examples=30,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def event_aged(age: timedelta) -> AccessEvent:
    event = AccessEvent.objects.create(
        actor_username="rita",
        action=AccessEvent.Action.RESOLVE_REQUEST,
        request_id=uuid.uuid4(),
    )
    # created_at is auto_now_add: set it afterwards
    AccessEvent.objects.filter(pk=event.pk).update(created_at=NOW - age)
    return event


def ledger_and_statistics() -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    return (
        list(ErasureRecord.objects.order_by("pk").values_list()),
        list(ApplicationStatistic.objects.order_by("pk").values_list()),
    )


@pytest.fixture
def erased_long_ago() -> None:
    """A ledger record and a statistic from long before any audit row's cutoff."""
    ledger.append(
        application_id=uuid.uuid4(),
        posting_id=1,
        reason="process_concluded",
        stage_reached="applied",
        objects_deleted=1,
        rows_deleted={"recruitment.Application": 1},
        actor="system",
        erased_at=NOW - timedelta(days=5000),
    )
    ApplicationStatistic.objects.create(
        posting_id=1,
        month=date(2012, 1, 1),
        stage_reached="applied",
        outcome="unsuccessful",
        count=3,
    )


@FUZZ
@given(
    ages=st.lists(
        st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3000)), max_size=25
    ),
    retention_days=st.integers(min_value=1, max_value=2000),
    batch_size=st.integers(min_value=1, max_value=7),
)
def test_exactly_the_rows_past_retention_go_in_batches_and_nothing_else(
    settings: Any,
    erased_long_ago: None,
    ages: list[timedelta],
    retention_days: int,
    batch_size: int,
) -> None:
    # Given audit rows of any age, a retention, and a ledger and statistics that are older
    AccessEvent.objects.all().delete()
    settings.AUDIT_RETENTION_DAYS = retention_days
    events = {event_aged(age).pk: age for age in ages}
    keep = {pk for pk, age in events.items() if age <= timedelta(days=retention_days)}
    untouched = ledger_and_statistics()

    # When the deletion runs, in batches smaller than the work
    deleted = audit.delete_old_events(now=NOW, batch_size=batch_size)

    # Then exactly the rows older than the retention are gone, and the count says so
    assert set(AccessEvent.objects.values_list("pk", flat=True)) == keep
    assert deleted == len(events) - len(keep)
    # And the ledger and the statistics are as they were, the chain intact
    assert ledger_and_statistics() == untouched
    assert ledger.verify().ok
    # And a second run finds nothing more to do
    assert audit.delete_old_events(now=NOW, batch_size=batch_size) == 0
    assert set(AccessEvent.objects.values_list("pk", flat=True)) == keep


def test_the_daily_task_deletes_with_the_configured_retention(settings: Any) -> None:
    settings.AUDIT_RETENTION_DAYS = 30
    old = AccessEvent.objects.create(actor_username="rita", action=AccessEvent.Action.VIEW_REQUEST)
    AccessEvent.objects.filter(pk=old.pk).update(created_at=old.created_at - timedelta(days=31))
    recent = AccessEvent.objects.create(
        actor_username="rita", action=AccessEvent.Action.VIEW_REQUEST
    )

    # Called as beat would have the worker call it (the function, not an eager Celery)
    assert tasks.delete_old_audit_events() == 1

    assert list(AccessEvent.objects.values_list("pk", flat=True)) == [recent.pk]


def test_beat_runs_the_deletion_daily() -> None:
    entries = [
        entry
        for entry in django_settings.CELERY_BEAT_SCHEDULE.values()
        if entry["task"] == "recruitment.delete_old_audit_events"
    ]
    assert [entry["schedule"] for entry in entries] == [24 * 3600]
    assert tasks.delete_old_audit_events.name == "recruitment.delete_old_audit_events"


def test_the_default_retention_is_three_years() -> None:
    assert django_settings.AUDIT_RETENTION_DAYS == 1095


@pytest.mark.parametrize("days", ["0", "-5"])
def test_a_retention_below_one_day_refuses_to_start(days: str) -> None:
    result = subprocess.run(
        # Not manage.py, which runs some commands on default settings when these fail
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "ats.settings",
            "ATS_AUDIT_RETENTION_DAYS": days,
        },
        capture_output=True,
        text=True,
    )

    assert result.returncode != 0
    assert "ATS_AUDIT_RETENTION_DAYS must be a positive number of days." in result.stderr
