"""Bulk SQL for the big writes (imports, the nightly tiering, policy tasks): one engine, both
databases.

Django's ORM builds a Python object per row and, in ``bulk_update``, a CASE expression per row
and field; at a few hundred thousand rows that costs minutes. These helpers move plain rows
instead, by the fastest path each database has:

- PostgreSQL: ``COPY … FROM STDIN`` to insert; ``COPY`` into a temporary table and one
  ``UPDATE … FROM`` it to update;
- SQLite: one ``executemany`` on the raw sqlite3 cursor (one prepared statement for all
  rows; SQLite has a single writer, so there is nothing faster to switch to).

Rows come either as tuples (``insert_rows`` / ``update_rows``) or as polars frames
(``insert_frame`` / ``update_frame``); values are stored as Django stores them (an aware datetime
as UTC, a decimal as a number), so the ORM reads them back unchanged. Table and column names
come from the caller's models, never from user input. This is the ground floor: it imports
Django, polars and the standard library only, never a Guanxi app.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import chain
from typing import Any, TypeVar

import polars as pl
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

T = TypeVar("T")
Row = Sequence[Any]

_UPDATE_TABLE = "_gx_bulk_update"
_KEYS_TABLE = "_gx_bulk_keys"
_COPY_STEP = 1 << 22  # bytes handed to COPY at a time
# Bytes of COPY output (PostgreSQL) or rows (SQLite) parsed into one frame at a time by
# read_frame: large enough for polars' parser to be efficient, small enough that the text
# never outweighs the frame.
_READ_BYTES = 1 << 26
_READ_ROWS = 200_000


def is_postgres() -> bool:
    """True on PostgreSQL; the helpers take the COPY path there."""
    return connection.vendor == "postgresql"


def chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    """``items`` in slices of at most ``size``: id lists for ``__in`` filters stay under SQLite's
    limit on query parameters."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _names(columns: Iterable[str]) -> str:
    return ", ".join(_q(c) for c in columns)


def _raw(cursor: Any) -> Any:
    """The driver's own cursor under Django's wrapper."""
    return cursor.cursor if hasattr(cursor, "cursor") else cursor


# --- values as Django stores them -----------------------------------------------------------


def format_datetime(expr: pl.Expr) -> pl.Expr:
    """UTC datetimes → the text this database stores: Django's format on SQLite (so string
    comparisons in SQLite queries keep working), with an explicit UTC offset on PostgreSQL."""
    if is_postgres():
        return expr.dt.strftime("%Y-%m-%d %H:%M:%S%.6f+00")
    return (
        pl.when(expr.dt.microsecond() == 0)
        .then(expr.dt.strftime("%Y-%m-%d %H:%M:%S"))
        .otherwise(expr.dt.strftime("%Y-%m-%d %H:%M:%S%.6f"))
    )


def _storable(frame: pl.DataFrame) -> pl.DataFrame:
    """Datetime columns as the text the database stores (naive ones are taken as UTC, as
    Django's connections do)."""
    stamps = []
    for name, dtype in frame.schema.items():
        if isinstance(dtype, pl.Datetime):
            expr = pl.col(name)
            if dtype.time_zone is not None:
                expr = expr.dt.convert_time_zone("UTC")
            stamps.append(format_datetime(expr).alias(name))
    return frame.with_columns(stamps) if stamps else frame


def _present(rows: Iterable[Row]) -> Iterable[Row] | None:
    """``rows`` ready to iterate, or None when there are none: then nothing is sent (no COPY,
    no temporary table), whether the caller passed a list or a generator."""
    if isinstance(rows, Sequence):
        return rows or None
    it = iter(rows)
    first = next(it, None)
    return None if first is None else chain((first,), it)


def _sqlite_rows(rows: Iterable[Row]) -> Iterable[Row]:
    """sqlite3 would store an aware datetime as text with its offset; Django stores it naive in
    UTC and compares the text. Adapt those values the way Django does. The columns that hold
    datetimes are found from their first non-NULL value (a column holds one type), so rows
    without datetimes pass through untouched."""
    rows = rows if isinstance(rows, list) else list(rows)
    if not rows:
        return rows
    unseen = set(range(len(rows[0])))
    stamped: list[int] = []
    for row in rows:
        for i in [i for i in unseen if row[i] is not None]:
            unseen.discard(i)
            if isinstance(row[i], dt.datetime):
                stamped.append(i)
        if not unseen:
            break
    if not stamped:
        return rows
    adapt = connection.ops.adapt_datetimefield_value

    def adapted(row: Row) -> Row:
        values = list(row)
        for i in stamped:
            if isinstance(values[i], dt.datetime):
                values[i] = adapt(values[i])
        return values

    return map(adapted, rows)


# --- COPY (PostgreSQL) ----------------------------------------------------------------------


def _copy_frame(cursor: Any, table: str, frame: pl.DataFrame) -> None:
    """COPY a frame in as CSV. NULL is the unquoted empty field and polars quotes an empty
    string (""), so no text value can be mistaken for NULL."""
    buf = io.BytesIO()
    frame.write_csv(buf, include_header=False)
    sql = f"COPY {_q(table)} ({_names(frame.columns)}) FROM STDIN (FORMAT csv)"
    with connection.wrap_database_errors, _raw(cursor).copy(sql) as copy:
        view = buf.getbuffer()
        for start in range(0, len(view), _COPY_STEP):
            copy.write(view[start : start + _COPY_STEP])
        del view


def _copy_rows(cursor: Any, table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """COPY tuples in; psycopg adapts each value (dates, decimals, aware datetimes, text)."""
    sql = f"COPY {_q(table)} ({_names(columns)}) FROM STDIN"
    with connection.wrap_database_errors, _raw(cursor).copy(sql) as copy:
        for row in rows:
            copy.write_row(row)


def _check_key(columns: Sequence[str], key: str) -> None:
    if key not in columns or len(columns) < 2:
        raise ValueError(f"an update needs the key column {key!r} and at least one other")


def _temp_like(cursor: Any, table: str, columns: Sequence[str]) -> None:
    """An empty temporary table with ``columns`` typed as in ``table``, for the new values."""
    cursor.execute(f"DROP TABLE IF EXISTS {_UPDATE_TABLE}")
    cursor.execute(
        f"CREATE TEMP TABLE {_UPDATE_TABLE} AS SELECT {_names(columns)} FROM {_q(table)} "
        "WITH NO DATA"
    )


def _update_from_temp(cursor: Any, table: str, columns: Sequence[str], key: str) -> None:
    """One UPDATE … FROM the temporary table, then drop it."""
    sets = ", ".join(f"{_q(c)} = u.{_q(c)}" for c in columns if c != key)
    cursor.execute(
        f"UPDATE {_q(table)} AS t SET {sets} FROM {_UPDATE_TABLE} AS u "
        f"WHERE t.{_q(key)} = u.{_q(key)}"
    )
    cursor.execute(f"DROP TABLE {_UPDATE_TABLE}")


# --- executemany (SQLite) -------------------------------------------------------------------


def _insert_sql(table: str, columns: Sequence[str]) -> str:
    marks = ", ".join("?" for _ in columns)
    return f"INSERT INTO {_q(table)} ({_names(columns)}) VALUES ({marks})"


def _update_sql(table: str, columns: Sequence[str], key: str) -> str:
    """Numbered placeholders (?1, ?2 …) follow the row's own order: no reordering per row."""
    sets = ", ".join(f"{_q(c)} = ?{i}" for i, c in enumerate(columns, 1) if c != key)
    return f"UPDATE {_q(table)} SET {sets} WHERE {_q(key)} = ?{list(columns).index(key) + 1}"


def _executemany(cursor: Any, sql: str, rows: Iterable[Row]) -> None:
    with connection.wrap_database_errors:
        _raw(cursor).executemany(sql, rows)


# --- writes ---------------------------------------------------------------------------------


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Row]) -> None:
    """INSERT every row (values in ``columns`` order) into ``table``."""
    rows = _present(rows)
    if rows is None:
        return
    with connection.cursor() as cursor:
        if is_postgres():
            _copy_rows(cursor, table, columns, rows)
        else:
            _executemany(cursor, _insert_sql(table, columns), _sqlite_rows(rows))


def update_rows(
    table: str, columns: Sequence[str], rows: Iterable[Row], *, key: str = "id"
) -> None:
    """UPDATE ``table`` by ``key``: each row holds the values of ``columns`` (the key among
    them) and every other column is set from it."""
    _check_key(columns, key)
    rows = _present(rows)
    if rows is None:
        return
    with connection.cursor() as cursor:
        if is_postgres():
            _temp_like(cursor, table, columns)
            _copy_rows(cursor, _UPDATE_TABLE, columns, rows)
            _update_from_temp(cursor, table, columns, key)
        else:
            _executemany(cursor, _update_sql(table, columns, key), _sqlite_rows(rows))


def insert_frame(table: str, frame: pl.DataFrame) -> None:
    """INSERT every row of ``frame`` (column names = table columns)."""
    if frame.height == 0:
        return
    frame = _storable(frame)
    with connection.cursor() as cursor:
        if is_postgres():
            _copy_frame(cursor, table, frame)
        else:
            _executemany(cursor, _insert_sql(table, frame.columns), frame.iter_rows())


def update_frame(table: str, frame: pl.DataFrame, *, key: str = "id") -> None:
    """UPDATE ``table`` by ``key``, setting every other column of ``frame``."""
    _check_key(frame.columns, key)
    if frame.height == 0:
        return
    frame = _storable(frame)
    with connection.cursor() as cursor:
        if is_postgres():
            _temp_like(cursor, table, frame.columns)
            _copy_frame(cursor, _UPDATE_TABLE, frame)
            _update_from_temp(cursor, table, frame.columns, key)
        else:
            _executemany(cursor, _update_sql(table, frame.columns, key), frame.iter_rows())


def allocate_ids(table: str, count: int) -> pl.Series:
    """Reserve ``count`` consecutive primary keys so rows and their history can be written
    together.

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


# --- reads ----------------------------------------------------------------------------------


def _key_type(dtype: pl.DataType) -> str:
    if dtype == pl.String:
        return "text"
    if dtype.is_integer():
        return "bigint"
    raise TypeError(f"select_by_keys: key columns must be text or integers, not {dtype}")


def select_by_keys(
    table: str, selects: dict[str, str], keys: pl.DataFrame, schema: dict[str, pl.DataType]
) -> pl.DataFrame:
    """The rows of ``table`` whose key columns (the columns of ``keys``) match a row of ``keys``,
    read with ``selects`` (output name → SQL expression over the table, aliased ``t``) and cast
    to ``schema``. One round trip through a temporary key table, however many keys."""
    empty = pl.DataFrame(schema=schema)
    if keys.height == 0:
        return empty
    sel = ", ".join(f"{expr} AS {_q(name)}" for name, expr in selects.items())
    on = " AND ".join(f"t.{_q(c)} = k.{_q(c)}" for c in keys.columns)
    query = f"SELECT {sel} FROM {_q(table)} AS t JOIN {_KEYS_TABLE} AS k ON {on}"
    spec = ", ".join(f"{_q(c)} {_key_type(t)}" for c, t in keys.schema.items())
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {_KEYS_TABLE}")
        cursor.execute(f"CREATE TEMP TABLE {_KEYS_TABLE} ({spec})")
        if is_postgres():
            _copy_frame(cursor, _KEYS_TABLE, keys)
            cursor.execute(f"ANALYZE {_KEYS_TABLE}")
            buf = io.BytesIO()
            with (
                connection.wrap_database_errors,
                _raw(cursor).copy(f"COPY ({query}) TO STDOUT (FORMAT csv)") as copy,
            ):
                for chunk in copy:
                    buf.write(chunk)
            cursor.execute(f"DROP TABLE {_KEYS_TABLE}")
            if buf.tell() == 0:
                return empty
            buf.seek(0)
            # NULL is the unquoted empty field, an empty string comes quoted: polars tells them
            # apart, so "" stays a blank value and never reads as a missing one.
            frame = pl.read_csv(
                buf,
                has_header=False,
                new_columns=list(selects),
                schema_overrides={k: pl.String for k in selects},
                infer_schema=False,
            )
            return frame.with_columns(*[pl.col(k).cast(schema[k]) for k in selects])
        _executemany(cursor, _insert_sql(_KEYS_TABLE, keys.columns), keys.iter_rows())
        cursor.execute(f"CREATE INDEX {_KEYS_TABLE}_i ON {_KEYS_TABLE} ({_names(keys.columns)})")
        cursor.execute(query)
        rows = cursor.fetchall()
        cursor.execute(f"DROP TABLE {_KEYS_TABLE}")
    if not rows:
        return empty
    frame = pl.DataFrame({k: [r[i] for r in rows] for i, k in enumerate(selects)})
    return frame.with_columns(*[pl.col(k).cast(schema[k]) for k in selects])


def read_frame(
    sql: str,
    params: Sequence[Any],
    schema: dict[str, pl.DataType],
    *,
    each: Callable[[pl.DataFrame], pl.DataFrame] | None = None,
    using: str = DEFAULT_DB_ALIAS,
) -> pl.DataFrame:
    """The rows of ``sql`` (placeholders ``%s``) as a frame with ``schema`` (output name →
    type, in the query's column order), without a Python object per row, read on the database
    ``using`` (e.g. the replica, `core.replica.read_alias`).

    PostgreSQL: ``COPY (sql) TO STDOUT`` as CSV, parsed by polars in slices of about 64 MB as
    it arrives, so the whole text is never held beside the frame. SQLite: ``fetchmany`` in
    slices of 200,000 rows. Columns are concatenated one at a time at the end (peak: the frame
    plus one column). ``each`` is applied to every slice as it is read (parse a text column,
    count rows for a progress bar), so text columns never exist for the whole result at once.
    """
    each = each or (lambda frame: frame)
    frames = [each(frame) for frame in read_slices(sql, params, schema, using=using)]
    if not frames:
        return each(pl.DataFrame(schema=schema))
    return _concat_by_column(frames)


def read_slices(
    sql: str,
    params: Sequence[Any],
    schema: dict[str, pl.DataType],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> Iterator[pl.DataFrame]:
    """The rows of ``sql`` as consecutive frames of about 64 MB of text (PostgreSQL: ``COPY
    (sql) TO STDOUT``) or 200,000 rows (SQLite), in the query's order, for a caller that
    reduces each slice as it comes and never holds the whole result (`read_frame` keeps it)."""
    db = connections[using]
    with db.cursor() as cursor:
        if db.vendor == "postgresql":
            yield from _copy_out_frames(db, cursor, sql, params, schema)
        else:
            yield from _fetch_frames(cursor, sql, params, schema)


def _copy_out_frames(
    db: Any, cursor: Any, sql: str, params: Sequence[Any], schema: dict[str, pl.DataType]
) -> Iterator[pl.DataFrame]:
    text = bytearray()
    copy_sql = f"COPY ({sql}) TO STDOUT (FORMAT csv)"
    with db.wrap_database_errors, _raw(cursor).copy(copy_sql, params) as copy:
        # PostgreSQL sends one message per row, so the text gathered always ends with a whole
        # row (a cut at the last newline would be wrong: a quoted value may hold one).
        for data in copy:
            text += data
            if len(text) >= _READ_BYTES:
                frame = _parse_csv(bytes(text), schema)
                text.clear()
                yield frame
    if text:
        yield _parse_csv(bytes(text), schema)


def _parse_csv(data: bytes, schema: dict[str, pl.DataType]) -> pl.DataFrame:
    # NULL is the unquoted empty field, an empty string comes quoted (see select_by_keys).
    return pl.read_csv(
        data, has_header=False, new_columns=list(schema), schema=schema, infer_schema=False
    )


def _fetch_frames(
    cursor: Any, sql: str, params: Sequence[Any], schema: dict[str, pl.DataType]
) -> Iterator[pl.DataFrame]:
    cursor.execute(sql, params)
    while rows := cursor.fetchmany(_READ_ROWS):
        yield pl.DataFrame(rows, schema=schema, orient="row", strict=False)


def _concat_by_column(frames: list[pl.DataFrame]) -> pl.DataFrame:
    columns = []
    for name in frames[0].columns:
        columns.append(pl.concat([f.get_column(name) for f in frames], rechunk=True))
        frames = [f.drop(name) for f in frames]  # that column's slices can go now
    return pl.DataFrame(columns)


def delete_where_in(table: str, column: str, values: Sequence[Any]) -> int:
    """DELETE the rows of ``table`` whose ``column`` is one of ``values``: one statement per
    slice of values, no model instance, no per-row signals (for tables nothing else points
    at). Returns the rows deleted."""
    deleted = 0
    with connection.cursor() as cursor:
        for part in chunks(list(values), 500):
            marks = ", ".join("%s" for _ in part)
            cursor.execute(f"DELETE FROM {_q(table)} WHERE {_q(column)} IN ({marks})", part)
            deleted += cursor.rowcount
    return deleted


# --- planner statistics ---------------------------------------------------------------------


def analyze(*tables: str | type[Model]) -> None:
    """Refresh PostgreSQL's planner statistics of ``tables`` (names or models) after a bulk
    write. Autovacuum gets there eventually, but until it does the planner takes the freshly
    written rows (a new analysis run's 100,000 scores) for a handful and may pick a nested loop
    that runs for seconds. ANALYZE samples a fixed number of rows, so it costs about a second
    even on the 10M-row ledger. A no-op on SQLite, whose planner uses no statistics unless
    ANALYZE was ever run (and there it reads whole tables)."""
    if not tables or not is_postgres():
        return
    names = [t if isinstance(t, str) else t._meta.db_table for t in tables]
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {_names(dict.fromkeys(names))}")


# --- session settings -----------------------------------------------------------------------


@contextmanager
def bulk_session() -> Iterator[None]:
    """SQLite's default page cache is 2 MB; index inserts into million-row tables then thrash.
    Give this connection a 256 MB cache while the bulk work runs, then put it back."""
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
    """For bulk write transactions on PostgreSQL: do not wait for the WAL flush at commit. A
    server crash may lose the last batches, never corrupt them; re-running an idempotent bulk
    job restores them."""
    if is_postgres():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
