"""How the importer reads stored rows back to compare them with the file.

Writes, id allocation and the key lookup itself are `guanxi.core.bulk`'s. What stays here is the
importer's own comparison format: each column read as text the same way on both databases
(money with exactly its places, datetimes as UTC text parseable with TIME_FMT), so a re-imported
file compares equal, cell by cell, with what it wrote. The expressions read columns of the table
aliased "t", as `guanxi.core.bulk.select_by_keys` names it.
"""

from __future__ import annotations

from django.db import connection

from guanxi.core.bulk import is_postgres

TIME_FMT = "%Y-%m-%d %H:%M:%S%.f"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def plain_select(column: str) -> str:
    return f"t.{_q(column)}"


def datetime_select(column: str) -> str:
    """SQL that reads a datetime column as UTC text parseable with TIME_FMT."""
    if is_postgres():
        return f"to_char(t.{_q(column)} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US')"
    return f"t.{_q(column)}"


def money_select(column: str, places: int = 2) -> str:
    """SQL that reads a decimal column as text with exactly `places` places ("100.00")."""
    if is_postgres():
        return f"t.{_q(column)}::text"
    # SQLite's NUMERIC affinity stores 100.00 as the integer 100.
    c = f"t.{_q(column)}"
    return f"CASE WHEN {c} IS NULL THEN NULL ELSE printf('%.{places}f', {c}) END"


def text_select(column: str) -> str:
    return f"t.{_q(column)}::text" if is_postgres() else f"CAST(t.{_q(column)} AS TEXT)"
