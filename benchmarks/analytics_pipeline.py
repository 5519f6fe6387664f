"""Benchmark: the whole analytics pipeline (`guanxi.analytics.pipeline.run_pipeline`) on
10,000,000 transactions of 1,000,000 customers. Run by hand, not a test:

    .venv/bin/python benchmarks/analytics_pipeline.py
    .venv/bin/python benchmarks/analytics_pipeline.py --customers 100000     # quick (~1M rows)
    .venv/bin/python benchmarks/analytics_pipeline.py --models BetaGeo      # one setting only

The transactions are simulated from a BG/NBD process (with known parameters, so the models have
something real to fit) and written once to an .npz file. Each setting then runs in its own
subprocess: it loads the file into a polars frame, collects garbage, resets the peak RSS
(/proc/self/clear_refs) and calls `run_pipeline`; it reports the pipeline's own per-step timings
(`result.timings`), the total wall seconds of the call, and the peak RSS rise over the RSS after
loading. Settings: the default `PipelineSettings()` (weekly periods, BG/NBD and Pareto/NBD both
fitted, the better one used) and `purchase_models=("BetaGeo",)` (the BG/NBD pipeline of issue 3).
See benchmarks/README.md for the figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from peak_memory import reset_peak, status_kb

ROOT = Path(__file__).resolve().parent.parent
START = np.datetime64("2024-01-01T00:00:00", "s")
# Two years and a week, observed to the end: 105 weeks, so the calibration check runs (it holds
# out round(span / 3) weeks and needs three such windows; exactly 104 weeks falls one week short).
DAYS = 2 * 365 + 7
OBSERVATION_END = dt.datetime(2024, 1, 1) + dt.timedelta(days=DAYS)
# BG/NBD purchase process per day (λ ~ Gamma(r, rate α), dropout p ~ Beta(a, b) after each repeat
# purchase), Gamma-Gamma spend per transaction (ν ~ Gamma(q, rate γ), amount ~ Gamma(p, rate ν)),
# cost of goods a per-customer share of each amount (Beta). About 10 transactions per customer.
PURCHASE = {"r": 0.5, "alpha": 8.2, "a": 0.8, "b": 9.0}
SPEND = {"p": 6.0, "q": 4.0, "gamma": 150.0}
COST_SHARE = (12.0, 6.0)
SETTINGS = {"default": None, "BetaGeo": ("BetaGeo",), "ParetoNBD": ("ParetoNBD",)}


# -- data --------------------------------------------------------------------------------------
def simulate_transactions(customers: int, seed: int = 2026) -> dict[str, np.ndarray]:
    """Transactions of ``customers`` customers acquired uniformly over two years.

    Each customer's first purchase falls uniformly in the two years; repeat purchases follow
    BG/NBD until the end. Vectorised and exact: the Poisson process has k ~ Poisson(λ·age)
    arrivals in the customer's (0, age], and the customer drops out after a Geometric(p) number g
    of repeats, so the repeats are the first m = min(k, g) of k sorted uniforms on (0, age]. Those
    order statistics are S_j / (S_m + R), j ≤ m, with S the running sum of m Exp(1) spacings and R
    ~ Gamma(k + 1 − m) the rest (the uniform spacings of k points are k + 1 normalised
    exponentials), so the work is proportional to the purchases actually made.
    """
    rng = np.random.default_rng(seed)
    n = customers
    first = rng.uniform(0.0, DAYS, n)
    age = DAYS - first
    lam = rng.gamma(PURCHASE["r"], 1.0 / PURCHASE["alpha"], n)
    drop = rng.beta(PURCHASE["a"], PURCHASE["b"], n)
    k = rng.poisson(lam * age)
    m = np.minimum(k, rng.geometric(drop))
    total = int(m.sum())
    owner = np.repeat(np.arange(n), m)
    spacing = rng.exponential(1.0, total)
    running = np.cumsum(spacing)
    # Subtract the running sum before each customer's block: a per-customer cumulative sum.
    ends = np.cumsum(m)
    before = np.concatenate([[0.0], running])[ends - m]
    running -= before[owner]
    block_sum = np.zeros(n)
    has = m > 0
    block_sum[has] = running[ends[has] - 1]
    rest = np.zeros(n)
    tail = k + 1 - m
    rest[tail > 0] = rng.gamma(tail[tail > 0])
    repeat_day = first[owner] + age[owner] * running / (block_sum + rest)[owner]
    del spacing, running

    customer = np.concatenate([np.arange(n), owner])
    day = np.concatenate([first, repeat_day])
    del owner, repeat_day
    nu = rng.gamma(SPEND["q"], 1.0 / SPEND["gamma"], n)
    amount = np.maximum(np.round(rng.gamma(SPEND["p"], 1.0, customer.size) / nu[customer], 2), 0.01)
    share = rng.beta(*COST_SHARE, n)
    cost = np.round(amount * share[customer], 2)
    # A transaction table is read in time order; ids are shuffled so they carry no order.
    order = np.argsort(day, kind="stable")
    ids = rng.permutation(n).astype(np.int64) + 1
    occurred_at = START + np.round(day[order] * 86_400).astype("timedelta64[s]")
    # Cost to serve (gifts, banquets, visits) for about a third of the customers.
    served = np.flatnonzero(rng.random(n) < 1 / 3)
    return {
        "customer_id": ids[customer[order]],
        "occurred_at": occurred_at.astype("datetime64[us]"),
        "amount": amount[order],
        "cost": cost[order],
        "serve_customer_id": ids[served],
        "cost_to_serve": np.round(rng.gamma(2.0, 100.0, served.size), 2),
    }


# -- one measured run (in a subprocess) --------------------------------------------------------
def child(data: Path, setting: str) -> dict:
    import polars as pl

    sys.path.insert(0, str(ROOT))
    from guanxi.analytics import PipelineSettings, run_pipeline

    with np.load(data) as z:
        frame = pl.DataFrame(
            {name: z[name] for name in ("customer_id", "occurred_at", "amount", "cost")}
        )
        serve = pl.DataFrame(
            {"customer_id": z["serve_customer_id"], "cost_to_serve": z["cost_to_serve"]}
        )
    models = SETTINGS[setting]
    settings = PipelineSettings() if models is None else PipelineSettings(purchase_models=models)
    base = reset_peak()
    t0 = time.perf_counter()
    result = run_pipeline(
        frame,
        customer_col="customer_id",
        time_col="occurred_at",
        amount_col="amount",
        cost_col="cost",
        observation_end=OBSERVATION_END,
        cost_to_serve=serve,
        settings=settings,
    )
    seconds = time.perf_counter() - t0
    peak = status_kb("VmHWM")
    scores = result.scores
    candidates = {
        name: model if isinstance(model, str) else {
            "params": model.params_, "log_likelihood": model.log_likelihood_,
            "converged": bool(model.converged_),
        }
        for name, model in result.purchase_candidates.items()
    }  # fmt: skip
    return {
        "setting": setting,
        "transactions": frame.height,
        "customers": scores.height,
        "seconds": seconds,
        "timings": result.timings,
        "base_mb": base / 1024,
        "peak_rise_mb": (peak - base) / 1024,
        "purchase_model": type(result.purchase_model).__name__ if result.purchase_model else None,
        "candidates": candidates,
        "spend_params": result.spend_model.params_ if result.spend_model else None,
        "calibration": result.calibration.metrics if result.calibration else None,
        "holdout_periods": result.holdout_periods,
        "errors": result.errors,
        "warnings": result.warnings,
        "repeat_share": float((scores["frequency"] > 0).mean()),
        "mean_p_alive": float(scores["p_alive"].mean()),
        "total_clv": float(scores["clv"].sum()),
    }


# -- driver ------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument(
        "--models", default="default,BetaGeo", help="settings to run: default, BetaGeo, ParetoNBD"
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="runs per setting; the fastest counts"
    )
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--setting", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print("RESULT " + json.dumps(child(Path(args.file), args.setting)), flush=True)
        return

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="guanxi-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"pipeline-{args.customers}.npz"
    if not data.exists():
        t0 = time.perf_counter()
        np.savez(data, **simulate_transactions(args.customers))
        print(f"generated {data} in {time.perf_counter() - t0:.1f} s", flush=True)
    with np.load(data) as z:
        print(f"{z['customer_id'].size:,} transactions of {args.customers:,} customers", flush=True)

    results: dict[str, dict] = {}
    for setting in args.models.split(","):
        if setting not in SETTINGS:
            raise SystemExit(f"unknown setting {setting!r}; use {', '.join(SETTINGS)}")
        for _ in range(args.repeat):
            print(f"running the pipeline ({setting})…", flush=True)
            cmd = [sys.executable, __file__, "--child", "--file", str(data), "--setting", setting]
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if proc.returncode or line is None:
                print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
                raise SystemExit(f"pipeline ({setting}) failed")
            result = json.loads(line[len("RESULT ") :])
            print("  " + json.dumps(result), flush=True)
            if setting not in results or result["seconds"] < results[setting]["seconds"]:
                results[setting] = result

    steps = list(next(iter(results.values()))["timings"])
    names = {
        "default": "default (BG/NBD + Pareto/NBD)",
        "BetaGeo": "BG/NBD only",
        "ParetoNBD": "Pareto/NBD only",
    }
    runs = list(results.values())

    def row(label: str, cells: list[str]) -> None:
        print(f"| {label} | " + " | ".join(cells) + " |")

    print()
    row("step (seconds)", [names[s] for s in results])
    print("|---|" + "---:|" * len(runs))
    for step in steps:
        row(step, [f"{r['timings'][step]:.2f}" for r in runs])
    row("**total**", [f"**{r['seconds']:.2f}**" for r in runs])
    row("RSS after load (MB)", [f"{r['base_mb']:,.0f}" for r in runs])
    row("peak rise (MB)", [f"{r['peak_rise_mb']:,.0f}" for r in runs])
    print()
    print(f"simulated from: BG/NBD per day {PURCHASE}, Gamma-Gamma {SPEND}")
    for setting, r in results.items():
        print(f"{names[setting]}: chose {r['purchase_model']}; candidates {r['candidates']}; "
              f"Gamma-Gamma {r['spend_params']}; calibration ({r['holdout_periods']} weeks "
              f"held out) {r['calibration']}; errors {r['errors'] or 'none'}")  # fmt: skip


if __name__ == "__main__":
    main()
