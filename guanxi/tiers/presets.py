"""The three shipped tier schemes, as data, and their loader.

- ``restaurant-monthly``: 富丽华·华膳楼 客户等级管理制度 (seed 004) — A/B/C × quality/active by the
  last complete month's visits, spend and per-head spend, with the seed's privileges
  (等级特权维护) as the tiers' policies. "¥80–100 per head" is read as "at least ¥80".
- ``clp-levels``: the four CLP levels (战略型/价值型/标准型/交易型) by predicted-profit percentile.
- ``pyramid``: the customer pyramid (钻石/金/银/普通) by CLV percentile: top 1 %, next 4 %, next
  15 %, the rest.

Loading is idempotent and never clobbers an admin's edits: an existing scheme (matched by code)
keeps its name, activity and tiers; only what is missing is created — a tier whose code is
missing (if its rank is free; with its conditions), a policy for a tier that has none. Presets
load INACTIVE, so that loading one does not start creating tasks for every account; activate the
scheme when its tiers suit you.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction as db_transaction
from django.utils.translation import gettext as _

from guanxi.tiers.models import GreetingRole, Metric, Tier, TierCondition, TierPolicy, TierScheme
from guanxi.transactions.models import ProductCategory

D = Decimal

# Categories the restaurant's discount floor excludes (不参与折扣: 酒水、海鲜、特价菜、宴席).
EXCLUDED_CATEGORIES = [
    ("drinks", "酒水", "Drinks", 21),
    ("seafood", "海鲜", "Seafood", 22),
    ("specials", "特价菜", "Specials", 23),
    ("banquets", "宴席", "Banquets", 24),
]
VIP_GROUP = "VIP客户微信群"
# What a restaurant's monthly tiers count (TierScheme.categories): meals and what goes with them,
# not room nights or meeting rooms. Food & beverage ships with the app (code "fnb").
FNB_CATEGORY = ("fnb", "餐饮", "Food & beverage", 20)


def _c(metric: str, lo: Any = None, hi: Any = None, values: list[str] | None = None) -> dict:
    return {
        "metric": metric,
        "min": None if lo is None else D(str(lo)),
        "max": None if hi is None else D(str(hi)),
        "values": values or [],
    }


def _month(visits: int, spend: int, per_head: int | None = None) -> list[dict]:
    conds = [_c(Metric.MONTH_VISITS, visits), _c(Metric.MONTH_SPEND, spend)]
    if per_head is not None:
        conds.append(_c(Metric.MONTH_PER_HEAD, per_head))
    return conds


_A_POLICY = {
    "greeting_role": GreetingRole.GENERAL_MANAGER,
    "call_every_days": 3,
    "visit_every_days": 10,
    "birthday_gift_value": D("100"),
    "anniversary_gift_value": D("100"),
    "banquet_every_months": 3,
    "banquet_budget_per_table": D("700"),
    "banquet_host_role": GreetingRole.GENERAL_MANAGER,
    "groups": [VIP_GROUP],
    "discount_floor": D("0.850"),
    "exclusions": [c[0] for c in EXCLUDED_CATEGORIES],
    "notes": "总经理全程关注并当面问候；3-6个月总经理宴请（700元/桌）；邀请加入VIP客户专属微信群。",
}
_B_POLICY = {
    "greeting_role": GreetingRole.STORE_MANAGER,
    "call_every_days": 5,
    "visit_every_days": 15,
    "birthday_gift_value": D("80"),
    "anniversary_gift_value": D("80"),
    "banquet_every_months": 6,
    "banquet_budget_per_table": D("500"),
    "banquet_host_role": GreetingRole.STORE_MANAGER,
    "discount_floor": D("0.880"),
    "exclusions": [c[0] for c in EXCLUDED_CATEGORIES],
}
_C_POLICY = {
    "greeting_role": GreetingRole.MANAGER,
    "call_every_days": 7,
    "visit_every_days": 30,
    "birthday_gift_value": D("50"),
    "banquet_every_months": 3,
    "banquet_budget_per_table": D("300"),
    "banquet_host_role": GreetingRole.MANAGER,
    "trip_budget_per_person": D("500"),
    "discount_floor": D("0.900"),
    "exclusions": [c[0] for c in EXCLUDED_CATEGORIES],
}

PRESETS: dict[str, dict[str, Any]] = {
    "restaurant-monthly": {
        "name": "客户等级管理制度（月度）",
        "name_en": "Restaurant monthly customer tiers",
        "categories": [FNB_CATEGORY[0], *(c[0] for c in EXCLUDED_CATEGORIES)],
        "description": (
            "富丽华·华膳楼酒店 客户等级管理制度: tiers by the last complete month's visits (lunch "
            "and dinner count separately), spend and spend per head."
        ),
        "tiers": [
            ("a-quality", "A级品质客户", "A quality", "#b8860b", _month(6, 5000, 80), _A_POLICY),
            ("a-active", "A级活跃客户", "A active", "#daa520", _month(6, 4500, 60), _A_POLICY),
            ("b-quality", "B级品质客户", "B quality", "#4682b4", _month(4, 3000, 60), _B_POLICY),
            ("b-active", "B级活跃客户", "B active", "#5f9ea0", _month(4, 2500), _B_POLICY),
            ("c-quality", "C级品质客户", "C quality", "#6b8e23", _month(2, 1500, 50), _C_POLICY),
            ("c-active", "C级活跃客户", "C active", "#8fbc8f", _month(2, 1000, 40), _C_POLICY),
        ],
    },
    "clp-levels": {
        "name": "客户终生利润四级",
        "name_en": "CLP four levels",
        "description": (
            "战略型/价值型/标准型/交易型 by predicted lifetime profit (CLP) percentile; strategic "
            "accounts are also ABC class A."
        ),
        "tiers": [
            (
                "strategic",
                "战略型客户",
                "Strategic",
                "#8b0000",
                [_c(Metric.CLP_PERCENTILE, 95), _c(Metric.ABC_CLASS, values=["A"])],
                {
                    "greeting_role": GreetingRole.GENERAL_MANAGER,
                    "call_every_days": 14,
                    "visit_every_days": 30,
                    "birthday_gift_value": D("300"),
                    "anniversary_gift_value": D("300"),
                    "banquet_every_months": 6,
                    "banquet_budget_per_table": D("1000"),
                    "banquet_host_role": GreetingRole.GENERAL_MANAGER,
                },
            ),
            (
                "value",
                "价值型客户",
                "Value",
                "#cd5c5c",
                [_c(Metric.CLP_PERCENTILE, 80)],
                {
                    "call_every_days": 30,
                    "visit_every_days": 90,
                    "birthday_gift_value": D("150"),
                    "banquet_every_months": 12,
                    "banquet_budget_per_table": D("600"),
                    "banquet_host_role": GreetingRole.ACCOUNT_OWNER,
                },
            ),
            (
                "standard",
                "标准型客户",
                "Standard",
                "#4682b4",
                [_c(Metric.CLP_PERCENTILE, 40)],
                {"call_every_days": 60, "visit_every_days": 180},
            ),
            (
                "transactional",
                "交易型客户",
                "Transactional",
                "#808080",
                [],
                {"call_every_days": 90},
            ),
        ],
    },
    "pyramid": {
        "name": "顾客金字塔",
        "name_en": "Customer pyramid",
        "description": (
            "钻石/金/银/普通 by customer lifetime value percentile: the top 1 %, the next 4 %, "
            "the next 15 %, everyone else."
        ),
        "tiers": [
            (
                "diamond",
                "钻石客户",
                "Diamond",
                "#00bfff",
                [_c(Metric.CLV_PERCENTILE, 99)],
                {"call_every_days": 14, "visit_every_days": 30, "birthday_gift_value": D("200")},
            ),
            (
                "gold",
                "金牌客户",
                "Gold",
                "#ffd700",
                [_c(Metric.CLV_PERCENTILE, 95)],
                {"call_every_days": 30, "visit_every_days": 60, "birthday_gift_value": D("100")},
            ),
            (
                "silver",
                "银牌客户",
                "Silver",
                "#c0c0c0",
                [_c(Metric.CLV_PERCENTILE, 80)],
                {"call_every_days": 60},
            ),
            ("general", "普通客户", "General", "#808080", [], {}),
        ],
    },
}


def preset_rules(code: str) -> tuple[list[str], list[list[dict]]]:
    """(tier names, rules) of a preset, for validation without touching the database."""
    tiers = PRESETS[code]["tiers"]
    return [t[1] for t in tiers], [t[4] for t in tiers]


def excluded_categories() -> list[ProductCategory]:
    """get_or_create the restaurant's no-discount categories (existing rows kept as they are)."""
    return [
        ProductCategory.objects.get_or_create(
            code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
        )[0]
        for code, name, name_en, order in EXCLUDED_CATEGORIES
    ]


def scheme_categories(codes: list[str]) -> list[ProductCategory]:
    """The categories named by ``codes``, created when missing (existing rows kept as they are)."""
    known = {c[0]: c for c in (FNB_CATEGORY, *EXCLUDED_CATEGORIES)}
    out = []
    for code in codes:
        _code, name, name_en, order = known[code]
        out.append(
            ProductCategory.objects.get_or_create(
                code=code, defaults={"name": name, "name_en": name_en, "sort_order": order}
            )[0]
        )
    return out


@db_transaction.atomic
def load_preset(code: str) -> TierScheme:
    if code not in PRESETS:
        raise ValueError(
            _("Unknown preset '%(code)s'; choose one of: %(codes)s.")
            % {"code": code, "codes": ", ".join(PRESETS)}
        )
    data = PRESETS[code]
    scheme, created = TierScheme.objects.get_or_create(
        code=code,
        defaults={
            "name": data["name"],
            "name_en": data["name_en"],
            "description": data["description"],
            "is_active": False,
        },
    )
    if created and data.get("categories"):
        # Only on creation: an existing scheme's categories are the admin's to decide.
        scheme.categories.set(scheme_categories(data["categories"]))
    existing = {t.code: t for t in Tier.objects.filter(scheme=scheme).select_related("policy")}
    ranks_taken = {t.rank for t in existing.values()}
    categories: dict[str, ProductCategory] = {}
    for rank, (tier_code, name, name_en, colour, conditions, policy) in enumerate(
        data["tiers"], start=1
    ):
        tier = existing.get(tier_code)
        if tier is None:
            if rank in ranks_taken:
                continue  # the admin re-ordered the scheme: do not force the preset back in
            tier = Tier.objects.create(
                scheme=scheme, code=tier_code, name=name, name_en=name_en, rank=rank, colour=colour
            )
            ranks_taken.add(rank)
            TierCondition.objects.bulk_create(
                TierCondition(
                    tier=tier,
                    metric=c["metric"],
                    min_value=c["min"],
                    max_value=c["max"],
                    values=c["values"],
                )
                for c in conditions
            )
        if not TierPolicy.objects.filter(tier=tier).exists():
            fields = {k: v for k, v in policy.items() if k != "exclusions"}
            created = TierPolicy.objects.create(tier=tier, **fields)
            if policy.get("exclusions"):
                if not categories:
                    categories = {c.code: c for c in excluded_categories()}
                created.discount_exclusions.set([categories[c] for c in policy["exclusions"]])
    return scheme
