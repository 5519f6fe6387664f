"""Benchmark: the lead and selection-score pages at 100,000 accounts, 100,000 leads and 100,000
selection assessments on PostgreSQL (issue 13's budget: under 300 ms server time a page).

    .venv/bin/python benchmarks/leads_pages.py                 # build (once) and time
    .venv/bin/python benchmarks/leads_pages.py --rebuild       # a fresh database

Builds `guanxi_bench_leads` at `BENCH_PG_URL` (default postgres://postgres@127.0.0.1:5432):
50 KAMs in 5 teams with 2,000 accounts each, a team lead per team and a director; a lead per
account (same owner); one assessment per account. Each page is requested once to warm up, then
`--repeat` times through Django's test client (a real session); printed: median and max in ms
and the number of SQL queries, for the director and for a KAM.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = "guanxi_bench_leads"
BUDGET_MS = 300.0
N_ACCOUNTS = 100_000
STEMS = ["华东会展", "锦江国际", "星辰文旅", "金陵饭店", "云栖科技", "天府会议", "海天传媒",
         "长城汽车", "蓝海医药", "东方航空", "南山地产", "远洋物流"]  # fmt: skip


def _setup(rebuild: bool) -> None:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB]).fetchone()
        if exists and rebuild:
            conn.execute(f"DROP DATABASE {DB}")
        if not exists or rebuild:
            conn.execute(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"{PG_BASE}/{DB}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _build() -> None:
    from django.utils import timezone

    from guanxi.accounts.models import Account
    from guanxi.core.models import Role, Team, User
    from guanxi.leads.models import Lead, LeadSource, SelectionAssessment

    if Account.objects.count() >= N_ACCOUNTS:
        return
    rng = random.Random(2026)
    teams = [Team.objects.create(name=f"Team {t}") for t in range(5)]
    User.objects.create_user("director", role=Role.MANAGER, is_staff=True)
    for team in teams:
        User.objects.create_user(f"lead{team.pk}", role=Role.TEAM_LEAD, team=team, is_staff=True)
    kams = [User.objects.create_user(f"kam{i:02d}", role=Role.KAM, team=teams[i % 5],
                                     is_staff=True) for i in range(50)]  # fmt: skip
    accounts = []
    for n in range(N_ACCOUNTS):
        owner = kams[n % 50]
        accounts.append(Account(
            code=f"B{n:06d}", name=f"{rng.choice(STEMS)}{n}有限公司", account_type="corporate",
            owner=owner, team_id=owner.team_id,
            annual_sales=Decimal(rng.randint(1, 10**7)) if n % 3 else None,
        ))  # fmt: skip
    Account.objects.bulk_create(accounts, batch_size=5000)
    sources = list(LeadSource.objects.all())
    ids = list(Account.objects.order_by("id").values_list("id", "owner_id", "owner__team_id"))
    Lead.objects.bulk_create([
        Lead(company=f"{rng.choice(STEMS)}{n}有限公司", person_name=f"联系人{n}",
             mobile=f"139{n:08d}", source=rng.choice(sources), owner_id=owner, team_id=team,
             status=rng.choice(["new", "working", "qualified"]))
        for n, (_pk, owner, team) in enumerate(ids)
    ], batch_size=5000)  # fmt: skip
    now = timezone.now()
    terms = [{"key": "potential", "criterion": 1, "weight": 3, "score": 4, "basis": "given",
              "value": "4", "percentile": None, "among": None}] * 10  # fmt: skip
    SelectionAssessment.objects.bulk_create([
        SelectionAssessment(account_id=pk, assessed_by_id=owner, assessed_at=now,
                            total=Decimal(rng.randint(100, 500)) / 100, terms=terms)
        for pk, owner, _team in ids
    ], batch_size=5000)  # fmt: skip
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _time(client, url: str, repeat: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), max(times), len(queries), response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    _setup(args.rebuild)
    _build()
    from django.test import Client
    from django.urls import reverse

    from guanxi.core.models import User

    pages = {
        "lead list": reverse("admin:leads_lead_changelist"),
        "lead list, search": reverse("admin:leads_lead_changelist") + "?q=锦江国际",
        "lead list, status": reverse("admin:leads_lead_changelist") + "?status=qualified",
        "selection ranking": reverse("admin:leads_selectionassessment_ranking"),
        "duplicates check (API)": "/api/leads/duplicates?company=上海锦江国际1234有限公司"
        "&mobile=13900001234",
        "lead list (API)": "/api/leads?limit=100",
    }
    print(f"{'page':28} {'user':9} {'median':>8} {'max':>8} {'queries':>7}")
    for name in ("director", "kam00"):
        user = User.objects.get(username=name)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        for page, url in pages.items():
            if "(API)" in page:
                from guanxi.core.services import api_token_create

                _token, key = api_token_create(user=user)
                client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {key}"
            median, worst, queries, status = _time(client, url, args.repeat)
            flag = "" if median < BUDGET_MS and status == 200 else f"  <-- {status}"
            print(f"{page:28} {name:9} {median:8.1f} {worst:8.1f} {queries:7}{flag}")


if __name__ == "__main__":
    main()
