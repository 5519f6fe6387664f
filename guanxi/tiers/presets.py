"""The three shipped tier schemes, as data, and their loader.

- ``restaurant-monthly``: 富丽华·华膳楼 客户等级管理制度 (seed 004, the CRM course deck) — A/B/C ×
  quality/active by the last complete month's visits, spend and per-head spend, with the seed's
  privileges (等级特权维护) as the tiers' policies. "¥80–100 per head" is read as "at least ¥80".
- ``clp-levels``: the four CLP levels (战略型/价值型/标准型/交易型) by predicted-profit percentile.
- ``pyramid``: the customer pyramid (钻石/金/银/普通) by CLV percentile: top 1 %, next 4 %, next
  15 %, the rest.

Lifecycle stage sets (schemes with purpose ``lifecycle``; stages from rank 1 down are checked
first, so the LAST stage of the progression is rank 1 and the first, catch-all stage the last
rank):
- ``lifecycle-001``: 考察期 → 形成期 → 稳定期 → 退化期 (seed 001), with a win-back call every
  14 days in decline;
- ``lifecycle-004``: 潜在客户 → 首次购买 → 重复购买 → 忠诚 → 会员 → 拥护者 (seed 004);
- ``lifecycle-000``: 开发 → 活跃 → 忠诚 → 推荐 (seed 000).
The engine ANDs the conditions of a stage and has no OR; where a seed's stage would need one, the
stage's description says which single signal was chosen and why.

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

from guanxi.accounts.models import Attitude, Tag
from guanxi.core.errors import InvalidInput
from guanxi.tiers.models import (
    GreetingRole,
    Metric,
    SchemePurpose,
    Tier,
    TierCondition,
    TierPolicy,
    TierScheme,
)
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
            "富丽华·华膳楼酒店《客户等级管理制度》：按上一个完整月的消费次数（午餐和晚餐分别计算）、"
            "消费金额和人均消费分级。 / The restaurant's customer tier rules: tiers by the last "
            "complete month's visits (lunch and dinner count separately), spend and spend per head."
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
            "按预测终生利润（CLP）百分位分为战略型、价值型、标准型和交易型；战略型客户还须是 ABC "
            "分类的 A 类。 / Strategic, value, standard and transactional by predicted lifetime "
            "profit (CLP) percentile; strategic accounts are also ABC class A."
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
            "按客户终生价值（CLV）百分位分为钻石、金、银和普通：前 1%、其后 4%、再其后 15%、其余"
            "客户。 / Diamond, gold, silver and standard by customer lifetime value percentile: "
            "the top 1 %, the next 4 %, the next 15 %, everyone else."
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


# Membership tags the 004 "member" stage reads (餐饮会员 is the demo restaurant's members' tag).
MEMBER_TAGS = [
    ("会员", "客户是我们会员计划的成员 / The account is a member of our membership programme"),
    ("餐饮会员", "餐厅会员 / A member of the restaurant's programme"),
]
ADVOCATE = [Attitude.ADVOCATE.value]


def split_languages(text: str) -> tuple[str, str]:
    """A preset's "中文 / English" text as its Chinese and its English part (a text without
    the separator is Chinese only)."""
    zh, _sep, en = text.partition(" / ")
    return zh.strip(), en.strip()


def _stage(code, name, name_en, colour, conditions, policy=None, description=""):
    return (code, name, name_en, colour, conditions, policy or {}, description)


LIFECYCLE_PRESETS: dict[str, dict[str, Any]] = {
    "lifecycle-001": {
        "name": "关系发展周期（考察期→形成期→稳定期→退化期）",
        "name_en": "Relationship development (exploration → formation → stability → decline)",
        "description": (
            "《战略大客户的客户关系管理》课程的客户关系发展四阶段：考察期、形成期、稳定期、退化期。阶段"
            "从退化期往下检查，第一个条件全部成立的阶段就是客户所处阶段。 / The four stages of a "
            "customer relationship from the strategic key-account course "
            "(战略大客户的客户关系管理); checked from decline down, the first stage whose "
            "conditions all hold is the account's stage."
        ),
        "tiers": [
            _stage(
                "decline",
                "退化期",
                "Decline",
                "#b91c1c",
                [_c(Metric.REVENUE_TREND, hi=-30), _c(Metric.PURCHASES_LIFETIME, 2)],
                {
                    "call_every_days": 14,
                    "notes": "挽回：每两周致电一次，了解采购减少的原因并提出挽回方案。",
                },
                "近12个月收入比之前12个月下降30%以上（完全停止购买即为−100%），且累计至少购买过2次。"
                "规则引擎要求一个阶段的条件同时成立、不支持“或”，所以退化期以收入趋势为信号，它同时涵盖"
                "采购减少和近一年停止购买（不要求近12个月有购买：近一年停止购买的老客户最需要挽回）。"
                "要求至少购买过2次：只下过一单的客户（例如前一年一次性的活动）谈不上关系退化，留在考察期。"
                "不另加“客户满一年”：算得出趋势就说明前一年已有收入。两年以上没有购买的客户算不出趋势，"
                "回到考察期（关系需要重新建立）。前一年有一笔异常大单的稳定客户也会显示为退化期：核实后"
                "可手动设定阶段并写明原因。退化期客户每14天安排一次挽回电话。 / "
                "Revenue in the last 12 months at least 30% below the 12 months before "
                "(stopping altogether is −100%), and at least 2 purchases in all. A stage's "
                "conditions must all hold and there is no OR, so decline uses the revenue "
                "trend, which covers both buying less and stopping within the year (no purchase"
                " in the last 12 months is NOT required: a regular who stopped is the one to "
                "win back). At least 2 purchases: an account with a single order (a one-off "
                "event the year before, say) had no relationship to decline from and stays in "
                "exploration. No 'customer for 12 months' condition: a trend needs revenue in "
                "the year before anyway. An account silent for over two years has no trend and "
                "falls back to exploration (the relationship has to be rebuilt). A steady "
                "account with one unusually large order the year before also shows as decline: "
                "check it and set the stage by hand, with the reason. A win-back call every 14 "
                "days.",
            ),
            _stage(
                "stability",
                "稳定期",
                "Stability",
                "#15803d",
                [_c(Metric.TENURE_MONTHS, 12), _c(Metric.PURCHASES_12M, 4)],
                None,
                "客户满一年（首次购买至今12个月以上），且近12个月至少购买4次。 / A customer for at "
                "least 12 months with at least 4 purchases in the last 12.",
            ),
            _stage(
                "formation",
                "形成期",
                "Formation",
                "#2563eb",
                [_c(Metric.PURCHASES_LIFETIME, 2), _c(Metric.PURCHASES_12M, 1)],
                None,
                "已重复购买（累计至少2次），且近12个月有购买。 / Bought again (at least 2 "
                "purchases in all) and bought in the last 12 months.",
            ),
            _stage(
                "exploration",
                "考察期",
                "Exploration",
                "#6b7280",
                [],
                None,
                "其余客户：尚未购买、只购买过一次，或超过两年没有购买。 / Everyone else: no "
                "purchase yet, a single purchase, or silent for over two years.",
            ),
        ],
    },  # fmt: skip
    "lifecycle-004": {
        "name": "客户阶梯（潜在客户→首次购买→重复购买→忠诚→会员→拥护者）",
        "name_en": "Customer ladder (prospect → first purchase → repeat → loyal → member → "
        "advocate)",
        "description": (
            "《客户关系管理》课件的客户阶梯：潜在客户、首次购买、重复购买、忠诚客户、会员、拥护者。"
            "阶段从拥护者往下检查。 / The customer ladder of the CRM course deck (客户关系管理); "
            "checked from advocate down."
        ),
        "tiers": [
            _stage(
                "advocate",
                "拥护者",
                "Advocate",
                "#7c3aed",
                [_c(Metric.ATTITUDE, values=ADVOCATE), _c(Metric.PURCHASES_LIFETIME, 2)],
                None,
                "客户经理记录的态度为“拥护者”，且至少购买过2次。 / The KAM recorded the attitude "
                "'advocate' and the account bought at least twice.",
            ),
            _stage(
                "member",
                "会员",
                "Member",
                "#0891b2",
                [
                    _c(Metric.TAG, values=[t[0] for t in MEMBER_TAGS]),
                    _c(Metric.PURCHASES_LIFETIME, 1),
                ],
                None,
                "带有会员标签（会员、餐饮会员）且至少购买过1次。 / Tagged as a member "
                "(会员 or 餐饮会员) with at least one purchase.",
            ),
            _stage(
                "loyal",
                "忠诚客户",
                "Loyal",
                "#15803d",
                [
                    _c(Metric.PURCHASES_12M, 6),
                    _c(Metric.TENURE_MONTHS, 12),
                    _c(Metric.P_ALIVE, "0.7"),
                ],
                None,
                "近12个月至少购买6次，客户满一年，且仍活跃的概率P(alive)不低于70%（需要先运行客户价值"
                "分析）。 / At least 6 purchases in the last 12 months, a customer for at least a "
                "year, and P(alive) at least 70% (needs the value analysis).",
            ),
            _stage(
                "repeat",
                "重复购买",
                "Repeat",
                "#2563eb",
                [_c(Metric.PURCHASES_LIFETIME, 2)],
                None,
                "累计购买至少2次。 / At least 2 purchases in all.",
            ),
            _stage(
                "first-purchase",
                "首次购买",
                "First purchase",
                "#0d9488",
                [_c(Metric.PURCHASES_LIFETIME, 1, 2)],
                None,
                "只购买过1次。 / Exactly one purchase.",
            ),
            _stage(
                "prospect",
                "潜在客户",
                "Prospect",
                "#6b7280",
                [_c(Metric.PURCHASES_LIFETIME, hi=1)],
                None,
                "尚无购买。 / No purchase yet.",
            ),
        ],
    },  # fmt: skip
    "lifecycle-000": {
        "name": "大客户生命周期（开发→活跃→忠诚→推荐）",
        "name_en": "Key-account lifecycle (development → active → loyal → referral)",
        "description": (
            "《大客户全生命周期管理系统课》的生命周期管理模型：开发、活跃、忠诚、推荐。阶段从推荐往下"
            "检查。 / The lifecycle model of the key-account lifecycle course (大客户全生命周期管理"
            "系统课); checked from referral down."
        ),
        "tiers": [
            _stage(
                "referral",
                "推荐",
                "Referral",
                "#7c3aed",
                [_c(Metric.ATTITUDE, values=ADVOCATE), _c(Metric.PURCHASES_12M, 1)],
                None,
                "系统尚无转介绍记录，因此以客户经理记录的态度“拥护者”代替，且近12个月有购买。 / No "
                "referral records exist yet, so the KAM's attitude 'advocate' stands for it, with "
                "a purchase in the last 12 months.",
            ),
            _stage(
                "loyal",
                "忠诚",
                "Loyal",
                "#15803d",
                [_c(Metric.TENURE_MONTHS, 12), _c(Metric.PURCHASES_12M, 4)],
                None,
                "客户满一年，且近12个月至少购买4次。 / A customer for at least 12 months with at "
                "least 4 purchases in the last 12.",
            ),
            _stage(
                "active",
                "活跃",
                "Active",
                "#2563eb",
                [_c(Metric.PURCHASES_12M, 1)],
                None,
                "近12个月有购买。 / Bought in the last 12 months.",
            ),
            _stage(
                "development",
                "开发",
                "Development",
                "#6b7280",
                [],
                None,
                "其余客户：尚未成交或12个月以上没有购买（待开发或待挽回）。 / Everyone else: no "
                "purchase yet, or none in the last 12 months (to develop or win back).",
            ),
        ],
    },  # fmt: skip
}
for _data in LIFECYCLE_PRESETS.values():
    _data["purpose"] = SchemePurpose.LIFECYCLE.value
PRESETS.update(LIFECYCLE_PRESETS)


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


def member_tags() -> list[Tag]:
    """get_or_create the membership tags the lifecycle presets name (existing rows kept)."""
    return [
        Tag.objects.get_or_create(
            name=name,
            defaults=dict(
                zip(("description", "description_en"), split_languages(description), strict=True)
            ),
        )[0]
        for name, description in MEMBER_TAGS
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
        raise InvalidInput(
            _("Unknown preset '%(code)s'; choose one of: %(codes)s.")
            % {"code": code, "codes": ", ".join(PRESETS)},
            field="code",
        )
    data = PRESETS[code]
    scheme, created = TierScheme.objects.get_or_create(
        code=code,
        defaults={
            "name": data["name"],
            "name_en": data["name_en"],
            "description": split_languages(data["description"])[0],
            "description_en": split_languages(data["description"])[1],
            "purpose": data.get("purpose", SchemePurpose.TIERS.value),
            "is_active": False,
        },
    )
    if any(c["metric"] == Metric.TAG for t in data["tiers"] for c in t[4]):
        member_tags()  # a tag condition may only name tags that exist
    if created and data.get("categories"):
        # Only on creation: an existing scheme's categories are the admin's to decide.
        scheme.categories.set(scheme_categories(data["categories"]))
    existing = {t.code: t for t in Tier.objects.filter(scheme=scheme).select_related("policy")}
    ranks_taken = {t.rank for t in existing.values()}
    categories: dict[str, ProductCategory] = {}
    for rank, (tier_code, name, name_en, colour, conditions, policy, *more) in enumerate(
        data["tiers"], start=1
    ):
        tier = existing.get(tier_code)
        if tier is None:
            if rank in ranks_taken:
                continue  # the admin re-ordered the scheme: do not force the preset back in
            tier = Tier.objects.create(
                scheme=scheme,
                code=tier_code,
                name=name,
                name_en=name_en,
                rank=rank,
                colour=colour,
                description=split_languages(more[0] if more else "")[0],
                description_en=split_languages(more[0] if more else "")[1],
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
        if not policy and data.get("purpose") == SchemePurpose.LIFECYCLE:
            continue  # a stage without privileges needs no (empty) policy row
        if not TierPolicy.objects.filter(tier=tier).exists():
            fields = {k: v for k, v in policy.items() if k != "exclusions"}
            created = TierPolicy.objects.create(tier=tier, **fields)
            if policy.get("exclusions"):
                if not categories:
                    categories = {c.code: c for c in excluded_categories()}
                created.discount_exclusions.set([categories[c] for c in policy["exclusions"]])
    return scheme
