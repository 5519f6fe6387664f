"""Filtering by a long list of ids in one query parameter:
``Task.objects.filter(ids_in("account_id", ids))``, the same rows as ``account_id__in=ids``.

Django writes ``field__in=[…]`` as ``IN (%s, %s, …)``, one placeholder per id. For a KAM's 2,000
accounts that costs, in every such query, Django's preparation of each value, psycopg's
splitting of a query text too long for its cache (Django binds parameters on the client) and
PostgreSQL's parsing of 2,000 constants: together more than the query itself (issue 12, the
Today page). On PostgreSQL ``ids_in`` writes ``field = ANY(%s)`` with the ids as ONE array
parameter; elsewhere (SQLite has no arrays) the plain IN list. Meant for ``filter()`` on a
column without NULLs: under ``exclude()`` a NULL is left out, as SQL's NOT does (Django's
``exclude(field__in=…)`` keeps it).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db.models import BooleanField, Expression, F


class IdsIn(Expression):
    """``lhs`` is one of ``ids`` (a WHERE condition; no id: no row)."""

    conditional = True

    def __init__(self, lhs: Any, ids: Iterable[int]) -> None:
        super().__init__(output_field=BooleanField())
        self.lhs = F(lhs) if isinstance(lhs, str) else lhs
        self.ids = sorted({int(pk) for pk in ids})

    def _array_text(self) -> str:
        return "{" + ",".join(map(str, self.ids)) + "}"

    def get_source_expressions(self) -> list[Any]:
        return [self.lhs]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        (self.lhs,) = exprs

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        if not self.ids:
            raise EmptyResultSet  # as `__in=[]`: the condition matches nothing
        lhs, params = compiler.compile(self.lhs)
        if connection.vendor == "postgresql":
            # The array as its text form, cast by the server: psycopg adapts a list element by
            # element (3 ms for 2,000 ids, in each of Today's nine such queries), a string at once.
            cast = self.lhs.output_field.cast_db_type(connection)
            return f"{lhs} = ANY(%s::{cast}[])", [*params, self._array_text()]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.ids))})", [*params, *self.ids]


def ids_in(field: str, ids: Iterable[int]) -> IdsIn:
    """The condition "``field`` is one of ``ids``" for ``filter()``/``exclude()``: one array
    parameter on PostgreSQL, an IN list elsewhere."""
    return IdsIn(field, ids)
