"""The demo's accounts: how many of each type, their lifecycle patterns, groups and subsidiaries,
commercial terms, owners and tags.

The shape follows the hotel/MICE course (seed 000): MICE, government/enterprise, corporate, OTA,
travel-agency, wedding and individual accounts, revenue concentrated in a few of them (lognormal
annual value), and every account following one lifecycle pattern from `scenarios.Pattern`.
"""

from __future__ import annotations

import datetime as dt
import math

from guanxi.demo.draw import Dice, Window, city
from guanxi.demo.identities import IdentityPlanner
from guanxi.demo.occasions import OccasionMeans
from guanxi.demo.rows import AccountRow
from guanxi.demo.scenarios import Pattern
from guanxi.demo.staff import Staff

# Share of accounts per type, and the median annual revenue (CNY) of one account of the type.
TYPE_SHARE = (
    ("corporate", 0.27), ("mice", 0.20), ("individual", 0.18), ("gov_ent", 0.18),
    ("travel_agency", 0.08), ("wedding", 0.06), ("ota", 0.03),
)  # fmt: skip
MEDIAN_ANNUAL = {
    "mice": 420_000, "gov_ent": 260_000, "corporate": 70_000, "ota": 2_500_000,
    "travel_agency": 260_000, "wedding": 160_000, "individual": 22_000,
}  # fmt: skip
SIGMA_ANNUAL = {
    "mice": 1.1, "gov_ent": 1.0, "corporate": 1.15, "ota": 0.7,
    "travel_agency": 0.9, "wedding": 0.7, "individual": 0.9,
}  # fmt: skip
PATTERN_MIX = {
    "default": (
        (Pattern.STEADY, 0.34), (Pattern.GROWING, 0.15), (Pattern.DECLINING, 0.13),
        (Pattern.CHURNED, 0.13), (Pattern.NEW, 0.13), (Pattern.ONE_OFF, 0.12),
    ),
    "individual": (
        (Pattern.STEADY, 0.30), (Pattern.GROWING, 0.10), (Pattern.DECLINING, 0.12),
        (Pattern.CHURNED, 0.15), (Pattern.NEW, 0.13), (Pattern.ONE_OFF, 0.20),
    ),
    "ota": ((Pattern.STEADY, 0.5), (Pattern.GROWING, 0.3), (Pattern.DECLINING, 0.2)),
}  # fmt: skip
TEAM_OF_TYPE = {
    "mice": 0, "wedding": 0, "gov_ent": 1,
    "corporate": 2, "ota": 2, "travel_agency": 2, "individual": 2,
}  # fmt: skip
# Purchases a year a pattern needs to be seen in the transactions.
PURCHASES_TO_SHOW = {
    Pattern.STEADY: 4,
    Pattern.GROWING: 6,
    Pattern.DECLINING: 6,
    Pattern.CHURNED: 4,
    Pattern.NEW: 4,
}
SALES_POLICIES = (
    "年度框架协议，月结，账期30天",
    "返点：年消费满50万返2%，满100万返3%",
    "会议预付30%定金，会后结清",
    "单次结算，无协议",
)


class OrganisationsPlanner:
    def __init__(
        self,
        n: int,
        dice: Dice,
        window: Window,
        staff: Staff,
        identities: IdentityPlanner,
        means: OccasionMeans,
    ):
        self.n = n
        self.dice = dice
        self.window = window
        self.as_of = window.as_of
        self.staff = staff
        self.identities = identities
        self.means = means

    def accounts(self) -> list[AccountRow]:
        types = self._allocate_types()
        rows: list[AccountRow] = []
        for i, account_type in enumerate(types):
            subkind = self._subkind(account_type)
            province, city_name = city(self.dice)
            annual = MEDIAN_ANNUAL[account_type] * float(
                self.dice.rng.lognormal(0.0, SIGMA_ANNUAL[account_type])
            )
            rows.append(
                AccountRow(
                    idx=i,
                    code=f"DM-{i + 1:05d}",
                    name="",
                    kind="individual"
                    if subkind in {"individual", "wedding_family"}
                    else "organisation",
                    subkind=subkind,
                    account_type=account_type,
                    pattern=self._pattern(account_type, subkind),
                    annual=annual,
                    province=province,
                    city=city_name,
                )
            )
        self._ensure_every_pattern(rows)
        self._groups(rows)
        for row in rows:
            self.identities.identity(row)
            self._lifecycle(row)
            self._commercials(row)
        for row in rows:
            if row.parent_idx is not None:
                self.identities.subsidiary_identity(row, rows[row.parent_idx])
        self._ownership(rows)
        self._tags(rows)
        return rows

    # ---- types and patterns

    def _allocate_types(self) -> list[str]:
        """Largest-remainder allocation so small demos still get every type (one OTA at least)."""
        shares = dict(TYPE_SHARE)
        counts = {t: int(math.floor(s * self.n)) for t, s in TYPE_SHARE}
        if self.n >= len(TYPE_SHARE):
            for t in counts:
                counts[t] = max(counts[t], 1)
        while sum(counts.values()) > self.n:
            biggest = max(counts, key=lambda t: (counts[t], t))
            counts[biggest] -= 1
        rest = sorted(shares, key=lambda t: (-(shares[t] * self.n - counts[t]), t))
        i = 0
        while sum(counts.values()) < self.n:
            counts[rest[i % len(rest)]] += 1
            i += 1
        types = [t for t, _s in TYPE_SHARE for _ in range(counts[t])]
        return [types[int(i)] for i in self.dice.rng.permutation(len(types))]

    def _subkind(self, account_type: str) -> str:
        pick_weighted = self.dice.pick_weighted
        if account_type == "gov_ent":
            return pick_weighted((("government", 45), ("soe", 40), ("institution", 15)))
        if account_type == "mice":
            return pick_weighted((("association", 30), ("organiser", 20), ("mice_corporate", 50)))
        if account_type == "wedding":
            return pick_weighted((("wedding", 60), ("wedding_family", 40)))
        return account_type

    def _pattern(self, account_type: str, subkind: str) -> Pattern:
        if subkind == "wedding_family":
            return Pattern.ONE_OFF  # a family books its wedding banquet once
        mix = PATTERN_MIX.get(account_type, PATTERN_MIX["default"])
        return self.dice.pick_weighted(mix)

    def _ensure_every_pattern(self, rows: list[AccountRow]) -> None:
        if len(rows) < 2 * len(Pattern):
            return
        for pattern in Pattern:
            if any(r.pattern == pattern for r in rows):
                continue
            counts = {p: sum(r.pattern == p for r in rows) for p in Pattern}
            donors = [
                r
                for r in rows
                if r.account_type in {"corporate", "mice", "gov_ent"} and counts[r.pattern] > 1
            ]
            if donors:
                self.dice.pick(donors).pattern = pattern

    def _groups(self, rows: list[AccountRow]) -> None:
        """Some groups (集团) with 2–5 subsidiaries: their children share type and industry."""
        n_groups = self.n // 40 if self.n >= 40 else (1 if self.n >= 20 else 0)
        taken: set[int] = set()
        eligible_kinds = {"soe", "corporate", "mice_corporate"}
        for _g in range(n_groups):
            parents = [
                r
                for r in rows
                if r.subkind in eligible_kinds
                and r.idx not in taken
                and r.pattern != Pattern.ONE_OFF
            ]
            if not parents:
                return
            parent = self.dice.pick(parents)
            taken.add(parent.idx)
            parent.annual *= 2.5  # the group headquarters books the big meetings
            pool = [r for r in rows if r.subkind in eligible_kinds and r.idx not in taken]
            # same kind of business first, then any other company that can become a subsidiary
            pool.sort(key=lambda r: (r.subkind != parent.subkind, r.idx))
            children = pool[: self.dice.randint(2, 5)]
            if len(children) < 2:
                taken.discard(parent.idx)
                parent.annual /= 2.5
                return
            for child in children:
                child.parent_idx = parent.idx
                child.subkind, child.account_type = parent.subkind, parent.account_type
                taken.add(child.idx)

    # ---- lifecycle and commercial terms

    def _lifecycle(self, row: AccountRow) -> None:
        dice, p = self.dice, row.pattern
        if p == Pattern.CHURNED:
            row.churn_day = self.as_of - dt.timedelta(days=dice.randint(190, 545))
        if p == Pattern.NEW:
            row.start_day = self.as_of - dt.timedelta(days=dice.randint(20, 345))
            row.customer_since = row.start_day
        elif p == Pattern.ONE_OFF:
            row.start_day = dice.day_between(self.window.start, self.as_of - dt.timedelta(days=15))
            row.customer_since = row.start_day
        else:
            lo = dt.date(2008, 1, 1)
            row.customer_since = dice.day_between(lo, self.window.start - dt.timedelta(days=30))
        # The generator must be able to show a pattern: enough purchases a year to see it.
        floor = PURCHASES_TO_SHOW.get(p)
        if floor:
            row.annual = max(row.annual, floor * self.means.of(row))
        if p == Pattern.CHURNED and row.churn_day and (self.as_of - row.churn_day).days > 365:
            row.status = "dormant" if dice.chance(0.5) else "active"
        elif p == Pattern.ONE_OFF and (self.as_of - (row.start_day or self.as_of)).days > 540:
            row.status = "dormant" if dice.chance(0.3) else "active"

    def _commercials(self, row: AccountRow) -> None:
        """Credit rating, attitude, the negotiated prices and the sales policy."""
        pick_weighted = self.dice.pick_weighted
        if row.subkind == "government":
            row.credit_rating = pick_weighted((("AAA", 50), ("AA", 40), ("A", 10)))
        elif row.subkind in {"soe", "institution", "ota"}:
            row.credit_rating = pick_weighted((("AAA", 35), ("AA", 45), ("A", 20)))
        else:
            row.credit_rating = pick_weighted(
                (("AAA", 5), ("AA", 20), ("A", 45), ("B", 24), ("C", 6))
            )
        if row.pattern in {Pattern.GROWING, Pattern.NEW}:
            row.attitude = pick_weighted((("advocate", 40), ("positive", 50), ("neutral", 10)))
        elif row.pattern in {Pattern.DECLINING, Pattern.CHURNED}:
            row.attitude = pick_weighted(
                (("positive", 10), ("neutral", 40), ("sceptical", 35), ("negative", 15))
            )
        else:
            row.attitude = pick_weighted(
                (("advocate", 20), ("positive", 45), ("neutral", 30), ("sceptical", 5))
            )
        row.price_system = self._price_system(row)
        t = row.account_type
        if row.subkind == "government":
            row.sales_policy = "按公务接待标准执行，凭公函结算，账期较长"
        elif t in {"ota", "travel_agency"}:
            row.sales_policy = "月结，账期30天；年度返点协议"
        elif t in {"corporate", "mice", "gov_ent"}:
            row.sales_policy = self.dice.pick(SALES_POLICIES)

    def _price_system(self, row: AccountRow) -> str:
        randint, t = self.dice.randint, row.account_type
        rate = randint(45, 110) * 10
        if t in {"corporate", "gov_ent", "travel_agency"}:
            return f"协议价：高级大床房 ¥{rate}/晚（含双早），行政套房 ¥{rate * 2 + 200}/晚"
        if t == "mice":
            return f"会议套餐 ¥{randint(28, 68) * 10}/人/天（含会场、午餐、两次茶歇）"
        if t == "ota":
            return f"底价直连，佣金 {randint(12, 18)}%"
        if t == "wedding" and row.kind == "organisation":
            return f"婚宴套餐 ¥{randint(28, 68)}88/桌起，渠道返佣 8%"
        return ""

    # ---- owners and tags

    def _ownership(self, rows: list[AccountRow]) -> None:
        dice, staff = self.dice, self.staff
        for row in rows:
            team = TEAM_OF_TYPE[row.account_type]
            if row.account_type == "individual" and dice.chance(0.15):
                team = dice.pick((0, 1))  # a KAM's own key contacts who book privately
            if row.parent_idx is not None:
                parent = rows[row.parent_idx]
                row.team, row.owner = parent.team, parent.owner
            else:
                row.team = team
                kams = staff.kams_of_team[team]
                row.owner = staff.lead_of_team[team] if dice.chance(0.1) else dice.pick(kams)
            if row.parent_idx is None and dice.chance(0.15):
                others = [
                    u
                    for u in [*staff.kams_of_team[team], staff.lead_of_team[team]]
                    if u != row.owner
                ]
                if dice.chance(0.3):  # cross-team: government meetings run by MICE sales
                    other_team = dice.pick([t for t in (0, 1, 2) if t != team])
                    others = staff.kams_of_team[other_team]
                row.co_owners = [dice.pick(others)]
        # a subsidiary follows its parent's owner, which is assigned in the loop above
        for row in rows:
            if row.parent_idx is not None:
                parent = rows[row.parent_idx]
                row.team, row.owner = parent.team, parent.owner

    def _tags(self, rows: list[AccountRow]) -> None:
        chance = self.dice.chance
        by_value = sorted(rows, key=lambda r: -r.annual)
        top = {r.idx for r in by_value[: max(1, len(rows) // 7)]}
        for row in rows:
            tags = [row.pattern.tag]
            big = row.idx in top
            if big and row.pattern in {Pattern.STEADY, Pattern.GROWING}:
                tags.append("年度框架")
            if row.pattern in {Pattern.GROWING, Pattern.NEW} and chance(0.5):
                tags.append("高潜力")
            if chance(0.35 if row.account_type in {"corporate", "travel_agency"} else 0.12):
                tags.append("价格敏感")
            if big:
                tags.append("重点维护")
            if row.account_type in {"corporate", "gov_ent"} and chance(0.5):
                tags.append("协议价")
            if row.customer_since and row.customer_since.year < 2018:
                tags.append("长期合作")
            if row.pattern in {Pattern.DECLINING, Pattern.CHURNED} and chance(0.4):
                tags.append("竞品在用")
            if row.pattern in {Pattern.DECLINING, Pattern.CHURNED} and chance(0.3):
                tags.append("需回访")
            if row.account_type in {"ota", "travel_agency"} or (big and chance(0.3)):
                tags.append("返点协议")
            row.tags = list(dict.fromkeys(tags))
