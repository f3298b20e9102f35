"""`insert_chain`: related rows in one statement (PostgreSQL) or one by one (elsewhere).

Each behaviour is checked on PostgreSQL's one statement, on the one-by-one path against
PostgreSQL too (the switch patched), and on SQLite in the SQLite session: all must give
the same rows.
"""

from collections.abc import Iterator

import pytest
from django.db import IntegrityError, connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from ats import chained_insert
from ats.chained_insert import Insert, insert_chain
from recruitment.models import Application, ApplicationEvent, Candidate, Posting
from tests.factories import CandidateFactory, PostingFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=["one statement", "one by one"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    assert connection.vendor == "postgresql"
    if request.param == "one by one":
        monkeypatch.setattr(chained_insert, "_in_one_statement", lambda: False)
    yield request.param


def open_gate(posting: Posting) -> QuerySet[Posting]:
    return Posting.objects.filter(pk=posting.pk, status=Posting.Status.OPEN)


def chain(posting: Posting, *, email: str, phone: str = "") -> list[Insert]:
    """A candidate (upserted by email), an application referring to it, and an event."""
    application = Application(
        posting=posting, cover_letter="Hello", language="en", attested_min_age=15
    )
    return [
        Insert(
            "candidate",
            Candidate(email=email, full_name="Ana Anić", phone=phone),
            conflict=("email",),
            update=("full_name", "phone", "updated_at"),
        ),
        Insert("application", application, refs={"candidate_id": "candidate"}),
        Insert(
            "event",
            ApplicationEvent(kind=ApplicationEvent.Kind.SUBMITTED, to_stage=application.stage),
            refs={"application_id": "application"},
        ),
    ]


def check_inserts_every_row_and_fills_the_objects() -> None:
    posting = PostingFactory()
    rows = chain(posting, email="ana@example.com")

    assert insert_chain(open_gate(posting), rows) is True

    candidate, application, event = (row.obj for row in rows)
    stored = Application.objects.select_related("candidate").get()
    assert stored.pk == application.pk
    assert stored.candidate.pk == candidate.pk == application.candidate_id  # type: ignore[attr-defined]
    assert stored.candidate.full_name == "Ana Anić"
    assert stored.stage == Application.Stage.APPLIED  # the model's default
    assert stored.created_at == application.created_at  # auto_now_add, as save() sets it
    assert ApplicationEvent.objects.get().pk == event.pk
    assert event.application_id == application.pk  # type: ignore[attr-defined]
    assert not any(row.obj._state.adding for row in rows)


def check_a_closed_gate_inserts_nothing() -> None:
    posting = PostingFactory(status=Posting.Status.CLOSED)

    assert insert_chain(open_gate(posting), chain(posting, email="ana@example.com")) is False

    # Not even the first row, which refers to nothing but the gate.
    assert not Candidate.objects.exists()
    assert not Application.objects.exists()


def check_an_upsert_keeps_the_existing_row() -> None:
    existing = CandidateFactory(email="ana@example.com", phone="old")
    posting = PostingFactory()
    rows = chain(posting, email="ana@example.com", phone="new")

    assert insert_chain(open_gate(posting), rows)

    assert rows[0].obj.pk == existing.pk
    existing.refresh_from_db()
    assert existing.phone == "new"
    assert Application.objects.get().candidate_id == existing.pk  # type: ignore[attr-defined]


def check_an_error_inserts_nothing_and_leaves_the_transaction_usable() -> None:
    posting = PostingFactory()
    assert insert_chain(open_gate(posting), chain(posting, email="ana@example.com", phone="1"))

    # The same candidate again: the application's unique constraint refuses the chain.
    with pytest.raises(IntegrityError):
        insert_chain(open_gate(posting), chain(posting, email="ana@example.com", phone="2"))

    # The upsert that ran before the refusal is undone too, and queries still work.
    assert Candidate.objects.get().phone == "1"
    assert Application.objects.count() == ApplicationEvent.objects.count() == 1


def test_inserts_every_row_and_fills_the_objects(path: str) -> None:
    check_inserts_every_row_and_fills_the_objects()


def test_a_closed_gate_inserts_nothing(path: str) -> None:
    check_a_closed_gate_inserts_nothing()


def test_an_upsert_keeps_the_existing_row(path: str) -> None:
    check_an_upsert_keeps_the_existing_row()


def test_an_error_inserts_nothing_and_leaves_the_transaction_usable(path: str) -> None:
    check_an_error_inserts_nothing_and_leaves_the_transaction_usable()


def test_on_postgresql_the_chain_is_one_statement() -> None:
    posting = PostingFactory()
    with CaptureQueriesContext(connection) as captured:
        insert_chain(open_gate(posting), chain(posting, email="ana@example.com"))
    statements = [q["sql"] for q in captured.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == 1
    assert statements[0].startswith("WITH gate AS")


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_there_is_no_savepoint_or_begin() -> None:
    posting = PostingFactory()
    with CaptureQueriesContext(connection) as captured:
        insert_chain(open_gate(posting), chain(posting, email="ana@example.com"))
    assert len(captured.captured_queries) == 1
    assert Application.objects.count() == 1


def test_row_names_must_be_unique_and_refer_backwards() -> None:
    posting = PostingFactory()
    rows = chain(posting, email="ana@example.com")
    with pytest.raises(ValueError, match="unique"):
        insert_chain(open_gate(posting), [*rows, rows[0]])
    with pytest.raises(ValueError, match="gate"):
        insert_chain(open_gate(posting), [Insert("gate", rows[0].obj)])
    with pytest.raises(ValueError, match="before it"):
        insert_chain(open_gate(posting), [rows[1], rows[0]])
    assert not Candidate.objects.exists()


@pytest.mark.sqlite
@pytest.mark.parametrize(
    "check",
    [
        check_inserts_every_row_and_fills_the_objects,
        check_a_closed_gate_inserts_nothing,
        check_an_upsert_keeps_the_existing_row,
        check_an_error_inserts_nothing_and_leaves_the_transaction_usable,
    ],
)
def test_the_same_on_sqlite(check: object) -> None:
    assert connection.vendor == "sqlite"
    check()  # type: ignore[operator]
