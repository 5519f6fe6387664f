"""Which demo accounts were generated with which lifecycle pattern.

Later analytics (RFM, BG/NBD, CLV, tiers, churn warnings) should *find* these patterns in the
transactions alone; their tests can check the answer against the truth kept here. Every demo
account carries exactly one tag named `演示·<pattern in Chinese>` (e.g. `演示·流失` for churned).
The tag is the only place the pattern is written, so nothing in the model gives it away to the
analytics.

Patterns over the three years before `as_of` (the generator guarantees the properties listed):

- steady:    buys all along at a stable level with the group's seasonality.
- growing:   revenue ramps up; its last 12 months beat its first 12 months.
- declining: revenue falls off but it still buys in the last six months.
- churned:   bought regularly, then stopped 6–18 months before `as_of`; nothing since.
- new:       first purchase within the last 12 months (customer since = that day).
- one_off:   a single purchase occasion (one stay, banquet, wedding or event) and never again.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import QuerySet

from guanxi.accounts.models import Account

TAG_PREFIX = "演示·"


class Pattern(StrEnum):
    STEADY = "steady"
    GROWING = "growing"
    DECLINING = "declining"
    CHURNED = "churned"
    NEW = "new"
    ONE_OFF = "one_off"

    @property
    def tag(self) -> str:
        return f"{TAG_PREFIX}{TAG_NAMES[self]}"


# Tag names are data the Chinese UI shows as they are.
TAG_NAMES = {
    Pattern.STEADY: "稳定",
    Pattern.GROWING: "增长",
    Pattern.DECLINING: "下滑",
    Pattern.CHURNED: "流失",
    Pattern.NEW: "新客",
    Pattern.ONE_OFF: "一次性",
}

# The pattern tags' descriptions, in Chinese and in English.
DESCRIPTIONS = {
    Pattern.STEADY: ("演示数据：稳定客户", "Demo: steady buyer"),
    Pattern.GROWING: ("演示数据：增长客户", "Demo: growing"),
    Pattern.DECLINING: ("演示数据：下滑客户", "Demo: declining"),
    Pattern.CHURNED: ("演示数据：流失客户，6–18个月前停止消费", "Demo: churned 6–18 months ago"),
    Pattern.NEW: ("演示数据：近一年新客户", "Demo: new in the last year"),
    Pattern.ONE_OFF: ("演示数据：一次性消费", "Demo: one-off buyer"),
}


def demo_accounts_with_pattern(pattern: Pattern | str) -> QuerySet[Account]:
    """The demo accounts generated with `pattern` (no access rules: a test and tooling helper)."""
    return Account.objects.filter(tags__name=Pattern(pattern).tag)


def demo_pattern_of(account: Account) -> Pattern | None:
    names = account.tags.filter(name__startswith=TAG_PREFIX).values_list("name", flat=True)
    by_tag = {p.tag: p for p in Pattern}
    for name in names:
        return by_tag.get(name)
    return None
