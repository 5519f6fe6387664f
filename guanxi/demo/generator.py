"""The demo data as plain Python rows, generated without touching the database.

Everything is drawn from one `numpy.random.Generator(seed)` and one `Faker("zh_CN")` seeded with
the same seed, in a fixed order, so the same seed and `as_of` always give the same rows. The
services module turns the rows into model instances and bulk-inserts them.

The shape follows the hotel/MICE course (seed 000): MICE, government/enterprise, corporate, OTA,
travel-agency, wedding and individual accounts; a MICE event books meeting space, rooms and F&B on
the same days (会议带动住宿+餐饮); demand follows the Chinese calendar (spring and autumn
conference peaks, the Spring Festival dip, summer leisure travel, year-end government spending);
and every account follows one lifecycle pattern from `scenarios.Pattern`.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import numpy as np
from faker import Faker

from guanxi.demo import catalog as C
from guanxi.demo.keyaccounts import KeyAccountsPlanner
from guanxi.demo.relations import RelationsPlanner
from guanxi.demo.rows import (
    AccountRow,
    ContactRow,
    DemoPlan,
    FactRow,
    KeyDateRow,
    PaymentRow,
    RelatedRow,
    TxRow,
    money,
)
from guanxi.demo.scenarios import Pattern

T = TypeVar("T")
YEARS = 3
WINDOW_DAYS = 365 * YEARS

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
AREA_CODES = {
    "青岛市": "0532", "济南市": "0531", "烟台市": "0535", "潍坊市": "0536", "威海市": "0631",
    "北京市": "010", "上海市": "021", "天津市": "022", "南京市": "025", "苏州市": "0512",
    "杭州市": "0571", "宁波市": "0574", "广州市": "020", "深圳市": "0755", "郑州市": "0371",
    "武汉市": "027", "成都市": "028", "西安市": "029", "大连市": "0411", "沈阳市": "024",
    "合肥市": "0551", "亳州市": "0558", "石家庄市": "0311",
}  # fmt: skip
# Cost as a share of revenue by category (margin 30–70%).
COST_SHARE = {
    "rooms": (0.30, 0.42),
    "fnb": (0.55, 0.68),
    "meeting": (0.28, 0.40),
    "travel": (0.62, 0.70),
    "other": (0.40, 0.55),
}
OTA_COMMISSION = (0.12, 0.18)
FREE_MAIL = ("163.com", "126.com", "qq.com", "sina.com")
FACT_SOURCES = (
    ("conversation", 30), ("sales_visit", 25), ("front_line", 15), ("event", 10),
    ("colleague", 10), ("social_media", 7), ("public", 3),
)  # fmt: skip


# A purchase occasion: rows as (day offset, hour, minute, category, amount, head count, text).
Line = tuple[int, int, int, str, float, int | None, str]


# --------------------------------------------------------------------------- generator


class DemoGenerator:
    def __init__(self, *, accounts: int, seed: int, as_of: dt.date, tz: str = "Asia/Shanghai"):
        if accounts < 1:
            raise ValueError("accounts must be at least 1")
        self.n = accounts
        self.seed = seed
        self.as_of = as_of
        self.tz = ZoneInfo(tz)
        self.rng = np.random.default_rng(seed)
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed)
        self.window_start = as_of - dt.timedelta(days=WINDOW_DAYS)
        self.last_day = as_of - dt.timedelta(days=1)  # nothing happens on or after as_of
        self.used_names: set[str] = set()
        self.staff_by_team: dict[int, list[str]] = {0: [], 1: [], 2: []}
        self.lead_of_team: dict[int, str] = {}
        for username, _f, _g, role, team, _p in C.STAFF:
            if team is None:
                continue
            if role == "team_lead":
                self.lead_of_team[team] = username
            else:
                self.staff_by_team[team].append(username)
        self._occasion_mean: dict[str, float] = {}

    # ---- small helpers on the one random generator
    def uniform(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def randint(self, lo: int, hi: int) -> int:
        """An integer in [lo, hi] (both inclusive)."""
        return int(self.rng.integers(lo, hi + 1))

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self.rng.integers(len(seq)))]

    def pick_weighted(self, pairs: Sequence[tuple[T, float]]) -> T:
        # one uniform draw against the running total: much cheaper than rng.choice(p=…)
        x = float(self.rng.random()) * sum(w for _v, w in pairs)
        for value, weight in pairs:
            x -= weight
            if x < 0:
                return value
        return pairs[-1][0]

    def sample(self, seq: Sequence[T], k: int) -> list[T]:
        k = min(k, len(seq))
        return [seq[int(i)] for i in self.rng.choice(len(seq), size=k, replace=False)]

    def day_between(self, lo: dt.date, hi: dt.date) -> dt.date:
        span = (hi - lo).days
        return lo + dt.timedelta(days=self.randint(0, max(span, 0)))

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=self.tz)

    # ---- the whole plan
    def generate(self, progress: Callable[[int], None] | None = None) -> DemoPlan:
        accounts = self._accounts()
        contacts: list[ContactRow] = []
        facts: list[FactRow] = []
        related: list[RelatedRow] = []
        key_dates: list[KeyDateRow] = []
        txs: list[TxRow] = []
        payments: list[PaymentRow] = []
        by_account: dict[int, list[ContactRow]] = {}
        for acc in accounts:
            people = self._contacts(acc, start_idx=len(contacts))
            by_account[acc.idx] = people
            contacts.extend(people)
            for person in people:
                facts.extend(self._facts(acc, person))
                rel, dates = self._family_and_dates(acc, person)
                related.extend(rel)
                key_dates.extend(dates)
            rows = self._transactions(acc, people)
            if rows:
                acc.customer_since = min(
                    acc.customer_since or self.as_of, rows[0].occurred_at.date()
                )
            payments.extend(self._payments(acc, rows))
            txs.extend(rows)
            if progress:
                progress(1)
        # Restaurant members, discounts, touchpoints and special days: drawn afterwards from a
        # generator of their own, so the hotel's rows stay what they were for this seed.
        touchpoints = RelationsPlanner(self).plan(accounts, contacts, key_dates, txs, payments)
        # Buying centres, stages and plans of the key accounts: also from a generator of their
        # own, after everything else (they add people and touchpoints, never change a purchase).
        key_accounts = KeyAccountsPlanner(self).plan(accounts, contacts, touchpoints, txs)
        txs.sort(key=lambda r: (r.occurred_at, r.account_idx, r.category, r.description))
        for i, row in enumerate(txs, start=1):
            row.external_id = f"DM-T{i:07d}"
        payments.sort(key=lambda p: (p.received_at, p.account_idx, p.reference))
        for i, pay in enumerate(payments, start=1):
            pay.external_id = f"DM-P{i:06d}"
        return DemoPlan(
            as_of=self.as_of,
            seed=self.seed,
            accounts=accounts,
            contacts=contacts,
            facts=facts,
            related=related,
            key_dates=key_dates,
            transactions=txs,
            payments=payments,
            touchpoints=touchpoints,
            key_accounts=key_accounts,
        )

    # ------------------------------------------------------------------ accounts

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
        return [types[int(i)] for i in self.rng.permutation(len(types))]

    def _subkind(self, account_type: str) -> str:
        if account_type == "gov_ent":
            return self.pick_weighted((("government", 45), ("soe", 40), ("institution", 15)))
        if account_type == "mice":
            return self.pick_weighted(
                (("association", 30), ("organiser", 20), ("mice_corporate", 50))
            )
        if account_type == "wedding":
            return self.pick_weighted((("wedding", 60), ("wedding_family", 40)))
        return account_type

    def _pattern(self, account_type: str, subkind: str) -> Pattern:
        if subkind == "wedding_family":
            return Pattern.ONE_OFF  # a family books its wedding banquet once
        mix = PATTERN_MIX.get(account_type, PATTERN_MIX["default"])
        return self.pick_weighted(mix)

    def _accounts(self) -> list[AccountRow]:
        types = self._allocate_types()
        rows: list[AccountRow] = []
        for i, account_type in enumerate(types):
            subkind = self._subkind(account_type)
            province, city = self._city()
            annual = MEDIAN_ANNUAL[account_type] * float(
                self.rng.lognormal(0.0, SIGMA_ANNUAL[account_type])
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
                    city=city,
                )
            )
        self._ensure_every_pattern(rows)
        self._groups(rows)
        for row in rows:
            self._identity(row)
            self._lifecycle(row)
            self._commercials(row)
        for row in rows:
            if row.parent_idx is not None:
                self._subsidiary_identity(row, rows[row.parent_idx])
        self._ownership(rows)
        self._tags(rows)
        return rows

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
                self.pick(donors).pattern = pattern

    def _city(self) -> tuple[str, str]:
        province, city, _w = self.pick_weighted([((p, c, w), w) for p, c, w in C.CITIES])
        return province, city

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
            parent = self.pick(parents)
            taken.add(parent.idx)
            parent.annual *= 2.5  # the group headquarters books the big meetings
            pool = [r for r in rows if r.subkind in eligible_kinds and r.idx not in taken]
            # same kind of business first, then any other company that can become a subsidiary
            pool.sort(key=lambda r: (r.subkind != parent.subkind, r.idx))
            children = pool[: self.randint(2, 5)]
            if len(children) < 2:
                taken.discard(parent.idx)
                parent.annual /= 2.5
                return
            for child in children:
                child.parent_idx = parent.idx
                child.subkind, child.account_type = parent.subkind, parent.account_type
                taken.add(child.idx)

    def _subsidiary_identity(self, row: AccountRow, parent: AccountRow) -> None:
        """A subsidiary carries its group's name (集团 → 分公司/子公司), industry and domain."""
        core = parent.name
        for suffix in ("股份有限公司", "集团有限公司", "有限公司"):
            core = core.removesuffix(suffix)
        city_short = row.city.removesuffix("市")
        self.used_names.discard(row.name)
        row.name = self._unique(
            lambda: self.pick((f"{core}{city_short}分公司", f"{core}（{city_short}）有限公司"))
        )
        row.short_name = f"{core[-4:]}{city_short}"
        row.english_name = ""
        row.domain, row.website = parent.domain, parent.website
        row.industry, row.enterprise_nature = parent.industry, parent.enterprise_nature
        row.organisation_form = parent.organisation_form

    def _unique(self, make: Callable[[], str]) -> str:
        for _ in range(30):
            name = make()
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        name = f"{make()}（{len(self.used_names)}）"
        self.used_names.add(name)
        return name

    def _identity(self, row: AccountRow) -> None:
        f = self.fake
        city_short = row.city.removesuffix("市")
        prov = C.PROVINCE_SHORT.get(row.province, row.province)
        stem, stem_en = self.pick(C.STEMS)
        row.domain = f"{stem_en.lower()}{self.pick(('', 'group', 'gx', 'china', 'sd'))}.com.cn"
        kind = row.subkind
        english = ""
        if kind == "government":
            row.name = self._unique(lambda: self.pick(C.GOVERNMENT_BODIES).format(city=row.city))
            row.organisation_form, row.industry, row.enterprise_nature = (
                "government",
                "government",
                "government",
            )
            row.domain = ""  # officials use personal mailboxes
        elif kind == "institution":
            row.name = self._unique(
                lambda: self.pick(C.INSTITUTIONS).format(city=row.city, stem=city_short + stem)
            )
            row.organisation_form, row.enterprise_nature = "institution", "institution"
            row.industry = "pharma" if "医院" in row.name else "education"
            row.domain = ""
        elif kind == "soe":
            row.name = self._unique(lambda: self.pick(C.SOE_PATTERNS).format(prov=prov, stem=stem))
            row.organisation_form, row.enterprise_nature = "company", "soe"
            row.industry = next(
                (
                    ind
                    for word, ind in (
                        ("能源", "energy"),
                        ("电力", "energy"),
                        ("银行", "finance"),
                        ("建设", "real_estate"),
                        ("城市", "real_estate"),
                    )
                    if word in row.name
                ),
                "other",
            )
            english = f"{stem_en} Group Co., Ltd."
        elif kind == "association":
            row.name = self._unique(
                # 口腔医学 + 学会 is 口腔医学会, as the real societies write it
                lambda: (
                    self.pick(C.ASSOCIATIONS)
                    .format(
                        field=self.pick(C.ASSOCIATION_FIELDS),
                        prov=row.province,
                        med=self.pick(C.MEDICAL_BRANCHES),
                        city=row.city,
                    )
                    .replace("学学会", "学会")
                )
            )
            row.organisation_form, row.industry, row.enterprise_nature = (
                "association",
                "association",
                "institution",
            )
            if "医学" in row.name:
                row.industry = "pharma"
        elif kind == "organiser":
            row.name = self._unique(
                lambda: city_short + self.pick(C.CONFERENCE_ORGANISERS).format(stem=stem)
            )
            row.organisation_form, row.industry = "company", "media"
            row.enterprise_nature = "private"
            english = f"{stem_en} Conference & Exhibition Co., Ltd."
        elif kind == "mice_corporate":
            pattern, industry = self.pick(C.MICE_CORPORATES)
            row.name = self._unique(lambda: city_short + pattern.format(stem=stem))
            row.organisation_form, row.industry = "company", industry
            row.enterprise_nature = self.pick_weighted(
                (("private", 50), ("foreign", 25), ("joint_venture", 15), ("soe", 10))
            )
            english = f"{stem_en} {industry.title()} Co., Ltd."
        elif kind == "corporate":
            industry = self.pick_weighted(C.CORPORATE_INDUSTRIES)
            if self.chance(0.35):
                row.name = self._unique(lambda: f.company())
            else:
                row.name = self._unique(
                    lambda: city_short + stem + self.pick(C.INDUSTRY_SUFFIX[industry])
                )
                english = f"{stem_en} Co., Ltd."
            row.organisation_form, row.industry = "company", industry
            row.enterprise_nature = self.pick_weighted(
                (("private", 60), ("foreign", 15), ("joint_venture", 10), ("soe", 15))
            )
        elif kind == "ota":
            used = [n for n, _e in C.OTA_NAMES if n in self.used_names]
            if len(used) < len(C.OTA_NAMES):
                name, english = next((n, e) for n, e in C.OTA_NAMES if n not in self.used_names)
                self.used_names.add(name)
                row.name = name
            else:
                row.name = self._unique(lambda: f"{stem}旅行网")
                english = f"{stem_en} Travel"
            row.organisation_form, row.industry, row.enterprise_nature = "ota", "travel", "private"
            row.domain = english.split()[0].lower() + ".com"
        elif kind == "travel_agency":
            row.name = self._unique(
                lambda: self.pick(C.TRAVEL_AGENCIES).format(city_short=city_short, stem=stem)
            )
            row.organisation_form, row.industry = "agency", "travel"
            row.enterprise_nature = self.pick_weighted((("private", 70), ("soe", 30)))
            english = f"{stem_en} International Travel Service Co., Ltd."
        elif kind == "wedding":
            row.name = self._unique(
                lambda: self.pick(C.WEDDING_COMPANIES).format(city_short=city_short, stem=stem)
            )
            row.organisation_form, row.industry, row.enterprise_nature = (
                "company",
                "media",
                "private",
            )
        else:  # individual key customers and wedding families: the account is the person
            gender = "male" if self.chance(0.6) else "female"
            row.name = self._unique(
                lambda: self._person("male") if gender == "male" else self._person("female")
            )
            row.person_gender = gender
        row.english_name = english
        row.short_name = self._short_name(row)
        if row.kind == "organisation":
            area = AREA_CODES.get(row.city, "0532")
            row.phone = f"{area}-{self.randint(6000_0000, 8999_9999)}"
            row.address = f"{row.city}{f.street_name()}{self.randint(1, 399)}号"
            if row.domain:
                row.website = f"https://www.{row.domain}"
            row.scale = self._scale(row)
            if row.scale in {"large", "group"}:
                row.organisation_structure = self.pick(
                    (
                        "集团总部—总经理办公室（接待）—行政部（差旅采购）—市场部（会议）—各分子公司",
                        "董事会—总经理—综合办公室 / 采购中心 / 市场中心 / 各事业部",
                    )
                )
            sales = {
                "micro": (1e6, 1e7),
                "small": (1e7, 1e8),
                "medium": (1e8, 1e9),
                "large": (1e9, 1e10),
                "group": (1e10, 1e11),
            }
            if row.organisation_form in {"company", "ota", "agency"} and row.scale:
                lo, hi = sales[row.scale]
                row.annual_sales = money(
                    round(math.exp(self.uniform(math.log(lo), math.log(hi))), -4)
                )

    @staticmethod
    def _short_name(row: AccountRow) -> str:
        name = row.name
        for suffix in ("股份有限公司", "集团有限公司", "有限公司", "有限责任公司"):
            if name.endswith(suffix):
                return name.removesuffix(suffix)[-8:]
        return ""

    def _scale(self, row: AccountRow) -> str:
        if row.subkind in {"soe", "ota"}:
            return self.pick_weighted((("large", 50), ("group", 50)))
        if row.subkind in {"government", "institution"}:
            return self.pick_weighted((("medium", 60), ("large", 40)))
        if row.subkind == "association":
            return self.pick_weighted((("micro", 40), ("small", 60)))
        if row.annual > 600_000:
            return self.pick_weighted((("large", 60), ("group", 40)))
        return self.pick_weighted((("small", 40), ("medium", 45), ("micro", 15)))

    def _lifecycle(self, row: AccountRow) -> None:
        p = row.pattern
        if p == Pattern.CHURNED:
            row.churn_day = self.as_of - dt.timedelta(days=self.randint(190, 545))
        if p == Pattern.NEW:
            row.start_day = self.as_of - dt.timedelta(days=self.randint(20, 345))
            row.customer_since = row.start_day
        elif p == Pattern.ONE_OFF:
            row.start_day = self.day_between(self.window_start, self.as_of - dt.timedelta(days=15))
            row.customer_since = row.start_day
        else:
            lo = dt.date(2008, 1, 1)
            row.customer_since = self.day_between(lo, self.window_start - dt.timedelta(days=30))
        # The generator must be able to show a pattern: enough purchases a year to see it.
        floor = {
            Pattern.STEADY: 4,
            Pattern.GROWING: 6,
            Pattern.DECLINING: 6,
            Pattern.CHURNED: 4,
            Pattern.NEW: 4,
        }.get(p)
        if floor:
            row.annual = max(row.annual, floor * self._mean_value(row))
        if p == Pattern.CHURNED and row.churn_day and (self.as_of - row.churn_day).days > 365:
            row.status = "dormant" if self.chance(0.5) else "active"
        elif p == Pattern.ONE_OFF and (self.as_of - (row.start_day or self.as_of)).days > 540:
            row.status = "dormant" if self.chance(0.3) else "active"

    def _commercials(self, row: AccountRow) -> None:
        p, t = row.pattern, row.account_type
        if row.subkind == "government":
            row.credit_rating = self.pick_weighted((("AAA", 50), ("AA", 40), ("A", 10)))
        elif row.subkind in {"soe", "institution", "ota"}:
            row.credit_rating = self.pick_weighted((("AAA", 35), ("AA", 45), ("A", 20)))
        else:
            row.credit_rating = self.pick_weighted(
                (("AAA", 5), ("AA", 20), ("A", 45), ("B", 24), ("C", 6))
            )
        if p in {Pattern.GROWING, Pattern.NEW}:
            row.attitude = self.pick_weighted((("advocate", 40), ("positive", 50), ("neutral", 10)))
        elif p in {Pattern.DECLINING, Pattern.CHURNED}:
            row.attitude = self.pick_weighted(
                (("positive", 10), ("neutral", 40), ("sceptical", 35), ("negative", 15))
            )
        else:
            row.attitude = self.pick_weighted(
                (("advocate", 20), ("positive", 45), ("neutral", 30), ("sceptical", 5))
            )
        rate = self.randint(45, 110) * 10
        if t in {"corporate", "gov_ent", "travel_agency"}:
            row.price_system = (
                f"协议价：高级大床房 ¥{rate}/晚（含双早），行政套房 ¥{rate * 2 + 200}/晚"
            )
        elif t == "mice":
            row.price_system = (
                f"会议套餐 ¥{self.randint(28, 68) * 10}/人/天（含会场、午餐、两次茶歇）"
            )
        elif t == "ota":
            row.price_system = f"底价直连，佣金 {self.randint(12, 18)}%"
        elif t == "wedding" and row.kind == "organisation":
            row.price_system = f"婚宴套餐 ¥{self.randint(28, 68)}88/桌起，渠道返佣 8%"
        if row.subkind == "government":
            row.sales_policy = "按公务接待标准执行，凭公函结算，账期较长"
        elif t in {"ota", "travel_agency"}:
            row.sales_policy = "月结，账期30天；年度返点协议"
        elif t in {"corporate", "mice", "gov_ent"}:
            row.sales_policy = self.pick(
                (
                    "年度框架协议，月结，账期30天",
                    "返点：年消费满50万返2%，满100万返3%",
                    "会议预付30%定金，会后结清",
                    "单次结算，无协议",
                )
            )

    def _ownership(self, rows: list[AccountRow]) -> None:
        for row in rows:
            team = TEAM_OF_TYPE[row.account_type]
            if row.account_type == "individual" and self.chance(0.15):
                team = self.pick((0, 1))  # a KAM's own key contacts who book privately
            if row.parent_idx is not None:
                parent = rows[row.parent_idx]
                row.team, row.owner = parent.team, parent.owner
            else:
                row.team = team
                kams = self.staff_by_team[team]
                row.owner = self.lead_of_team[team] if self.chance(0.1) else self.pick(kams)
            if row.parent_idx is None and self.chance(0.15):
                others = [
                    u
                    for u in [*self.staff_by_team[team], self.lead_of_team[team]]
                    if u != row.owner
                ]
                if self.chance(0.3):  # cross-team: government meetings run by MICE sales
                    other_team = self.pick([t for t in (0, 1, 2) if t != team])
                    others = self.staff_by_team[other_team]
                row.co_owners = [self.pick(others)]
        # a subsidiary follows its parent's owner, which is assigned in the loop above
        for row in rows:
            if row.parent_idx is not None:
                parent = rows[row.parent_idx]
                row.team, row.owner = parent.team, parent.owner

    def _tags(self, rows: list[AccountRow]) -> None:
        by_value = sorted(rows, key=lambda r: -r.annual)
        top = {r.idx for r in by_value[: max(1, len(rows) // 7)]}
        for row in rows:
            tags = [row.pattern.tag]
            big = row.idx in top
            if big and row.pattern in {Pattern.STEADY, Pattern.GROWING}:
                tags.append("年度框架")
            if row.pattern in {Pattern.GROWING, Pattern.NEW} and self.chance(0.5):
                tags.append("高潜力")
            if self.chance(0.35 if row.account_type in {"corporate", "travel_agency"} else 0.12):
                tags.append("价格敏感")
            if big:
                tags.append("重点维护")
            if row.account_type in {"corporate", "gov_ent"} and self.chance(0.5):
                tags.append("协议价")
            if row.customer_since and row.customer_since.year < 2018:
                tags.append("长期合作")
            if row.pattern in {Pattern.DECLINING, Pattern.CHURNED} and self.chance(0.4):
                tags.append("竞品在用")
            if row.pattern in {Pattern.DECLINING, Pattern.CHURNED} and self.chance(0.3):
                tags.append("需回访")
            if row.account_type in {"ota", "travel_agency"} or (big and self.chance(0.3)):
                tags.append("返点协议")
            row.tags = list(dict.fromkeys(tags))

    # ------------------------------------------------------------------ contacts

    def _contacts(self, acc: AccountRow, start_idx: int) -> list[ContactRow]:
        f = self.fake
        people: list[ContactRow] = []
        if acc.kind == "individual":
            gender = acc.person_gender or "male"
            acc.notes = "婚宴客户" if acc.subkind == "wedding_family" else ""
            age = self.randint(32, 62)
            people.append(
                ContactRow(
                    idx=start_idx,
                    account_idx=acc.idx,
                    code=f"DM-C{start_idx + 1:05d}",
                    name=acc.name,
                    gender=gender,
                    birthday=self._birthday(age),
                    title=self.pick(("企业主", "董事长", "自由职业", "医生", "律师", "总经理")),
                    department="",
                    seniority=2,
                    nickname=acc.name[0] + ("总" if gender == "male" else "姐"),
                    mobile=f.phone_number(),
                    email=f.free_email(),
                    wechat=f"{f.user_name()}{self.randint(10, 99)}",
                    is_primary=True,
                )
            )
            return people
        titles = C.TITLES[self._title_set(acc)]
        size = 1 + min(4, int(math.log10(max(acc.annual, 1) / 20_000) * 1.6 + self.rng.random()))
        size = max(1, min(5, size, len(titles)))
        chosen = self.sample(titles, size)
        # the primary contact is the one who books: a mid-level title if there is one
        chosen.sort(key=lambda t: (t[2] != 1, -t[2]))
        for j, (title, department, seniority) in enumerate(chosen):
            gender = "male" if self.chance(0.62 if seniority == 2 else 0.45) else "female"
            name = self._person("male") if gender == "male" else self._person("female")
            age = self.randint(26, 35) if seniority == 0 else self.randint(32, 59)
            idx = start_idx + len(people)
            people.append(
                ContactRow(
                    idx=idx,
                    account_idx=acc.idx,
                    code=f"DM-C{idx + 1:05d}",
                    name=name,
                    gender=gender,
                    birthday=self._birthday(age) if self.chance(0.85) else None,
                    title=title,
                    department=department,
                    seniority=seniority,
                    nickname=self._address_as(name, title, seniority),
                    mobile=f.phone_number(),
                    phone=f"{acc.phone.split('-')[0]}-{self.randint(6000_0000, 8999_9999)}"
                    if acc.phone
                    else "",
                    email=f"{f.user_name()}@{acc.domain or self.pick(FREE_MAIL)}"
                    if self.chance(0.8)
                    else "",
                    wechat=f"wxid_{f.pystr(min_chars=10, max_chars=10).lower()}"
                    if self.chance(0.5)
                    else f"{f.user_name()}{self.randint(1, 999)}",
                    is_primary=j == 0,
                    is_active=j == 0 or self.chance(0.94),
                )
            )
            if not people[-1].is_active:
                people[-1].notes = "已离职，交接给" + (people[0].name if people else "同事")
        return people

    @staticmethod
    def _title_set(acc: AccountRow) -> str:
        return {
            "government": "government",
            "institution": "institution",
            "soe": "soe",
            "association": "association",
            "organiser": "association",
            "mice_corporate": "mice_corporate",
            "corporate": "corporate",
            "ota": "ota",
            "travel_agency": "travel_agency",
            "wedding": "wedding",
        }[acc.subkind]

    @staticmethod
    def _address_as(name: str, title: str, seniority: int) -> str:
        """How the KAM addresses them (称呼): 王总, 李局, 张主任, 小刘…"""
        surname = name[0]
        for word, suffix in (
            ("局长", "局"),
            ("院长", "院长"),
            ("主任", "主任"),
            ("处长", "处"),
            ("秘书长", "秘书长"),
            ("科长", "科长"),
            ("董事长", "董"),
            ("总", "总"),
        ):
            if word in title:
                return surname + suffix
        return surname + "经理" if seniority else "小" + surname

    def _person(self, gender: str) -> str:
        """A Chinese name matching the gender (Faker's zh_CN `name_male` ignores it)."""
        f = self.fake
        if gender == "male":
            return f.last_name() + f.first_name_male()
        if gender == "female":
            return f.last_name() + f.first_name_female()
        return f.last_name() + f.first_name()

    def _birthday(self, age: int) -> dt.date:
        year = self.as_of.year - age
        month = self.randint(1, 12)
        return dt.date(year, month, self.randint(1, calendar.monthrange(year, month)[1]))

    # ------------------------------------------------------------------ profile facts

    def _facts(self, acc: AccountRow, person: ContactRow) -> list[FactRow]:
        """A profile as a KAM builds it over time (004 客户信息统计表), with provenance."""
        collectors = [acc.owner, *acc.co_owners, self.lead_of_team.get(acc.team, acc.owner)]
        verifiers = [self.lead_of_team.get(acc.team, acc.owner), acc.owner]
        candidates = self._fact_candidates(acc, person)
        depth = 3 + 2 * person.seniority + (4 if acc.annual > 300_000 else 0)
        depth += 3 if person.is_primary else 0
        chosen = [
            candidates[int(i)]
            for i in sorted(
                self.rng.choice(len(candidates), size=min(depth, len(candidates)), replace=False)
            )
        ]
        since = max(self.window_start, acc.customer_since or self.window_start)
        since = min(since, self.as_of - dt.timedelta(days=2))
        rows: list[FactRow] = []
        seen: set[tuple[str, str]] = set()
        for group, key, value in chosen:
            if (group, key) in seen:
                continue
            seen.add((group, key))
            recorded = self.at(
                self.day_between(since, self.last_day), self.randint(9, 20), self.randint(0, 59)
            )
            row = FactRow(
                contact_idx=person.idx,
                group=group,
                key=key,
                value=value,
                source=self.pick_weighted(FACT_SOURCES),
                recorded_by=self.pick(collectors),
                recorded_at=recorded,
            )
            if self.chance(0.6):
                verified = recorded + dt.timedelta(
                    days=self.randint(1, 60), hours=self.randint(0, 6)
                )
                row.verified_at = min(verified, self.at(self.last_day, 21))
                row.verified_by = self.pick(verifiers)
            rows.append(row)
        return rows

    def _fact_candidates(self, acc: AccountRow, person: ContactRow) -> list[tuple[str, str, Any]]:
        year = self.as_of.year
        ethnicity = self.pick_weighted(C.ETHNICITIES)
        province, city = self._city()
        out: list[tuple[str, str, Any]] = [
            ("basic", "native_place", f"{province}{city}" if province != city else city),
            ("basic", "ethnicity", ethnicity),
            ("basic", "education", self.pick(C.EDUCATION)),
            ("basic", "appearance", "，".join(self.sample(C.APPEARANCE, self.randint(1, 3)))),
            ("basic", "personality", self.pick(C.PERSONALITY)),
            ("experience", "hometown_food", C.CUISINE.get(province, "家常菜")),
            ("experience", "background", self.pick(C.BACKGROUNDS)),
            ("product_needs", "taste", self.pick(C.TASTES)),
            ("product_needs", "environment", self.pick(C.ENVIRONMENTS)),
            ("product_needs", "room_preferences", self.pick(C.ROOM_PREFS)),
            ("preferences", "sports", self.sample(C.SPORTS, self.randint(1, 2))),
            ("preferences", "favourite_dishes", self.sample(C.DISHES, self.randint(1, 3))),
            ("preferences", "favourite_drinks", self.sample(C.DRINKS, self.randint(1, 2))),
            ("preferences", "brands", self.sample(C.BRANDS, self.randint(1, 2))),
            ("preferences", "habits", self.pick(C.HABITS)),
            (
                "life",
                "marital_status",
                "married" if person.seniority or self.chance(0.5) else "single",
            ),
        ]
        if person.gender == "male" or self.chance(0.4):
            out += [
                ("basic", "height_cm", self.randint(158, 186)),
                ("basic", "weight_kg", self.randint(50, 92)),
            ]
        if ethnicity == "回族":
            # the course's own example (004): a Hui customer who must never be served pork
            out += [("taboos", "dietary", ["猪肉"]), ("basic", "religion", "伊斯兰教")]
        else:
            out.append(("taboos", "dietary", self.sample(C.DIETARY, 1)))
            if self.chance(0.1):
                out.append(("basic", "religion", self.pick(C.RELIGIONS)))
        out += [
            ("taboos", "allergies", self.sample(C.ALLERGIES, 1)),
            ("taboos", "other", self.pick(C.OTHER_TABOOS)),
            ("preferences", "colours", self.sample(C.COLOURS, 1)),
            ("preferences", "reading", self.sample(C.READING, self.randint(1, 2))),
            ("product_needs", "service_speed", self.pick(C.SERVICE_SPEED)),
        ]
        if acc.kind == "organisation":
            out += [
                ("work", "responsibilities", self.pick(C.RESPONSIBILITIES)),
                ("work", "business_trips", self.pick(C.TRIPS)),
                (
                    "work",
                    "promotions",
                    self.pick(C.PROMOTIONS).format(year=self.randint(year - 6, year - 1)),
                ),
                (
                    "work",
                    "company_events",
                    self.pick(C.COMPANY_EVENTS).format(year=self.randint(year - 2, year + 1)),
                ),
            ]
            if acc.account_type in {"mice", "gov_ent"}:
                out.append(("product_needs", "meeting_preferences", self.pick(C.MEETING_PREFS)))
        out += [
            (
                "life",
                "family_events",
                self.pick(C.FAMILY_EVENTS).format(year=self.randint(year - 1, year + 1)),
            ),
            ("life", "home_address", f"{city}{self.fake.street_address()}"),
            ("value", "spend_per_visit", str(self.randint(8, 60) * 100)),
            ("value", "visits_per_month", self.randint(1, 8)),
            ("value", "previous_venues", self.pick(C.PREVIOUS_VENUES)),
            ("value", "distance_km", f"{self.uniform(0.5, 25):.1f}"),
        ]
        return out

    def _family_and_dates(
        self, acc: AccountRow, person: ContactRow
    ) -> tuple[list[RelatedRow], list[KeyDateRow]]:
        f = self.fake
        related: list[RelatedRow] = []
        dates: list[KeyDateRow] = []
        if person.seniority == 2 and acc.kind == "organisation":
            if self.chance(0.6):
                related.append(
                    RelatedRow(
                        person.idx,
                        "driver",
                        self._person("male"),
                        f.phone_number(),
                        notes=self.pick(("开黑色奥迪A6", "开商务车", "喜欢抽烟，备烟灰缸")),
                    )
                )
            if self.chance(0.5):
                related.append(
                    RelatedRow(
                        person.idx,
                        "secretary",
                        self._person("female"),
                        f.phone_number(),
                        notes="日程安排找她",
                    )
                )
            if acc.subkind == "government" and self.chance(0.3):
                related.append(
                    RelatedRow(person.idx, "office_director", self._person(""), f.phone_number())
                )
        married = person.seniority > 0 or self.chance(0.5)
        if married and self.chance(0.55) and person.birthday:
            spouse = self._person("female") if person.gender == "male" else self._person("male")
            related.append(
                RelatedRow(
                    person.idx,
                    "spouse",
                    spouse,
                    f.phone_number(),
                    birthday=self._birthday(
                        self.as_of.year - person.birthday.year + self.randint(-3, 3)
                    ),
                )
            )
            wedding_year = person.birthday.year + self.randint(24, 32)
            if wedding_year < self.as_of.year and self.chance(0.6):
                month = self.randint(1, 12)
                dates.append(
                    KeyDateRow(
                        person.idx,
                        "wedding",
                        dt.date(wedding_year, month, self.randint(1, 28)),
                        "结婚纪念日",
                    )
                )
            children = self.pick((0, 1, 1, 1, 2)) if wedding_year < self.as_of.year else 0
            surname = (person.name if person.gender == "male" else spouse)[0]
            for _c in range(children):
                child_age = max(1, self.as_of.year - wedding_year - self.randint(1, 8))
                stage = next(
                    text
                    for limit, text in ((6, "上幼儿园"), (12, "在读小学"), (18, "在读中学"),
                                        (22, "大学在读"), (200, "已工作"))
                    if child_age < limit
                )  # fmt: skip
                related.append(
                    RelatedRow(
                        person.idx,
                        "child",
                        surname + self.fake.first_name(),
                        birthday=self._birthday(child_age),
                        notes=stage,
                    )
                )
        if person.is_primary and acc.kind == "organisation" and self.chance(0.3):
            founded = dt.date(self.randint(1985, 2018), self.randint(1, 12), self.randint(1, 28))
            dates.append(
                KeyDateRow(
                    person.idx, "company", founded, f"{acc.short_name or acc.name}成立纪念日"
                )
            )
        if person.is_primary and acc.customer_since and self.chance(0.25):
            dates.append(KeyDateRow(person.idx, "first_visit", acc.customer_since, "首次合作"))
        return related, dates

    # ------------------------------------------------------------------ transactions

    def _occasion_kinds(self, acc: AccountRow) -> tuple[tuple[str, float], ...]:
        t, s = acc.account_type, acc.subkind
        if s == "wedding_family":
            return (("wedding", 1.0),)
        return {
            "mice": (
                ("mice_event", 0.55),
                ("room_stay", 0.2),
                ("business_banquet", 0.15),
                ("other", 0.1),
            ),
            "gov_ent": (
                ("gov_meeting", 0.35),
                ("room_stay", 0.3),
                ("business_banquet", 0.25),
                ("annual_party", 0.03),
                ("other", 0.07),
            ),
            "corporate": (
                ("room_stay", 0.5),
                ("fnb_visit", 0.15),
                ("business_banquet", 0.15),
                ("travel", 0.04),
                ("small_meeting", 0.06),
                ("annual_party", 0.03),
                ("other", 0.07),
            ),
            "ota": (("ota_batch", 0.93), ("travel", 0.07)),
            "travel_agency": (("ta_group", 0.6), ("travel", 0.3), ("room_stay", 0.1)),
            "wedding": (("wedding", 0.7), ("family_banquet", 0.3)),
            "individual": (
                ("fnb_visit", 0.6),
                ("room_stay", 0.2),
                ("family_banquet", 0.08),
                ("business_banquet", 0.07),
                ("other", 0.05),
            ),
        }[t]

    def _mean_value(self, acc: AccountRow) -> float:
        """Mean value of one purchase occasion for this kind of account (Monte Carlo, cached,
        from its own seeded generator so it does not disturb the main sequence)."""
        key = f"{acc.account_type}/{acc.subkind}"
        if key not in self._occasion_mean:
            saved = self.rng
            self.rng = np.random.default_rng([self.seed, 7])
            total = 0.0
            n = 300
            kinds = self._occasion_kinds(acc)
            for _ in range(n):
                kind = self.pick_weighted(kinds)
                total += sum(line[4] for line in self._occasion(kind, dt.date(2025, 5, 12)))
            self.rng = saved
            self._occasion_mean[key] = total / n
        return self._occasion_mean[key]

    def _level(self, acc: AccountRow, day: dt.date) -> float:
        """Demand level at `day` relative to the account's normal (lifecycle pattern)."""
        x = (day - self.window_start).days / WINDOW_DAYS
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
        kinds = self._occasion_kinds(acc)
        if acc.pattern == Pattern.ONE_OFF:
            assert acc.start_day is not None
            return [(acc.start_day, self.pick_weighted(kinds))]
        season = SEASONS[SEASON_OF_TYPE[acc.account_type]]
        season_mean = sum(season) / 12
        mean_value = self._mean_value(acc)
        out: list[tuple[dt.date, str]] = []
        month = dt.date(self.window_start.year, self.window_start.month, 1)
        while month <= self.last_day:
            days_in = calendar.monthrange(month.year, month.month)[1]
            first = max(month, self.window_start)
            last = min(month + dt.timedelta(days=days_in - 1), self.last_day)
            mid = first + (last - first) / 2
            share = ((last - first).days + 1) / days_in
            level = (
                self._level(acc, mid) if acc.pattern not in {Pattern.CHURNED, Pattern.NEW} else 1
            )
            rate = acc.annual / 12 * season[month.month - 1] / season_mean * level / mean_value
            for _ in range(int(self.rng.poisson(rate * share))):
                day = self._pick_day(acc, first, last)
                if day is None or self._level(acc, day) == 0:
                    continue
                kind = self.pick_weighted(kinds)
                if kind == "annual_party" and day.month not in (12, 1):
                    kind = "business_banquet"
                out.append((day, kind))
            month = month + dt.timedelta(days=days_in)
        if acc.pattern == Pattern.NEW and acc.start_day:
            out.append((acc.start_day, self.pick_weighted(kinds)))  # the first purchase
        return out

    def _pick_day(self, acc: AccountRow, first: dt.date, last: dt.date) -> dt.date | None:
        business = acc.account_type in {"mice", "corporate", "gov_ent"}
        for _ in range(6):
            day = self.day_between(first, last)
            festival = SPRING_FESTIVAL.get(day.year)
            if business and festival and abs((day - festival).days) <= 7 and self.chance(0.85):
                continue
            weekend = day.weekday() >= 5
            if business and weekend and self.chance(0.75):
                continue
            if acc.account_type == "wedding" and not weekend and self.chance(0.7):
                continue
            return day
        return None

    def _transactions(self, acc: AccountRow, people: list[ContactRow]) -> list[TxRow]:
        for _attempt in range(25):
            rows = self._transactions_once(acc, people)
            if self._shows_pattern(acc, rows):
                return rows
        return rows

    def _shows_pattern(self, acc: AccountRow, rows: list[TxRow]) -> bool:
        """The guarantees documented in scenarios.py, checked on the drawn rows."""
        if not rows:
            return False
        year_ago = self.at(self.as_of - dt.timedelta(days=365), 0)
        first_year_end = self.at(self.window_start + dt.timedelta(days=365), 0)
        half_year_ago = self.at(self.as_of - dt.timedelta(days=183), 0)
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
        rows: list[TxRow] = []
        active_people = [p for p in people if p.is_active] or people
        channel = {"ota": "ota", "travel_agency": "travel_agency"}.get(acc.account_type, "direct")
        for occasion, (day, kind) in enumerate(sorted(self._occasion_days(acc))):
            lines = self._occasion(kind, day)
            if acc.kind == "individual":
                contact = people[0].idx
            elif self.chance(0.85):
                contact = (active_people[0] if self.chance(0.6) else self.pick(active_people)).idx
            else:
                contact = None
            row_channel = channel
            if channel == "direct" and kind in {"fnb_visit", "room_stay"}:
                row_channel = self.pick_weighted(
                    (("direct", 55), ("phone", 25), ("mini_program", 12), ("walk_in", 8))
                )
            for offset, hour, minute, category, amount, heads, text in lines:
                when_day = day + dt.timedelta(days=offset)
                if when_day > self.last_day or when_day < self.window_start:
                    continue
                if acc.churn_day and when_day >= acc.churn_day:
                    continue
                lo, hi = COST_SHARE[category]
                share = self.uniform(lo, hi)
                if row_channel == "ota":
                    share += self.uniform(*OTA_COMMISSION)  # the platform's commission is a cost
                rows.append(
                    TxRow(
                        account_idx=acc.idx,
                        contact_idx=contact,
                        occurred_at=self.at(when_day, hour, minute),
                        category=category,
                        amount=money(amount),
                        cost=money(amount * min(share, 0.95)),
                        head_count=heads,
                        channel=row_channel,
                        description=text,
                        bill=occasion,
                    )
                )
        rows.sort(key=lambda r: (r.occurred_at, r.category, r.description))
        return rows

    def _occasion(self, kind: str, day: dt.date) -> list[Line]:
        """One purchase occasion as its lines. MICE events book meeting space, rooms and F&B on
        the same days (会议带动住宿+餐饮)."""
        u, r = self.uniform, self.randint
        year = day.year
        if kind in {"mice_event", "gov_meeting", "small_meeting"}:
            if kind == "mice_event":
                # most events ¥50k–800k; big congresses are short (one or two days)
                people = int(min(500, max(60, self.rng.lognormal(math.log(130), 0.55))))
                days = self.pick_weighted(((1, 35), (2, 45), (3, 17), (4, 3)))
                days = min(days, 2) if people > 300 else days
                hall, per_head, rate, stay = (70, 140), (100, 240), (420, 800), (0.3, 0.7)
                theme = self.pick(
                    (
                        "学术年会",
                        "经销商大会",
                        "新品发布会",
                        "客户答谢会",
                        "行业论坛",
                        "培训会",
                        "研讨会",
                    )
                )
            elif kind == "gov_meeting":
                people = r(30, 200)
                days = self.pick_weighted(((1, 55), (2, 45)))
                hall, per_head, rate, stay = (40, 80), (80, 150), (380, 550), (0.3, 0.6)
                theme = self.pick(("工作会议", "业务培训班", "座谈会", "招商推介会", "专家评审会"))
            else:
                people = r(15, 60)
                days = 1
                hall, per_head, rate, stay = (60, 120), (100, 220), (450, 800), (0.0, 0.4)
                theme = self.pick(("季度会议", "内部培训", "客户交流会"))
            name = f"{year}年{theme}"
            lines: list[Line] = []
            hall_day = round(people * u(*hall), -2) + r(3, 12) * 1000
            head_rate = u(*per_head)
            rooms = math.ceil(people * u(*stay) / 1.5)
            room_rate = round(u(*rate), -1)
            for d in range(days):
                lines.append((d, 8, 30, "meeting", hall_day, people, f"{name} · 会场 第{d + 1}天"))
                lines.append(
                    (d, 12, 0, "fnb", people * head_rate, people, f"{name} · 会议餐 第{d + 1}天")
                )
                if rooms:
                    # attendees arrive the evening before: one line per night
                    lines.append(
                        (
                            d - 1,
                            18,
                            0,
                            "rooms",
                            rooms * room_rate,
                            rooms,
                            f"{name} · 客房 {rooms}间",
                        )
                    )
            if kind == "mice_event" and self.chance(0.4):
                lines.append((0, 19, 0, "fnb", people * u(200, 400), people, f"{name} · 欢迎晚宴"))
            if kind == "mice_event" and self.chance(0.15):
                tourists = max(10, people // 3)
                lines.append(
                    (days, 9, 0, "travel", tourists * u(300, 800), tourists, f"{name} · 会后考察游")
                )
            return lines
        if kind == "room_stay":
            rooms = self.pick_weighted(((1, 70), (2, 20), (3, 10)))
            nights = self.pick_weighted(((1, 40), (2, 30), (3, 20), (4, 10)))
            rate = round(u(1500, 2000) if self.chance(0.08) else u(500, 1200), -1)
            lines = [
                (
                    0,
                    r(14, 21),
                    r(0, 59),
                    "rooms",
                    rooms * nights * rate,
                    rooms * self.pick((1, 1, 2)),
                    f"客房 {rooms}间×{nights}晚 ¥{rate:.0f}",
                )
            ]
            if self.chance(0.15):
                lines.append(
                    (
                        nights,
                        10,
                        r(0, 59),
                        "other",
                        u(80, 600),
                        None,
                        self.pick(("洗衣", "商务中心", "迷你吧", "停车")),
                    )
                )
            return lines
        if kind == "fnb_visit":
            heads = self.pick_weighted(
                ((2, 25), (3, 15), (4, 20), (6, 15), (8, 10), (10, 8), (12, 4), (20, 3))
            )
            lunch = self.chance(0.4)
            per_head = u(40, 200)
            return [
                (
                    0,
                    12 if lunch else 18,
                    r(0, 50),
                    "fnb",
                    heads * per_head,
                    heads,
                    f"{'午餐' if lunch else '晚餐'} {heads}位",
                )
            ]
        if kind == "business_banquet":
            heads = r(8, 30)
            return [
                (
                    0,
                    18,
                    r(0, 45),
                    "fnb",
                    heads * u(200, 500),
                    heads,
                    f"商务宴请 {math.ceil(heads / 10)}桌",
                )
            ]
        if kind == "annual_party":
            heads = r(100, 500)
            return [
                (0, 14, 0, "meeting", round(u(10_000, 40_000), -2), heads, f"{year}年会 · 宴会厅"),
                (0, 18, 0, "fnb", heads * u(200, 400), heads, f"{year}年会 · 晚宴 {heads // 10}桌"),
            ]
        if kind == "wedding":
            tables = r(10, 40)
            per_table = r(28, 68) * 100 + 88
            rooms = r(3, 15)
            return [
                (0, 11, 18, "fnb", tables * per_table, tables * 10, f"婚宴 {tables}桌"),
                (0, 8, 0, "meeting", round(u(5_000, 30_000), -2), tables * 10, "宴会厅场地布置"),
                (
                    -1,
                    17,
                    0,
                    "rooms",
                    rooms * round(u(500, 900), -1),
                    rooms,
                    f"婚房及亲友用房 {rooms}间",
                ),
            ]
        if kind == "family_banquet":
            tables = r(3, 12)
            event = self.pick(("寿宴", "满月宴", "升学宴", "订婚宴", "家宴"))
            return [
                (
                    0,
                    17,
                    30,
                    "fnb",
                    tables * (r(18, 38) * 100 + 88),
                    tables * 10,
                    f"{event} {tables}桌",
                )
            ]
        if kind == "travel":
            people = r(10, 60)
            trip = self.pick(
                ("青岛二日游", "崂山一日游", "团建拓展", "海岛休闲游", "胶东半岛三日游")
            )
            return [(0, 8, 0, "travel", people * u(800, 3500), people, f"{trip} {people}人")]
        if kind == "ta_group":
            rooms = r(10, 40)
            nights = self.pick((1, 1, 2))
            people = rooms * 2
            lines = [
                (
                    0,
                    16,
                    0,
                    "rooms",
                    rooms * nights * round(u(300, 550), -1),
                    people,
                    f"旅游团 {rooms}间×{nights}晚",
                )
            ]
            for d in range(nights):
                lines.append((d, 18, 0, "fnb", people * u(40, 80), people, f"团餐 {people}位"))
            return lines
        if kind == "ota_batch":
            nights = r(3, 30)
            return [
                (
                    0,
                    23,
                    30,
                    "rooms",
                    nights * round(u(400, 1100), -1),
                    nights,
                    f"OTA 订单汇总 {nights}间夜",
                )
            ]
        # other: parking, laundry, gift shop, business centre
        return [
            (
                0,
                r(9, 20),
                r(0, 59),
                "other",
                u(100, 3000),
                None,
                self.pick(("礼品", "商务中心", "洗衣", "停车", "鲜花布置")),
            )
        ]

    # ------------------------------------------------------------------ payments

    def _payments(self, acc: AccountRow, rows: list[TxRow]) -> list[PaymentRow]:
        """回款: individuals pay on the spot, companies monthly, MICE per event with a deposit,
        government late; bills not yet due by `as_of` stay outstanding, a few are never paid."""
        if not rows:
            return []
        t = acc.account_type
        per_occasion = acc.kind == "individual" or t in {"mice", "wedding"}
        bills: dict[Any, list[TxRow]] = {}
        for row in rows:
            if per_occasion or (t == "gov_ent" and row.category == "meeting"):
                key: Any = ("o", row.bill)
            else:
                key = ("m", row.occurred_at.year, row.occurred_at.month)
            bills.setdefault(key, []).append(row)
        bad_debt = {"AAA": 0.01, "AA": 0.02, "A": 0.03, "B": 0.08, "C": 0.25}.get(
            acc.credit_rating, 0.03
        )
        cutoff = self.at(self.as_of, 0)
        out: list[PaymentRow] = []
        for key, lines in bills.items():
            total = sum((r.amount for r in lines), Decimal(0))
            first, last = lines[0].occurred_at, lines[-1].occurred_at
            if self.chance(bad_debt):
                continue
            if acc.kind == "individual":
                method = self.pick_weighted(
                    (("wechat_pay", 45), ("alipay", 25), ("card", 25), ("cash", 5))
                )
                parts = [(last + dt.timedelta(hours=2), total)]
                if t == "wedding":
                    deposit = money(float(total) * 0.3)
                    parts = [
                        (first - dt.timedelta(days=self.randint(30, 120)), deposit),
                        (last + dt.timedelta(hours=6), total - deposit),
                    ]
            elif t in {"mice", "wedding"}:
                method = "bank_transfer"
                share = 0.3 if t == "mice" else 0.5
                deposit = money(float(total) * share)
                if total > 20_000:
                    parts = [
                        (first - dt.timedelta(days=self.randint(14, 45)), deposit),
                        (last + dt.timedelta(days=self.randint(20, 90)), total - deposit),
                    ]
                else:
                    parts = [(last + dt.timedelta(days=self.randint(3, 30)), total)]
            else:
                method = "bank_transfer"
                if key[0] == "m":
                    y, m = key[1], key[2]
                    month_end = dt.date(y, m, calendar.monthrange(y, m)[1])
                    base = self.at(month_end, 10)
                else:
                    base = last
                lag = {"gov_ent": (45, 180), "ota": (20, 45), "travel_agency": (20, 60)}.get(
                    t, (15, 60)
                )
                if acc.subkind == "soe":
                    lag = (30, 120)
                parts = [
                    (base + dt.timedelta(days=self.randint(*lag), hours=self.randint(0, 7)), total)
                ]
            if self.chance(0.08) and len(parts) == 1:
                # a small deduction agreed after a complaint or rounding (折让)
                parts = [(parts[0][0], money(float(total) * self.uniform(0.95, 0.995)))]
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
