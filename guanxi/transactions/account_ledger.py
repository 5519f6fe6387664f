"""One account's ledger as its 360° page shows it, from one read of its month rollups.

`AccountMonth` holds one row per account, local month and product category (exact: every
write of a transaction refreshes its account's months). An account has at most a few hundred
of them, so the page reads them all once (`account_months`) and derives in memory what it
used to ask for in five queries: this month's, this year's and the lifetime totals, the
24-month revenue, the same per category, and the months the latest transactions lie in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from guanxi.core.dates import add_months
from guanxi.transactions.models import AccountMonth, ProductCategory
from guanxi.transactions.selectors import ZERO, CategorySeries, PeriodTotals


@dataclass
class AccountMonths:
    """The account's month rollups, newest month first (category loaded)."""

    rows: list[AccountMonth] = field(default_factory=list)

    def totals(self, start: dt.date | None = None, end: dt.date | None = None) -> PeriodTotals:
        """`month_totals` of one period: months from ``start`` to before ``end`` (None: open)."""
        out = PeriodTotals()
        for r in self.rows:
            if (start is None or r.month >= start) and (end is None or r.month < end):
                out.revenue += r.revenue
                out.cost += r.cost
                out.margin += r.margin
                out.count += r.count
                out.costed += r.costed
        return out

    def monthly_revenue(self, *, today: dt.date, months: int = 24) -> list[tuple[dt.date, Decimal]]:
        """The last ``months`` months' revenue, oldest first (a month with none: zero)."""
        series = _months(today, months)
        by_month: dict[dt.date, Decimal] = {}
        for r in self.rows:
            by_month[r.month] = by_month.get(r.month, ZERO) + r.revenue
        return [(m, by_month.get(m, ZERO)) for m in series]

    def by_category(
        self, *, today: dt.date, months: int = 24
    ) -> tuple[list[dt.date], list[CategorySeries]]:
        """Per product category with a transaction in the last
        ``months`` months (categories' order), each month's revenue, None for none."""
        series = _months(today, months)
        wanted = set(series)
        cells: dict[int, dict[dt.date, Decimal]] = {}
        categories: dict[int, ProductCategory] = {}
        for r in self.rows:
            if r.month in wanted and r.count:
                month_cells = cells.setdefault(r.category_id, {})
                month_cells[r.month] = month_cells.get(r.month, ZERO) + r.revenue
                categories[r.category_id] = r.category
        ordered = sorted(categories.values(), key=lambda c: (c.sort_order, c.code))
        return series, [
            CategorySeries(category=c, values=[cells[c.pk].get(m) for m in series])
            for c in ordered
        ]

    def month_counts(self) -> list[tuple[dt.date, int]]:
        """(month, transactions) newest first: where the latest transactions lie."""
        counts: dict[dt.date, int] = {}
        for r in self.rows:
            counts[r.month] = counts.get(r.month, 0) + r.count
        return sorted(counts.items(), reverse=True)


def _months(today: dt.date, months: int) -> list[dt.date]:
    first = add_months(today.replace(day=1), -(months - 1))
    return [add_months(first, i) for i in range(months)]


def account_months(account_id: int) -> AccountMonths:
    """Every month rollup of the account, in one query."""
    rows = (
        AccountMonth.objects.filter(account_id=account_id)
        .select_related("category")
        .only("month", "category_id", "revenue", "cost", "margin", "count", "costed",
              "category__code", "category__name", "category__name_en", "category__sort_order")
        .order_by("-month", "category_id")
    )  # fmt: skip
    return AccountMonths(list(rows))
