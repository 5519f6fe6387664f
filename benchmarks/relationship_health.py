"""Benchmark: the nightly step `relationship_health` (every mapped buying centre's coverage
score and risks, recomputed and stored) on the 100,000-account database. Run by hand:

    .venv/bin/python benchmarks/relationship_health.py          # time it, leave nothing
    .venv/bin/python benchmarks/relationship_health.py --keep   # keep the rows, then time Today:
    .venv/bin/python benchmarks/pages.py --only today

Target (issue 12): a few seconds; it feeds a KAM's Today page (under 300 ms), renewal risk and
the deal odds. It reuses the database `nightly_tiering.py` builds (`guanxi_bench_nightly` at
BENCH_PG_URL), whose buying centres `lights.py --keep` seats (every 5th contact a champion;
`lights.py` fills the rollup itself when it keeps its rows). It migrates only the
relationships app (the rollup's table; not timed) and writes nothing but the rollup's rows and
their planner statistics: the database is shared for timing pages. The run is timed twice (the
first writes every row, the second replaces them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DBNAME = "guanxi_bench_nightly"
TARGET_SECONDS = 10


class Rollback(Exception):
    """Raised at the end to leave the rollup as it was."""


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def run(*, keep: bool, as_of: dt.date | None) -> list[tuple[float, dict]]:
    from django.core.management import call_command
    from django.db import transaction

    from guanxi.relationships.tasks import relationship_health_job

    call_command("migrate", "relationships", verbosity=0)
    timings = []
    try:
        with transaction.atomic():
            for label in ("first", "second"):
                t0, cpu = time.perf_counter(), time.process_time()
                summary = relationship_health_job(as_of=as_of)
                seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu
                print(f"relationship health, {label} run: {seconds:.2f} s ({cpu:.2f} s CPU in"
                      f" Python) — {summary}", flush=True)  # fmt: skip
                timings.append((seconds, summary))
            if not keep:
                raise Rollback
    except Rollback:
        pass
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=f"{PG_BASE}/{DBNAME}")
    parser.add_argument("--keep", action="store_true", help="keep the rollup's rows")
    parser.add_argument("--as-of", type=dt.date.fromisoformat, help="default: today")
    args = parser.parse_args()
    _django(args.database_url)
    timings = run(keep=args.keep, as_of=args.as_of)
    worst = max(s for s, _summary in timings)
    print(f"\nslowest run {worst:.1f} s (target < {TARGET_SECONDS} s)")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
