"""How an agreement's volume commitments are going: actual, pace, projection, shortfall.

* **actual**: the volume (amount or quantity) of the covered accounts — the agreement's account
  and the subsidiaries chosen on it, never a sister company (`coverage`) — in the commitment's
  categories from local midnight of its first day to local midnight after ``as_of`` (or after
  its last day once it is over); refunds (negative lines) reduce it (`volumes`).
* **pace** = actual ÷ (committed × the share of the period gone by): 1.0 is on track; None
  before the period starts.
* **projected**: the run-rate to the end of the period (actual ÷ share gone by).
* **projected_model**: actual + what the latest value analysis expects the covered accounts to
  buy in the rest of the period (`AccountScore.expected_purchases_90d` × `expected_spend`,
  per day), scaled by the share of their spend so far the commitment counts; None when the
  run has no prediction for any covered account or they have not bought in the period yet.
* **shortfall**: the run-rate projection (the actual once the period is over) stays below the
  commitment.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from guanxi.agreements.coverage import covered_account_ids, covered_accounts_of
from guanxi.agreements.models import Agreement, VolumeBasis, VolumeCommitment
from guanxi.agreements.volumes import VolumeQuery, volumes
from guanxi.analytics.agreements import model_projection, pace, run_rate_projection
from guanxi.insights.models import AccountScore
from guanxi.insights.selectors import latest_run

#: The horizon of `AccountScore.expected_purchases_90d`, in days.
PREDICTION_DAYS = 90
TWO_PLACES = Decimal("0.01")


@dataclass
class CommitmentPerformance:
    commitment: VolumeCommitment
    committed: Decimal
    actual: Decimal
    expected_to_date: Decimal  # committed pro-rated to as_of
    pace: float | None
    projected: Decimal | None
    projected_model: Decimal | None
    shortfall: bool
    starts_on: dt.date
    ends_on: dt.date
    elapsed_days: int
    total_days: int

    @property
    def attained(self) -> float:
        """actual ÷ committed (commitment attained)."""
        return float(self.actual / self.committed) if self.committed else 0.0


def _days(first: dt.date, last: dt.date, as_of: dt.date) -> tuple[int, int]:
    """(days gone by including as_of, days of the period)."""
    total = (last - first).days + 1
    return min(max((as_of - first).days + 1, 0), total), total


def _query(key, commitment: VolumeCommitment, accounts: list[int], as_of: dt.date, cats=None):
    first, last = commitment.period
    if cats is None:
        cats = [c.pk for c in commitment.categories.all()]
    categories = frozenset(cats)
    return VolumeQuery(
        key=key,
        account_ids=tuple(accounts),
        category_ids=categories or None,
        basis=commitment.basis,
        first=first,
        last=min(last, as_of),
    )


def _money(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(TWO_PLACES)


def _measure(c: VolumeCommitment, actual: Decimal, as_of: dt.date) -> CommitmentPerformance:
    first, last = c.period
    elapsed, total = _days(first, last, as_of)
    share = Decimal(elapsed) / Decimal(total)
    projected = _money(run_rate_projection(float(actual), elapsed, total))
    return CommitmentPerformance(
        commitment=c,
        committed=c.committed,
        actual=actual,
        expected_to_date=(c.committed * share).quantize(TWO_PLACES),
        pace=pace(float(actual), float(c.committed), elapsed, total),
        projected=projected,
        projected_model=None,
        shortfall=projected is not None and projected < c.committed,
        starts_on=first,
        ends_on=last,
        elapsed_days=elapsed,
        total_days=total,
    )


def _expected_per_day(account_ids: Iterable[int]) -> float | None:
    """What the latest value analysis expects the accounts to spend per day, or None."""
    run = latest_run()
    if run is None:
        return None
    rows = AccountScore.objects.filter(
        run=run,
        account_id__in=list(account_ids),
        expected_purchases_90d__isnull=False,
        expected_spend__isnull=False,
    ).values_list("expected_purchases_90d", "expected_spend")
    rows = list(rows)
    if not rows:
        return None
    return sum(n * float(spend) for n, spend in rows) / PREDICTION_DAYS


def _with_model(perf: CommitmentPerformance, accounts: list[int], as_of: dt.date) -> None:
    """Fill ``projected_model`` (see the module's docstring)."""
    if perf.elapsed_days <= 0:
        return
    per_day = _expected_per_day(accounts)
    if per_day is None:
        return
    spent = volumes(
        [
            VolumeQuery(
                key="all",
                account_ids=tuple(accounts),
                category_ids=None,
                basis=VolumeBasis.AMOUNT,
                first=perf.starts_on,
                last=min(perf.ends_on, as_of),
            )
        ]
    )["all"]
    if spent <= 0:
        return
    remaining = perf.total_days - perf.elapsed_days
    share = float(perf.actual) / float(spent)
    perf.projected_model = _money(
        model_projection(float(perf.actual), per_day, remaining, max(share, 0.0))
    )


def commitment_performance(
    commitment: VolumeCommitment, *, as_of: dt.date
) -> CommitmentPerformance:
    """One commitment's actual, pace and projections as of the end of ``as_of``."""
    accounts = covered_account_ids(commitment.agreement)
    actual = volumes([_query("c", commitment, accounts, as_of)])["c"]
    perf = _measure(commitment, actual, as_of)
    _with_model(perf, accounts, as_of)
    return perf


def agreement_performance(agreement: Agreement, *, as_of: dt.date) -> list[CommitmentPerformance]:
    """Every commitment of the agreement, by period, with the model projection."""
    commitments = list(
        agreement.commitments.select_related("agreement").prefetch_related("categories")
    )
    accounts = covered_account_ids(agreement)
    actuals = volumes(_query(c.pk, c, accounts, as_of) for c in commitments)
    result = []
    for c in commitments:
        perf = _measure(c, actuals[c.pk], as_of)
        _with_model(perf, accounts, as_of)
        result.append(perf)
    return sorted(result, key=lambda p: (p.starts_on, p.commitment.pk))


def _pace_commitments(commitments: list[VolumeCommitment], as_of: dt.date):
    """The commitments that say how an agreement is going at ``as_of``: those whose period
    holds it, else those that ended last before it (none if every one is still to start)."""
    current = [c for c in commitments if c.period[0] <= as_of <= c.period[1]]
    if current:
        return current
    ended = [c for c in commitments if c.period[1] < as_of]
    if not ended:
        return []
    last = max(c.period[1] for c in ended)
    return [c for c in ended if c.period[1] == last]


def agreements_pace(agreement_ids: Iterable[int], *, as_of: dt.date) -> dict[int, float | None]:
    """agreement id → its worst pace at ``as_of`` (None without a commitment under way), for
    many agreements at once: a handful of queries whatever their number (see `volumes`)."""
    ids = list(agreement_ids)
    agreements = Agreement.objects.filter(pk__in=ids).only(
        "id", "account_id", "starts_on", "ends_on"
    )
    agreements = {a.pk: a for a in agreements}
    covered = covered_accounts_of(agreements.values())
    by_agreement: dict[int, list[VolumeCommitment]] = {i: [] for i in ids}
    commitments = VolumeCommitment.objects.filter(agreement_id__in=list(agreements))
    for c in commitments:
        c.agreement = agreements[c.agreement_id]
        by_agreement[c.agreement_id].append(c)
    # The categories as plain ids: prefetching them as objects costs seconds at 10,000.
    cats: dict[int, list[int]] = defaultdict(list)
    through = VolumeCommitment.categories.through.objects.filter(
        volumecommitment__agreement_id__in=list(agreements)
    ).values_list("volumecommitment_id", "productcategory_id")
    for commitment_id, category_id in through:
        cats[commitment_id].append(category_id)
    chosen = {a: _pace_commitments(cs, as_of) for a, cs in by_agreement.items()}
    actuals = volumes(
        _query(c.pk, c, covered[a], as_of, cats[c.pk]) for a, cs in chosen.items() for c in cs
    )
    result: dict[int, float | None] = {}
    for a, cs in chosen.items():
        paces = [_measure(c, actuals[c.pk], as_of).pace for c in cs]
        paces = [p for p in paces if p is not None]
        result[a] = min(paces) if paces else None
    return result


#: Pace bands (the worst commitment's actual ÷ expected to date, in %): (upper bound, band).
PACE_BANDS = ((80, "behind"), (100, "close"), (None, "ahead"))


def pace_band(pace: float | None) -> str:
    """The band of a pace: behind (under 80 %), close (80–100 %), ahead, or none (no
    commitment under way). The dashboard's pace bars and the agreement list's filter."""
    if pace is None:
        return "none"
    return next(key for top, key in PACE_BANDS if top is None or pace * 100 < top)
