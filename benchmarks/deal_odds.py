"""Benchmark: train the deal-odds model (`guanxi.analytics.DealOdds`) on 50,000 closed deals and
report its calibration on a holdout. Run by hand:

    .venv/bin/python benchmarks/deal_odds.py
    .venv/bin/python benchmarks/deal_odds.py --deals 200000 --seed 7

The deals are drawn with the features `guanxi.pipeline.odds` reads (decision maker mapped, the
relationship stage reached with them, single-threaded map, active plan, tier, P(alive) band,
type, source, amount, the furthest stage reached) and planted effects on the log-odds of winning
(below, `EFFECTS`). The first 80% train, the last 20% are the holdout, as the job splits by close
date. Timed: `fit` on the training deals (target: under 5 s for 50,000, issue 13), then
predicting the holdout. Printed: the holdout Brier score, the Brier score of the baseline
"always the base rate" and their ratio (below 1 is better than the baseline), the reliability
table, and the learned effect of each planted value against the truth's sign.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from guanxi.analytics.deal_odds import DealOdds, brier_score, reliability_table  # noqa: E402

# feature → (values, planted log-odds effect of each value)
EFFECTS: dict[str, tuple[list[str], list[float]]] = {
    "decision_maker": (["mapped", "not_mapped"], [0.6, -0.6]),
    "decision_maker_stage": (
        ["none", "goodwill", "trust", "interest", "emotion"],
        [-0.6, -0.2, 0.3, 0.6, 0.8],
    ),
    "single_threaded": (["yes", "no", "no_map"], [-0.5, 0.2, -0.3]),
    "account_plan": (["active", "none"], [0.3, -0.1]),
    "tier": (["A", "B", "C", "none"], [0.4, 0.1, -0.2, -0.3]),
    "p_alive": (["high", "medium", "low", "unknown"], [0.3, 0.0, -0.4, 0.0]),
    "type": (["mice", "corporate_rate", "banquet", "group_block", "product", "other"], [0] * 6),
    "source": ([f"source_{i}" for i in range(8)], [0.0] * 8),
    "stage_reached": (["identify", "contact", "propose", "negotiate"], [-1.2, -0.5, 0.2, 0.9]),
}
NAMES = [*EFFECTS, "amount"]


def generate(n: int, seed: int) -> tuple[list[list], np.ndarray]:
    rng = np.random.default_rng(seed)
    columns, logit = {}, np.full(n, -0.2)
    for name, (values, effects) in EFFECTS.items():
        index = rng.integers(0, len(values), n)
        columns[name] = np.array(values, dtype=object)[index]
        logit += np.array(effects)[index]
    amount = rng.lognormal(11, 1.2, n)  # median about 60,000 CNY
    logit += -0.35 * np.log(amount / 60_000)  # large deals are harder to win
    won = rng.random(n) < 1 / (1 + np.exp(-logit))
    table = np.empty((n, len(NAMES)), dtype=object)
    for j, name in enumerate(EFFECTS):
        table[:, j] = columns[name]
    table[:, -1] = amount
    return table.tolist(), won


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deals", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rows, won = generate(args.deals, args.seed)
    cut = int(len(rows) * 0.8)
    t0 = time.perf_counter()
    model = DealOdds(numeric=["amount"]).fit(rows[:cut], won[:cut], feature_names=NAMES)
    fit_seconds = time.perf_counter() - t0
    t0 = time.perf_counter()
    p = model.predict_proba(rows[cut:])
    predict_seconds = time.perf_counter() - t0
    holdout = won[cut:]
    t0 = time.perf_counter()  # the job then refits on every closed deal: time that too
    DealOdds(numeric=["amount"]).fit(rows, won, feature_names=NAMES)
    full_seconds = time.perf_counter() - t0
    brier = brier_score(holdout, p)
    base = model.base_rate_
    baseline = brier_score(holdout, np.full(len(holdout), base))
    print(f"deals: {len(rows):,} closed ({cut:,} train, {len(holdout):,} holdout)")
    print(f"train on {cut:,}: {fit_seconds:.2f} s, {model.n_iter_} Newton steps")
    print(f"train on all {len(rows):,}: {full_seconds:.2f} s (target < 5 s)")
    print(f"predict holdout: {predict_seconds:.3f} s")
    print(f"base rate (train): {base:.3f}")
    print(f"holdout Brier score: {brier:.4f}")
    print(f"baseline 'always the base rate': {baseline:.4f}")
    print(f"ratio to baseline: {brier / baseline:.3f} (skill {1 - brier / baseline:+.1%})")
    print("\nreliability (holdout)\n  bin        predicted  observed   deals")
    for b in reliability_table(holdout, p):
        print(f"  {b.low:.1f}–{b.high:.1f}    {b.predicted:8.3f}  {b.observed:8.3f}  {b.count:6d}")
    print("\nplanted vs learned (log-odds, centred per feature)")
    for name, (values, effects) in EFFECTS.items():
        truth = np.array(effects) - np.mean(effects)
        learned = np.array([model.coef_[name].get(v, 0.0) for v in values])
        learned -= learned.mean()
        rows_ = zip(values, truth, learned, strict=True)
        pairs = ", ".join(f"{v} {t:+.2f}/{lv:+.2f}" for v, t, lv in rows_)
        print(f"  {name}: {pairs}")


if __name__ == "__main__":
    main()
