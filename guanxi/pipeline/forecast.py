"""The weighted forecast by expected-close month, per KAM, per team and for the company, against
the sales targets managers set.

For each month: the open deals expected to close in it, weighted (amount × probability / 100),
plus the deals won (closed) in it — the forecast —; the target (the month's target; a quarter's
target stands on the quarter's row); and what was attained, two ways, shown side by side:
revenue booked (the `AccountMonth` rollups of the accounts the KAM owns, or of the team's
accounts) and the amount of the deals won in the month.

Who sees which rows: a KAM their own; a team lead each member of their team and the team;
managers every KAM, every team and the company. The deal sums read only deals in the actor's
sight. Five grouped queries whatever the number of deals (each over an index: opportunity by
outcome and expected close or close date, the account month rollup by account or month).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.activities.selectors import agenda_subjects
from guanxi.core.dates import add_months
from guanxi.core.errors import NotFound
from guanxi.core.models import Team, User
from guanxi.pipeline.models import Outcome, SalesTarget, TargetPeriod
from guanxi.pipeline.reports import (
    ZERO,
    cents,
    opportunities_in_sight,
    weighted_cents,
    weighted_sum,
)
from guanxi.transactions.models import AccountMonth

#: The most months one forecast spans.
MAX_MONTHS = 12
KAM, TEAM, COMPANY = "kam", "team", "company"


@dataclass
class Cell:
    """One month (or quarter, or the whole span) of one row."""

    start: dt.date
    target: Decimal | None = None
    open_amount: Decimal = ZERO
    weighted: Decimal = ZERO
    open_count: int = 0
    won: Decimal = ZERO
    won_count: int = 0
    revenue: Decimal = ZERO
    #: A month without a target of its own in a quarter that has one: that quarter's target
    #: (shown as "quarter target only", never split into months).
    quarter_target: Decimal | None = None

    @property
    def forecast(self) -> Decimal:
        """Weighted open deals plus what is already won."""
        return self.weighted + self.won

    def _share(self, value: Decimal) -> float | None:
        return float(value / self.target) if self.target else None

    @property
    def forecast_attainment(self) -> float | None:
        return self._share(self.forecast)

    @property
    def won_attainment(self) -> float | None:
        return self._share(self.won)

    @property
    def revenue_attainment(self) -> float | None:
        return self._share(self.revenue)

    def add(self, other: Cell) -> None:
        for name in ("open_amount", "weighted", "open_count", "won", "won_count", "revenue"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class Row:
    kind: str  # KAM, TEAM or COMPANY
    key: int | None  # the user's or the team's id
    label: str
    months: list[Cell]
    quarters: list[Cell] = field(default_factory=list)
    total: Cell | None = None


@dataclass
class Forecast:
    start: dt.date
    months: list[dt.date]
    rows: list[Row]
    owner: User | None = None
    team: Team | None = None

    def row(self, kind: str, key: int | None = None) -> Row | None:
        return next((r for r in self.rows if r.kind == kind and r.key == key), None)


def month_span(start: dt.date | None, months: int) -> list[dt.date]:
    first = (start or timezone.localdate()).replace(day=1)
    return [add_months(first, i) for i in range(max(1, min(months, MAX_MONTHS)))]


def forecast_subjects(actor: User) -> tuple[QuerySet[User], QuerySet[Team]]:
    """The KAMs and teams whose figures `actor` may see (the filter choices)."""
    users = agenda_subjects(actor)
    if actor.sees_all_accounts:
        teams = Team.objects.all()
    elif actor.leads_team:
        teams = Team.objects.filter(pk=actor.team_id)
    else:
        teams = Team.objects.none()
    return users, teams.order_by("name")


def forecast(
    actor: User,
    *,
    start: dt.date | None = None,
    months: int = 6,
    owner: int | None = None,
    team: int | None = None,
) -> Forecast:
    """The forecast rows `actor` may see from `start`'s month for `months` months, for one KAM
    (`owner`), one team (`team`), or everything in the actor's sight. An owner or a team the
    actor may not see is a NotFound."""
    span = month_span(start, months)
    first, end = span[0], add_months(span[-1], 1)
    users, teams = forecast_subjects(actor)
    picked_user = _pick(users, owner, "owner")
    picked_team = _pick(teams, team, "team")
    members = _members(actor, users, picked_user, picked_team)
    team_ids = {u.team_id for u in members.values() if u.team_id} & set(
        teams.values_list("id", flat=True)
    )
    if picked_team is not None:
        team_ids = {picked_team.pk}
    if picked_user is not None:
        team_ids = set()
    deals = opportunities_in_sight(actor).filter(owner_id__in=list(members)).order_by()
    cells = _deal_cells(deals, first, end)
    everything = actor.sees_all_accounts and picked_user is None and picked_team is None
    revenue = _revenue(actor, list(members), team_ids, first, end, everything=everything)
    targets = _targets(list(members), team_ids, first, end)
    team_names = dict(Team.objects.filter(pk__in=team_ids).values_list("id", "name"))
    rows = [
        _row(KAM, pk, str(u), span, cells.get(pk, {}), revenue[(KAM, pk)], targets[(KAM, pk)])
        for pk, u in sorted(members.items(), key=lambda kv: str(kv[1]))
    ]
    for team_id in sorted(team_ids, key=lambda t: team_names.get(t, "")):
        team_cells = _sum_cells(cells, [pk for pk, u in members.items() if u.team_id == team_id])
        rows.append(
            _row(
                TEAM,
                team_id,
                team_names.get(team_id, ""),
                span,
                team_cells,
                revenue[(TEAM, team_id)],
                targets[(TEAM, team_id)],
            )  # fmt: skip
        )
    if everything:
        rows.append(
            _row(
                COMPANY,
                None,
                _("Company"),
                span,
                _sum_cells(cells, list(members)),
                revenue[(COMPANY, None)],
                {},
            )  # fmt: skip
        )
    return Forecast(first, span, rows, picked_user, picked_team)


def _pick(choices: QuerySet, pk: int | None, name: str) -> Any:
    if pk is None:
        return None
    picked = choices.filter(pk=pk).first()
    if picked is None:
        raise NotFound(_("No such %(what)s in your sight.") % {"what": name}, field=name)
    return picked


def _members(
    actor: User, users: QuerySet[User], owner: User | None, team: Team | None
) -> dict[int, User]:
    if owner is not None:
        return {owner.pk: owner}
    if team is not None:
        users = users.filter(team=team)
    elif not actor.sees_all_accounts and not actor.leads_team:
        users = users.filter(pk=actor.pk)
    return {u.pk: u for u in users.only("id", "username", "first_name", "last_name", "team_id")}


def _deal_cells(deals: QuerySet, first: dt.date, end: dt.date) -> dict[int, dict[dt.date, Cell]]:
    """owner id → month → Cell with the open (weighted) and won figures: two grouped queries."""
    cells: dict[int, dict[dt.date, Cell]] = defaultdict(dict)
    open_rows = (
        deals.filter(outcome=Outcome.OPEN, expected_close__gte=first, expected_close__lt=end)
        .annotate(m=TruncMonth("expected_close"))
        .values("owner_id", "m")
        .annotate(n=Count("id"), total=Sum("amount"), weighted=weighted_sum())
    )
    for r in open_rows:
        cell = cells[r["owner_id"]].setdefault(r["m"], Cell(r["m"]))
        cell.open_count, cell.open_amount = r["n"], cents(r["total"])
        cell.weighted = weighted_cents(r["weighted"])
    won_rows = (
        deals.filter(outcome=Outcome.WON, closed_on__gte=first, closed_on__lt=end)
        .annotate(m=TruncMonth("closed_on"))
        .values("owner_id", "m")
        .annotate(n=Count("id"), amount=Sum("amount"))
    )
    for r in won_rows:
        cell = cells[r["owner_id"]].setdefault(r["m"], Cell(r["m"]))
        cell.won_count, cell.won = r["n"], cents(r["amount"])
    return cells


def _sum_cells(cells: dict, owners: list[int]) -> dict[dt.date, Cell]:
    result: dict[dt.date, Cell] = {}
    for pk in owners:
        for month, cell in cells.get(pk, {}).items():
            result.setdefault(month, Cell(month)).add(cell)
    return result


def _revenue(
    actor: User,
    owners: list[int],
    team_ids: set[int],
    first: dt.date,
    end: dt.date,
    *,
    everything: bool,
) -> dict[tuple, dict[dt.date, Decimal]]:
    """(kind, key) → month → revenue booked on the accounts the KAM owns, the team's accounts,
    or all accounts in sight: one grouped query over the month rollup."""
    result: dict[tuple, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    q = Q(account__owner_id__in=owners)
    if team_ids:
        q |= Q(account__team_id__in=team_ids)
    qs = AccountMonth.objects.filter(month__gte=first, month__lt=end)
    if not actor.sees_all_accounts:
        qs = visible_to(qs, actor, prefix="account__")
    if not everything:  # the company row needs every account; otherwise only the rows' own
        qs = qs.filter(q)
    rows = qs.order_by().values("account__owner_id", "account__team_id", "month")
    owner_set = set(owners)
    for r in rows.annotate(revenue=Sum("revenue")):
        month, value = r["month"], cents(r["revenue"])
        if r["account__owner_id"] in owner_set:
            result[(KAM, r["account__owner_id"])][month] += value
        if r["account__team_id"] in team_ids:
            result[(TEAM, r["account__team_id"])][month] += value
        result[(COMPANY, None)][month] += value
    return result


def _targets(
    owners: list[int], team_ids: set[int], first: dt.date, end: dt.date
) -> dict[tuple, dict[tuple, Decimal]]:
    """(kind, key) → (period, starts_on) → target amount. Quarter targets that began before
    `first` still count for the quarter rows."""
    result: dict[tuple, dict[tuple, Decimal]] = defaultdict(dict)
    rows = SalesTarget.objects.filter(
        Q(user_id__in=owners) | Q(team_id__in=team_ids),
        starts_on__gte=add_months(first, -2),
        starts_on__lt=end,
    ).values_list("user_id", "team_id", "period", "starts_on", "amount")
    for user_id, team_id, period, starts_on, amount in rows:
        key = (KAM, user_id) if user_id else (TEAM, team_id)
        result[key][(period, starts_on)] = amount
    return result


def quarter_start(day: dt.date) -> dt.date:
    return day.replace(month=3 * ((day.month - 1) // 3) + 1, day=1)


def _row(
    kind: str,
    key: int | None,
    label: str,
    span: list[dt.date],
    cells: dict[dt.date, Cell],
    revenue: dict[dt.date, Decimal],
    targets: dict[tuple, Decimal],
) -> Row:
    months = []
    for month in span:
        cell = cells.get(month) or Cell(month)
        cell = Cell(**{**cell.__dict__, "start": month})
        cell.revenue = revenue.get(month, ZERO)
        cell.target = targets.get((TargetPeriod.MONTH, month))
        months.append(cell)
    quarters: dict[dt.date, Cell] = {}
    for cell in months:
        q = quarters.setdefault(quarter_start(cell.start), Cell(quarter_start(cell.start)))
        q.add(cell)
    for cell in months:
        if cell.target is None:
            cell.quarter_target = targets.get((TargetPeriod.QUARTER, quarter_start(cell.start)))
    for start, q in quarters.items():
        q.target = targets.get((TargetPeriod.QUARTER, start))
        if q.target is None:  # no quarter target: the months' targets, when every month has one
            monthly = [targets.get((TargetPeriod.MONTH, add_months(start, i))) for i in range(3)]
            if all(t is not None for t in monthly):
                q.target = sum(monthly, ZERO)
    total = Cell(span[0])
    for cell in months:
        total.add(cell)
    month_targets = [c.target for c in months]
    total.target = sum(month_targets, ZERO) if all(t is not None for t in month_targets) else None
    return Row(kind, key, label, months, list(quarters.values()), total)
