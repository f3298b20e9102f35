"""`__any_of`: the purge's cheap form of `__in`.

Checked on PostgreSQL (the array form) and, in the SQLite session, on the fallback, which
must give the same results.
"""

import uuid

import pytest
from django.db import connection

from recruitment.models import Application, Candidate
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


@pytest.mark.django_db
def test_any_of_matches_in_on_postgresql() -> None:
    assert connection.vendor == "postgresql"
    check_any_of_matches_in()
    query = str(Application.objects.filter(pk__any_of=[uuid.uuid4()]).query)
    assert "= ANY(" in query


@pytest.mark.sqlite
@pytest.mark.django_db
def test_any_of_matches_in_on_sqlite() -> None:
    assert connection.vendor == "sqlite"
    check_any_of_matches_in()
