"""The pipeline read as reports: the board, the funnel and win/loss (the forecast against
targets is in `forecast.py`).

Every report reads only the deals the actor may see (`opportunities_in_sight`: the account access
rule) and groups in the database over indexed columns — `outcome`, `stage`, `owner`,
`expected_close`, `closed_on` on Opportunity — so a page is a handful of grouped queries
whatever the number of deals. The funnel and win/loss read the stage log through its rollups
(`StageEntryDay`, `ClosedDealStage`: `pipeline.stage_rollup`), never the log itself. Lists
are capped (a board column shows its first `BOARD_CAP` cards by expected close, with the
column's full count and sums).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    QuerySet,
    Sum,
)
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import visible_to
from guanxi.core.dates import add_months
from guanxi.core.models import User
from guanxi.leads.models import LeadSource
from guanxi.pipeline.models import (
    ClosedDealStage,
    LostReason,
    Opportunity,
    OpportunityType,
    Outcome,
    Pipeline,
    Stage,
    StageEntryDay,
)
from guanxi.pipeline.selectors import default_pipeline

#: Cards shown per board column (the column's count and sums cover all its deals).
BOARD_CAP = 25
#: How far back the board's won and lost columns look.
CLOSED_DAYS = 30
ZERO = Decimal(0)
WIDE = DecimalField(max_digits=24, decimal_places=2)


def opportunities_in_sight(actor: User | None, *, as_list: bool = False) -> QuerySet[Opportunity]:
    """The deals `actor` may see: those of the accounts they see (the rule of
    `pipeline.selectors.opportunities_visible_to`). ``as_list`` (the board's capped columns):
    the visible account ids are read once and passed as a list, so PostgreSQL walks the
    (stage, expected close) index checking each deal's account instead of reading every
    account to join the id subquery (30 ms a column for a KAM at 20,000 accounts). Grouped
    reads over many deals keep the subquery, which PostgreSQL hashes."""
    return visible_to(Opportunity.objects.all(), actor, prefix="account__", as_list=as_list)


def weighted_sum() -> Sum:
    """Σ amount × probability (in %): divide by 100 for the weighted amount. Summed in the
    database, so the whole column or month is one aggregate."""
    return Sum(F("amount") * F("probability"), output_field=WIDE)


CENT = Decimal("0.01")


def cents(value: Any) -> Decimal:
    """A sum as the database returns it (SQLite drops the decimal places) to two places."""
    return Decimal(value or 0).quantize(CENT)


def weighted_cents(value: Any) -> Decimal:
    """A `weighted_sum` (amount × percent) as the weighted amount, to two places."""
    return (Decimal(value or 0) / 100).quantize(CENT)


# --- The board ----------------------------------------------------------------------------------


@dataclass
class BoardColumn:
    stage: Stage
    cards: list[Opportunity] = field(default_factory=list)
    count: int = 0
    amount: Decimal = ZERO
    weighted: Decimal = ZERO

    @property
    def more(self) -> int:
        return max(self.count - len(self.cards), 0)

    @property
    def outcome(self) -> str:
        return self.stage.outcome


@dataclass
class Board:
    pipeline: Pipeline
    columns: list[BoardColumn]
    closed_since: dt.date
    owner_id: int | None = None
    opportunity_type: str = ""

    @property
    def count(self) -> int:
        return sum(c.count for c in self.columns if c.outcome == Outcome.OPEN)

    @property
    def amount(self) -> Decimal:
        return sum((c.amount for c in self.columns if c.outcome == Outcome.OPEN), ZERO)

    @property
    def weighted(self) -> Decimal:
        return sum((c.weighted for c in self.columns if c.outcome == Outcome.OPEN), ZERO)


#: What a card shows: only these columns are read for the cards.
CARD_FIELDS = (
    "id", "name", "account_id", "owner_id", "owner__username",
    "owner__first_name", "owner__last_name", "stage_id", "opportunity_type", "amount",
    "probability", "expected_close", "closed_on", "next_step", "next_step_on", "outcome",
)  # fmt: skip


def board_deals(
    actor: User | None,
    *,
    pipeline: Pipeline | None = None,
    owner: int | None = None,
    opportunity_type: str = "",
) -> QuerySet[Opportunity]:
    """The deals the board may show (each column then narrows them), filtered by owner and
    type."""
    qs = opportunities_in_sight(actor)
    if pipeline is not None:
        qs = qs.filter(pipeline=pipeline)
    if owner is not None:
        qs = qs.filter(owner_id=owner)
    if opportunity_type:
        qs = qs.filter(opportunity_type=opportunity_type)
    return qs


def _column_totals(deals: QuerySet, since: dt.date) -> dict[int, dict]:
    """stage id → count and sums: the open deals, and the ones closed since `since`. Two
    grouped queries, each on an index that starts with the outcome (one query with an OR of
    both read the whole table)."""
    grouped = {"n": Count("id"), "total": Sum("amount"), "weighted": weighted_sum()}
    rows = [
        *deals.filter(outcome=Outcome.OPEN).order_by().values("stage_id").annotate(**grouped),
        *deals.filter(outcome__in=[Outcome.WON, Outcome.LOST], closed_on__gte=since)
        .order_by()
        .values("stage_id")
        .annotate(**grouped),
    ]
    return {row["stage_id"]: row for row in rows}


def board(
    actor: User | None,
    *,
    pipeline: Pipeline | None = None,
    owner: int | None = None,
    opportunity_type: str = "",
    cap: int = BOARD_CAP,
    today: dt.date | None = None,
) -> Board:
    """The kanban: one column per active stage of the pipeline, each with its first `cap` cards
    (soonest expected close first; won and lost ones closed in the last CLOSED_DAYS, newest
    first), the column's count, amount and weighted amount. 3 + one query per column."""
    pipeline = pipeline or default_pipeline()
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=CLOSED_DAYS)
    stages = list(pipeline.stages.filter(active=True).order_by("position", "id"))
    deals = board_deals(actor, pipeline=pipeline, owner=owner, opportunity_type=opportunity_type)
    totals = _column_totals(deals, since)
    columns = []
    for stage in stages:
        row = totals.get(stage.pk, {})
        column = BoardColumn(
            stage,
            count=row.get("n", 0),
            amount=cents(row.get("total")),
            weighted=weighted_cents(row.get("weighted")),
        )
        if column.count:
            # No join to the accounts here: with the visible-account subquery it made PostgreSQL
            # read every account; their names are read for the shown cards below.
            cards = deals.filter(stage=stage).select_related("owner").only(*CARD_FIELDS)
            if stage.outcome == Outcome.OPEN:  # the (stage, expected close) index, in order
                cards = cards.order_by("expected_close", "id")
            else:
                # the outcome lets the (outcome, closed on) index find the recent few
                cards = cards.filter(outcome=stage.outcome, closed_on__gte=since)
                cards = cards.order_by("-closed_on", "-id")
            column.cards = list(cards[:cap])
        columns.append(column)
    shown = [card for column in columns for card in column.cards]
    accounts = Account.objects.only("id", "name").in_bulk({c.account_id for c in shown})
    for card in shown:
        card.account = accounts[card.account_id]
    return Board(pipeline, columns, since, owner, opportunity_type)


# --- The funnel ---------------------------------------------------------------------------------


@dataclass
class FunnelStep:
    stage: Stage
    entered: int  # deals that entered the stage in the period
    advanced: int  # of them, those that reached a later open stage or won
    won: int  # of them, those won (at any time after)

    @property
    def conversion(self) -> float | None:
        return self.advanced / self.entered if self.entered else None

    @property
    def win_rate(self) -> float | None:
        return self.won / self.entered if self.entered else None


@dataclass
class Funnel:
    pipeline: Pipeline
    start: dt.date
    end: dt.date
    steps: list[FunnelStep]


def funnel(
    actor: User | None,
    *,
    start: dt.date,
    end: dt.date,
    pipeline: Pipeline | None = None,
    owner: int | None = None,
) -> Funnel:
    """Stage conversion from the stage log: for each open stage, the deals that entered it
    between `start` and `end` (inclusive, local days), how many of them went on to a later
    stage (lost is not "later") and how many were won. One grouped query on the log's rollup
    (`StageEntryDay`, exact for any period): a deal counts once in a stage, on its first day
    of entry in the period (the rows whose previous entry is before the period)."""
    pipeline = pipeline or default_pipeline()
    stages = list(pipeline.stages.filter(active=True).order_by("position", "id"))
    steps = [s for s in stages if s.outcome == Outcome.OPEN]
    rows = StageEntryDay.objects.filter(
        stage_id__in=[s.pk for s in steps], day__gte=start, day__lte=end, previous__lt=start
    )
    sees_all = actor is not None and actor.is_active and actor.sees_all_accounts
    if not sees_all:  # a manager's whole company needs no account filter
        rows = visible_to(rows, actor, prefix="account__")
    if owner is not None:
        rows = rows.filter(owner_id=owner)
    totals = {
        r["stage_id"]: (r["n"] or 0, r["advanced"] or 0, r["won"] or 0)
        for r in rows.order_by()
        .values("stage_id")
        .annotate(n=Sum("entered"), advanced=Sum("advanced"), won=Sum("won"))
    }
    return Funnel(
        pipeline, start, end, [FunnelStep(s, *totals.get(s.pk, (0, 0, 0))) for s in steps]
    )


# --- Win/loss -----------------------------------------------------------------------------------


@dataclass
class RateRow:
    key: Any  # a source id, a type code, a stage id, a lost reason id (None: not given)
    label: str
    won: int = 0
    lost: int = 0
    won_amount: Decimal = ZERO

    @property
    def closed(self) -> int:
        return self.won + self.lost

    @property
    def win_rate(self) -> float | None:
        return self.won / self.closed if self.closed else None


@dataclass
class CycleRow:
    stage: Stage
    changes: int
    average_days: float | None


@dataclass
class WinLoss:
    start: dt.date
    end: dt.date
    total: RateRow
    by_source: list[RateRow]
    by_type: list[RateRow]
    by_stage_reached: list[RateRow]
    lost_reasons: list[RateRow]  # `lost` holds the count
    cycle_days: float | None  # average days from creation to close of the deals closed
    by_stage_cycle: list[CycleRow]


def _rates(rows: Any, key: str, labels: dict[Any, str]) -> list[RateRow]:
    result: dict[Any, RateRow] = {}
    for row in rows:
        k = row[key]
        item = result.setdefault(k, RateRow(k, labels.get(k, "—")))
        if row["outcome"] == Outcome.WON:
            item.won += row["n"]
            item.won_amount += cents(row["amount"])
        else:
            item.lost += row["n"]
    return sorted(result.values(), key=lambda r: (-r.closed, str(r.label)))


def closed_deals(
    actor: User | None, *, start: dt.date, end: dt.date, owner: int | None = None
) -> QuerySet[Opportunity]:
    qs = opportunities_in_sight(actor).filter(
        outcome__in=[Outcome.WON, Outcome.LOST], closed_on__gte=start, closed_on__lte=end
    )
    return qs.filter(owner_id=owner) if owner is not None else qs


def closed_stage_rows(
    actor: User | None, *, start: dt.date, end: dt.date, owner: int | None = None
) -> QuerySet[ClosedDealStage]:
    """`closed_deals`' rows of the win/loss rollup (the same deals, the same rule)."""
    qs = ClosedDealStage.objects.filter(closed_on__gte=start, closed_on__lte=end)
    if not (actor is not None and actor.is_active and actor.sees_all_accounts):
        qs = visible_to(qs, actor, prefix="account__")
    return qs.filter(owner_id=owner) if owner is not None else qs


def win_loss(
    actor: User | None, *, start: dt.date, end: dt.date, owner: int | None = None
) -> WinLoss:
    """Deals closed between `start` and `end`: win rate by source, type and the furthest open
    stage reached; lost reasons; cycle time (average days from creation to close, and average
    days spent per stage from the stage log). Four grouped queries on the deals and two on the
    stage log's rollup (`ClosedDealStage`), none on the log itself."""
    closed = closed_deals(actor, start=start, end=end, owner=owner).order_by()
    grouped = {"n": Count("id"), "amount": Sum("amount")}

    def by(key: str) -> list[dict]:
        return list(closed.values(key, "outcome").annotate(**grouped))

    source_labels = {s.pk: str(s) for s in LeadSource.objects.all()}
    by_source = _rates(by("source_id"), "source_id", source_labels)
    type_rows = by("opportunity_type")
    by_type = _rates(type_rows, "opportunity_type", dict(OpportunityType.choices))
    rollup = closed_stage_rows(actor, start=start, end=end, owner=owner).order_by()
    stages = {s.pk: s for s in Stage.objects.all()}
    by_stage = _rates(
        _reached_rows(rollup, type_rows), "reached", {k: str(v) for k, v in stages.items()}
    )
    by_stage.sort(key=lambda r: stages[r.key].position if r.key in stages else -1)
    reasons = {r.pk: str(r) for r in LostReason.objects.all()}
    lost = _rates(
        closed.filter(outcome=Outcome.LOST).values("lost_reason_id", "outcome").annotate(**grouped),
        "lost_reason_id",
        reasons,
    )
    total = RateRow(None, "")
    for row in (*by_type,):
        total.won += row.won
        total.lost += row.lost
        total.won_amount += row.won_amount
    per_stage, seconds = _stage_cycle(rollup, stages)
    cycle = round(seconds / total.closed / 86_400, 1) if total.closed else None
    return WinLoss(start, end, total, by_source, by_type, by_stage, lost, cycle, per_stage)


def _reached_rows(rollup: QuerySet, type_rows: list[dict]) -> list[dict]:
    """(reached stage, outcome) → deals and amount: the rollup's rows of the furthest open
    stage each deal reached, and as "none" the deals that reached no open stage (all the
    closed deals, summed from the rows by type, less those)."""
    rows = [
        {"reached": r["stage_id"], "outcome": r["outcome"], "n": r["n"], "amount": r["amount"]}
        for r in rollup.filter(reached=True)
        .values("stage_id", "outcome")
        .annotate(n=Count("id"), amount=Sum("amount"))
    ]
    for outcome in (Outcome.WON, Outcome.LOST):
        n = sum(r["n"] for r in type_rows if r["outcome"] == outcome)
        amount = sum((cents(r["amount"]) for r in type_rows if r["outcome"] == outcome), ZERO)
        n -= sum(r["n"] for r in rows if r["outcome"] == outcome)
        amount -= sum((cents(r["amount"]) for r in rows if r["outcome"] == outcome), ZERO)
        if n:
            rows.append({"reached": None, "outcome": outcome, "n": n, "amount": amount})
    return rows


def _stage_cycle(rollup: QuerySet, stages: dict[int, Stage]) -> tuple[list[CycleRow], int]:
    """Average days in each stage left by the closed deals, and the seconds they spent in all
    their stages (creation to close: the average cycle is that over how many closed). One
    grouped query on the rollup."""
    rows = list(
        rollup.filter(changes__gt=0)
        .values("stage_id")
        .annotate(n=Sum("changes"), timed=Sum("timed"), total=Sum("seconds"))
    )
    result = [
        CycleRow(
            stages[r["stage_id"]],
            r["n"],
            round(r["total"] / r["n"] / 86_400, 1) if r["timed"] else None,
        )
        for r in rows
        if r["stage_id"] in stages
    ]
    seconds = sum(r["total"] or 0 for r in rows)
    return sorted(result, key=lambda r: (r.stage.pipeline_id, r.stage.position)), seconds


def default_period(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The last three months to today: what the funnel and win/loss show unless asked (a
    longer period is a filter away; a year of a whole company's stage log is 170,000 entries
    at 100,000 deals, more than a page should group while a person waits)."""
    today = today or timezone.localdate()
    return add_months(today, -3) + dt.timedelta(days=1), today
