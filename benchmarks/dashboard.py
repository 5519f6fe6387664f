"""Benchmark: the home dashboard's server time at 100,000 accounts and 10M transactions.

    .venv/bin/python benchmarks/dashboard.py --database-url postgres://…/guanxi_bench_nightly

For the director and the KAM with the most accounts, times (median of ``--repeat`` after one
warm-up): ``compute`` — every chart of the snapshot computed from the rollups
(`workspace.charts.charts_compute`: what the nightly step does per stored scope, and what a
KAM's page does on each request); ``page`` — the whole home page through Django's test client.
For a scope the nightly step stores (the director, a team lead) the page reads the stored row;
on a database the night has not stored it in yet (or older than this branch's migration) the
stored row is stood in by the computed figures, so ``page`` is what the page costs once the
night ran. Everything runs in one transaction that is rolled back: the database is left as it
was (the login's session row included).
"""

from __future__ import annotations

import argparse
import statistics
import time

from pages import PG_BASE, _setup, _users


def _ms(fn, repeat: int) -> tuple[float, object]:
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=f"{PG_BASE}/guanxi_bench_nightly")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    _setup(args.database_url)
    from unittest import mock

    from django.db import transaction
    from django.test import Client
    from django.utils import timezone

    from guanxi.accounts.selectors import accounts_visible_to
    from guanxi.workspace import dashboard, snapshots
    from guanxi.workspace.charts import charts_compute

    today = timezone.localdate()
    with transaction.atomic():
        for label, user in _users().items():
            compute, data = _ms(
                lambda u=user: charts_compute(accounts_visible_to(u), today), args.repeat
            )
            stored = snapshots.scope_of(user) is not None
            client = Client()
            client.force_login(user)
            patch = mock.patch.object(dashboard, "dashboard_charts", lambda actor, today, d=data: d)
            with patch if stored else mock.patch.object(dashboard, "ORDER", dashboard.ORDER):
                page, response = _ms(lambda c=client: c.get("/admin/"), args.repeat)
            print(
                f"{label:>24}: compute {compute:7.0f} ms   page {page:7.0f} ms"
                f"   ({'stored snapshot' if stored else 'computed per request'},"
                f" status {response.status_code})"
            )
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
