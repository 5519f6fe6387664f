"""Benchmark: agreements' money at scale — the pace of 10,000 agreements and the nightly rebate
accrual posting over 10,000,000 transactions, and the agreement performance page, on
PostgreSQL. Run by hand, not a test:

    .venv/bin/python benchmarks/nightly_tiering.py --runs 0      # build the ledger once (long)
    .venv/bin/python benchmarks/agreements.py                    # add agreements, then time
    .venv/bin/python benchmarks/agreements.py --agreements 2000  # fewer agreements

Targets (issue 14): `agreements_pace` for every agreement plus `rebate_accruals_post` under
30 s; the performance page (and its API) under 300 ms.

It runs on the database `nightly_tiering.py` builds (`guanxi_bench_nightly` at BENCH_PG_URL,
default postgres://postgres@127.0.0.1:5432: 100,000 accounts, 10,000,000 transactions over
three years up to 2026-11-20, `--database-url` to use another). Setup, not timed: the month
rollups (`AccountMonth`) are rebuilt if the ledger has none; earlier bench agreements are
removed; then ``--agreements`` agreements are made on random accounts (KAMs' own), one in
four a group agreement covering two or three other accounts chosen as subsidiaries, each with
an amount commitment for the calendar year of AS_OF in two categories, one in five with a
room-night commitment as well, and a rebate schedule with three brackets (retroactive or
incremental); the period starts on the 15th of a month for one in three so the partial edge
months are read from the ledger.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np
from pages import time_page

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
AS_OF = dt.date(2026, 11, 20)
BUDGET_S = 30.0
BUDGET_MS = 300.0
MARK = "BENCH-AGR"


def _django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _months() -> None:
    from guanxi.transactions.models import AccountMonth
    from guanxi.transactions.rollups import ledger_rollups_refresh

    if not AccountMonth.objects.exists():
        t0 = time.perf_counter()
        ledger_rollups_refresh(as_of=AS_OF)
        print(f"  month rollups rebuilt in {time.perf_counter() - t0:.0f} s", flush=True)


def build(n: int, seed: int = 2026) -> list[int]:
    from django.db import connection

    from guanxi.accounts.models import Account
    from guanxi.agreements.models import (
        Agreement,
        AgreementType,
        RebateBracket,
        RebateSchedule,
        VolumeCommitment,
    )
    from guanxi.touchpoints.models import ServeCost
    from guanxi.transactions.models import ProductCategory

    rng = np.random.default_rng(seed)
    old = Agreement.objects.filter(reference__startswith=MARK)
    ServeCost.objects.filter(kind="rebate").delete()
    RebateSchedule.objects.filter(agreement__in=old).delete()
    old.delete()
    accounts = np.array(Account.objects.order_by("id").values_list("id", "owner_id"))
    picks = rng.choice(len(accounts), size=n, replace=False)
    kind = AgreementType.objects.get(builtin="rebate")
    categories = list(ProductCategory.objects.order_by("id").values_list("id", flat=True))
    year = dt.date(AS_OF.year, 1, 1), dt.date(AS_OF.year, 12, 31)
    agreements = []
    for i, p in enumerate(picks):
        start = year[0] if i % 3 else dt.date(AS_OF.year, 1 + i % 6, 15)
        agreements.append(
            Agreement(reference=f"{MARK}-{i}", name=f"基准协议 {i}", agreement_type=kind,
                      account_id=int(accounts[p][0]), owner_id=int(accounts[p][1]),
                      starts_on=start, ends_on=year[1], status="active")
        )  # fmt: skip
    agreements = Agreement.objects.bulk_create(agreements, batch_size=5000)
    through = Agreement.covered_accounts.through
    links = []
    for a in agreements[::4]:
        for s in rng.choice(len(accounts), size=int(rng.integers(2, 4)), replace=False):
            if int(accounts[s][0]) != a.account_id:
                links.append(through(agreement_id=a.pk, account_id=int(accounts[s][0])))
    through.objects.bulk_create(links, batch_size=5000, ignore_conflicts=True)
    commitments = [
        VolumeCommitment(agreement=a, basis="amount", committed=500_000) for a in agreements
    ] + [
        VolumeCommitment(agreement=a, basis="quantity", unit="room nights", committed=800)
        for a in agreements[::5]
    ]
    commitments = VolumeCommitment.objects.bulk_create(commitments, batch_size=5000)
    VolumeCommitment.categories.through.objects.bulk_create(
        [
            VolumeCommitment.categories.through(volumecommitment_id=c.pk, productcategory_id=cat)
            for c in commitments
            if c.basis == "amount"
            for cat in categories[:2]
        ],
        batch_size=10_000,
    )
    schedules = RebateSchedule.objects.bulk_create(
        [
            RebateSchedule(agreement=a, method="retroactive" if i % 2 else "incremental")
            for i, a in enumerate(agreements)
        ],
        batch_size=5000,
    )
    RebateBracket.objects.bulk_create(
        [
            RebateBracket(schedule=s, from_value=low, rate=rate)
            for s in schedules
            for low, rate in ((0, 2), (200_000, 3), (600_000, 5))
        ],
        batch_size=10_000,
    )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"  {len(agreements):,} agreements, {len(links):,} subsidiaries covered, "
        f"{len(commitments):,} commitments, {len(schedules):,} rebate schedules",
        flush=True,
    )
    return [a.pk for a in agreements]


def measure(ids: list[int], repeat: int) -> int:
    from django.test import Client

    from guanxi.agreements.performance import agreements_pace
    from guanxi.agreements.rebates import rebate_accruals_post
    from guanxi.core.models import User
    from guanxi.core.services import api_token_create

    t0 = time.perf_counter()
    paces = agreements_pace(ids, as_of=AS_OF)
    pace_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    summary = rebate_accruals_post(as_of=AS_OF)
    post_s = time.perf_counter() - t0
    behind = sum(1 for p in paces.values() if p is not None and p < 1)
    total = pace_s + post_s
    print(f"pace of {len(ids):,} agreements: {pace_s:.1f} s ({behind:,} behind pace)")
    print(f"rebate accruals posted: {post_s:.1f} s, {summary}")
    print(f"together {total:.1f} s = {total / BUDGET_S:.2f}× the {BUDGET_S:.0f} s budget")
    over = int(total > BUDGET_S)

    director = (
        User.objects.filter(role="manager").first()
        or User.objects.filter(is_superuser=True).first()
    )
    busiest = ids[0]  # a group agreement: its account and two or three subsidiaries
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(director)
    _, key = api_token_create(user=director, name="bench-agreements")
    pages = {
        "performance page": (f"/agreements/{busiest}/performance/?as_of={AS_OF}", {}),
        "API performance": (
            f"/api/agreements/{busiest}/performance?as_of={AS_OF}",
            {"HTTP_AUTHORIZATION": f"Bearer {key}"},
        ),
        "API accrual": (
            f"/api/agreements/{busiest}/accrual?as_of={AS_OF}",
            {"HTTP_AUTHORIZATION": f"Bearer {key}"},
        ),
    }
    for label, (url, headers) in pages.items():
        r = time_page(client, url, repeat, headers)
        if "median_ms" not in r:
            print(f"{label:24} {r['status']}")
            continue
        flag = " ✗" if r["median_ms"] > BUDGET_MS else ""
        over += bool(flag)
        print(f"{label:24} {r['status']} median {r['median_ms']:.0f} ms, max "
              f"{r['max_ms']:.0f} ms, {r['queries']} SQL{flag}", flush=True)  # fmt: skip
    return over


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=f"{PG_BASE}/guanxi_bench_nightly")
    parser.add_argument("--agreements", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _django(args.database_url)
    print("setting up …", flush=True)
    _months()
    ids = build(args.agreements)
    over = measure(ids, args.repeat)
    print(f"\n{over} over budget")


if __name__ == "__main__":
    main()
