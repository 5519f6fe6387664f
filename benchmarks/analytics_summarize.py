"""Benchmark: `guanxi.analytics.summarize` against lifetimes 0.11.3's
`summary_data_from_transaction_data` on the same 10,000,000 transactions. Run by hand, not a test:

    .venv/bin/python benchmarks/analytics_summarize.py \
        --lifetimes-python /tmp/lifetimes-env/bin/python
    .venv/bin/python benchmarks/analytics_summarize.py --rows 1000000 --customers 100000  # quick
    .venv/bin/python benchmarks/analytics_summarize.py --engines guanxi    # without lifetimes

The transactions are written once to an .npz file; each side then runs in its own subprocess,
loads the file into its native frame (polars for Guanxi, pandas for lifetimes), and measures the
call alone: wall seconds and the rise of peak RSS over the RSS after loading (the peak is reset
through /proc/self/clear_refs once the data is loaded, so loading does not count). Both write
their per-customer output to an .npz file, and the driver checks frequency, recency and T for
equality on every customer (monetary to 1e-9 relative). See benchmarks/README.md for the
lifetimes environment and the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

# Only numpy at module level: the lifetimes child runs this file under the lifetimes environment,
# which has neither polars nor Guanxi.
import numpy as np
from peak_memory import reset_peak, status_kb

ROOT = Path(__file__).resolve().parent.parent
START = np.datetime64("2024-01-01T00:00:00", "us")
DAYS = 2 * 365


# -- data --------------------------------------------------------------------------------------
def generate(path: Path, rows: int, customers: int, seed: int = 2026) -> None:
    """Deterministic transactions: customer ids uniform over ``customers`` (so about
    rows/customers purchases each), timestamps uniform over two years to the second, amounts
    log-normal with cents."""
    rng = np.random.default_rng(seed)
    customer_id = rng.integers(0, customers, rows, dtype=np.int64)
    seconds = rng.integers(0, DAYS * 24 * 3600, rows)
    occurred_at = START + (seconds * 1_000_000).astype("timedelta64[us]")
    amount = np.round(rng.lognormal(mean=5.0, sigma=1.0, size=rows), 2)
    np.savez(path, customer_id=customer_id, occurred_at=occurred_at, amount=amount)


# -- one measured run (in a subprocess) --------------------------------------------------------
def run_guanxi(data: Path, out: Path) -> dict:
    import polars as pl

    sys.path.insert(0, str(ROOT))
    from guanxi.analytics import summarize

    with np.load(data) as z:
        frame = pl.DataFrame(
            {
                "customer_id": z["customer_id"],
                "occurred_at": z["occurred_at"],
                "amount": z["amount"],
            }
        )
    base = reset_peak()
    t0 = time.perf_counter()
    summary = summarize(
        frame, customer_col="customer_id", time_col="occurred_at", amount_col="amount", period="D"
    )
    seconds = time.perf_counter() - t0
    peak = status_kb("VmHWM")
    np.savez(
        out,
        customer_id=summary["customer_id"].to_numpy(),
        frequency=summary["frequency"].to_numpy().astype(np.float64),
        recency=summary["recency"].to_numpy(),
        T=summary["T"].to_numpy(),
        monetary=summary["monetary"].to_numpy(),
    )
    return {"seconds": seconds, "base_mb": base / 1024, "peak_rise_mb": (peak - base) / 1024}


def run_lifetimes(data: Path, out: Path) -> dict:
    import lifetimes
    import pandas as pd
    from lifetimes.utils import summary_data_from_transaction_data

    with np.load(data) as z:
        frame = pd.DataFrame(
            {
                "customer_id": z["customer_id"],
                "occurred_at": z["occurred_at"].astype("datetime64[ns]"),
                "amount": z["amount"],
            }
        )
    base = reset_peak()
    t0 = time.perf_counter()
    summary = summary_data_from_transaction_data(
        frame, "customer_id", "occurred_at", monetary_value_col="amount", freq="D"
    )
    seconds = time.perf_counter() - t0
    peak = status_kb("VmHWM")
    summary = summary.sort_index()
    np.savez(
        out,
        customer_id=summary.index.to_numpy(),
        frequency=summary["frequency"].to_numpy(),
        recency=summary["recency"].to_numpy(),
        T=summary["T"].to_numpy(),
        monetary=summary["monetary_value"].to_numpy(),
    )
    return {
        "seconds": seconds,
        "base_mb": base / 1024,
        "peak_rise_mb": (peak - base) / 1024,
        "version": lifetimes.__version__,
        "pandas": pd.__version__,
    }


def child(args: argparse.Namespace) -> None:
    fn = run_guanxi if args.engine == "guanxi" else run_lifetimes
    result = fn(Path(args.file), Path(args.out))
    result["engine"] = args.engine
    print("RESULT " + json.dumps(result), flush=True)


# -- driver ------------------------------------------------------------------------------------
def compare(ours: Path, theirs: Path) -> dict:
    with np.load(ours) as a, np.load(theirs) as b:
        if not np.array_equal(a["customer_id"], b["customer_id"]):
            return {"same_customers": False}
        result: dict = {"same_customers": True, "customers": int(a["customer_id"].size)}
        for col in ("frequency", "recency", "T"):
            result[f"{col}_identical"] = bool(np.array_equal(a[col], b[col]))
        m1, m2 = a["monetary"], b["monetary"]
        result["monetary_max_rel_diff"] = float(
            np.max(np.abs(m1 - m2) / np.maximum(np.abs(m2), 1e-12))
        )
    return result


def _print_load() -> None:
    one, five, fifteen = os.getloadavg()
    print(f"load average (1, 5, 15 min): {one:.2f} {five:.2f} {fifteen:.2f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lifetimes-python", default="/tmp/lifetimes-env/bin/python")
    parser.add_argument("--engines", default="guanxi,lifetimes")
    parser.add_argument("--repeat", type=int, default=1, help="runs of Guanxi; the fastest counts")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="guanxi-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"transactions-{args.rows}-{args.customers}.npz"
    if not data.exists():
        t0 = time.perf_counter()
        generate(data, args.rows, args.customers)
        print(f"generated {data} in {time.perf_counter() - t0:.1f} s", flush=True)
    engines = args.engines.split(",")
    # Other work on the machine slows both sides; print the load so figures can be read with it.
    _print_load()
    results: dict[str, dict] = {}
    for engine in engines:
        python = sys.executable if engine == "guanxi" else args.lifetimes_python
        runs = args.repeat if engine == "guanxi" else 1
        for _ in range(runs):
            out = workdir / f"summary-{engine}.npz"
            cmd = [python, __file__, "--child", "--engine", engine, "--file", str(data),
                   "--out", str(out)]  # fmt: skip
            print(f"running {engine} on {args.rows:,} transactions…", flush=True)
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if proc.returncode or line is None:
                print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
                raise SystemExit(f"{engine} failed")
            result = json.loads(line[len("RESULT ") :])
            print("  " + json.dumps(result), flush=True)
            if engine not in results or result["seconds"] < results[engine]["seconds"]:
                results[engine] = result

    _print_load()
    print()
    print("| summary | transactions | seconds | RSS after load (MB) | peak rise (MB) |")
    print("|---|---:|---:|---:|---:|")
    for engine, r in results.items():
        name = "Guanxi summarize" if engine == "guanxi" else f"lifetimes {r['version']}"
        print(f"| {name} | {args.rows:,} | {r['seconds']:.2f} | {r['base_mb']:,.0f} "
              f"| {r['peak_rise_mb']:,.0f} |")  # fmt: skip
    if len(results) == 2:
        g, lt = results["guanxi"], results["lifetimes"]
        print()
        print(f"speed: lifetimes / Guanxi = {lt['seconds'] / g['seconds']:.1f}×")
        print(
            f"peak memory rise: Guanxi / lifetimes = {g['peak_rise_mb'] / lt['peak_rise_mb']:.2f}"
        )
        check = compare(workdir / "summary-guanxi.npz", workdir / "summary-lifetimes.npz")
        print("output check: " + json.dumps(check))


if __name__ == "__main__":
    main()
