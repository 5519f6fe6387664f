"""Benchmark: fit BG/NBD (`guanxi.analytics.BetaGeo`) on 1,000,000 simulated customers and
compare with `lifetimes.BetaGeoFitter` (lifetimes 0.11.3) on the same data. Run by hand:

    .venv/bin/python benchmarks/analytics_bgnbd_fit.py \\
        --lifetimes-python /tmp/lifetimes-env/bin/python
    .venv/bin/python benchmarks/analytics_bgnbd_fit.py --customers 100000 --no-lifetimes

Customers are drawn with `guanxi.analytics.simulate.simulate_beta_geo` from the CDNOW estimates
(r=0.24, α=4.41, a=0.79, b=2.43; seed 2026), each observed T ~ Uniform(20, 60) weeks after the
first purchase. The data is written to an .npz file; lifetimes fits it in a subprocess (its own
environment), Guanxi in this process. Both times cover the `fit(...)` call alone (lifetimes'
includes its autograd Hessian, Guanxi's its standard errors). Both parameter sets are then scored
with the same log-likelihood code on the same data. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
TRUE = {"r": 0.24, "alpha": 4.41, "a": 0.79, "b": 2.43}
NAMES = ("r", "alpha", "a", "b")

LIFETIMES_CHILD = """
import json, sys, time
import numpy as np
import lifetimes
from lifetimes import BetaGeoFitter
with np.load(sys.argv[1]) as z:
    x, t_x, age = z["frequency"], z["recency"], z["T"]
t0 = time.perf_counter()
model = BetaGeoFitter().fit(x, t_x, age)
seconds = time.perf_counter() - t0
print("RESULT " + json.dumps({"seconds": seconds, "params": model.params_.to_dict(),
                              "version": lifetimes.__version__}))
"""


def generate(path: Path, customers: int, seed: int = 2026) -> None:
    sys.path.insert(0, str(ROOT))
    from guanxi.analytics.simulate import simulate_beta_geo

    rng = np.random.default_rng(seed)
    x, t_x, age = simulate_beta_geo(rng.uniform(20, 60, customers), rng=rng, **TRUE)
    np.savez(path, frequency=x, recency=t_x, T=age)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--lifetimes-python", default="/tmp/lifetimes-env/bin/python")
    parser.add_argument("--no-lifetimes", action="store_true")
    parser.add_argument("--repeat", type=int, default=3, help="Guanxi fits; the fastest counts")
    parser.add_argument("--workdir", default=None)
    args = parser.parse_args()

    sys.path.insert(0, str(ROOT))
    from guanxi.analytics import BetaGeo

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="guanxi-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    data = workdir / f"bgnbd-{args.customers}.npz"
    if not data.exists():
        generate(data, args.customers)
    with np.load(data) as z:
        x, t_x, age = z["frequency"], z["recency"], z["T"]
    print(f"{x.size:,} customers, {np.mean(x > 0):.1%} with a repeat purchase, "
          f"max frequency {x.max():.0f}", flush=True)  # fmt: skip

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        model = BetaGeo().fit(x, t_x, age)
        times.append(time.perf_counter() - t0)
    ours = np.array([model.params_[n] for n in NAMES])
    print(f"Guanxi BetaGeo: {min(times):.3f} s (runs: {', '.join(f'{t:.3f}' for t in times)}), "
          f"converged={model.converged_}", flush=True)  # fmt: skip

    scorer = BetaGeo._prepare(x, t_x, age, np.ones_like(x))
    rows = [("Guanxi BetaGeo", min(times), ours, model.log_likelihood_)]
    if not args.no_lifetimes:
        proc = subprocess.run(
            [args.lifetimes_python, "-c", LIFETIMES_CHILD, str(data)],
            capture_output=True,
            text=True,
        )
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if proc.returncode or line is None:
            print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
            raise SystemExit("lifetimes failed")
        lt = json.loads(line[len("RESULT ") :])
        theirs = np.array([lt["params"][n] for n in NAMES])
        ll = BetaGeo._total_loglik(theirs, scorer)[0]
        rows.append((f"lifetimes {lt['version']} BetaGeoFitter", lt["seconds"], theirs, ll))

    print()
    print("| fit | seconds | r | alpha | a | b | log-likelihood |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, seconds, params, ll in rows:
        cells = " | ".join(f"{p:.6f}" for p in params)
        print(f"| {name} | {seconds:.3f} | {cells} | {ll:,.4f} |")
    print(f"| (simulated from) | | {' | '.join(f'{TRUE[n]:.2f}' for n in NAMES)} | |")
    if len(rows) == 2:
        rel = np.abs(rows[0][2] - rows[1][2]) / np.abs(rows[1][2])
        print()
        print("relative parameter difference: "
              + ", ".join(f"{n} {d:.1e}" for n, d in zip(NAMES, rel, strict=True)))  # fmt: skip
        print(f"log-likelihood, Guanxi − lifetimes: {rows[0][3] - rows[1][3]:+.3e}")
        print(f"speed: lifetimes / Guanxi = {rows[1][1] / rows[0][1]:.1f}×")


if __name__ == "__main__":
    main()
