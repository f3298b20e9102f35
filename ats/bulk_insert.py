"""Inserting many rows as one parameter per column (PostgreSQL `unnest`).

`bulk_create` sends one parameter per field per row, each prepared and quoted in Python;
for the erasure ledger (thousands of rows per sweep) that cost more than the purge's
deletes. Sending each column as one array and letting PostgreSQL `unnest` them does the
same insert with a handful of parameters. Elsewhere this is `bulk_create`.
"""

from collections.abc import Sequence

from django.db import connection
from django.db.models import Model


def insert_many(model: type[Model], objs: Sequence[Model]) -> None:
    """Inserts `objs` (unsaved, every field but an auto primary key set) in one statement.

    Skips `save()`, signals and `pre_save` defaults (auto_now and the like): set every field.
    Rows go in in list order, so auto primary keys follow it. Does not set pks on `objs`.
    """
    if not objs:
        return
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(objs)
        return
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
    values = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs]
        for field in fields
    ]
    table = connection.ops.quote_name(model._meta.db_table)
    # WITH ORDINALITY + ORDER BY keeps the list order for the serial primary key.
    # Names come from the model, values are parameters.
    sql = (
        f"INSERT INTO {table} ({columns}) "  # noqa: S608
        f"SELECT {columns} FROM unnest({arrays}) WITH ORDINALITY "
        f"AS rows ({columns}, ordinality) ORDER BY ordinality"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
