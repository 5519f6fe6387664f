"""Bulk SQL for the fast import path: COPY on PostgreSQL, executemany on SQLite.

Django's ORM would need a Python object per row; at a million rows that alone costs minutes.
These helpers move whole polars frames in and out of a table instead. Column names come from the
models' own metadata, never from the file.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import polars as pl
from django.db import connection

TIME_FMT = "%Y-%m-%d %H:%M:%S%.f"


def is_postgres() -> bool:
    return connection.vendor == "postgresql"


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def format_datetime(expr: pl.Expr) -> pl.Expr:
    """UTC datetime → the text this database stores (Django's format on SQLite, so string
    comparisons in SQLite queries keep working)."""
    if is_postgres():
        return expr.dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00")
    return (
        pl.when(expr.dt.microsecond() == 0)
        .then(expr.dt.strftime("%Y-%m-%d %H:%M:%S"))
        .otherwise(expr.dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
    )


# The select helpers read columns of the table aliased "t" in select_by_keys.
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


def _copy_in(cursor, table: str, frame: pl.DataFrame) -> None:
    buf = io.BytesIO()
    frame.write_csv(buf, include_header=False, null_value="\\N")
    cols = ", ".join(_q(c) for c in frame.columns)
    sql = f"COPY {_q(table)} ({cols}) FROM STDIN (FORMAT csv, NULL '\\N')"
    raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
    with connection.wrap_database_errors, raw.copy(sql) as copy:
        view = buf.getbuffer()
        step = 1 << 22
        for start in range(0, len(view), step):
            copy.write(view[start : start + step])
        del view


def insert_frame(table: str, frame: pl.DataFrame) -> None:
    """Insert every row of `frame` (column names = table columns)."""
    if frame.height == 0:
        return
    with connection.cursor() as cursor:
        if is_postgres():
            _copy_in(cursor, table, frame)
        else:
            cols = ", ".join(_q(c) for c in frame.columns)
            marks = ", ".join("?" for _ in frame.columns)
            sql = f"INSERT INTO {_q(table)} ({cols}) VALUES ({marks})"
            # Django's cursor wrapper would translate %s for every row; go to sqlite3 directly.
            with connection.wrap_database_errors:
                cursor.cursor.executemany(sql, frame.iter_rows())


def update_frame(table: str, frame: pl.DataFrame, key: str = "id") -> None:
    """UPDATE table SET <other columns> by `key` for every row of `frame`."""
    if frame.height == 0:
        return
    cols = [c for c in frame.columns if c != key]
    with connection.cursor() as cursor:
        if is_postgres():
            tmp = "_gx_import_update"
            cursor.execute(f"DROP TABLE IF EXISTS {tmp}")
            selected = ", ".join(_q(c) for c in frame.columns)
            cursor.execute(
                f"CREATE TEMP TABLE {tmp} AS SELECT {selected} FROM {_q(table)} WITH NO DATA"
            )
            _copy_in(cursor, tmp, frame)
            sets = ", ".join(f"{_q(c)} = u.{_q(c)}" for c in cols)
            where = f"t.{_q(key)} = u.{_q(key)}"
            cursor.execute(f"UPDATE {_q(table)} AS t SET {sets} FROM {tmp} AS u WHERE {where}")
            cursor.execute(f"DROP TABLE {tmp}")
        else:
            sets = ", ".join(f"{_q(c)} = ?" for c in cols)
            sql = f"UPDATE {_q(table)} SET {sets} WHERE {_q(key)} = ?"
            with connection.wrap_database_errors:
                cursor.cursor.executemany(sql, frame.select(*cols, key).iter_rows())


def allocate_ids(table: str, count: int) -> pl.Series:
    """Reserve `count` consecutive primary keys so rows and their history can be written together.

    Call inside the write transaction. PostgreSQL: the table lock makes concurrent INSERTs wait
    before they draw from the sequence, so moving the sequence past our block is safe; SQLite:
    the IMMEDIATE transaction already holds the write lock."""
    with connection.cursor() as cursor:
        if is_postgres():
            cursor.execute(f"LOCK TABLE {_q(table)} IN SHARE ROW EXCLUSIVE MODE")
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            seq = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [seq])
            start = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [seq, start + count - 1])
        else:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {_q(table)}")
            top = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(top, row[0] if row else 0) + 1
    return pl.int_range(start, start + count, dtype=pl.Int64, eager=True).alias("id")


@contextmanager
def bulk_session() -> Iterator[None]:
    """SQLite's default page cache is 2 MB; index inserts into million-row tables then thrash.
    Give this connection a 256 MB cache while the import runs, then put it back."""
    if is_postgres():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        before = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def relax_durability() -> None:
    """For bulk write transactions on PostgreSQL: do not wait for the WAL flush at commit.
    A server crash may lose the last batches, never corrupt them; re-running the (idempotent)
    import restores them."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")


def select_by_keys(table: str, selects: dict[str, str], keys: pl.DataFrame,
                   schema: dict[str, pl.DataType]) -> pl.DataFrame:  # fmt: skip
    """Rows of `table` whose (source, external_id) appear in `keys`, read with the given
    SQL expressions (name → SQL). One round trip through a temporary key table."""
    empty = pl.DataFrame(schema=schema)
    if keys.height == 0:
        return empty
    tmp = "_gx_import_keys"
    sel = ", ".join(f"{expr} AS {_q(name)}" for name, expr in selects.items())
    query = (
        f"SELECT {sel} FROM {_q(table)} AS t JOIN {tmp} AS k "
        f"ON t.{_q('source')} = k.source AND t.{_q('external_id')} = k.external_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {tmp}")
        if is_postgres():
            cursor.execute(f"CREATE TEMP TABLE {tmp} (source text, external_id text)")
            _copy_in(cursor, tmp, keys.select("source", "external_id"))
            cursor.execute(f"ANALYZE {tmp}")
            buf = io.BytesIO()
            with cursor.cursor.copy(f"COPY ({query}) TO STDOUT (FORMAT csv, NULL '\\N')") as cp:
                for chunk in cp:
                    buf.write(chunk)
            cursor.execute(f"DROP TABLE {tmp}")
            if buf.tell() == 0:
                return empty
            buf.seek(0)
            return pl.read_csv(
                buf,
                has_header=False,
                new_columns=list(selects),
                schema_overrides={k: pl.String for k in selects},
                null_values="\\N",
                empty_string_is_null=False,  # "" is a blank description, not a missing one
                infer_schema=False,
            ).with_columns(*[pl.col(k).cast(schema[k]) for k in selects])
        cursor.execute(f"CREATE TEMP TABLE {tmp} (source text, external_id text)")
        cursor.cursor.executemany(
            f"INSERT INTO {tmp} VALUES (?, ?)", keys.select("source", "external_id").iter_rows()
        )
        cursor.execute(f"CREATE INDEX {tmp}_i ON {tmp} (source, external_id)")
        cursor.execute(query)
        rows = cursor.fetchall()
        cursor.execute(f"DROP TABLE {tmp}")
    if not rows:
        return empty
    frame = pl.DataFrame({k: [r[i] for r in rows] for i, k in enumerate(selects)})
    return frame.with_columns(*[pl.col(k).cast(schema[k]) for k in selects])


def columns_of(model) -> Sequence[str]:
    return [f.column for f in model._meta.concrete_fields]
