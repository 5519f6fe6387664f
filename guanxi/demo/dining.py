"""The restaurant's members (餐饮会员) and their dining, part of the relations pass (`relations`).

Steady and growing accounts dine regularly at the hotel's restaurant (华膳楼). The restaurant's
monthly tier scheme (客户等级管理制度) applies to them; for the last complete month before `as_of`
each member's visits, spend and per-head spend are drawn to land in a planned tier, so the demo
shows a believable pyramid (of 300 accounts about 12 A, 25 B, 50 C and some lapsed members without
a tier). Other months follow the member's habit. Most member bills carry no discount or one at or
above the tier's floor (8.5折 for A, 8.8折 for B, 9折 for C); a few recent ones are below it and
end up in review. Members settle monthly.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

import numpy as np

from guanxi.demo.draw import Dice, Window
from guanxi.demo.rows import AccountRow, ContactRow, PaymentRow, TxRow, money
from guanxi.demo.scenarios import Pattern
from guanxi.tiers.presets import PRESETS

MEMBER_TAG = "餐饮会员"
# In Chinese and in English (the tag list shows the one of the page's language).
MEMBER_TAG_DESCRIPTION = (
    "华膳楼餐饮会员：适用餐厅月度客户等级",
    "Restaurant member: the restaurant's monthly tiers apply",
)
# Planned tier of a member for the last complete month:
# (code, share of all accounts, visits (lo, hi), spend (lo, hi), per head (lo, hi)).
# The bounds keep a margin to the preset's thresholds (6/4/2 visits; ¥5000/4500/3000/2500/1500/
# 1000; ¥80/60/60/–/50/40 a head), so the jitter on each bill cannot move a member across them.
PLAN = (
    ("a-quality", 0.020, (6, 9), (6000, 9000), (100, 150)),
    ("a-active", 0.027, (6, 8), (5300, 6500), (68, 74)),
    ("b-quality", 0.040, (4, 5), (3500, 4300), (75, 110)),
    ("b-active", 0.045, (4, 5), (2900, 3800), (45, 52)),
    ("c-quality", 0.085, (2, 3), (1800, 2800), (60, 100)),
    ("c-active", 0.085, (2, 3), (1150, 1400), (44, 47)),
    ("lapsed", 0.050, (0, 1), (0, 600), (50, 90)),
)
# The tiers' discount floors (the preset's), for reference: the allowed rates keep to them.
FLOOR = {"a": Decimal("0.850"), "b": Decimal("0.880"), "c": Decimal("0.900")}
ALLOWED_RATES = {
    "a": ("0.850", "0.880", "0.900", "0.950"),
    "b": ("0.880", "0.900", "0.950"),
    "c": ("0.900", "0.950"),
    "l": ("0.950",),
}
BELOW_FLOOR = {"a": ("0.750", "0.800"), "b": ("0.800", "0.850"), "c": ("0.800", "0.850")}
# A declining account may dine with us only if its hotel revenue fell by far more than the noise
# of a year of dinners: the decline must stay visible in its transactions.
DECLINE_MARGIN = 100_000
MEMBER_TYPES = {"individual", "corporate", "gov_ent", "mice", "travel_agency"}
HABIT_VISITS = {"a": 6.5, "b": 4.5, "c": 2.5, "l": 2.0}  # visits a month, by level


def tier_categories() -> frozenset[str] | None:
    """The product categories the restaurant's monthly tiers count (the preset's `categories`:
    food & beverage and what goes with it, not room nights or meeting rooms); None = every one."""
    codes = PRESETS["restaurant-monthly"].get("categories")
    return frozenset(codes) if codes else None


def month_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the last complete calendar month before ``as_of`` (the tiers'
    month; the same rule as guanxi.tiers.metrics.month_window)."""
    last = as_of.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def _level(code: str) -> str:
    """a, b, c, or l for a lapsed member."""
    return code[0] if code != "lapsed" else "l"


class DiningPlanner:
    def __init__(self, dice: Dice, window: Window):
        self.dice = dice
        self.window = window
        self.as_of = window.as_of
        self.member_tier: dict[int, str] = {}  # account idx → planned tier code
        # account idx → its hotel bills in the planned month that the restaurant's tiers count
        # (their categories): (count, spend, spend with a head count, heads)
        self.existing: dict[int, tuple[int, float, float, int]] = {}
        # account idx → hotel revenue in the first and in the last year of the window
        self.first_year: dict[int, float] = defaultdict(float)
        self.last_year: dict[int, float] = defaultdict(float)

    def members(self, accounts: list[AccountRow], txs: list[TxRow]) -> None:
        """Choose the members and plan each one's tier, for accounts whose lifecycle pattern
        survives regular dining: steady, growing, new, and declining ones whose fall is deep
        enough that dinners cannot hide it.

        An account without hotel bills in the planned month can take any tier: its month is
        exactly what we draw. One with hotel bills there (a room stay, a meeting) adds its
        dinners to them, so it takes a "quality" tier, whose conditions are all lower bounds,
        and only when its bills leave room: fewer visits than the tier allows, and a per-head
        spend at least the tier's.
        """
        self._read_hotel_bills(txs)
        patterns = {Pattern.STEADY, Pattern.GROWING, Pattern.NEW}
        pool = [
            a
            for a in accounts
            if a.account_type in MEMBER_TYPES
            and (
                a.pattern in patterns
                or (
                    a.pattern == Pattern.DECLINING
                    and self.first_year[a.idx] - self.last_year[a.idx] > DECLINE_MARGIN
                )
            )
        ]
        # the same accounts for the same seed, whatever order the pool is in
        free = [pool[int(i)] for i in self.dice.rng.permutation(len(pool))]
        wanted = {code: max(1, round(share * len(accounts))) for code, share, *_r in PLAN}
        # tiers only a free account can take first, then the quality tiers from the rest
        for code, _share, visits, _spend, per_head in sorted(
            PLAN, key=lambda p: p[0].endswith("quality")
        ):
            taken = 0
            for acc in list(free):
                if taken == wanted[code]:
                    break
                n, _s, counted, heads = self.existing.get(acc.idx, (0, 0.0, 0.0, 0))
                fits = n == 0 or (
                    code.endswith("quality")
                    and n < visits[1]
                    and (not heads or counted / heads >= per_head[0])
                )
                if fits:
                    self.member_tier[acc.idx] = code
                    free.remove(acc)
                    taken += 1

    def _read_hotel_bills(self, txs: list[TxRow]) -> None:
        """What the hotel's rows already put in the planned month, and each account's revenue in
        the first and the last year."""
        at = self.window.at
        first, last = month_window(self.as_of)
        start, end = at(first, 0), at(last + dt.timedelta(days=1), 0)
        first_year_end = at(self.window.start + dt.timedelta(days=365), 0)
        year_ago = at(self.as_of - dt.timedelta(days=365), 0)
        counted_categories = tier_categories()
        for t in txs:
            counts = counted_categories is None or t.category in counted_categories
            if counts and start <= t.occurred_at < end:
                n, spend, counted, heads = self.existing.get(t.account_idx, (0, 0.0, 0.0, 0))
                with_heads = bool(t.head_count)
                self.existing[t.account_idx] = (
                    n + 1,
                    spend + float(t.amount),
                    counted + (float(t.amount) if with_heads else 0.0),
                    heads + (t.head_count or 0),
                )
            if t.occurred_at < first_year_end:
                self.first_year[t.account_idx] += float(t.amount)
            elif t.occurred_at >= year_ago:
                self.last_year[t.account_idx] += float(t.amount)

    def dining(self, acc: AccountRow, people: list[ContactRow]) -> list[TxRow]:
        """A member's restaurant bills: the planned month, then the habit of the other months."""
        dice = self.dice
        code = self.member_tier[acc.idx]
        _c, _s, visits, spend, per_head = next(p for p in PLAN if p[0] == code)
        level = _level(code)
        contact = people[0].idx if people else None
        m_first, m_last = month_window(self.as_of)
        # the planned month: these visits, this spend, this per-head spend, counting the hotel
        # bills the account already has in that month
        n0, spend0, _counted, _heads = self.existing.get(acc.idx, (0, 0.0, 0.0, 0))
        n = dice.randint(max(visits[0], n0 + 1) if n0 else visits[0], visits[1]) - n0
        rows = self._visit_rows(
            acc, contact, self._days_in(m_first, m_last, n),
            max(dice.uniform(*spend) - spend0, 0) if n else 0, per_head, level, discounts=True,
        )  # fmt: skip
        # other months: the member's habit since the account became a customer (lapsed members
        # used to come twice a month). A stable habit, as the purchase model expects of a
        # regular; redrawn if its noise would blur the account's growth or decline.
        joined = max(self.window.start, acc.customer_since or self.window.start)
        joined = max(joined, acc.start_day or joined)
        for _attempt in range(12):
            habit = self._habit(acc, contact, code, joined)
            if self._keeps_pattern(acc, habit):
                break
        rows += habit
        # a few recent bills below the floor: the discount-floor check flags them for review
        if level in BELOW_FLOOR and dice.chance(0.22):
            recent = [r for r in rows if r.occurred_at >= self.window.at(m_first, 0)]
            if recent:
                dice.pick(recent).discount_rate = Decimal(dice.pick(BELOW_FLOOR[level]))
        return rows

    def _visit_rows(
        self, acc: AccountRow, contact: int | None, days: list[dt.date], spend: float,
        per_head: tuple[float, float], level: str, discounts: bool,
    ) -> list[TxRow]:  # fmt: skip
        if not days:
            return []
        dice = self.dice
        p = dice.uniform(*per_head)
        heads_total = max(2 * len(days), math.ceil(spend / p))
        # split the heads over the visits: at least two at a table
        cuts = sorted(dice.rng.integers(0, heads_total - 2 * len(days) + 1, len(days) - 1))
        extra = np.diff([0, *cuts, heads_total - 2 * len(days)])
        rows = []
        for day, more in zip(sorted(days), extra, strict=True):
            heads = 2 + int(more)
            lunch = dice.chance(0.4)
            amount = heads * p * dice.uniform(0.94, 1.06)
            rate = None
            if discounts and dice.chance(0.45):
                rate = Decimal(dice.pick(ALLOWED_RATES[level]))
            rows.append(
                TxRow(
                    account_idx=acc.idx,
                    contact_idx=contact,
                    occurred_at=self.window.at(day, 12 if lunch else 18, dice.randint(0, 50)),
                    category="fnb",
                    amount=money(amount),
                    cost=money(amount * dice.uniform(0.5, 0.62)),
                    head_count=heads,
                    channel=dice.pick(("direct", "phone", "mini_program", "walk_in")),
                    description=f"华膳楼 {'午餐' if lunch else '晚餐'} {heads}位",
                    bill=-1,
                    discount_rate=rate,
                )
            )
        return rows

    def _days_in(self, first: dt.date, last: dt.date, n: int) -> list[dt.date]:
        span = (last - first).days + 1
        if span <= 0 or n <= 0:
            return []
        return [first + dt.timedelta(days=int(d)) for d in self.dice.rng.integers(0, span, n)]

    def _habit(
        self, acc: AccountRow, contact: int | None, code: str, joined: dt.date
    ) -> list[TxRow]:
        _c, _s, visits, spend, per_head = next(p for p in PLAN if p[0] == code)
        level = _level(code)
        rate = HABIT_VISITS[level]
        mean_spend = (spend[0] + spend[1]) / 2 if level != "l" else 2000
        planned, _m_last = month_window(self.as_of)
        last_day = self.window.last_day
        rows: list[TxRow] = []
        month = dt.date(joined.year, joined.month, 1)
        while month <= last_day:
            last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            lo, hi = max(month, joined), min(last, last_day)
            if month != planned and lo <= hi:
                k = int(self.dice.rng.poisson(rate * ((hi - lo).days + 1) / last.day))
                rows += self._visit_rows(
                    acc, contact, self._days_in(lo, hi, k),
                    mean_spend * k / max(visits[1], 2) * self.dice.uniform(0.8, 1.2), per_head,
                    level, discounts=True,
                )  # fmt: skip
            month = last + dt.timedelta(days=1)
        return rows

    def _keeps_pattern(self, acc: AccountRow, rows: list[TxRow]) -> bool:
        """Growing accounts still grow and declining ones still decline, dinners included."""
        if acc.pattern not in {Pattern.GROWING, Pattern.DECLINING}:
            return True
        first_year_end = self.window.at(self.window.start + dt.timedelta(days=365), 0)
        year_ago = self.window.at(self.as_of - dt.timedelta(days=365), 0)
        first, last = self.first_year[acc.idx], self.last_year[acc.idx]
        first += sum(float(r.amount) for r in rows if r.occurred_at < first_year_end)
        last += sum(float(r.amount) for r in rows if r.occurred_at >= year_ago)
        if acc.pattern == Pattern.GROWING:
            return last > 1.2 * first
        return first > 1.2 * last

    def settlements(self, acc: AccountRow, rows: list[TxRow]) -> list[PaymentRow]:
        """Members settle their restaurant bills monthly (月结), on the 5th of the next month."""
        by_month: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for r in rows:
            by_month[(r.occurred_at.year, r.occurred_at.month)] += r.amount
        cutoff = self.window.at(self.as_of, 0)
        out = []
        for (y, m), total in sorted(by_month.items()):
            nxt = dt.date(y + (m == 12), m % 12 + 1, 5)
            when = self.window.at(nxt, 10, self.dice.randint(0, 59))
            if when < cutoff:
                method = "wechat_pay" if acc.kind == "individual" else "bank_transfer"
                out.append(PaymentRow(acc.idx, when, total, method, f"HS{y}{m:02d}{acc.idx:04d}",
                                      notes="华膳楼月结"))  # fmt: skip
        return out
