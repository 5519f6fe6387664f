"""Tier wording and the account's tier card.

- `rule_summary(conditions)`: a rule as people read it ("visits in the month ≥ 6 · spend in the
  month ≥ ¥5,000"), shared by the scheme pages, the card and the API;
- `{% account_tiers_card account %}`: the card for the account 360° page (current tier per active
  scheme, why, the privileges in force and the last moves);
- `{% lifecycle_card account %}`: the account's lifecycle per active stage set (the progression
  with the current stage, since when, why, set by hand, and the timeline of stage changes).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.models import AccountType, Attitude
from guanxi.core.formatting import join_words
from guanxi.core.templatetags.guanxi_admin import money
from guanxi.insights.models import AbcClass, Segment
from guanxi.tiers.metrics import month_window
from guanxi.tiers.models import (
    CHOICE_METRICS,
    ChangeReason,
    GreetingRole,
    Metric,
    SchemePurpose,
    TierCondition,
    YesNo,
)
from guanxi.tiers.selectors import checked_on
from guanxi.tiers.standing import AccountStanding, account_standing

TIERS = SchemePurpose.TIERS.value

register = template.Library()

# Short names for running text; the Metric labels (with the Chinese terms) stay in the forms.
SHORT = {
    Metric.MONTH_VISITS: gettext_lazy("visits in the month"),
    Metric.MONTH_SPEND: gettext_lazy("spend in the month"),
    Metric.MONTH_PER_HEAD: gettext_lazy("spend per head in the month"),
    Metric.REVENUE_12M: gettext_lazy("revenue, 12 months"),
    Metric.PROFIT_12M: gettext_lazy("profit, 12 months"),
    Metric.REVENUE_LIFETIME: gettext_lazy("lifetime revenue"),
    Metric.CLP_HISTORIC: gettext_lazy("lifetime profit to date"),
    Metric.CLP_PREDICTIVE: gettext_lazy("predicted lifetime profit"),
    Metric.CLP_PERCENTILE: gettext_lazy("profit percentile"),
    Metric.CLV: gettext_lazy("CLV"),
    Metric.CLV_PERCENTILE: gettext_lazy("value percentile"),
    Metric.P_ALIVE: gettext_lazy("P(alive)"),
    Metric.RFM_SEGMENT: gettext_lazy("RFM segment"),
    Metric.ABC_CLASS: gettext_lazy("ABC class"),
    Metric.PURCHASES_LIFETIME: gettext_lazy("purchases, lifetime"),
    Metric.PURCHASES_12M: gettext_lazy("purchases, 12 months"),
    Metric.TENURE_MONTHS: gettext_lazy("months since the first purchase"),
    Metric.DAYS_SINCE_PURCHASE: gettext_lazy("days since the last purchase"),
    Metric.REVENUE_TREND: gettext_lazy("revenue trend vs the 12 months before"),
    Metric.ACCOUNT_TYPE: gettext_lazy("account type"),
    Metric.ATTITUDE: gettext_lazy("attitude"),
    Metric.TAG: gettext_lazy("tag"),
    Metric.STRATEGIC_AGREEMENT: gettext_lazy("active strategic agreement"),
    Metric.COMMITMENT_ATTAINED: gettext_lazy("commitment attained"),
}
MONEY_METRICS = frozenset(
    {
        Metric.MONTH_SPEND,
        Metric.MONTH_PER_HEAD,
        Metric.REVENUE_12M,
        Metric.PROFIT_12M,
        Metric.REVENUE_LIFETIME,
        Metric.CLP_HISTORIC,
        Metric.CLP_PREDICTIVE,
        Metric.CLV,
    }
)
VALUE_LABELS = {
    Metric.RFM_SEGMENT: dict(Segment.choices),
    Metric.ABC_CLASS: dict(AbcClass.choices),
    Metric.ACCOUNT_TYPE: dict(AccountType.choices),
    Metric.ATTITUDE: dict(Attitude.choices),
    Metric.STRATEGIC_AGREEMENT: dict(YesNo.choices),
}


def label_sep() -> str:
    """The separator between a label and what it labels ("set name: stage"), translated: a
    full-width colon in Chinese."""
    # Translators: separator after a label, as in "Relationship development: Decline". Chinese: "："
    return _(": ")


def labelled(label: Any, text: Any) -> str:
    """ "label: text" with the translated separator."""
    sep = label_sep()
    return f"{label}{sep}{text}"


def metric_name(metric: str) -> str:
    return str(SHORT.get(metric, metric))


def _number(value: Any) -> Decimal | None:
    try:
        return value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None


@register.filter
def metric_value(value: Any, metric: str) -> str:
    """One metric value for display: money with ¥ and thousands, counts whole, P(alive) as %."""
    if value is None or value == "":
        return "—"
    if metric in CHOICE_METRICS:
        items = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
        labels = VALUE_LABELS.get(metric, {})
        return join_words(labels.get(v, v) for v in sorted(items, key=str)) or "—"
    number = _number(value)
    if number is None:
        return str(value)
    if metric in MONEY_METRICS:
        places = 0 if number == number.to_integral_value() or abs(number) >= 1000 else 2
        return money(number, places)
    if metric == Metric.P_ALIVE:
        return f"{number * 100:.0f}%"
    if metric == Metric.COMMITMENT_ATTAINED:
        return f"{number:.0f}%"
    if metric == Metric.REVENUE_TREND:
        return f"{number:+.0f}%".replace("-", "−")
    if number == number.to_integral_value():
        return f"{number:,.0f}"
    return f"{number.normalize():,f}"


def condition_text(cond: Mapping[str, Any] | TierCondition) -> str:
    if isinstance(cond, TierCondition):
        metric, lo, hi, values = cond.metric, cond.min_value, cond.max_value, cond.values
    else:
        metric, lo, hi = cond.get("metric"), cond.get("min"), cond.get("max")
        values = cond.get("values")
    name = metric_name(metric)
    if metric in CHOICE_METRICS:
        return _("%(metric)s is %(values)s") % {
            "metric": name,
            "values": _(" or ").join(
                str(VALUE_LABELS.get(metric, {}).get(v, v)) for v in values or []
            )
            or "—",
        }
    if lo is not None and hi is not None:
        return f"{metric_value(lo, metric)} ≤ {name} < {metric_value(hi, metric)}"
    if lo is not None:
        return f"{name} ≥ {metric_value(lo, metric)}"
    if hi is not None:
        return f"{name} < {metric_value(hi, metric)}"
    return name


def rule_summary(conditions: Iterable[Mapping[str, Any] | TierCondition]) -> str:
    texts = [condition_text(c) for c in conditions]
    return " · ".join(texts) if texts else _("every other account")


@register.simple_tag
def tier_rule(tier: Any) -> str:
    return rule_summary(tier.conditions.all())


@register.filter
def tier_colour(colour: str | None) -> str:
    """A CSS colour for a tier badge: the tier's own, else a neutral grey."""
    return colour or "#6b7280"


def _policy_rows(policy: Any) -> list[dict[str, Any]]:
    """The effective policy as (label, value, granted by) rows, skipping what is not granted."""
    if policy is None:
        return []
    driver = getattr(policy, "driver", {}) or {}

    def row(field: str, label: str, value: Any, by: Any = None) -> dict[str, Any] | None:
        if value in (None, "", [], ()):
            return None
        by = driver.get(field) if by is None else by
        return {"field": field, "label": label, "value": value, "by": str(by) if by else ""}

    def every(field: str, label: str) -> dict[str, Any] | None:
        n = getattr(policy, field, None)
        return row(field, label, _("every %(n)s days") % {"n": n} if n else None)

    greeting = getattr(policy, "greeting_role", "")
    trip = getattr(policy, "trip_budget_per_person", None)
    banquet, banquet_by = _banquet_text(policy, driver)
    rows = [
        every("call_every_days", _("phone call")),
        every("visit_every_days", _("visit")),
        row(
            "greeting_role",
            _("greeted on arrival by"),
            str(GreetingRole(greeting).label) if greeting in GreetingRole.values and greeting
            else None,
        ),
        row("birthday_gift_value", _("birthday gift"),
            _yuan(getattr(policy, "birthday_gift_value", None))),
        row("anniversary_gift_value", _("anniversary gift"),
            _yuan(getattr(policy, "anniversary_gift_value", None))),
        row("banquet_every_months", _("banquet"), banquet, banquet_by),
        row("trip_budget_per_person", _("yearly trip"),
            _("%(budget)s per person") % {"budget": _yuan(trip)} if trip else None),
        row("groups", _("groups"), join_words(sorted(getattr(policy, "groups", None) or []))),
        row("discount_floor", _("lowest discount"), _floor_text(policy)),
    ]  # fmt: skip
    return [r for r in rows if r]


def _yuan(value: Any) -> str | None:
    return None if value is None else money(value)


def _floor_text(policy: Any) -> str | None:
    """The lowest discount in words ("85% of list price · not on drinks, seafood"): the
    categories the lowest floor does not cover are named."""
    floor = getattr(policy, "discount_floor", None)
    if floor is None:
        return None
    # Chinese readers also get the rate as 折 ("8.5折"), English readers only the percentage:
    # the translation may use %(zhe)s, which the English text does not show.
    # xgettext:no-python-format
    text = _("%(rate)s of list price") % {
        "rate": f"{Decimal(floor) * 100:.0f}%",
        "zhe": f"{(Decimal(floor) * 10).normalize():f}",
    }
    floors = [f for f in getattr(policy, "floors", ()) if f.floor == floor]
    if floors:
        # The categories came with the tier's policy (`combine_policies` read them).
        excluded = floors[0].tier.policy.discount_exclusions.all()
        exclusions = [str(c) for c in sorted(excluded, key=lambda c: (c.sort_order, c.code))]
        if exclusions:
            text += " · " + _("not on %(cats)s") % {"cats": join_words(exclusions)}
    return text


def _banquet_text(policy: Any, driver: Mapping[str, Any]) -> tuple[str | None, str | None]:
    """The banquet privilege in words, and who grants it ("" when the interval and the budget
    come from different tiers: each value is then credited to its own)."""
    if not getattr(policy, "banquet_every_months", None):
        return None, None
    banquet = _("every %(n)s months") % {"n": policy.banquet_every_months}
    if not getattr(policy, "banquet_budget_per_table", None):
        return banquet, None
    budget = _("%(budget)s per table") % {"budget": _yuan(policy.banquet_budget_per_table)}
    every_by = driver.get("banquet_every_months")
    budget_by = driver.get("banquet_budget_per_table")
    if every_by and budget_by and every_by != budget_by:
        return f"{banquet} ({every_by}) · {budget} ({budget_by})", ""
    return f"{banquet} · {budget}", None


MONTH_METRICS = (Metric.MONTH_SPEND, Metric.MONTH_VISITS, Metric.MONTH_PER_HEAD)


def _month_of(row: Any) -> str:
    """ "October 2026": the month whose figures decided the tier (the last complete month before
    the evaluation), so nobody reads them as this month's revenue."""
    if not row.evaluated_on:
        return ""
    first, _last = month_window(row.evaluated_on)
    return date_format(first, "YEAR_MONTH_FORMAT")


def _may_override(request: Any) -> bool:
    """Whether the card offers "set by hand" and "clear" (managers and admins; the service
    decides again when they do)."""
    return bool(
        request is not None
        and getattr(request, "user", None) is not None
        and request.user.is_authenticated
        and request.user.is_staff
        and getattr(request.user, "sees_all_accounts", False)
    )


def standing_of(account: Any) -> AccountStanding:
    """The account's standing, read once for both cards of its 360° page (kept on the
    account object the page passes to each)."""
    standing = getattr(account, "_tier_standing", None)
    if standing is None:
        standing = account._tier_standing = account_standing(account.pk)
    return standing


def account_tiers_context(account: Any, request: Any = None) -> dict[str, Any]:
    today = timezone.localdate()
    standing = standing_of(account)
    current = standing.rows
    may_override = _may_override(request)
    back = request.get_full_path() if request is not None else ""
    last_run = standing.last_run
    tiers = []
    for scheme in standing.of(TIERS):
        at = current.get(scheme.pk)
        values = (at.metrics or {}) if at else {}
        month = [
            {"metric": m, "name": metric_name(m), "value": metric_value(values[m], m)}
            for m in MONTH_METRICS
            if m in values
        ]
        other = [
            {"metric": m, "name": metric_name(m), "value": metric_value(v, m)}
            for m, v in sorted(values.items())
            if m not in MONTH_METRICS
        ]
        override_url = clear_url = ""
        if may_override:
            query = "?" + urlencode({"next": back})
            override_url = (
                reverse("admin:tiers_accounttier_override_for", args=(account.pk, scheme.pk))
                + query
            )
            if at is not None and at.override_tier_id is not None:
                clear_url = reverse("admin:tiers_accounttier_clear_override", args=(at.pk,)) + query
        tiers.append(
            {
                "row": at,
                "scheme": scheme,
                "tier": at.tier if at else None,
                "computed": at.computed_tier if at else None,
                "override": at.override_active(today) if at else False,
                "metrics": month + other,
                "month_metrics": month,
                "other_metrics": other,
                "month": _month_of(at) if at and month else "",
                "checked": checked_on(at, last_run),
                "override_url": override_url,
                "clear_url": clear_url,
            }
        )
    policy = standing.policy
    changes = standing.moves(TIERS, limit=5)
    return {
        "account": account,
        "tiers": tiers,
        "policy": policy,
        "policy_rows": _policy_rows(policy),
        "changes": changes,
        "today": today,
        "may_override": may_override,
    }


@register.inclusion_tag("admin/tiers/_account_tiers_card.html", takes_context=True)
def account_tiers_card(context: Any, account: Any) -> dict[str, Any]:
    return account_tiers_context(account, request=context.get("request"))


# --- the lifecycle card -------------------------------------------------------------------------


def _figures(values: Mapping[str, Any], metrics: Iterable[str]) -> list[dict[str, str]]:
    return [
        {"metric": m, "name": metric_name(m), "value": metric_value(values.get(m), m)}
        for m in metrics
    ]


def figures_text(figures: list[dict[str, str]]) -> str:
    return " · ".join(f"{f['name']} {f['value']}" for f in figures)


def stage_reason(stage: Any, values: Mapping[str, Any] | None) -> dict[str, Any]:
    """Why an account is in ``stage``: the stage's rule in words and the figures that decided,
    those the stage tests first, then the others the set tests (they show why no stage checked
    earlier applied)."""
    values = values or {}
    conditions = list(stage.conditions.all()) if stage is not None else []
    tested = []
    for cond in conditions:
        if cond.metric not in tested:
            tested.append(cond.metric)
    deciding = _figures(values, tested)
    others = _figures(values, sorted(m for m in values if m not in tested))
    return {
        "rule": rule_summary(conditions) if stage is not None else "",
        "deciding": deciding,
        "others": others,
        "text": figures_text(deciding + others),
    }


def change_author(change: Any) -> str:
    """Who made a move: the person, or the tiering run (with its date; a stage evaluation for a
    lifecycle stage set, whose pages do not speak of tiers)."""
    if change.changed_by_id:
        return str(change.changed_by)
    if change.run_id:
        day = change.run.as_of.isoformat()
        if change.scheme.purpose == SchemePurpose.LIFECYCLE:
            return _("stage evaluation of %(date)s") % {"date": day}
        return _("tiering run of %(date)s") % {"date": day}
    return _("the rules")


def change_who(change: Any) -> str:
    """Who or what made a move, in one line: the person for a change by hand, else the rules with
    their run ("the rules (stage evaluation of 2026-11-24)")."""
    if change.changed_by_id:
        return str(change.changed_by)
    if change.run_id:
        run = change_author(change)
        return _("the rules (%(run)s)") % {"run": run}
    return _("the rules")


def change_reason(change: Any) -> str:
    """Why a move happened, once: the note of a change by hand (or of an ended override), else
    the change's reason ("Rules re-evaluated"). The figures are shown apart."""
    return change.note or change.get_reason_display()


def change_figures(change: Any) -> str:
    metrics = change.metrics or {}
    return figures_text(_figures(metrics, sorted(metrics))) or "—"


def change_why(change: Any) -> str:
    text = figures_text(_figures(change.metrics or {}, sorted(change.metrics or {})))
    if change.reason != ChangeReason.RULES and change.note:
        return f"{change.note} · {text}" if text else change.note
    return text or "—"


def lifecycle_context(account: Any, request: Any = None) -> dict[str, Any]:
    today = timezone.localdate()
    standing = standing_of(account)
    last_run = standing.last_run
    may_override = _may_override(request)
    query = "?" + urlencode({"next": request.get_full_path()}) if request is not None else ""
    sets = []
    for life in standing.lifecycle():
        row, stage = life.row, life.stage
        position = next((i for i, s in enumerate(life.stages) if stage and s.pk == stage.pk), -1)
        steps = [
            {"stage": s, "current": i == position, "passed": 0 <= i < position}
            for i, s in enumerate(life.stages)
        ]
        override = life.override_active(today)
        override_url = clear_url = ""
        if may_override:
            override_url = (
                reverse(
                    "admin:tiers_accountlifecyclestage_override_for",
                    args=(account.pk, life.stage_set.pk),
                )
                + query
            )
            if row is not None and row.override_tier_id is not None:
                clear_url = (
                    reverse("admin:tiers_accountlifecyclestage_clear_override", args=(row.pk,))
                    + query
                )
        computed = row.computed_tier if row else None
        timeline = [
            {
                "change": c,
                "when": c.effective_on,
                "from": c.from_tier,
                "to": c.to_tier,
                "reason": c.get_reason_display(),
                "why": change_why(c),
                "by": change_author(c),
            }
            for c in life.history
        ]
        sets.append(
            {
                "set": life.stage_set,
                "row": row,
                "stage": stage,
                "steps": steps,
                "override": override,
                "computed": computed,
                "checked": checked_on(row, last_run),
                "why": stage_reason(computed if override else stage, row.metrics if row else {}),
                "override_url": override_url,
                "clear_url": clear_url,
                "timeline": timeline,
            }
        )
    return {"account": account, "sets": sets, "today": today, "may_override": may_override}


@register.inclusion_tag("admin/tiers/_lifecycle_card.html", takes_context=True)
def lifecycle_card(context: Any, account: Any) -> dict[str, Any]:
    return lifecycle_context(account, request=context.get("request"))
