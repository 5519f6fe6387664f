"""The rollups of the stage log, kept and rebuilt: `StageEntryDay` for the funnel and
`ClosedDealStage` for win/loss.

A deal's rows say which open stages it entered on which local days, and whether it went on to
a later open stage or won — at any time, so moving a deal changes its earlier rows too. Every
write of the stage log keeps the rollup in the same transaction: it reads the deal's rows from
the log before and after the write and adds the difference (`stage_rollup_kept`; a created deal
only adds, `stage_rollup_add`). The rows also follow a change of the deal's account or owner
(the funnel's access rule and owner filter read them). A won or lost deal's
`ClosedDealStage` rows are rewritten from its log after each write (`closed_rows_refresh`).
Writes that bypass the services (the demo, a benchmark's COPY) and a change of the stages'
order or outcomes call `stage_rollup_rebuild`, an INSERT … SELECT per rollup from the log.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import TruncDate

from guanxi.pipeline.models import (
    NO_EARLIER_ENTRY,
    ClosedDealStage,
    Opportunity,
    Outcome,
    Stage,
    StageChange,
    StageEntryDay,
)

#: (day, stage id, account id, owner id, previous day) → (entered, advanced, won)
Rows = dict[tuple[dt.date, int, int, int, dt.date], tuple[int, int, int]]

KEY = ("day", "stage_id", "account_id", "owner_id", "previous")
COUNTS = ("entered", "advanced", "won")


def _select(opportunity_ids: list[int] | None) -> tuple[str, list[Any]]:
    """The rollup's rows, from the log, of the given deals (None: every deal) as one SELECT of
    KEY + COUNTS. The entries (deal, open stage, local day) once each, each with the day the
    deal entered the stage before (a window over the deal's entries), joined to the deal's
    furthest open-or-won position and whether it was won, grouped once per deal."""
    entries = StageChange.objects.filter(to_stage__outcome=Outcome.OPEN)
    if opportunity_ids is not None:
        entries = entries.filter(opportunity_id__in=opportunity_ids)
    entries_sql, entries_params = (
        entries.annotate(day=TruncDate("changed_at"))
        .values("opportunity_id", "to_stage_id", "day")
        .order_by()
        .query.sql_with_params()
    )
    where, where_params = "", []
    if opportunity_ids is not None:
        where = f"WHERE sc.opportunity_id IN ({', '.join(['%s'] * len(opportunity_ids))})"
        where_params = list(opportunity_ids)
    stage, change = Stage._meta.db_table, StageChange._meta.db_table
    deal = Opportunity._meta.db_table
    sql = f"""
        SELECT p.day, p.to_stage_id, o.account_id, o.owner_id, COALESCE(p.prev, %s),
               COUNT(*), SUM(CASE WHEN r.furthest > st.position THEN 1 ELSE 0 END), SUM(r.won)
        FROM (SELECT e.opportunity_id, e.to_stage_id, e.day,
                     LAG(e.day) OVER (PARTITION BY e.opportunity_id, e.to_stage_id
                                      ORDER BY e.day) AS prev
              FROM (SELECT DISTINCT opportunity_id, to_stage_id, day FROM ({entries_sql}) x) e
             ) p
        JOIN {deal} o ON o.id = p.opportunity_id
        JOIN {stage} st ON st.id = p.to_stage_id
        JOIN (SELECT sc.opportunity_id,
                     MAX(CASE WHEN s.outcome IN (%s, %s) THEN s.position END) AS furthest,
                     MAX(CASE WHEN s.outcome = %s THEN 1 ELSE 0 END) AS won
              FROM {change} sc JOIN {stage} s ON s.id = sc.to_stage_id
              {where}
              GROUP BY sc.opportunity_id) r ON r.opportunity_id = p.opportunity_id
        GROUP BY 1, 2, 3, 4, 5"""  # noqa: S608 - table names from the models, values bound
    params = [
        NO_EARLIER_ENTRY,
        *entries_params,
        Outcome.OPEN.value,
        Outcome.WON.value,
        Outcome.WON.value,
        *where_params,
    ]
    return sql, params


def _day(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def deal_rows(opportunity_ids: Iterable[int]) -> Rows:
    """What the given deals put in the rollup now, read from the log."""
    ids = sorted({int(i) for i in opportunity_ids})
    if not ids:
        return {}
    sql, params = _select(ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {
            (_day(r[0]), r[1], r[2], r[3], _day(r[4])): (int(r[5]), int(r[6] or 0), int(r[7] or 0))
            for r in cursor.fetchall()
        }


def _apply(before: Rows, after: Rows) -> None:
    """Add after − before to the rollup (an upsert per changed row), and drop emptied rows."""
    changed = []
    for key in sorted(before.keys() | after.keys()):  # in key order: rows locked in one order
        old, new = before.get(key, (0, 0, 0)), after.get(key, (0, 0, 0))
        delta = tuple(n - o for n, o in zip(new, old, strict=True))
        if any(delta):
            changed.append((*key, *delta))
    if not changed:
        return
    table = StageEntryDay._meta.db_table
    columns = ", ".join(KEY + COUNTS)
    add = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTS)
    accounts = sorted({row[2] for row in changed})
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * 8)}) "  # noqa: S608
            f"ON CONFLICT ({', '.join(KEY)}) DO UPDATE SET {add}",
            changed,
        )
        cursor.execute(
            f"DELETE FROM {table} WHERE entered <= 0 "  # noqa: S608
            f"AND account_id IN ({', '.join(['%s'] * len(accounts))})",
            accounts,
        )


def stage_rollup_add(opportunity_ids: Iterable[int]) -> None:
    """Add new deals (their whole log) to the rollups."""
    ids = sorted({int(i) for i in opportunity_ids})
    _apply({}, deal_rows(ids))
    closed_rows_refresh(ids)


@contextmanager
def stage_rollup_kept(opportunity_ids: Iterable[int]) -> Iterator[None]:
    """Around a write that changes the deals' log, account, owner or amount (or deletes them):
    the rollups follow, in the caller's transaction."""
    ids = sorted({int(i) for i in opportunity_ids})
    before = deal_rows(ids)
    yield
    _apply(before, deal_rows(ids))
    closed_rows_refresh(ids)


CLOSED_COLUMNS = ("opportunity_id", "closed_on", "account_id", "owner_id", "outcome", "amount",
                  "stage_id", "reached", "changes", "timed", "seconds")  # fmt: skip


def _closed_select(opportunity_ids: list[int] | None) -> tuple[str, list[Any]]:
    """`ClosedDealStage`'s rows of the given deals (None: every deal) that are won or lost, as
    one SELECT of CLOSED_COLUMNS: per deal and stage it left, the moves out and their seconds,
    and per deal the furthest open stage it reached (highest position), keyed together."""
    deal, stage, change = (
        Opportunity._meta.db_table,
        Stage._meta.db_table,
        StageChange._meta.db_table,
    )
    deals = f"SELECT id FROM {deal} WHERE outcome IN (%s, %s) AND closed_on IS NOT NULL"
    deal_params: list[Any] = [Outcome.WON.value, Outcome.LOST.value]
    if opportunity_ids is not None:
        deals += f" AND id IN ({', '.join(['%s'] * len(opportunity_ids))})"
        deal_params += list(opportunity_ids)
    left = f"""SELECT opportunity_id, from_stage_id AS stage_id, COUNT(*) AS changes,
                      COUNT(seconds_in_from_stage) AS timed,
                      COALESCE(SUM(seconds_in_from_stage), 0) AS seconds
               FROM {change} WHERE from_stage_id IS NOT NULL AND opportunity_id IN ({deals})
               GROUP BY opportunity_id, from_stage_id"""
    reach = f"""SELECT opportunity_id, stage_id FROM (
                  SELECT sc.opportunity_id, sc.to_stage_id AS stage_id,
                         ROW_NUMBER() OVER (PARTITION BY sc.opportunity_id
                                            ORDER BY s.position DESC, sc.id DESC) AS n
                  FROM {change} sc JOIN {stage} s ON s.id = sc.to_stage_id
                  WHERE s.outcome = %s AND sc.opportunity_id IN ({deals})) ranked
                WHERE n = 1"""
    sql = f"""
        SELECT k.opportunity_id, o.closed_on, o.account_id, o.owner_id, o.outcome, o.amount,
               k.stage_id, r.stage_id IS NOT NULL, COALESCE(l.changes, 0),
               COALESCE(l.timed, 0), COALESCE(l.seconds, 0)
        FROM (SELECT opportunity_id, stage_id FROM ({left}) l0
              UNION SELECT opportunity_id, stage_id FROM ({reach}) r0) k
        JOIN {deal} o ON o.id = k.opportunity_id
        LEFT JOIN ({left}) l ON l.opportunity_id = k.opportunity_id AND l.stage_id = k.stage_id
        LEFT JOIN ({reach}) r ON r.opportunity_id = k.opportunity_id
                              AND r.stage_id = k.stage_id"""  # noqa: S608 - values bound
    reach_params = [Outcome.OPEN.value, *deal_params]
    return sql, [*deal_params, *reach_params, *deal_params, *reach_params]


def closed_rows_refresh(opportunity_ids: Iterable[int]) -> None:
    """Rewrite the given deals' `ClosedDealStage` rows (none unless won or lost)."""
    ids = sorted({int(i) for i in opportunity_ids})
    if not ids:
        return
    ClosedDealStage.objects.filter(opportunity_id__in=ids).delete()
    _insert(ClosedDealStage, CLOSED_COLUMNS, _closed_select(ids))


def _insert(model: type, columns: tuple[str, ...], select: tuple[str, list[Any]]) -> None:
    sql, params = select
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) {sql}",  # noqa: S608
            params,
        )


@transaction.atomic
def stage_rollup_rebuild(*, as_of: dt.date | None = None, progress: bool = False) -> dict:
    """Rewrite both rollups from the stage log: an INSERT … SELECT each. They hold the whole
    log, so ``as_of`` changes nothing (accepted as every rebuild step takes it). Returns the
    entry rows written, the deal-stage-day entries they count and the closed-deal rows."""
    del as_of  # the rollup is not as of a day: it holds the whole log
    started = time.perf_counter()
    StageEntryDay.objects.all().delete()
    _insert(StageEntryDay, KEY + COUNTS, _select(None))
    ClosedDealStage.objects.all().delete()
    _insert(ClosedDealStage, CLOSED_COLUMNS, _closed_select(None))
    totals = StageEntryDay.objects.aggregate(rows=Count("id"), entries=Sum("entered"))
    result = {
        "rows": totals["rows"],
        "entries": totals["entries"] or 0,
        "closed_rows": ClosedDealStage.objects.count(),
    }
    if progress:
        print(f"stage rollups: {result['rows']:,} entry rows ({result['entries']:,} entries), "
              f"{result['closed_rows']:,} closed-deal rows in "
              f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
    return result
