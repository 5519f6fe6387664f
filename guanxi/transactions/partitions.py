"""Monthly partitions of the transaction ledger on PostgreSQL (opt-in: `guanxi partitions
--enable`; docs/scaling-partitioning.md says when and why).

Turning it on rebuilds ``transactions_transaction`` as a table partitioned by range of
``occurred_at``: one partition per local calendar month (settings.TIME_ZONE, so a month report
reads one partition) from the first month with data to ``AHEAD_MONTHS`` after today, plus a
DEFAULT partition for anything outside (a back-dated import, a typo ten years ahead). The nightly
step ``ledger_partitions_ensure`` keeps months ahead and splits months out of the default
partition; both are idempotent. SQLite, and PostgreSQL until it is turned on, keep the plain
table: every function here is a no-op there (the conversion refuses).

What partitioning costs and how it is paid (PostgreSQL needs the partition key in every unique
key):

- The primary key becomes (id, occurred_at). Django still treats ``id`` as the key; ids stay
  unique because every writer draws them from the table's identity sequence (the ORM, and
  ``core.bulk.allocate_ids`` for the importer).
- (source, external_id) stays unique across months: a small plain table
  ``transactions_transaction_external_key`` holds one row per external id, kept by triggers on
  the ledger, its primary key named like the old unique index
  (``uniq_transaction_external_id_per_source``), so a duplicate fails the same way as before. A
  plain index on (source, external_id) per partition serves the importer's look-ups.
- Foreign keys *to* the ledger (the discount review's) cannot reference ``id`` alone any more:
  they are replaced by deferred constraint triggers that check the same thing at commit (a
  review needs its transaction; a transaction with a review cannot disappear). An UPDATE that
  moves a row to another month is a DELETE and an INSERT inside PostgreSQL; the checks run at
  commit, when the row exists again.
"""

from __future__ import annotations

import datetime as dt
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.bulk import is_postgres
from guanxi.core.dates import add_months, local_midnight
from guanxi.core.errors import ApplicationError
from guanxi.transactions.models import Transaction

LEDGER = Transaction._meta.db_table
KEY_TABLE = f"{LEDGER}_external_key"
DEFAULT_PARTITION = f"{LEDGER}_default"
KEY_CONSTRAINT = "uniq_transaction_external_id_per_source"
KEY_INDEX = f"{LEDGER}_source_external_id"
AHEAD_MONTHS = 3  # partitions kept ready after the current month
BACK_YEARS = 20  # rows older than this stay in the default partition (no month partitions)
MOVING = "guanxi.ledger_moving"  # set while rows move between partitions: not deletes
LOCK_TIMEOUT = "30s"
MAINTENANCE_MEMORY = "512MB"  # the nightly step gives up rather than queue every reader behind it


@dataclass(frozen=True)
class Partition:
    name: str
    bounds: str  # PostgreSQL's own text, e.g. FOR VALUES FROM (…) TO (…), or DEFAULT
    rows: int  # the planner's estimate (reltuples), -1 when never analysed


def _q(name: str) -> str:
    return connection.ops.quote_name(name)


def _say(progress: bool, message: str) -> None:
    if progress:
        print(f"partitions: {message}", file=sys.stderr, flush=True)


def month_name(month: dt.date) -> str:
    return f"{LEDGER}_p{month:%Y%m}"


def month_bounds(month: dt.date) -> tuple[str, str]:
    """The month's range as timestamptz literals: local midnight on the 1st to the next 1st."""
    first = month.replace(day=1)
    return local_midnight(first).isoformat(), local_midnight(add_months(first, 1)).isoformat()


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, month = [], first.replace(day=1)
    while month <= last:
        out.append(month)
        month = add_months(month, 1)
    return out


# --- what is there --------------------------------------------------------------------------


def ledger_is_partitioned() -> bool:
    if not is_postgres():
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s))",
            [LEDGER],
        )
        return bool(cursor.fetchone()[0])


def ledger_partitions() -> list[Partition]:
    """The ledger's partitions in name order (months sort by name; the default comes last)."""
    if not ledger_is_partitioned():
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s) ORDER BY c.relname = %s, c.relname",
            [LEDGER, DEFAULT_PARTITION],
        )
        return [Partition(name, bounds, rows) for name, bounds, rows in cursor.fetchall()]


# --- keeping months ahead (the nightly step) ------------------------------------------------


def _default_months(cursor: Any, first: dt.date, last: dt.date) -> list[dt.date]:
    """Months between ``first`` and ``last`` that have rows in the default partition."""
    tz = timezone.get_current_timezone_name()
    cursor.execute(
        f"SELECT DISTINCT date_trunc('month', occurred_at AT TIME ZONE %s)::date "
        f"FROM {_q(DEFAULT_PARTITION)} WHERE occurred_at >= %s AND occurred_at < %s",
        [tz, month_bounds(first)[0], month_bounds(last)[1]],
    )
    return [row[0] for row in cursor.fetchall()]


def _add_month(cursor: Any, month: dt.date) -> int:
    """Create the month's partition, moving its rows out of the default partition first (a
    partition cannot be created over rows the default holds). Returns the rows moved. Runs with
    ``MOVING`` on: the rows leave the ledger for a moment, which is not a delete."""
    name, (lo, hi) = month_name(month), month_bounds(month)
    cursor.execute(
        f"CREATE TABLE {_q(name)} (LIKE {_q(LEDGER)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"
    )
    # The DELETE fires the ledger's triggers: the external keys go, and are put back below.
    cursor.execute(
        f"WITH moved AS (DELETE FROM {_q(DEFAULT_PARTITION)} "
        f"WHERE occurred_at >= %s AND occurred_at < %s RETURNING *) "
        f"INSERT INTO {_q(name)} SELECT * FROM moved",
        [lo, hi],
    )
    moved = cursor.rowcount
    cursor.execute(
        f"ALTER TABLE {_q(LEDGER)} ATTACH PARTITION {_q(name)} FOR VALUES FROM (%s) TO (%s)",
        [lo, hi],
    )
    if moved:
        cursor.execute(
            f"INSERT INTO {_q(KEY_TABLE)} (source, external_id, transaction_id) "
            f"SELECT source, external_id, id FROM {_q(name)} WHERE external_id <> ''"
        )
    return moved


@contextmanager
def _schema_change(cursor: Any) -> Iterator[None]:
    """PostgreSQL refuses to alter a table with deferred checks still pending in the
    transaction (rows written earlier in it, e.g. by a test): run them now, and the checks of
    what happens inside at once; afterwards constraints are deferred again, as Django declares
    them all (DEFERRABLE INITIALLY DEFERRED)."""
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute(f"SELECT set_config('{MOVING}', 'on', true)")
    yield
    cursor.execute(f"SELECT set_config('{MOVING}', 'off', true)")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def ledger_partitions_ensure(
    *, as_of: dt.date | None = None, ahead: int = AHEAD_MONTHS, progress: bool = False
) -> dict[str, Any]:
    """Make sure the months up to ``ahead`` after ``as_of`` have partitions, and give any month
    the default partition holds rows of (within BACK_YEARS) its own. Idempotent; a no-op when
    the ledger is not partitioned."""
    as_of = as_of or timezone.localdate()
    summary: dict[str, Any] = {"partitioned": ledger_is_partitioned(), "created": [], "moved": 0}
    if not summary["partitioned"]:
        return summary
    first = dt.date(as_of.year - BACK_YEARS, 1, 1)
    last = add_months(as_of.replace(day=1), ahead)
    existing = {p.name for p in ledger_partitions()}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        wanted = set(_months(as_of, last)) | set(_default_months(cursor, first, last))
        missing = sorted(m for m in wanted if month_name(m) not in existing)
        if missing:
            with _schema_change(cursor):
                for month in missing:
                    summary["moved"] += _add_month(cursor, month)
                    summary["created"].append(month_name(month))
                    _say(progress, f"created {month_name(month)}")
    summary["partitions"] = len(existing) + len(summary["created"])
    return summary


# --- turning it on --------------------------------------------------------------------------


@dataclass
class _Plain:
    """What the plain table has that a partitioned one must get back under the same names."""

    pkey: str
    indexes: list[str]  # CREATE INDEX statements (pg_get_indexdef)
    foreign_keys: list[tuple[str, str]]  # (name, definition) of the ledger's own FKs
    referenced_by: list[tuple[str, str, str]]  # (constraint, table, column) of FKs to the ledger
    sequence: tuple[int, bool]  # the id sequence's last_value, is_called


def _plain_table(cursor: Any) -> _Plain:
    cursor.execute(
        "SELECT ci.relname, i.indisprimary, i.indisunique, pg_get_indexdef(i.indexrelid), "
        "  EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = i.indrelid "
        "          AND a.attname = 'occurred_at' AND a.attnum = ANY (i.indkey)) "
        "FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid "
        "WHERE i.indrelid = to_regclass(%s) ORDER BY ci.relname",
        [LEDGER],
    )
    pkey, indexes = "", []
    for name, primary, unique, definition, has_key in cursor.fetchall():
        if primary:
            pkey = name
        elif unique and not has_key and name != KEY_CONSTRAINT:
            # Another unique rule without the month cannot hold on a partitioned table.
            raise ApplicationError(
                _(
                    "The unique index %(name)s does not include occurred_at; the ledger cannot be "
                    "partitioned until it does."
                )
                % {"name": name}
            )
        elif name != KEY_CONSTRAINT:
            indexes.append(definition)
    cursor.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conrelid = to_regclass(%s) AND contype = 'f' ORDER BY conname",
        [LEDGER],
    )
    foreign_keys = cursor.fetchall()
    cursor.execute(
        "SELECT c.conname, c.conrelid::regclass::text, a.attname FROM pg_constraint c "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "WHERE c.confrelid = to_regclass(%s) AND c.contype = 'f' ORDER BY c.conname",
        [LEDGER],
    )
    referenced_by = cursor.fetchall()
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [LEDGER])
    cursor.execute(f"SELECT last_value, is_called FROM {cursor.fetchone()[0]}")
    return _Plain(pkey, indexes, foreign_keys, referenced_by, cursor.fetchone())


def _create_partitioned(cursor: Any, months: list[dt.date]) -> None:
    """The new table (same columns, CHECKs, identity) and its partitions, under a temporary
    name; the partitions get their final names."""
    new = f"{LEDGER}_partitioned"
    cursor.execute(
        f"CREATE TABLE {_q(new)} (LIKE {_q(LEDGER)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
        f"INCLUDING IDENTITY INCLUDING STORAGE INCLUDING COMMENTS) PARTITION BY RANGE (occurred_at)"
    )
    for month in months:
        lo, hi = month_bounds(month)
        cursor.execute(
            f"CREATE TABLE {_q(month_name(month))} PARTITION OF {_q(new)} "
            f"FOR VALUES FROM (%s) TO (%s)",
            [lo, hi],
        )
    cursor.execute(f"CREATE TABLE {_q(DEFAULT_PARTITION)} PARTITION OF {_q(new)} DEFAULT")
    cursor.execute(f"INSERT INTO {_q(new)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(LEDGER)}")


def _swap(cursor: Any, plain: _Plain) -> None:
    """Drop the plain table (and the foreign keys to it), give the new one its name, its
    sequence position, keys, indexes and foreign keys."""
    for constraint, table, _column in plain.referenced_by:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {_q(constraint)}")
    cursor.execute(f"DROP TABLE {_q(LEDGER)}")
    cursor.execute(f"ALTER TABLE {_q(LEDGER + '_partitioned')} RENAME TO {_q(LEDGER)}")
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [LEDGER])
    sequence = cursor.fetchone()[0]
    cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {_q(LEDGER + '_id_seq')}")
    cursor.execute("SELECT setval(%s, %s, %s)", [f"{LEDGER}_id_seq", *plain.sequence])
    cursor.execute(
        f"ALTER TABLE {_q(LEDGER)} ADD CONSTRAINT {_q(plain.pkey)} PRIMARY KEY (id, occurred_at)"
    )
    for definition in plain.indexes:
        cursor.execute(definition)
    cursor.execute(
        f"CREATE INDEX {_q(KEY_INDEX)} ON {_q(LEDGER)} (source, external_id) "
        f"WHERE external_id <> ''"
    )
    for name, definition in plain.foreign_keys:
        cursor.execute(f"ALTER TABLE {_q(LEDGER)} ADD CONSTRAINT {_q(name)} {definition}")


def _lit(text: str) -> str:
    """A trigger argument (a name from the catalogue) as an SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


_KEY_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION gx_ledger_key_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {KEY_TABLE} (source, external_id, transaction_id)
    VALUES (NEW.source, NEW.external_id, NEW.id);
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION gx_ledger_key_drop() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {KEY_TABLE}
    WHERE source = OLD.source AND external_id = OLD.external_id AND transaction_id = OLD.id;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION gx_ledger_key_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.external_id <> '' THEN
        DELETE FROM {KEY_TABLE}
        WHERE source = OLD.source AND external_id = OLD.external_id AND transaction_id = OLD.id;
    END IF;
    IF NEW.external_id <> '' THEN
        INSERT INTO {KEY_TABLE} (source, external_id, transaction_id)
        VALUES (NEW.source, NEW.external_id, NEW.id);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION gx_ledger_key_clear() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE {KEY_TABLE};
    RETURN NULL;
END $$;
"""

_KEY_TRIGGERS = f"""
CREATE TRIGGER gx_ledger_key_insert AFTER INSERT ON {LEDGER} FOR EACH ROW
    WHEN (NEW.external_id <> '') EXECUTE FUNCTION gx_ledger_key_add();
CREATE TRIGGER gx_ledger_key_delete AFTER DELETE ON {LEDGER} FOR EACH ROW
    WHEN (OLD.external_id <> '') EXECUTE FUNCTION gx_ledger_key_drop();
CREATE TRIGGER gx_ledger_key_update AFTER UPDATE OF source, external_id ON {LEDGER} FOR EACH ROW
    WHEN (OLD.source IS DISTINCT FROM NEW.source
          OR OLD.external_id IS DISTINCT FROM NEW.external_id)
    EXECUTE FUNCTION gx_ledger_key_move();
CREATE TRIGGER gx_ledger_key_truncate AFTER TRUNCATE ON {LEDGER} FOR EACH STATEMENT
    EXECUTE FUNCTION gx_ledger_key_clear();
"""

# A foreign key to the ledger, checked at commit like Django's DEFERRABLE INITIALLY DEFERRED
# keys, by two triggers: on the referencing table (the transaction exists) and on the ledger
# (a referenced transaction is not gone: a row moved to another month exists again by then).
_REFERENCE_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION gx_ledger_ref_exists() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE ref bigint := (to_jsonb(NEW) ->> TG_ARGV[0])::bigint;
DECLARE kept boolean;
BEGIN
    IF ref IS NULL OR EXISTS (SELECT 1 FROM {LEDGER} WHERE id = ref) THEN
        RETURN NULL;
    END IF;
    -- A deferred check of a row deleted (or pointed elsewhere) since passes, as PostgreSQL's own
    -- foreign keys do: a demo rebuilt in one transaction deletes the reviews it had made.
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %I.%I WHERE id = $1 AND %I = $2)',
                   TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0])
        INTO kept USING (to_jsonb(NEW) ->> 'id')::bigint, ref;
    IF kept THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('insert or update on table "%s" violates foreign key constraint "%s"',
                             TG_TABLE_NAME, TG_ARGV[1]),
            DETAIL = format('Key (%s)=(%s) is not present in table "{LEDGER}".', TG_ARGV[0], ref);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE FUNCTION gx_ledger_ref_kept() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE referenced boolean;
BEGIN
    IF current_setting('{MOVING}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I = $1)', TG_ARGV[0], TG_ARGV[1])
        INTO referenced USING OLD.id;
    -- Two steps, not one AND: SQL does not promise to skip the second test, and looking an id
    -- up probes every partition.
    IF NOT referenced THEN
        RETURN NULL;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM {LEDGER} WHERE id = OLD.id) THEN
        RAISE foreign_key_violation USING
            MESSAGE = format('update or delete on table "{LEDGER}" violates foreign key '
                             'constraint "%s" on table "%s"', TG_ARGV[2], TG_ARGV[0]),
            DETAIL = format('Key (id)=(%s) is still referenced from table "%s".',
                            OLD.id, TG_ARGV[0]);
    END IF;
    RETURN NULL;
END $$;
"""


def _external_keys(cursor: Any) -> None:
    cursor.execute(
        f"CREATE TABLE {_q(KEY_TABLE)} (source text NOT NULL, external_id text NOT NULL, "
        f"transaction_id bigint NOT NULL, "
        f"CONSTRAINT {_q(KEY_CONSTRAINT)} PRIMARY KEY (source, external_id))"
    )
    cursor.execute(
        f"INSERT INTO {_q(KEY_TABLE)} (source, external_id, transaction_id) "
        f"SELECT source, external_id, id FROM {_q(LEDGER)} WHERE external_id <> ''"
    )
    cursor.execute(_KEY_FUNCTIONS)
    cursor.execute(_KEY_TRIGGERS)


def _references(cursor: Any, referenced_by: list[tuple[str, str, str]]) -> None:
    cursor.execute(_REFERENCE_FUNCTIONS)
    for constraint, table, column in referenced_by:
        # The delete check plans its look-up per row: with stale statistics (a table emptied
        # by a mass delete and never analysed) it would scan the whole table every time.
        cursor.execute(f"ANALYZE {table}")
        cursor.execute(
            f"CREATE CONSTRAINT TRIGGER {_q(constraint)} AFTER INSERT OR UPDATE OF {_q(column)} "
            f"ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
            f"EXECUTE FUNCTION gx_ledger_ref_exists({_lit(column)}, {_lit(constraint)})"
        )
        cursor.execute(
            f"CREATE CONSTRAINT TRIGGER {_q(constraint)} AFTER DELETE ON {_q(LEDGER)} "
            f"DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION "
            f"gx_ledger_ref_kept({_lit(table)}, {_lit(column)}, {_lit(constraint)})"
        )


def _data_months(cursor: Any, as_of: dt.date, ahead: int) -> list[dt.date]:
    """Every month from the first with data (at most BACK_YEARS back: a stray older row stays in
    the default partition) to ``ahead`` after ``as_of``: contiguous, so no month in between
    falls to the default partition."""
    tz = timezone.get_current_timezone_name()
    window = dt.date(as_of.year - BACK_YEARS, 1, 1)
    cursor.execute(
        f"SELECT (min(occurred_at) AT TIME ZONE %s)::date FROM {_q(LEDGER)} "
        f"WHERE occurred_at >= %s",
        [tz, local_midnight(window)],
    )
    first = cursor.fetchone()[0] or as_of
    return _months(min(first, as_of), add_months(as_of.replace(day=1), ahead))


def ledger_partition(
    *, as_of: dt.date | None = None, ahead: int = AHEAD_MONTHS, progress: bool = False
) -> dict[str, Any]:
    """Rebuild the ledger as a partitioned table, in one transaction holding an exclusive lock
    on it (reads and writes of transactions wait: run it in a maintenance window; it takes
    about a minute per few million rows, see docs/scaling-partitioning.md). Idempotent: on a
    partitioned ledger it only keeps the months ahead."""
    if not is_postgres():
        raise ApplicationError(_("Partitioning the ledger needs PostgreSQL."))
    as_of = as_of or timezone.localdate()
    if ledger_is_partitioned():
        return {"converted": False, **ledger_partitions_ensure(as_of=as_of, ahead=ahead)}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor, _schema_change(cursor):
        cursor.execute(f"LOCK TABLE {_q(LEDGER)} IN ACCESS EXCLUSIVE MODE")
        # The index builds and key checks sort millions of rows: give them memory (this
        # transaction only).
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{MAINTENANCE_MEMORY}'")
        plain = _plain_table(cursor)
        months = _data_months(cursor, as_of, ahead)
        _say(progress, f"copying into {len(months)} monthly partitions and a default one")
        _create_partitioned(cursor, months)
        _say(progress, "rebuilding keys, indexes and foreign keys")
        _swap(cursor, plain)
        _external_keys(cursor)
        _references(cursor, plain.referenced_by)
        _say(progress, "analysing")
        cursor.execute(f"ANALYZE {_q(LEDGER)}")
        cursor.execute(f"ANALYZE {_q(KEY_TABLE)}")
        cursor.execute(f"SELECT count(*) FROM {_q(DEFAULT_PARTITION)}")
        in_default = cursor.fetchone()[0]
    if not connection.in_atomic_block:
        # The copied rows are not yet marked all-visible: until a VACUUM, index-only scans
        # (counts per account) read the heap too, several times slower. VACUUM cannot run in a
        # transaction, so it runs after the commit (the ledger is usable meanwhile).
        _say(progress, "vacuuming")
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM (ANALYZE) {_q(LEDGER)}")
            cursor.execute(f"VACUUM (ANALYZE) {_q(KEY_TABLE)}")
    return {
        "converted": True,
        "partitioned": True,
        "partitions": len(months) + 1,
        "in_default": in_default,
        "seconds": round(time.perf_counter() - started, 1),
    }
