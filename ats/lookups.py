"""`field__any_of=[...]`: `__in` for long lists of values, sent as one parameter.

`__in` sends one query parameter per value, and Django and psycopg prepare, quote and
splice each one in Python. For the purge's batches (hundreds of ids in a dozen queries)
that was most of the sweep's CPU time. On PostgreSQL `__any_of` sends the list as one
array parameter (`= ANY(%s)`); elsewhere it is exactly `__in`.

Registered on every field, once, by the `ats` app's `ready()` (ats/apps.py).
"""

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import Field, ForeignObject
from django.db.models.lookups import In


class AnyOf(In):
    lookup_name = "any_of"

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, Any]:
        if not isinstance(self.rhs, list | tuple | set | frozenset):
            return super().as_sql(compiler, connection)  # a subquery: nothing to gain
        values = [value for value in self.rhs if value is not None]
        if not values:
            raise EmptyResultSet  # as __in does: matches nothing, runs no query
        lhs, lhs_params = self.process_lhs(compiler, connection)
        field = self.lhs.output_field
        prepared = [field.get_db_prep_value(value, connection) for value in values]
        return f"{lhs} = ANY(%s)", (*lhs_params, prepared)


def register() -> None:
    """Idempotent: registering the same lookup twice replaces it with itself."""
    Field.register_lookup(AnyOf)
    # Relations keep their own registry; with ids (not model instances) the same SQL holds.
    ForeignObject.register_lookup(AnyOf)
