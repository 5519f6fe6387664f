"""Benchmark: the merge preview (issue 17) of the two accounts with the most transactions.

Run by hand on the database `nightly_tiering.py` builds (not a test); it only previews, never
merges, and everything it writes (the login session, an API token) is rolled back:

    .venv/bin/python benchmarks/merge_preview.py                  # the two busiest accounts
    .venv/bin/python benchmarks/merge_preview.py --keep 12 --other 34 --repeat 10

For the director (a manager sees every account): the merge page (GET: the preview with the
default choices) and the API's dry run (POST /api/merge/accounts, dry_run), each once to warm up
and then ``--repeat`` times through Django's test client in this process; printed: median and
max server time in ms (and the medians of this process's CPU time and of the queries' time,
which tell a loaded machine's waiting apart), the number of SQL queries, and the rows the
preview says would move.
The preview counts by index (`merging.forecast`), so its queries do not grow with the rows; the
rolled-back dry run it replaced took 7.5 s and 212 queries for two large accounts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _busiest(n: int = 2) -> list[int]:
    """The ids of the ``n`` accounts with the most transactions (one grouped count)."""
    from django.db.models import Count

    from guanxi.transactions.models import Transaction

    rows = Transaction.objects.values("account_id").annotate(n=Count("id"))
    rows = rows.order_by("-n", "account_id")
    return [row["account_id"] for row in rows[:n]]


def _timed(call, repeat: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = call()  # warm-up
    times, cpu, sql, queries = [], [], [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            start, start_cpu = time.perf_counter(), time.process_time()
            response = call()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        queries = len(captured)
        sql.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    return {"status": response.status_code, "median_ms": statistics.median(times),
            "max_ms": max(times), "cpu_ms": statistics.median(cpu),
            "sql_ms": statistics.median(sql), "queries": queries, "response": response}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=f"{PG_BASE}/guanxi_bench_nightly")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", type=int)
    parser.add_argument("--other", type=int)
    args = parser.parse_args()
    _setup(args.database_url)
    from django.db import transaction
    from django.test import Client
    from django.urls import reverse

    from guanxi.core.models import Role, User
    from guanxi.core.services import api_token_create
    from guanxi.merging.models import Merge
    from guanxi.transactions.models import Transaction

    keep, other = (args.keep, args.other) if args.keep and args.other else _busiest()
    director = User.objects.filter(role=Role.MANAGER).order_by("id").first()
    merges = Merge.objects.count()
    sizes = {pk: Transaction.objects.filter(account_id=pk).count() for pk in (keep, other)}
    print(f"keep #{keep} ({sizes[keep]:,} transactions), other #{other} "
          f"({sizes[other]:,}); load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    with transaction.atomic():
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(director)
        _, key = api_token_create(user=director, name="bench-merge-preview")
        page = _timed(lambda: client.get(reverse("merge_accounts", args=(keep, other))),
                      args.repeat)  # fmt: skip
        body = json.dumps({"keep": keep, "other": other, "dry_run": True})
        auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        api = _timed(lambda: client.post("/api/merge/accounts", body,
                                         content_type="application/json", **auth),
                     args.repeat)  # fmt: skip
        transaction.set_rollback(True)
    for name, r in (("merge page (preview)", page), ("API dry run", api)):
        print(f"{name:22} status {r['status']}  median {r['median_ms']:5.0f} ms  "
              f"max {r['max_ms']:5.0f} ms  (Python CPU {r['cpu_ms']:4.0f} ms, SQL "
              f"{r['sql_ms']:4.0f} ms)  {r['queries']} queries")  # fmt: skip
    data = api["response"].json()
    for moved in data.get("moved", []):
        print(f"  {moved['model']:45} {moved['count']:>10,}")
    print(f"  clashes {len(data.get('clashes', []))}, deleted {data.get('deleted')}; "
          f"load average {os.getloadavg()[0]:.2f}")  # fmt: skip
    assert Merge.objects.count() == merges, "the preview wrote a merge"


if __name__ == "__main__":
    main()
