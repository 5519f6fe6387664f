"""Tier rules as pure data (no database access): which tier an account meets, and whether a
scheme's rules make sense.

A scheme is a list of tiers from rank 1 down; each tier is a list of conditions that must ALL
hold. A condition is a dict::

    {"metric": "month_spend", "min": Decimal("10000"), "max": None, "values": []}

Numeric metrics hold when ``min <= value < max`` (either bound may be None); choice metrics
(``CHOICE_METRICS``) hold when the value is one of ``values`` — for tags, when the account has ANY
of the listed tags. A metric with no value for an account (None) makes its condition false.

Two evaluation paths: `first_match` for one account (forms, previews, tests) and
`first_match_columns` for the nightly run, which evaluates a whole column of accounts per
condition with numpy; both give the same answer (tested).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

import numpy as np
from django.utils.translation import gettext as _

from guanxi.accounts.models import AccountType, Attitude
from guanxi.insights.models import AbcClass, Segment
from guanxi.tiers.models import CHOICE_METRICS, Metric, YesNo

Condition = dict  # {"metric": str, "min": Decimal|None, "max": Decimal|None, "values": list[str]}

NUMERIC_METRICS = frozenset(m for m in Metric.values if m not in CHOICE_METRICS)

# Allowed values per choice metric; None = free text (tags are checked against known tag names
# only when the caller passes them).
CHOICE_VALUES: dict[str, frozenset[str] | None] = {
    Metric.RFM_SEGMENT: frozenset(Segment.values),
    Metric.ABC_CLASS: frozenset(AbcClass.values),
    Metric.ACCOUNT_TYPE: frozenset(AccountType.values),
    Metric.ATTITUDE: frozenset(Attitude.values),
    Metric.TAG: None,
    Metric.STRATEGIC_AGREEMENT: frozenset(YesNo.values),
}


def _dec(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def condition_holds(cond: Condition, value: Any) -> bool:
    """Does ``value`` (one account's value of ``cond["metric"]``) meet the condition?"""
    if value is None:
        return False
    metric = str(cond["metric"])
    if metric in CHOICE_METRICS:
        allowed = set(cond.get("values") or ())
        if isinstance(value, (set, frozenset, list, tuple)):
            return not allowed.isdisjoint(value)
        return value in allowed
    lo, hi = cond.get("min"), cond.get("max")
    if lo is not None and value < lo:
        return False
    return not (hi is not None and value >= hi)


def first_match(rules: Sequence[Sequence[Condition]], values: Mapping[str, Any]) -> int | None:
    """Index of the first tier whose conditions all hold for ``values``; None when none does."""
    for index, conditions in enumerate(rules):
        if all(condition_holds(c, values.get(str(c["metric"]))) for c in conditions):
            return index
    return None


def metrics_used(rules: Sequence[Sequence[Condition]]) -> set[str]:
    return {str(c["metric"]) for conditions in rules for c in conditions}


# --- the vectorised path ------------------------------------------------------------------------


def to_columns(
    rows: Sequence[Mapping[str, Any]], metrics: Collection[str]
) -> dict[str, np.ndarray]:
    """Per-account dicts → one numpy column per metric: floats (NaN = no data) for numeric
    metrics, object arrays for choice metrics (tags: a frozenset per account)."""
    columns: dict[str, np.ndarray] = {}
    for metric in metrics:
        if metric in CHOICE_METRICS:
            col = np.empty(len(rows), dtype=object)
            col[:] = [row.get(metric) for row in rows]
        else:
            col = np.array(
                [np.nan if (v := row.get(metric)) is None else float(v) for row in rows],
                dtype=float,
            )
        columns[metric] = col
    return columns


def _condition_mask(cond: Condition, column: np.ndarray) -> np.ndarray:
    metric = str(cond["metric"])
    if metric in CHOICE_METRICS:
        allowed = frozenset(cond.get("values") or ())
        if metric == Metric.TAG:
            return np.fromiter(
                (bool(v) and not allowed.isdisjoint(v) for v in column),
                dtype=bool,
                count=len(column),
            )
        return np.fromiter((v in allowed for v in column), dtype=bool, count=len(column))
    # NaN compares false both ways, so "no data" fails every bound; with no bound at all the
    # condition still needs a value.
    mask = ~np.isnan(column)
    lo, hi = cond.get("min"), cond.get("max")
    if lo is not None:
        mask &= column >= float(lo)
    if hi is not None:
        mask &= column < float(hi)
    return mask


def first_match_columns(
    rules: Sequence[Sequence[Condition]], columns: Mapping[str, np.ndarray], size: int
) -> np.ndarray:
    """`first_match` for ``size`` accounts at once: an int array of tier indexes, -1 = no tier.

    Numeric columns are floats: thresholds have at most 4 decimals and metric values 2, so the
    float comparison orders them exactly as the decimal one would."""
    result = np.full(size, -1, dtype=np.int64)
    undecided = np.ones(size, dtype=bool)
    for index, conditions in enumerate(rules):
        mask = undecided.copy()
        for cond in conditions:
            column = columns.get(str(cond["metric"]))
            if column is None:
                mask[:] = False
                break
            mask &= _condition_mask(cond, column)
        result[mask] = index
        undecided &= ~mask
        if not undecided.any():
            break
    return result


# --- validation ---------------------------------------------------------------------------------


def _covers(outer: Sequence[Condition], inner: Sequence[Condition]) -> bool:
    """Does every account that meets ``inner`` also meet ``outer``? (Sufficient test: for every
    metric ``outer`` constrains, ``inner`` constrains it at least as tightly.)"""
    inner_by_metric = {str(c["metric"]): c for c in inner}
    for cond in outer:
        metric = str(cond["metric"])
        other = inner_by_metric.get(metric)
        if other is None:
            return False
        if metric in CHOICE_METRICS:
            if not set(other.get("values") or ()) <= set(cond.get("values") or ()):
                return False
            continue
        lo, hi = _dec(cond.get("min")), _dec(cond.get("max"))
        olo, ohi = _dec(other.get("min")), _dec(other.get("max"))
        if lo is not None and (olo is None or olo < lo):
            return False
        if hi is not None and (ohi is None or ohi > hi):
            return False
    return True


def validate_scheme(
    rules: Sequence[Sequence[Condition]],
    names: Sequence[str],
    *,
    tags: Collection[str] | None = None,
) -> list[str]:
    """Every problem with a scheme's rules, as messages naming the tier and metric; [] = fine.

    ``rules[i]`` are the conditions of the tier named ``names[i]`` (rank order). ``tags``, when
    given, are the known tag names a tag condition may use.
    """
    if not rules:
        return [_("The scheme has no tiers.")]
    errors: list[str] = []
    usable: list[bool] = []
    for index, conditions in enumerate(rules):
        tier = _tier_name(names, index)
        if not conditions and index != len(rules) - 1:
            errors.append(
                _(
                    "Tier '%(tier)s' has no conditions, so it matches every account: only the "
                    "last tier may be empty (empty tier)."
                )
                % {"tier": tier}
            )
        problems = _tier_errors(tier, conditions, tags)
        errors.extend(problems)
        usable.append(not problems)
    return errors + _unreachable_errors(rules, names, usable)


def _tier_name(names: Sequence[str], index: int) -> str:
    return names[index] if index < len(names) else str(index + 1)


def _tier_errors(
    tier: str, conditions: Sequence[Condition], tags: Collection[str] | None
) -> list[str]:
    """The problems of one tier's conditions (unknown metric, a metric tested twice, values or
    bounds that cannot hold), in condition order."""
    errors: list[str] = []
    seen: set[str] = set()
    for cond in conditions:
        metric = str(cond.get("metric") or "")
        if metric not in Metric.values:
            errors.append(
                _("Tier '%(tier)s': unknown metric '%(metric)s'.")
                % {"tier": tier, "metric": metric}
            )
            continue
        label = str(Metric(metric).label)
        if metric in seen:
            errors.append(
                _(
                    "Tier '%(tier)s' tests '%(metric)s' twice (overlapping conditions): "
                    "put both bounds in one condition."
                )
                % {"tier": tier, "metric": label}
            )
        seen.add(metric)
        if metric in CHOICE_METRICS:
            errors.extend(_values_errors(tier, metric, label, cond, tags))
        else:
            errors.extend(_bounds_errors(tier, label, cond))
    return errors


def _values_errors(
    tier: str, metric: str, label: str, cond: Condition, tags: Collection[str] | None
) -> list[str]:
    """A choice condition needs values, each a valid one for the metric (tags: known tags)."""
    values = list(cond.get("values") or [])
    if not values:
        return [
            _("Tier '%(tier)s': '%(metric)s' needs at least one value.")
            % {"tier": tier, "metric": label}
        ]
    allowed = CHOICE_VALUES.get(metric)
    if metric == Metric.TAG and tags is not None:
        allowed = frozenset(tags)
    bad = [str(v) for v in values if allowed is not None and v not in allowed]
    if not bad:
        return []
    return [
        _("Tier '%(tier)s': %(values)s is not a valid value for '%(metric)s'.")
        % {"tier": tier, "values": ", ".join(bad), "metric": label}
    ]


def _bounds_errors(tier: str, label: str, cond: Condition) -> list[str]:
    """A numeric condition needs number bounds, at least one, the lower below the upper."""
    raw_lo, raw_hi = cond.get("min"), cond.get("max")
    lo, hi = _dec(raw_lo), _dec(raw_hi)
    if (raw_lo not in (None, "") and lo is None) or (raw_hi not in (None, "") and hi is None):
        return [
            _("Tier '%(tier)s': the bounds of '%(metric)s' must be numbers.")
            % {"tier": tier, "metric": label}
        ]
    if lo is None and hi is None:
        return [
            _("Tier '%(tier)s': '%(metric)s' needs a lower or an upper bound.")
            % {"tier": tier, "metric": label}
        ]
    if lo is not None and hi is not None and lo >= hi:
        return [
            _(
                "Tier '%(tier)s': the lower bound of '%(metric)s' (%(min)s) must be below "
                "its upper bound (%(max)s)."
            )
            % {"tier": tier, "metric": label, "min": lo, "max": hi}
        ]
    return []


def _unreachable_errors(
    rules: Sequence[Sequence[Condition]], names: Sequence[str], usable: list[bool]
) -> list[str]:
    """Tiers no account can reach because an earlier tier catches all of theirs; only judged
    between tiers whose own conditions are well formed."""
    errors: list[str] = []
    for j in range(1, len(rules)):
        if not usable[j]:
            continue
        for i in range(j):
            if usable[i] and _covers(rules[i], rules[j]):
                errors.append(
                    _(
                        "Tier '%(tier)s' can never be reached (unreachable): every account that "
                        "meets '%(tier)s' meets '%(earlier)s' first."
                    )
                    % {"tier": _tier_name(names, j), "earlier": _tier_name(names, i)}
                )
                break
    return errors
