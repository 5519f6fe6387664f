"""The relationship side of the demo: restaurant regulars, discounts, touchpoints, special days.

Runs after the hotel's transactions are drawn (`DemoGenerator.generate`), from its own seeded
generator, so the hotel's rows (and what the analytics tests find in them) do not move. It adds:

- **Restaurant members (餐饮会员)**: steady and growing accounts that dine regularly at the hotel's
  restaurant (华膳楼). The restaurant's monthly tier scheme (客户等级管理制度) applies to them; for
  the last complete month before `as_of` each member's visits, spend and per-head spend are drawn
  to land in a planned tier, so the demo shows a believable pyramid (of 300 accounts about 12 A,
  25 B, 50 C and some lapsed members without a tier). Other months follow the member's habit.
- **Discounts**: most member bills carry no discount or one at or above the tier's floor
  (8.5折 for A, 8.8折 for B, 9折 for C); a few recent ones are below it and end up in review.
- **Touchpoints** logged by the owners over the last six months: calls and visits at about the
  cadence the account's tier asks for, WeChat messages, gifts before birthdays and wedding
  anniversaries (with their cost), banquets (with their cost), greetings on arrival. Some accounts
  are neglected: nothing logged for well beyond their cadence.
- **Special days**: a few members' and key accounts' contacts have their birthday in the coming
  week and some a wedding anniversary in the next weeks, so Today has them on first login.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal

import numpy as np

from guanxi.demo.draw import Window
from guanxi.demo.rows import (
    AccountRow,
    ContactRow,
    KeyDateRow,
    PaymentRow,
    TouchpointRow,
    TxRow,
    money,
)
from guanxi.demo.scenarios import Pattern

MEMBER_TAG = "餐饮会员"
MEMBER_TAG_DESCRIPTION = (
    "华膳楼餐饮会员：适用餐厅月度客户等级 (restaurant member: the restaurant's monthly tiers apply)"
)
HISTORY_DAYS = 183  # touchpoints are logged for about the last six months

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
# Cadence (call, visit) in days the owner keeps, by planned restaurant tier, else by value rank.
CADENCE = {"a": (3, 10), "b": (5, 15), "c": (7, 30)}
VALUE_CADENCE = ((0.05, (14, 30)), (0.20, (30, 90)), (0.60, (60, 180)), (1.01, (90, None)))
FLOOR = {"a": Decimal("0.850"), "b": Decimal("0.880"), "c": Decimal("0.900")}
ALLOWED_RATES = {
    "a": ("0.850", "0.880", "0.900", "0.950"),
    "b": ("0.880", "0.900", "0.950"),
    "c": ("0.900", "0.950"),
    "l": ("0.950",),
}
BELOW_FLOOR = {"a": ("0.750", "0.800"), "b": ("0.800", "0.850"), "c": ("0.800", "0.850")}
GIFT_COST = {"a": 100, "b": 80, "c": 50, "top": 300, "value": 150}
NEGLECTED_SHARE = 0.08
BANQUET_MONTHS = {"a": 3, "b": 6, "c": 3}  # the restaurant's privileges (等级特权)
BANQUET_TABLE = {"a": 700, "b": 500, "c": 300}
VIP_GROUP = "VIP客户微信群"
# A declining account may dine with us only if its hotel revenue fell by far more than the noise
# of a year of dinners: the decline must stay visible in its transactions.
DECLINE_MARGIN = 100_000

CALL_SUBJECTS = ("例行电话问候", "确认下周用餐安排", "电话回访用餐体验", "节前电话问候",
                 "询问近期会议需求", "电话沟通年度合作")  # fmt: skip
VISIT_SUBJECTS = ("登门拜访", "到访客户公司", "拜访并赠送新品菜单", "拜访，沟通年度会议计划",
                  "拜访客户，了解满意度")  # fmt: skip
WECHAT_SUBJECTS = ("微信推送新菜品", "微信节日祝福", "微信确认订位", "发送宴会厅照片")
GREETING_SUBJECTS = ("总经理到店问候", "店长迎宾问候", "经理进店问候")


def tier_categories() -> frozenset[str] | None:
    """The product categories the restaurant's monthly tiers count (the preset's `categories`:
    food & beverage and what goes with it, not room nights or meeting rooms); None = every one."""
    from guanxi.tiers.presets import PRESETS

    codes = PRESETS["restaurant-monthly"].get("categories")
    return frozenset(codes) if codes else None


def month_window(as_of: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the last complete calendar month before ``as_of`` (the tiers'
    month; the same rule as guanxi.tiers.metrics.month_window)."""
    last = as_of.replace(day=1) - dt.timedelta(days=1)
    return last.replace(day=1), last


def _on(day: dt.date, year: int) -> dt.date:
    """``day``'s month and day in ``year`` (29 February → 28 February)."""
    last = calendar.monthrange(year, day.month)[1]
    return dt.date(year, day.month, min(day.day, last))


class RelationsPlanner:
    def __init__(self, *, seed: int, window: Window):
        self.window = window
        self.as_of = window.as_of
        self.rng = np.random.default_rng([seed, 404])
        self.member_tier: dict[int, str] = {}  # account idx → planned tier code
        # account idx → its hotel bills in the planned month that the restaurant's tiers count
        # (their categories): (count, spend, spend with a head count, heads)
        self.existing: dict[int, tuple[int, float, float, int]] = {}
        # account idx → hotel revenue in the first and in the last year of the window
        self.first_year: dict[int, float] = defaultdict(float)
        self.last_year: dict[int, float] = defaultdict(float)

    # ---- helpers on our own generator
    def u(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def ri(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return self.window.at(day, hour, minute)

    # ---- the whole pass
    def plan(
        self,
        accounts: list[AccountRow],
        contacts: list[ContactRow],
        key_dates: list[KeyDateRow],
        txs: list[TxRow],
        payments: list[PaymentRow],
    ) -> list[TouchpointRow]:
        people: dict[int, list[ContactRow]] = defaultdict(list)
        for c in contacts:
            people[c.account_idx].append(c)
        self._members(accounts, txs)
        for acc in accounts:
            if acc.idx in self.member_tier:
                acc.tags.append(MEMBER_TAG)
                rows = self._dining(acc, people[acc.idx])
                txs.extend(rows)
                payments.extend(self._settlements(acc, rows))
        self._special_days(accounts, people, key_dates)
        return self._touchpoints(accounts, people, key_dates)

    # ---- restaurant members and their dining
    def _members(self, accounts: list[AccountRow], txs: list[TxRow]) -> None:
        """Choose the members and plan each one's tier, for accounts whose lifecycle pattern
        survives regular dining: steady, growing, new, and declining ones whose fall is deep
        enough that dinners cannot hide it.

        An account without hotel bills in the planned month can take any tier: its month is
        exactly what we draw. One with hotel bills there (a room stay, a meeting) adds its
        dinners to them, so it takes a "quality" tier, whose conditions are all lower bounds,
        and only when its bills leave room: fewer visits than the tier allows, and a per-head
        spend at least the tier's.
        """
        first, last = month_window(self.as_of)
        start, end = self.at(first, 0), self.at(last + dt.timedelta(days=1), 0)
        first_year_end = self.at(self.window.start + dt.timedelta(days=365), 0)
        year_ago = self.at(self.as_of - dt.timedelta(days=365), 0)
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
        patterns = {Pattern.STEADY, Pattern.GROWING, Pattern.NEW}
        pool = [
            a
            for a in accounts
            if a.account_type in {"individual", "corporate", "gov_ent", "mice", "travel_agency"}
            and (
                a.pattern in patterns
                or (
                    a.pattern == Pattern.DECLINING
                    and self.first_year[a.idx] - self.last_year[a.idx] > DECLINE_MARGIN
                )
            )
        ]
        # the same accounts for the same seed, whatever order the pool is in
        free = [pool[int(i)] for i in self.rng.permutation(len(pool))]
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

    def _visit_rows(
        self, acc: AccountRow, contact: int | None, days: list[dt.date], spend: float,
        per_head: tuple[float, float], level: str, discounts: bool,
    ) -> list[TxRow]:  # fmt: skip
        if not days:
            return []
        p = self.u(*per_head)
        heads_total = max(2 * len(days), math.ceil(spend / p))
        # split the heads over the visits: at least two at a table
        cuts = sorted(self.rng.integers(0, heads_total - 2 * len(days) + 1, len(days) - 1))
        extra = np.diff([0, *cuts, heads_total - 2 * len(days)])
        rows = []
        for day, more in zip(sorted(days), extra, strict=True):
            heads = 2 + int(more)
            lunch = self.chance(0.4)
            amount = heads * p * self.u(0.94, 1.06)
            rate = None
            if discounts and self.chance(0.45):
                rate = Decimal(self.pick(ALLOWED_RATES[level]))
            rows.append(
                TxRow(
                    account_idx=acc.idx,
                    contact_idx=contact,
                    occurred_at=self.at(day, 12 if lunch else 18, self.ri(0, 50)),
                    category="fnb",
                    amount=money(amount),
                    cost=money(amount * self.u(0.5, 0.62)),
                    head_count=heads,
                    channel=self.pick(("direct", "phone", "mini_program", "walk_in")),
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
        return [first + dt.timedelta(days=int(d)) for d in self.rng.integers(0, span, n)]

    def _dining(self, acc: AccountRow, people: list[ContactRow]) -> list[TxRow]:
        code = self.member_tier[acc.idx]
        _c, _s, visits, spend, per_head = next(p for p in PLAN if p[0] == code)
        level = code[0] if code != "lapsed" else "l"
        contact = people[0].idx if people else None
        m_first, m_last = month_window(self.as_of)
        # the planned month: these visits, this spend, this per-head spend, counting the hotel
        # bills the account already has in that month
        n0, spend0, _counted, _heads = self.existing.get(acc.idx, (0, 0.0, 0.0, 0))
        n = self.ri(max(visits[0], n0 + 1) if n0 else visits[0], visits[1]) - n0
        rows = self._visit_rows(
            acc, contact, self._days_in(m_first, m_last, n),
            max(self.u(*spend) - spend0, 0) if n else 0, per_head, level, discounts=True,
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
        if level in BELOW_FLOOR and self.chance(0.22):
            recent = [r for r in rows if r.occurred_at >= self.at(m_first, 0)]
            if recent:
                self.pick(recent).discount_rate = Decimal(self.pick(BELOW_FLOOR[level]))
        return rows

    def _habit(self, acc: AccountRow, contact: int | None, code: str, joined: dt.date) -> list:
        _c, _s, visits, spend, per_head = next(p for p in PLAN if p[0] == code)
        level = code[0] if code != "lapsed" else "l"
        rate = {"a": 6.5, "b": 4.5, "c": 2.5, "l": 2.0}[level]
        mean_spend = (spend[0] + spend[1]) / 2 if level != "l" else 2000
        planned, _m_last = month_window(self.as_of)
        rows: list = []
        month = dt.date(joined.year, joined.month, 1)
        while month <= self.window.last_day:
            last = month.replace(day=calendar.monthrange(month.year, month.month)[1])
            lo, hi = max(month, joined), min(last, self.window.last_day)
            if month != planned and lo <= hi:
                k = int(self.rng.poisson(rate * ((hi - lo).days + 1) / last.day))
                rows += self._visit_rows(
                    acc, contact, self._days_in(lo, hi, k),
                    mean_spend * k / max(visits[1], 2) * self.u(0.8, 1.2), per_head, level,
                    discounts=True,
                )  # fmt: skip
            month = last + dt.timedelta(days=1)
        return rows

    def _keeps_pattern(self, acc: AccountRow, rows: list) -> bool:
        """Growing accounts still grow and declining ones still decline, dinners included."""
        if acc.pattern not in {Pattern.GROWING, Pattern.DECLINING}:
            return True
        first_year_end = self.at(self.window.start + dt.timedelta(days=365), 0)
        year_ago = self.at(self.as_of - dt.timedelta(days=365), 0)
        first, last = self.first_year[acc.idx], self.last_year[acc.idx]
        first += sum(float(r.amount) for r in rows if r.occurred_at < first_year_end)
        last += sum(float(r.amount) for r in rows if r.occurred_at >= year_ago)
        if acc.pattern == Pattern.GROWING:
            return last > 1.2 * first
        return first > 1.2 * last

    def _settlements(self, acc: AccountRow, rows: list[TxRow]) -> list[PaymentRow]:
        """Members settle their restaurant bills monthly (月结), on the 5th of the next month."""
        by_month: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for r in rows:
            by_month[(r.occurred_at.year, r.occurred_at.month)] += r.amount
        cutoff = self.at(self.as_of, 0)
        out = []
        for (y, m), total in sorted(by_month.items()):
            nxt = dt.date(y + (m == 12), m % 12 + 1, 5)
            when = self.at(nxt, 10, self.ri(0, 59))
            if when < cutoff:
                method = "wechat_pay" if acc.kind == "individual" else "bank_transfer"
                out.append(PaymentRow(acc.idx, when, total, method, f"HS{y}{m:02d}{acc.idx:04d}",
                                      notes="华膳楼月结"))  # fmt: skip
        return out

    # ---- special days in the coming weeks
    def _special_days(
        self,
        accounts: list[AccountRow],
        people: dict[int, list[ContactRow]],
        key_dates: list[KeyDateRow],
    ) -> None:
        important = [a for a in accounts if self.member_tier.get(a.idx, "l")[0] in "abc"]
        important += sorted(
            (a for a in accounts if a.idx not in self.member_tier and a.pattern != Pattern.CHURNED),
            key=lambda a: -a.annual,
        )[: max(2, len(accounts) // 30)]
        chosen = [important[int(i)] for i in self.rng.permutation(len(important))]
        n_birthdays = max(2, len(accounts) // 30)
        for acc in chosen[:n_birthdays]:
            person = next((p for p in people[acc.idx] if p.is_active and p.birthday), None)
            if person is None:
                continue
            soon = self.as_of + dt.timedelta(days=self.ri(1, 7))
            person.birthday = _on(soon, person.birthday.year)
        for acc in chosen[n_birthdays : n_birthdays + max(1, len(accounts) // 60)]:
            person = next((p for p in people[acc.idx] if p.is_active and p.birthday), None)
            if person is None:
                continue
            soon = self.as_of + dt.timedelta(days=self.ri(3, 20))
            married = person.birthday.year + self.ri(24, 32)
            if married < self.as_of.year:
                day = _on(soon, married)
                key_dates.append(KeyDateRow(person.idx, "wedding", day, "结婚纪念日"))

    # ---- touchpoints logged by the owners
    def _cadence(self, acc: AccountRow, rank: float) -> tuple[int, int | None]:
        level = self.member_tier.get(acc.idx, "l")[0]
        if level in CADENCE:
            return CADENCE[level]
        return next(c for limit, c in VALUE_CADENCE if rank < limit)

    def _series(self, cadence: int, neglected: bool) -> list[dt.date]:
        """Days of one kind of touchpoint over the history (at least one cadence long), newest
        first: the last one within the cadence (a few just beyond it), earlier ones about a
        cadence apart."""
        horizon = max(HISTORY_DAYS, cadence * 1.1)
        if neglected:
            back = cadence * self.u(1.6, 3.0) + self.ri(5, 20)
        else:
            back = cadence * self.u(0.05, 1.08)
        days = []
        while back <= horizon:
            days.append(self.as_of - dt.timedelta(days=max(1, round(back))))
            back += cadence * self.u(0.75, 1.15)
        return days

    def _touchpoints(
        self,
        accounts: list[AccountRow],
        people: dict[int, list[ContactRow]],
        key_dates: list[KeyDateRow],
    ) -> list[TouchpointRow]:
        by_value = sorted(accounts, key=lambda a: -a.annual)
        rank = {a.idx: i / len(accounts) for i, a in enumerate(by_value)}
        dates_of: dict[int, list[KeyDateRow]] = defaultdict(list)
        for k in key_dates:
            if k.kind == "wedding":
                dates_of[k.contact_idx].append(k)
        history_start = self.as_of - dt.timedelta(days=HISTORY_DAYS)
        out: list[TouchpointRow] = []
        for acc in accounts:
            call, visit = self._cadence(acc, rank[acc.idx])
            neglected = self.chance(NEGLECTED_SHARE)
            active = [p for p in people[acc.idx] if p.is_active] or people[acc.idx]
            main = active[0].idx if active else None

            def add(kind, day, subject, cost=None, contact=main, hour=None, group="", acc=acc):
                out.append(
                    TouchpointRow(
                        account_idx=acc.idx, kind=kind,
                        occurred_at=self.at(day, hour or self.ri(9, 18), self.ri(0, 59)),
                        logged_by=acc.owner, subject=subject, group=group,
                        cost=None if cost is None else Decimal(cost), contact_idx=contact,
                    )
                )  # fmt: skip

            for day in self._series(call, neglected):
                add("call", day, self.pick(CALL_SUBJECTS))
            if visit:
                for day in self._series(visit, neglected):
                    add("visit", day, self.pick(VISIT_SUBJECTS), hour=self.ri(9, 16))
            level = self.member_tier.get(acc.idx, "l")[0]
            top = rank[acc.idx] < 0.05
            if neglected:
                continue
            for _ in range(self.ri(0, 5 if level in "abc" or top else 1)):
                add("wechat", self.as_of - dt.timedelta(days=self.ri(1, HISTORY_DAYS)),
                    self.pick(WECHAT_SUBJECTS), hour=self.ri(8, 21))  # fmt: skip
            gift = GIFT_COST.get(level) or (GIFT_COST["top"] if top else None)
            if gift is None and rank[acc.idx] < 0.20:
                gift = GIFT_COST["value"]
            if gift:
                for p in active:
                    if p.birthday is None:
                        continue
                    for year in (self.as_of.year - 1, self.as_of.year):
                        day = _on(p.birthday, year)
                        if history_start <= day < self.as_of:
                            add("gift", day - dt.timedelta(days=self.ri(1, 3)), f"{p.name}生日礼物",
                                cost=gift, contact=p.idx)  # fmt: skip
                    for k in dates_of[p.idx]:
                        day = _on(k.date, self.as_of.year)
                        if history_start <= day < self.as_of:
                            add("gift", day - dt.timedelta(days=self.ri(1, 3)),
                                f"{p.name}结婚纪念日礼物", cost=gift, contact=p.idx)  # fmt: skip
            banquet = BANQUET_MONTHS.get(level) or (
                6 if top else 12 if rank[acc.idx] < 0.20 else None
            )
            if banquet:
                # hosted by the general manager, the store manager or the duty manager
                for day in self._series(banquet * 30, neglected=False):
                    tables = self.ri(1, 3)
                    cost = BANQUET_TABLE.get(level, 1000) * tables + self.ri(0, 9) * 10
                    add("banquet", day, f"宴请 {tables}桌", cost=cost, hour=18)
            if level == "c":
                # the yearly trip (旅游) C members are offered
                for day in self._series(365, neglected=self.chance(0.1)):
                    persons = self.ri(2, 6)
                    add("trip", day, f"会员旅游 {persons}人", cost=500 * persons, hour=8)
            if level == "a" and self.chance(0.8):
                add("group_invite", self.as_of - dt.timedelta(days=self.ri(30, HISTORY_DAYS)),
                    f"邀请加入{VIP_GROUP}", group=VIP_GROUP)  # fmt: skip
            if level in "ab":
                for _ in range(self.ri(2, 6)):
                    add("greeting", self.as_of - dt.timedelta(days=self.ri(1, HISTORY_DAYS)),
                        self.pick(GREETING_SUBJECTS[:2] if level == "a" else GREETING_SUBJECTS[1:]),
                        hour=self.pick((12, 18)))  # fmt: skip
        out.sort(key=lambda t: (t.occurred_at, t.account_idx, t.kind))
        return out
