"""Benchmark: `guanxi analyze` and `guanxi nightly` on the 100,000-account / 10M-transaction
database, wall time and peak memory against issue 12's targets. Run by hand, not a test:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/gx_bench_copy \\
        .venv/bin/python benchmarks/analysis_nightly.py
    .venv/bin/python benchmarks/analysis_nightly.py --commands analyze --as-of 2026-11-20

The database is the one `benchmarks/nightly_tiering.py` builds (`guanxi_bench_nightly`); run on a
copy (`CREATE DATABASE copy TEMPLATE guanxi_bench_nightly`): each command writes an analysis run,
tiers and tasks. Each command runs as its own process (`guanxi analyze`, `guanxi nightly`, the
code of the checkout the script sits in); its wall time is measured around it and its peak RSS
is the kernel's figure for that process (`os.wait4` → ru_maxrss), CPU seconds likewise, so the
figure includes Django, polars and scipy being loaded. The load average before and after is
printed: on a shared machine the wall time follows the load more than the code; the CPU seconds
follow it less.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUANXI = str(Path(sys.executable).parent / "guanxi")
AS_OF = "2026-11-20"  # the day the benchmark data ends
# Issue 12: targets, and what main measured before (3 min / 4.8 GB for both commands' analysis).
TARGETS = {"analyze": (60.0, 1.5), "nightly": (None, 1.5)}
BEFORE = {"analyze": (180.0, 4.8), "nightly": (235.0, 4.8)}


def measure(command: str, as_of: str) -> dict[str, float]:
    """Wall seconds, CPU seconds and peak RSS (GB) of one `guanxi <command>` process."""
    started = time.perf_counter()
    # The checkout's package first: the virtualenv's editable install points at the main
    # checkout, and a script's own directory (not the cwd) heads sys.path.
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.Popen(  # noqa: S603 (our own CLI, fixed arguments)
        [GUANXI, command, "--as-of", as_of],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    out = proc.stdout.read() if proc.stdout else b""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if status != 0:
        sys.exit(f"guanxi {command} failed ({status}):\n{out.decode(errors='replace')}")
    return {
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "peak_gb": usage.ru_maxrss / 1024 / 1024,  # ru_maxrss is in kB on Linux
        "output": out.decode(errors="replace").strip().splitlines()[:2],
    }


def _ratio(value: float, reference: float | None) -> str:
    return "—" if reference is None else f"{value / reference:.2f}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--commands", default="analyze,nightly")
    parser.add_argument("--as-of", default=AS_OF)
    args = parser.parse_args()
    if "DATABASE_URL" not in os.environ:
        sys.exit("Set DATABASE_URL to a copy of the benchmark database.")
    print(f"load average before: {os.getloadavg()}", flush=True)
    rows = []
    for command in args.commands.split(","):
        result = measure(command, args.as_of)
        for line in result["output"]:
            print(f"  {line}")
        rows.append((command, result))
    print(f"load average after: {os.getloadavg()}")
    print()
    print(
        "| command | wall (s) | CPU (s) | peak RSS (GB) | time vs target | memory vs target "
        "| time vs before | memory vs before |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for command, r in rows:
        (t_target, m_target), (t_before, m_before) = TARGETS[command], BEFORE[command]
        print(
            f"| {command} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['peak_gb']:.2f} "
            f"| {_ratio(r['wall'], t_target)} | {_ratio(r['peak_gb'], m_target)} "
            f"| {_ratio(r['wall'], t_before)} | {_ratio(r['peak_gb'], m_before)} |"
        )


if __name__ == "__main__":
    main()
