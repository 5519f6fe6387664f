"""The hotel's transactions and payments of one account over the three years before `as_of`.

Demand follows the Chinese calendar (spring and autumn conference peaks, the Spring Festival dip,
summer leisure travel, year-end government spending) and the account's lifecycle pattern; the
draw is repeated until the rows show the pattern (the guarantees in `scenarios`). Payments follow
how each kind of customer pays (回款): on the spot, monthly, per event with a deposit, or late.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal
from typing import Any

from guanxi.demo.draw import WINDOW_DAYS, Dice, Window
from guanxi.demo.occasions import OccasionMeans, occasion, occasion_kinds
from guanxi.demo.rows import AccountRow, ContactRow, PaymentRow, TxRow, money
from guanxi.demo.scenarios import Pattern

# Spring Festival (春节) dates: demand for meetings collapses in the two weeks around them.
SPRING_FESTIVAL = {
    2019: dt.date(2019, 2, 5), 2020: dt.date(2020, 1, 25), 2021: dt.date(2021, 2, 12),
    2022: dt.date(2022, 2, 1), 2023: dt.date(2023, 1, 22), 2024: dt.date(2024, 2, 10),
    2025: dt.date(2025, 1, 29), 2026: dt.date(2026, 2, 17), 2027: dt.date(2027, 2, 6),
    2028: dt.date(2028, 1, 26), 2029: dt.date(2029, 2, 13), 2030: dt.date(2030, 2, 3),
    2031: dt.date(2031, 1, 23), 2032: dt.date(2032, 2, 11),
}  # fmt: skip

# Monthly demand multipliers (Jan..Dec) by kind of business.
SEASONS = {
    # conferences peak in Apr–May and Sep–Nov; Feb is the Spring Festival trough
    "business": (0.8, 0.55, 1.1, 1.25, 1.15, 1.1, 0.85, 0.8, 1.2, 1.05, 1.3, 1.1),
    # government meetings bunch up at the end of the budget year
    "government": (0.7, 0.5, 1.0, 1.2, 1.1, 1.1, 0.85, 0.8, 1.1, 0.9, 1.35, 1.5),
    # leisure: summer holidays and the National Day golden week
    "leisure": (0.85, 0.9, 0.8, 0.95, 1.15, 1.0, 1.45, 1.55, 1.0, 1.3, 0.8, 0.8),
    # weddings: May Day and National Day are the lucky, busy months
    "wedding": (0.8, 0.6, 0.8, 1.0, 1.3, 0.9, 0.7, 0.8, 1.2, 1.6, 1.1, 1.0),
}
SEASON_OF_TYPE = {
    "mice": "business",
    "corporate": "business",
    "gov_ent": "government",
    "ota": "leisure",
    "travel_agency": "leisure",
    "individual": "leisure",
    "wedding": "wedding",
}
# Cost as a share of revenue by category (margin 30–70%).
COST_SHARE = {
    "rooms": (0.30, 0.42),
    "fnb": (0.55, 0.68),
    "meeting": (0.28, 0.40),
    "travel": (0.62, 0.70),
    "other": (0.40, 0.55),
}
OTA_COMMISSION = (0.12, 0.18)
BAD_DEBT = {"AAA": 0.01, "AA": 0.02, "A": 0.03, "B": 0.08, "C": 0.25}
PAYMENT_LAG = {"gov_ent": (45, 180), "ota": (20, 45), "travel_agency": (20, 60)}


class PurchasesPlanner:
    def __init__(self, dice: Dice, window: Window, means: OccasionMeans):
        self.dice = dice
        self.window = window
        self.as_of = window.as_of
        self.means = means

    # ------------------------------------------------------------------ transactions

    def transactions(self, acc: AccountRow, people: list[ContactRow]) -> list[TxRow]:
        for _attempt in range(25):
            rows = self._transactions_once(acc, people)
            if self._shows_pattern(acc, rows):
                return rows
        return rows

    def _level(self, acc: AccountRow, day: dt.date) -> float:
        """Demand level at `day` relative to the account's normal (lifecycle pattern)."""
        x = (day - self.window.start).days / WINDOW_DAYS
        p = acc.pattern
        if p == Pattern.GROWING:
            return 0.3 * (2.1 / 0.3) ** x
        if p == Pattern.DECLINING:
            return 1.9 * (0.35 / 1.9) ** x
        if p == Pattern.CHURNED:
            return 1.0 if acc.churn_day and day < acc.churn_day else 0.0
        if p == Pattern.NEW:
            return 1.0 if acc.start_day and day >= acc.start_day else 0.0
        return 1.0

    def _occasion_days(self, acc: AccountRow) -> list[tuple[dt.date, str]]:
        """The days the account buys and what kind of occasion each is: a Poisson number a
        month, by season and lifecycle level."""
        kinds = occasion_kinds(acc)
        if acc.pattern == Pattern.ONE_OFF:
            assert acc.start_day is not None
            return [(acc.start_day, self.dice.pick_weighted(kinds))]
        season = SEASONS[SEASON_OF_TYPE[acc.account_type]]
        season_mean = sum(season) / 12
        mean_value = self.means.of(acc)
        out: list[tuple[dt.date, str]] = []
        start, last_day = self.window.start, self.window.last_day
        month = dt.date(start.year, start.month, 1)
        while month <= last_day:
            days_in = calendar.monthrange(month.year, month.month)[1]
            first = max(month, start)
            last = min(month + dt.timedelta(days=days_in - 1), last_day)
            mid = first + (last - first) / 2
            share = ((last - first).days + 1) / days_in
            level = (
                self._level(acc, mid) if acc.pattern not in {Pattern.CHURNED, Pattern.NEW} else 1
            )
            rate = acc.annual / 12 * season[month.month - 1] / season_mean * level / mean_value
            for _ in range(int(self.dice.rng.poisson(rate * share))):
                day = self._pick_day(acc, first, last)
                if day is None or self._level(acc, day) == 0:
                    continue
                kind = self.dice.pick_weighted(kinds)
                if kind == "annual_party" and day.month not in (12, 1):
                    kind = "business_banquet"
                out.append((day, kind))
            month = month + dt.timedelta(days=days_in)
        if acc.pattern == Pattern.NEW and acc.start_day:
            out.append((acc.start_day, self.dice.pick_weighted(kinds)))  # the first purchase
        return out

    def _pick_day(self, acc: AccountRow, first: dt.date, last: dt.date) -> dt.date | None:
        business = acc.account_type in {"mice", "corporate", "gov_ent"}
        dice = self.dice
        for _ in range(6):
            day = dice.day_between(first, last)
            festival = SPRING_FESTIVAL.get(day.year)
            if business and festival and abs((day - festival).days) <= 7 and dice.chance(0.85):
                continue
            weekend = day.weekday() >= 5
            if business and weekend and dice.chance(0.75):
                continue
            if acc.account_type == "wedding" and not weekend and dice.chance(0.7):
                continue
            return day
        return None

    def _shows_pattern(self, acc: AccountRow, rows: list[TxRow]) -> bool:
        """The guarantees documented in scenarios.py, checked on the drawn rows."""
        if not rows:
            return False
        at = self.window.at
        year_ago = at(self.as_of - dt.timedelta(days=365), 0)
        first_year_end = at(self.window.start + dt.timedelta(days=365), 0)
        half_year_ago = at(self.as_of - dt.timedelta(days=183), 0)
        first = sum(float(r.amount) for r in rows if r.occurred_at < first_year_end)
        last = sum(float(r.amount) for r in rows if r.occurred_at >= year_ago)
        recent = any(r.occurred_at >= half_year_ago for r in rows)
        if acc.pattern == Pattern.GROWING:
            return last > 1.5 * first and first > 0
        if acc.pattern == Pattern.DECLINING:
            return first > 1.5 * last and recent
        if acc.pattern == Pattern.CHURNED:
            return len({r.bill for r in rows}) >= 3 and first > 0
        if acc.pattern == Pattern.STEADY:
            return first > 0 and last > 0
        return True

    def _transactions_once(self, acc: AccountRow, people: list[ContactRow]) -> list[TxRow]:
        dice = self.dice
        rows: list[TxRow] = []
        active_people = [p for p in people if p.is_active] or people
        channel = {"ota": "ota", "travel_agency": "travel_agency"}.get(acc.account_type, "direct")
        for bill, (day, kind) in enumerate(sorted(self._occasion_days(acc))):
            lines = occasion(dice, kind, day)
            if acc.kind == "individual":
                contact = people[0].idx
            elif dice.chance(0.85):
                contact = (active_people[0] if dice.chance(0.6) else dice.pick(active_people)).idx
            else:
                contact = None
            row_channel = channel
            if channel == "direct" and kind in {"fnb_visit", "room_stay"}:
                row_channel = dice.pick_weighted(
                    (("direct", 55), ("phone", 25), ("mini_program", 12), ("walk_in", 8))
                )
            for offset, hour, minute, category, amount, heads, text in lines:
                when_day = day + dt.timedelta(days=offset)
                if when_day > self.window.last_day or when_day < self.window.start:
                    continue
                if acc.churn_day and when_day >= acc.churn_day:
                    continue
                lo, hi = COST_SHARE[category]
                share = dice.uniform(lo, hi)
                if row_channel == "ota":
                    share += dice.uniform(*OTA_COMMISSION)  # the platform's commission is a cost
                rows.append(
                    TxRow(
                        account_idx=acc.idx,
                        contact_idx=contact,
                        occurred_at=self.window.at(when_day, hour, minute),
                        category=category,
                        amount=money(amount),
                        cost=money(amount * min(share, 0.95)),
                        head_count=heads,
                        channel=row_channel,
                        description=text,
                        bill=bill,
                    )
                )
        rows.sort(key=lambda r: (r.occurred_at, r.category, r.description))
        return rows

    # ------------------------------------------------------------------ payments

    def payments(self, acc: AccountRow, rows: list[TxRow]) -> list[PaymentRow]:
        """回款: individuals pay on the spot, companies monthly, MICE per event with a deposit,
        government late; bills not yet due by `as_of` stay outstanding, a few are never paid."""
        if not rows:
            return []
        bad_debt = BAD_DEBT.get(acc.credit_rating, 0.03)
        cutoff = self.window.at(self.as_of, 0)
        out: list[PaymentRow] = []
        for key, lines in self._bills(acc, rows).items():
            total = sum((r.amount for r in lines), Decimal(0))
            first, last = lines[0].occurred_at, lines[-1].occurred_at
            if self.dice.chance(bad_debt):
                continue
            method, parts = self._instalments(acc, key, total, first, last)
            if self.dice.chance(0.08) and len(parts) == 1:
                # a small deduction agreed after a complaint or rounding (折让)
                parts = [(parts[0][0], money(float(total) * self.dice.uniform(0.95, 0.995)))]
            invoice = f"FP{first.year}{acc.idx + 1:04d}{len(out) + 1:03d}"
            for when, amount in parts:
                if when >= cutoff or amount <= 0:
                    continue  # not received yet: outstanding (应收未收)
                out.append(
                    PaymentRow(
                        account_idx=acc.idx,
                        received_at=when,
                        amount=amount,
                        method=method,
                        reference=invoice,
                        notes="定金" if len(parts) > 1 and when < first else "",
                    )
                )
        return out

    @staticmethod
    def _bills(acc: AccountRow, rows: list[TxRow]) -> dict[Any, list[TxRow]]:
        """The rows by bill: one per occasion (individuals, MICE, weddings, government meetings),
        else one a month."""
        t = acc.account_type
        per_occasion = acc.kind == "individual" or t in {"mice", "wedding"}
        bills: dict[Any, list[TxRow]] = {}
        for row in rows:
            if per_occasion or (t == "gov_ent" and row.category == "meeting"):
                key: Any = ("o", row.bill)
            else:
                key = ("m", row.occurred_at.year, row.occurred_at.month)
            bills.setdefault(key, []).append(row)
        return bills

    def _instalments(
        self, acc: AccountRow, key: Any, total: Decimal, first: dt.datetime, last: dt.datetime
    ) -> tuple[str, list[tuple[dt.datetime, Decimal]]]:
        """How one bill is paid: the method and the (when, amount) parts."""
        dice, t = self.dice, acc.account_type
        if acc.kind == "individual":
            method = dice.pick_weighted(
                (("wechat_pay", 45), ("alipay", 25), ("card", 25), ("cash", 5))
            )
            parts = [(last + dt.timedelta(hours=2), total)]
            if t == "wedding":
                deposit = money(float(total) * 0.3)
                parts = [
                    (first - dt.timedelta(days=dice.randint(30, 120)), deposit),
                    (last + dt.timedelta(hours=6), total - deposit),
                ]
            return method, parts
        if t in {"mice", "wedding"}:
            share = 0.3 if t == "mice" else 0.5
            deposit = money(float(total) * share)
            if total > 20_000:
                return "bank_transfer", [
                    (first - dt.timedelta(days=dice.randint(14, 45)), deposit),
                    (last + dt.timedelta(days=dice.randint(20, 90)), total - deposit),
                ]
            return "bank_transfer", [(last + dt.timedelta(days=dice.randint(3, 30)), total)]
        if key[0] == "m":
            y, m = key[1], key[2]
            month_end = dt.date(y, m, calendar.monthrange(y, m)[1])
            base = self.window.at(month_end, 10)
        else:
            base = last
        lag = PAYMENT_LAG.get(t, (15, 60))
        if acc.subkind == "soe":
            lag = (30, 120)
        when = base + dt.timedelta(days=dice.randint(*lag), hours=dice.randint(0, 7))
        return "bank_transfer", [(when, total)]
