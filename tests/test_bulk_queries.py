"""`__any_of` and `insert_many`: the purge's cheap forms of `__in` and `bulk_create`.

Each behaviour is checked on PostgreSQL (the array forms) and, in the SQLite session, on
the fallbacks, which must give the same results.
"""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from ats.bulk_insert import insert_many
from recruitment.models import Application, Candidate, ErasureRecord
from tests.factories import ApplicationFactory


def check_any_of_matches_in() -> None:
    applications = ApplicationFactory.create_batch(3)
    wanted = [applications[0].pk, applications[2].pk, uuid.uuid4(), None]

    def ids(**lookup: object) -> set[uuid.UUID]:
        return set(Application.objects.filter(**lookup).values_list("pk", flat=True))

    assert ids(pk__any_of=wanted) == ids(pk__in=wanted) == {applications[0].pk, applications[2].pk}
    # On a relation, with ids: the same rows as __in.
    candidates = [applications[1].candidate_id]
    assert ids(candidate_id__any_of=candidates) == ids(candidate__in=candidates)
    assert ids(candidate__any_of=candidates) == {applications[1].pk}
    # Excluding, and the empty list (matches nothing, as __in).
    assert ids(pk__any_of=[]) == set()
    assert set(Application.objects.exclude(pk__any_of=wanted).values_list("pk", flat=True)) == {
        applications[1].pk
    }
    # A subquery goes through unchanged.
    assert ids(candidate__any_of=Candidate.objects.values("pk")) == {a.pk for a in applications}


def check_insert_many_keeps_order_and_values() -> None:
    now = timezone.now().replace(microsecond=0)
    records = [
        ErasureRecord(
            application_id=uuid.uuid4(),
            posting_id=n,
            reason="concluded",
            stage_reached="screening",
            objects_deleted=n,
            rows_deleted={"notes": n, "nested": {"kind": "ok"}},
            actor="system",
            erased_at=now + timedelta(seconds=n),
            previous_hash=f"{n:064d}",
            record_hash=f"{n + 100:064d}",
        )
        for n in range(5)
    ]
    insert_many(ErasureRecord, records)
    insert_many(ErasureRecord, [])  # nothing to do, no query

    stored = list(ErasureRecord.objects.order_by("pk"))
    assert [r.application_id for r in stored] == [r.application_id for r in records]
    assert [r.rows_deleted for r in stored] == [r.rows_deleted for r in records]
    assert [r.erased_at for r in stored] == [r.erased_at for r in records]
    assert [r.record_hash for r in stored] == [r.record_hash for r in records]


@pytest.mark.django_db
def test_any_of_matches_in_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    check_any_of_matches_in()
    query = str(Application.objects.filter(pk__any_of=[uuid.uuid4()]).query)
    assert "= ANY(" in query


@pytest.mark.django_db
def test_insert_many_keeps_order_and_values_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    check_insert_many_keeps_order_and_values()


@pytest.mark.sqlite
@pytest.mark.django_db
def test_any_of_matches_in_on_sqlite() -> None:
    assert connection.vendor == "sqlite"
    check_any_of_matches_in()


@pytest.mark.sqlite
@pytest.mark.django_db
def test_insert_many_keeps_order_and_values_on_sqlite() -> None:
    assert connection.vendor == "sqlite"
    check_insert_many_keeps_order_and_values()
