"""Inserting rows that refer to each other as one statement (PostgreSQL data-modifying CTEs).

An application is six rows (the candidate, the application, its CV, an event, maybe a
consent, the confirmation email), each referring to one before it. Saved one by one they
cost a BEGIN, an INSERT per row and a COMMIT, each compiled by the ORM and a round trip of
its own: `make bench` found that the largest cost an application adds to storing its CV.
On PostgreSQL they go in as one statement instead:

    WITH gate AS (SELECT id FROM posting WHERE id = ... AND status = 'open' FOR SHARE),
         candidate AS (INSERT ... SELECT ... FROM gate ON CONFLICT ... RETURNING id),
         application AS (INSERT ... SELECT candidate.id, ... FROM candidate RETURNING id),
         ...
    SELECT (SELECT id FROM candidate), (SELECT id FROM application), ...

Each INSERT takes its one row from the rows it refers to (or from the gate), so when the
gate finds nothing, nothing is inserted. The gate's row is locked FOR SHARE until the
statement's transaction ends: a transaction changing that row (closing or concluding the
posting, under FOR UPDATE) either committed before, and the gate sees its result, or waits
until the rows are in, so that it sees them too; it never decides on a state the rows miss.

Elsewhere (SQLite, as `make run` uses) the same rows are inserted one by one in a
transaction after checking the gate. Both paths fill each row as `save()` would
(defaults, auto_now) and send no signals.
"""

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Model, QuerySet

GATE = "gate"


@dataclass(frozen=True)
class Insert:
    """One row of a chain: `obj` (unsaved), known to later rows as `name`.

    `refs` maps a field's attname to the name of an earlier row whose primary key fills it.
    With `conflict` (unique fields) the row is an upsert: a row already holding those values
    keeps its primary key and takes the `update` fields from `obj`.
    """

    name: str
    obj: Model
    refs: Mapping[str, str] = field(default_factory=dict)
    conflict: tuple[str, ...] = ()
    update: tuple[str, ...] = ()


def insert_chain(gate: QuerySet[Any], rows: Sequence[Insert]) -> bool:
    """Inserts every row if `gate` finds a row (it must find at most one); returns whether.

    Side effects: the rows, all or none. Afterwards each `obj` is saved: its primary key is
    the database's (for an upsert, the existing row's), its `refs` hold the primary keys
    they referred to. Not rerun-safe except for upserts: a second call meets the unique
    constraints. A constraint or database error propagates, having inserted nothing, and
    leaves a surrounding transaction usable (the rows then go in under a savepoint).
    """
    names = [row.name for row in rows]
    if len(set(names)) != len(names) or GATE in names:
        raise ValueError(f"row names must be unique and not {GATE!r}: {names}")
    for position, row in enumerate(rows):
        if not set(row.refs.values()) <= set(names[:position]):
            raise ValueError(f"{row.name!r} may refer only to rows before it: {dict(row.refs)}")
    if not _in_one_statement():
        pks = _insert_one_by_one(gate, rows)
    elif connection.in_atomic_block:
        with transaction.atomic():
            pks = _insert_in_one_statement(gate, rows)
    else:
        # One statement is a transaction of its own: BEGIN and COMMIT would be two more
        # round trips for nothing.
        pks = _insert_in_one_statement(gate, rows)
    if pks is None:
        return False
    for row in rows:
        setattr(row.obj, row.obj._meta.pk.attname, pks[row.name])
        for attname, ref in row.refs.items():
            setattr(row.obj, attname, pks[ref])
        row.obj._state.adding = False
        row.obj._state.db = connection.alias
    return True


def _in_one_statement() -> bool:
    """Whether the database takes data-modifying CTEs (SQLite does not)."""
    return connection.vendor == "postgresql"


def _insert_in_one_statement(gate: QuerySet[Any], rows: Sequence[Insert]) -> dict[str, Any] | None:
    pk_columns = {row.name: row.obj._meta.pk.column for row in rows}
    gate_sql, gate_params = gate.order_by().values("pk").query.sql_with_params()
    # Waits for a transaction that locked the row FOR UPDATE, then re-checks the gate's
    # conditions on the row as that transaction left it (PostgreSQL's READ COMMITTED).
    ctes = [f"{GATE} AS ({gate_sql} FOR SHARE)"]
    params: list[Any] = list(gate_params)
    for row in rows:
        refs = tuple(sorted((attname, ref, pk_columns[ref]) for attname, ref in row.refs.items()))
        sql, fields = _insert_select(type(row.obj), row.name, refs, row.conflict, row.update)
        ctes.append(sql)
        params += [_prepared(row.obj, model_field) for model_field in fields]
    quote = connection.ops.quote_name
    results = ", ".join(
        f"(SELECT {quote(pk_columns[row.name])} FROM {quote(row.name)})"  # noqa: S608
        for row in rows
    )
    with connection.cursor() as cursor:
        cursor.execute(f"WITH {', '.join(ctes)} SELECT {results}", params)
        found = cursor.fetchone()
    # With the gate's row, every INSERT (and every upsert) returned exactly one row.
    if found is None or found[0] is None:
        return None
    return dict(zip([row.name for row in rows], found, strict=True))


@functools.cache
def _insert_select(
    model: type[Model],
    name: str,
    refs: tuple[tuple[str, str, str], ...],
    conflict: tuple[str, ...],
    update: tuple[str, ...],
) -> tuple[str, list[Any]]:
    """The CTE `name AS (INSERT ... SELECT ... RETURNING pk)` for a row of `model`, and the
    fields whose values are its parameters, in order. `refs`: (attname, referred row's
    name, its primary key column). Cached: the text depends only on these arguments, and
    building it (names, column types) cost more than executing it."""
    quote = connection.ops.quote_name
    by_attname = {attname: (ref, column) for attname, ref, column in refs}
    columns, values, fields = [], [], []
    for model_field in model._meta.concrete_fields:
        columns.append(quote(model_field.column))
        if model_field.attname in by_attname:
            ref, column = by_attname[model_field.attname]
            values.append(f"{quote(ref)}.{quote(column)}")
        else:
            # INSERT ... SELECT does not infer a parameter's type from its column.
            values.append(f"%s::{model_field.db_type(connection)}")
            fields.append(model_field)
    sources = ", ".join(quote(ref) for ref in sorted({ref for _, ref, _ in refs})) or GATE
    # Names come from the models and the caller's code; every value is a parameter.
    sql = (
        f"{quote(name)} AS (INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(columns)}) SELECT {', '.join(values)} FROM {sources}"
        f"{_on_conflict(model, conflict, update)} RETURNING {quote(model._meta.pk.column)})"
    )
    return sql, fields


def _insert_one_by_one(gate: QuerySet[Any], rows: Sequence[Insert]) -> dict[str, Any] | None:
    quote = connection.ops.quote_name
    pks: dict[str, Any] = {}
    with transaction.atomic():
        # SQLite has no row locks, but it never writes on a stale read: if another
        # connection committed since this transaction read the gate, the first INSERT
        # fails (SQLITE_BUSY_SNAPSHOT) and nothing is inserted.
        if not gate.exists():
            return None
        with connection.cursor() as cursor:
            for row in rows:
                meta = row.obj._meta
                for attname, ref in row.refs.items():
                    setattr(row.obj, attname, pks[ref])
                fields = meta.concrete_fields
                cursor.execute(
                    f"INSERT INTO {quote(meta.db_table)} "  # noqa: S608
                    f"({', '.join(quote(f.column) for f in fields)}) "
                    f"VALUES ({', '.join(['%s'] * len(fields))})"
                    f"{_on_conflict(type(row.obj), row.conflict, row.update)} "
                    f"RETURNING {quote(meta.pk.column)}",
                    [_prepared(row.obj, model_field) for model_field in fields],
                )
                pks[row.name] = meta.pk.to_python(cursor.fetchone()[0])
    return pks


def _prepared(obj: Model, model_field: Any) -> Any:
    """The field's value as `save()` sends it: `pre_save` fills defaults such as auto_now
    (on `obj` too), then the backend's preparation."""
    return model_field.get_db_prep_save(model_field.pre_save(obj, True), connection)


def _on_conflict(model: type[Model], conflict: tuple[str, ...], update: tuple[str, ...]) -> str:
    if not conflict:
        return ""
    quote = connection.ops.quote_name
    target = ", ".join(quote(_column(model, name)) for name in conflict)
    updates = ", ".join(
        f"{quote(column)} = EXCLUDED.{quote(column)}"
        for column in (_column(model, name) for name in update)
    )
    return f" ON CONFLICT ({target}) DO UPDATE SET {updates}"


def _column(model: type[Model], name: str) -> str:
    model_field = model._meta.get_field(name)
    if not isinstance(model_field, Field) or not model_field.column:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return model_field.column
