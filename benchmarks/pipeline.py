"""Benchmark: the pipeline's board, forecast, funnel and win/loss pages and API at 100,000
opportunities (2,000 per KAM, with their stage logs) on PostgreSQL. Run by hand, not a test:

    .venv/bin/python benchmarks/pipeline.py                 # build, then time (a few minutes)
    .venv/bin/python benchmarks/pipeline.py --reuse         # time on the database built before
    .venv/bin/python benchmarks/pipeline.py --kams 5        # quick: 10,000 opportunities

Target (issue 13): board and forecast pages under 300 ms server time on PostgreSQL, for a KAM
and for a director. The script builds a fresh database `guanxi_bench_pipeline` at BENCH_PG_URL
(default postgres://postgres@127.0.0.1:5432): 50 KAMs in 5 teams (plus a lead per team and a
director), 400 accounts per KAM, 2,000 opportunities per KAM (40 % open spread over the four
open stages, 30 % won, 30 % lost with a reason; expected close and close dates over two
years around today) with 1–5 stage-log rows each (COPY; then the stage log's rollups for the
funnel and win/loss are rebuilt from it), a month rollup (`AccountMonth`) per
account for the last 12 months, and a month target per KAM and a quarter target per team.
Setup is not timed.

Then each page and API call is requested once to warm up and ``--repeat`` times through
Django's test client in this process (a real session; the API with a bearer token), and the
median and max wall time of the call are printed against the budget with the SQL count.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
import time
from pathlib import Path

import numpy as np
from pages import time_page

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DBNAME = "guanxi_bench_pipeline"
BUDGET_MS = 300.0
TEAMS = 5
ACCOUNTS_PER_KAM = 400
DEALS_PER_KAM = 2_000


def _django(create: bool) -> None:
    if create:
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}"')
            conn.execute(f'CREATE DATABASE "{DBNAME}"')
    os.environ["DATABASE_URL"] = f"{PG_BASE}/{DBNAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _copy(table: str, columns: list[str], rows: list[tuple]) -> None:
    """COPY rows into ``table`` (tab-separated text; None as \\N)."""
    from django.db import connection

    buf = io.StringIO()
    for row in rows:
        buf.write("\t".join("\\N" if v is None else str(v) for v in row) + "\n")
    buf.seek(0)
    with connection.cursor() as cur:
        raw = cur.cursor if hasattr(cur, "cursor") else cur
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            while chunk := buf.read(8 << 20):
                copy.write(chunk)


def _people(kams: int):
    from django.contrib.auth.hashers import make_password

    from guanxi.core.models import Role, Team, User

    password = make_password("bench")
    teams = [Team.objects.create(name=f"Bench {t}") for t in range(TEAMS)]
    people = User.objects.bulk_create(
        User(username=f"kam{i:02d}", role=Role.KAM, team=teams[i % TEAMS], is_staff=True,
             password=password)
        for i in range(kams)
    )  # fmt: skip
    for t, team in enumerate(teams):
        User.objects.create(username=f"lead{t}", role=Role.TEAM_LEAD, team=team, is_staff=True,
                            password=password)  # fmt: skip
    User.objects.create(username="director", role=Role.MANAGER, is_staff=True, password=password)
    return people, teams


def _accounts(people, rng) -> np.ndarray:
    from guanxi.accounts.models import Account, AccountType

    Account.objects.bulk_create(
        (
            Account(code=f"P{k:02d}{i:04d}", name=f"基准客户{k}-{i}", owner=kam, team=kam.team,
                    account_type=AccountType.CORPORATE)
            for k, kam in enumerate(people)
            for i in range(ACCOUNTS_PER_KAM)
        ),
        batch_size=5000,
    )  # fmt: skip
    return np.array(Account.objects.order_by("id").values_list("id", "owner_id"))


def _deals(people, accounts: np.ndarray, rng, today: dt.date) -> None:
    """2,000 deals per KAM on their accounts, and each deal's stage log, by COPY."""
    from django.db import connection
    from django.utils import timezone

    from guanxi.pipeline.models import LostReason, Pipeline, Stage

    pipeline = Pipeline.objects.get(is_default=True)
    stages = list(Stage.objects.filter(pipeline=pipeline).order_by("position"))
    open_stages = [s for s in stages if s.outcome == "open"]
    won = next(s for s in stages if s.outcome == "won")
    lost = next(s for s in stages if s.outcome == "lost")
    reasons = list(LostReason.objects.values_list("id", flat=True))
    types = ["mice", "corporate_rate", "banquet", "group_block", "product", "other"]
    now = timezone.now()
    by_owner: dict[int, np.ndarray] = {}
    for account_id, owner_id in accounts:
        by_owner.setdefault(int(owner_id), []).append(int(account_id))
    rows, logs = [], []
    pk = 0
    for kam in people:
        mine = by_owner[kam.pk]
        for _ in range(DEALS_PER_KAM):
            pk += 1
            roll = rng.random()
            reached = int(rng.integers(0, len(open_stages)))
            created = today - dt.timedelta(days=int(rng.integers(20, 700)))
            path = open_stages[: reached + 1]
            closed_on = None
            if roll < 0.4:
                stage, outcome, reason = path[-1], "open", None
                close = today + dt.timedelta(days=int(rng.integers(-30, 270)))
            else:
                stage = won if roll < 0.7 else lost
                outcome, reason = stage.outcome, (None if stage is won else rng.choice(reasons))
                age = (today - created).days
                closed_on = created + dt.timedelta(days=int(rng.integers(10, min(200, age))))
                close = closed_on
                path = [*path, stage]
            span = max(1, ((closed_on or today) - created).days)
            days = sorted(rng.integers(0, span, len(path)))
            if closed_on is not None:
                days[-1] = span  # the close is the last move, on the close date
            moments = [
                timezone.make_aware(dt.datetime.combine(created + dt.timedelta(days=int(d)),
                                                        dt.time(10)))
                for d in days
            ]  # fmt: skip
            amount = round(float(rng.lognormal(10.5, 1.0)), 2)
            next_on = today + dt.timedelta(days=int(rng.integers(-20, 30))) if roll < 0.2 else None
            rows.append((
                pk, int(rng.choice(mine)), f"商机 {pk}", types[pk % len(types)], pipeline.pk,
                stage.pk, outcome, amount, "f", stage.probability, close, kam.pk, "",
                next_on, "", "", "", "", reason, closed_on,
                moments[-1].isoformat(), now.isoformat(), now.isoformat(),
            ))  # fmt: skip
            previous = None
            for s, at in zip(path, moments, strict=True):
                seconds = None if previous is None else int((at - previous[1]).total_seconds())
                logs.append((pk, None if previous is None else previous[0], s.pk,
                             at.isoformat(), kam.pk, seconds))  # fmt: skip
                previous = (s.pk, at)
    _copy(
        "pipeline_opportunity",
        ["id", "account_id", "name", "opportunity_type", "pipeline_id", "stage_id", "outcome",
         "amount", "amount_from_lines", "probability", "expected_close", "owner_id",
         "next_step", "next_step_on", "competitor", "campaign", "notes", "lost_note",
         "lost_reason_id", "closed_on", "stage_changed_at", "created_at", "updated_at"],
        rows,
    )  # fmt: skip
    log_columns = ["opportunity_id", "from_stage_id", "to_stage_id", "changed_at", "actor_id",
                   "seconds_in_from_stage"]  # fmt: skip
    _copy("pipeline_stagechange", log_columns, logs)
    with connection.cursor() as cur:
        cur.execute("SELECT setval('pipeline_opportunity_id_seq', %s)", [pk])
    print(f"  {len(rows):,} opportunities, {len(logs):,} stage changes", flush=True)


def _rollups_and_targets(people, teams, accounts: np.ndarray, rng, today: dt.date) -> None:
    from guanxi.core.dates import add_months
    from guanxi.pipeline.models import SalesTarget, TargetPeriod
    from guanxi.transactions.models import ProductCategory

    category = ProductCategory.objects.get(code="fnb").pk
    first = today.replace(day=1)
    months = [add_months(first, -i) for i in range(12)]
    rows = [
        (int(a), m, category, round(float(rng.lognormal(8, 1)), 2), 0, 0, 1, 0, 0, 0)
        for a, _owner in accounts
        for m in months
    ]
    _copy("transactions_accountmonth", ["account_id", "month", "category_id", "revenue", "cost",
                                        "margin", "count", "costed", "heads",
                                        "headed_revenue"], rows)  # fmt: skip
    SalesTarget.objects.bulk_create(
        SalesTarget(user=kam, starts_on=add_months(first, i), amount=2_000_000)
        for kam in people
        for i in range(-3, 9)
    )
    quarter = first.replace(month=3 * ((first.month - 1) // 3) + 1)
    SalesTarget.objects.bulk_create(
        SalesTarget(team=team, period=TargetPeriod.QUARTER, starts_on=add_months(quarter, 3 * i),
                    amount=50_000_000)
        for team in teams
        for i in range(3)
    )  # fmt: skip
    print(f"  {len(rows):,} account months, targets", flush=True)


def build(kams: int, seed: int = 2026) -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from guanxi.pipeline.stage_rollup import stage_rollup_rebuild

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    rng = np.random.default_rng(seed)
    today = timezone.localdate()
    people, teams = _people(kams)
    accounts = _accounts(people, rng)
    _deals(people, accounts, rng, today)
    stage_rollup_rebuild(progress=True)  # the log went in by COPY, past the services
    _rollups_and_targets(people, teams, accounts, rng, today)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"  built in {time.perf_counter() - t0:.0f} s", flush=True)


def measure(repeat: int, only: str = "") -> int:
    from django.test import Client
    from django.utils import timezone

    from guanxi.core.dates import add_months
    from guanxi.core.models import User
    from guanxi.core.services import api_token_create

    six_back = add_months(timezone.localdate().replace(day=1), -5).isoformat()
    pages = {
        "board": "/pipeline/board/",
        "forecast": "/pipeline/forecast/",
        "forecast, 12 months from 6 back": f"/pipeline/forecast/?start={six_back}&months=12",
        "funnel": "/pipeline/funnel/",
        "win/loss": "/pipeline/win-loss/",
        "API board": "/api/pipeline/board",
        "API forecast": "/api/pipeline/forecast",
        "API forecast, 12 months from 6 back": f"/api/pipeline/forecast?start={six_back}&months=12",
        "API funnel": "/api/pipeline/funnel",
        "Today (with the deal alerts)": "/admin/activities/task/today/",
    }
    users = {u.username: u for u in User.objects.filter(username__in=["kam00", "lead0",
                                                                      "director"])}  # fmt: skip
    print(f"{'page':40} {'user':9} {'status':>6} {'median':>8} {'max':>8} {'÷300ms':>7} {'SQL':>4}")
    over = 0
    for name in ("kam00", "lead0", "director"):
        user = users[name]
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        client.force_login(user)
        _, key = api_token_create(user=user, name="bench-pipeline")
        for label, url in pages.items():
            if only not in label:
                continue
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if label.startswith("API") else {}
            r = time_page(client, url, repeat, headers)
            if "median_ms" not in r:  # a redirect or a refusal, not a page to time
                print(f"{label:40} {name:9} {r['status']:>6}", flush=True)
                continue
            flag = " ✗" if r["median_ms"] > BUDGET_MS else ""
            over += bool(flag)
            print(f"{label:40} {name:9} {r['status']:>6} {r['median_ms']:8.0f} "
                  f"{r['max_ms']:8.0f} {r['median_ms'] / BUDGET_MS:7.2f} "
                  f"{r['queries']:>4}{flag}", flush=True)  # fmt: skip
    print(f"\n{over} over the {BUDGET_MS:.0f} ms budget")
    return over


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kams", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true", help="time the database built before")
    parser.add_argument("--only", default="", help="time only the pages whose name has this")
    args = parser.parse_args()
    _django(create=not args.reuse)
    if not args.reuse:
        print(f"building {args.kams * DEALS_PER_KAM:,} opportunities …", flush=True)
        build(args.kams)
    measure(args.repeat, args.only)


if __name__ == "__main__":
    main()
