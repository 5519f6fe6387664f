"""The key-account selection score (选择标准, seed 003 制定选择标准): each criterion a term scored
1–5, the total their weighted mean. Qualitative terms are the KAM's 1–5; quantitative ones are
read from the data at the time of the assessment and mapped to 1–5:

- annual sales, 12-month revenue with us (`transactions.AccountLedgerRollup`) and CLV (the latest
  `insights` run): percentile bands among the accounts that have a figure — below the 20th
  percentile 1, 20–40 2, 40–60 3, 60–80 4, from the 80th 5. The percentile is two counts
  (below, all) on indexed columns (12-month revenue and CLV; annual sales is one pass over
  accounts), paid once per assessment, never by the ranking;
- scale: micro 1, small 2, medium 3, large 4, group 5;
- P(alive): 0–0.2 → 1 … 0.8–1 → 5;
- satisfaction: no source yet, so "no data" and left out of the total, visibly.

A term without data is left out of the total (its weight too) and says so. The value-and-
potential score is the same mean without the size terms (annual sales, scale): "大不一定好".
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from guanxi.accounts.models import Account, Scale
from guanxi.core.formatting import money
from guanxi.insights.models import AccountScore
from guanxi.insights.selectors import latest_run
from guanxi.leads.models import CriterionKey, CriterionKind, SelectionCriterion
from guanxi.transactions.models import AccountLedgerRollup

SIZE_TERMS = frozenset({CriterionKey.ANNUAL_SALES, CriterionKey.SCALE})
SCALE_SCORES = {Scale.MICRO: 1, Scale.SMALL: 2, Scale.MEDIUM: 3, Scale.LARGE: 4, Scale.GROUP: 5}


@dataclass
class Term:
    key: str
    criterion: int
    weight: int
    score: int | None
    # How the score came about: "given" (the KAM), "percentile", "band", "no_data".
    basis: str
    value: str = ""
    percentile: int | None = None
    among: int | None = None


def band(fraction: float) -> int:
    """0–1 → 1–5 in equal fifths."""
    return max(1, min(5, 1 + int(fraction * 5)))


def _percentile(value: Decimal, below: int, among: int) -> tuple[int, int, int] | None:
    if among <= 0:
        return None
    fraction = below / among
    return band(fraction), round(100 * fraction), among


def _read(key: str, account: Account) -> tuple[int | None, str, str, int | None, int | None]:
    """(score, basis, value, percentile, among) of a quantitative criterion."""
    if key == CriterionKey.SCALE:
        if not account.scale:
            return None, "no_data", "", None, None
        return SCALE_SCORES[account.scale], "band", account.get_scale_display(), None, None
    if key == CriterionKey.ANNUAL_SALES:
        if account.annual_sales is None:
            return None, "no_data", "", None, None
        with_figure = Account.objects.filter(annual_sales__isnull=False)
        found = _percentile(
            account.annual_sales,
            with_figure.filter(annual_sales__lt=account.annual_sales).count(),
            with_figure.count(),
        )
        return _with_value(found, account.annual_sales)
    if key == CriterionKey.REVENUE_12M:
        rollup = AccountLedgerRollup.objects.filter(account=account).first()
        revenue = rollup.revenue_12m if rollup else Decimal(0)
        if revenue <= 0:
            return 1, "band", "0", None, None
        buying = AccountLedgerRollup.objects.filter(revenue_12m__gt=0)
        found = _percentile(revenue, buying.filter(revenue_12m__lt=revenue).count(), buying.count())
        return _with_value(found, revenue)
    if key in (CriterionKey.CLV, CriterionKey.P_ALIVE):
        run = latest_run()
        score = AccountScore.objects.filter(run=run, account=account).first() if run else None
        if key == CriterionKey.P_ALIVE:
            if score is None or score.p_alive is None:
                return None, "no_data", "", None, None
            return band(score.p_alive), "band", f"{score.p_alive:.0%}", None, None
        if score is None or score.clv is None:
            return None, "no_data", "", None, None
        scored = AccountScore.objects.filter(run=run, clv__isnull=False)
        found = _percentile(score.clv, scored.filter(clv__lt=score.clv).count(), scored.count())
        return _with_value(found, score.clv)
    # Satisfaction and anything else without a source yet.
    return None, "no_data", "", None, None


def _with_value(found: tuple[int, int, int] | None, value: Decimal) -> tuple:
    if found is None:
        return None, "no_data", "", None, None
    score, percentile, among = found
    return score, "percentile", f"{value:.0f}", percentile, among


def active_criteria() -> list[SelectionCriterion]:
    return list(SelectionCriterion.objects.filter(active=True).order_by("position", "id"))


def qualitative_criteria() -> list[SelectionCriterion]:
    return [c for c in active_criteria() if c.kind == CriterionKind.QUALITATIVE]


def assessment_terms(
    account: Account, given: dict[str, int], criteria: list[SelectionCriterion]
) -> list[Term]:
    """Every active criterion's term: the KAM's score for qualitative ones (from `given`, by
    criterion key), the data's for the others."""
    terms = []
    for criterion in criteria:
        if criterion.kind == CriterionKind.QUALITATIVE:
            score = given.get(criterion.key)
            terms.append(Term(criterion.key, criterion.pk, criterion.weight, score,
                              "given" if score else "no_data", str(score or "")))  # fmt: skip
            continue
        score, basis, value, percentile, among = _read(criterion.key, account)
        terms.append(Term(criterion.key, criterion.pk, criterion.weight, score, basis, value,
                          percentile, among))  # fmt: skip
    return terms


def weighted_mean(terms: list[Term]) -> Decimal | None:
    """The weighted mean of the scored terms, 2 places; None when none counts."""
    counted = [t for t in terms if t.score is not None and t.weight > 0]
    weights = sum(t.weight for t in counted)
    if not weights:
        return None
    mean = Decimal(sum(t.weight * t.score for t in counted)) / Decimal(weights)
    return mean.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def totals(terms: list[Term]) -> tuple[Decimal, Decimal | None]:
    """(total, value-and-potential score without the size terms)."""
    total = weighted_mean(terms) or Decimal(0)
    return total, weighted_mean([t for t in terms if t.key not in SIZE_TERMS])


def as_rows(terms: list[Term]) -> list[dict[str, Any]]:
    return [asdict(t) for t in terms]


def explain(term: dict[str, Any]) -> str:
    """One term in words: where its 1–5 came from."""
    basis = term.get("basis")
    if basis == "given":
        return _("scored %(score)s by the KAM") % {"score": term["score"]}
    if basis == "percentile":
        # The measured criteria are all sums of money: annual sales, revenue, CLV.
        shown = dict(term, value=money(term["value"]))
        text = _("%(value)s: percentile %(percentile)s among %(among)s accounts → %(score)s")
        return text % shown
    if basis == "band":
        return _("%(value)s → %(score)s") % term
    return _("no data: left out of the total")
