"""Benchmark: the warning lights and the loyalty matrix (the nightly steps `warning_lights` and
`loyalty_matrix`) on 100,000 accounts in PostgreSQL. Run by hand, not a test:

    .venv/bin/python benchmarks/lights.py          # on the nightly benchmark's database
    .venv/bin/python benchmarks/lights.py --keep   # keep its rows, then time the pages:
    .venv/bin/python benchmarks/pages.py --only "loyalty|service|survey|lights|cases"

Target (issue 15): light evaluation for 100,000 accounts under 30 s.

It reuses the database `nightly_tiering.py` builds (`guanxi_bench_nightly` at BENCH_PG_URL:
100,000 accounts, 10,000,000 transactions with their month rollups, one contact and two
touchpoints per account, one analysis run) and never rebuilds it. It migrates it first (the
database may predate the service, surveys and loyalty tables; not timed). Then, inside ONE
transaction that is rolled back at the end (the shared database is left as it was, migrations
apart), it adds synthetic data the rules read — not timed:

- a previous analysis run: the latest run's scores copied, P(alive) of every 10th account
  doubled (so its light turns on: "P(alive) halved");
- champions: every 5th contact sits on its account's buying centre as a champion, every 100th
  contact has left;
- complaints: one per 10th account, opened over the last 60 days, every other one still open
  with its resolution due three days after opening (so some are past their SLA);
- NPS answers: two in five accounts answered in the last year (scores 0–10), one in ten a CSAT.

(It also fills the champions' stored relationship health, the nightly step `relationship_health`
that a KAM's Today page reads, timed but not in the target.)

Then it times, each on its own: the first evaluation of every light rule (raising every light:
bulk inserts with their history rows), a second one on unchanged data (must raise and clear
nothing), and the loyalty matrix for every account.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DBNAME = "guanxi_bench_nightly"
AS_OF = dt.date(2026, 11, 20)
TARGET_SECONDS = 30


class Rollback(Exception):
    """Raised at the end to undo the synthetic rows."""


def _django() -> None:
    os.environ["DATABASE_URL"] = f"{PG_BASE}/{DBNAME}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _migrate() -> float:
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    return time.perf_counter() - t0


def _previous_run() -> None:
    """A run a week before the latest, its scores those of the latest with every 10th account's
    P(alive) doubled (capped at 1)."""
    from django.db import connection

    from guanxi.insights.models import AccountScore, AnalysisRun, RunStatus
    from guanxi.insights.selectors import latest_run

    latest = latest_run()
    before = AnalysisRun.objects.create(
        status=RunStatus.SUCCEEDED, observation_end=latest.observation_end - dt.timedelta(days=7)
    )
    columns = [f.column for f in AccountScore._meta.concrete_fields if f.column != "id"]
    select = []
    for c in columns:
        if c == "run_id":
            select.append("%s")
        elif c == "p_alive":
            select.append("CASE WHEN account_id %% 10 = 0 THEN LEAST(1.0, p_alive * 2 + 0.1) "
                          "ELSE p_alive END")  # fmt: skip
        else:
            select.append(f'"{c}"')
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO insights_accountscore ({names}) SELECT {', '.join(select)} "
            "FROM insights_accountscore WHERE run_id = %s",
            [before.pk, latest.pk],
        )


def _champions() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO relationships_buyingcentremember (account_id, contact_id, buying_roles,"
            " stance, influence, rising_star, notes) SELECT account_id, id, '[]'::jsonb,"
            " 'champion', 4, false, '' FROM contacts_contact WHERE id % 5 = 0"
        )
        cursor.execute("UPDATE contacts_contact SET is_active = false WHERE id % 100 = 0")


def _complaints(rng: np.random.Generator, account_ids: np.ndarray) -> int:
    from django.utils import timezone

    from guanxi.accounts.models import Account
    from guanxi.core.dates import local_midnight
    from guanxi.service.models import Case

    chosen = account_ids[::10]
    owners = dict(Account.objects.filter(pk__in=chosen.tolist()).values_list("pk", "owner_id"))
    end = local_midnight(AS_OF) + dt.timedelta(hours=12)
    rows = []
    for n, account_id in enumerate(chosen.tolist()):
        opened = end - dt.timedelta(hours=int(rng.integers(1, 60 * 24)))
        still_open = n % 2 == 0
        rows.append(
            Case(
                account_id=account_id,
                kind="complaint",
                subject="bench",
                owner_id=owners[account_id],
                opened_at=opened,
                resolution_due_at=opened + dt.timedelta(days=3),
                status="in_progress" if still_open else "resolved",
                resolved_at=None if still_open else opened + dt.timedelta(days=1),
            )
        )
    Case.objects.bulk_create(rows, batch_size=5000)
    assert timezone.is_aware(end)
    return len(rows)


def _answers(rng: np.random.Generator, account_ids: np.ndarray) -> int:
    from guanxi.core.dates import local_midnight
    from guanxi.surveys.models import SurveyResponse, SurveyTemplate

    nps = SurveyTemplate.objects.filter(kind="nps").order_by("pk").first()
    csat = SurveyTemplate.objects.filter(kind="csat").order_by("pk").first()
    end = local_midnight(AS_OF)
    rows = []
    for account_id in account_ids.tolist():
        r = account_id % 10
        if r < 4:
            rows.append(SurveyResponse(
                template=nps, account_id=account_id, nps_score=int(rng.integers(0, 11)),
                answered_at=end - dt.timedelta(hours=int(rng.integers(1, 365 * 24))),
            ))  # fmt: skip
        elif r == 4:
            rows.append(SurveyResponse(
                template=csat, account_id=account_id, csat_score=int(rng.integers(1, 6)),
                answered_at=end - dt.timedelta(hours=int(rng.integers(1, 365 * 24))),
            ))  # fmt: skip
    SurveyResponse.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def _synthesize() -> dict:
    from django.db import connection

    from guanxi.accounts.models import Account

    rng = np.random.default_rng(2026)
    account_ids = np.array(Account.objects.order_by("pk").values_list("pk", flat=True))
    _previous_run()
    _champions()
    cases = _complaints(rng, account_ids)
    answers = _answers(rng, account_ids)
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE insights_accountscore; ANALYZE relationships_buyingcentremember;"
            " ANALYZE contacts_contact; ANALYZE service_case; ANALYZE surveys_surveyresponse"
        )
    return {"accounts": len(account_ids), "cases": cases, "answers": answers}


def _timed(label: str, fn, **kwargs) -> tuple[float, dict]:
    t0 = time.perf_counter()
    summary = fn(**kwargs)
    seconds = time.perf_counter() - t0
    print(f"{label}: {seconds:.2f} s", flush=True)
    return seconds, summary


def run(*, keep: bool = False) -> dict:
    from django.db import transaction

    from guanxi.loyalty.lights import lights_evaluate
    from guanxi.loyalty.matrix import loyalty_matrix_refresh
    from guanxi.relationships.tasks import relationship_health_job

    result: dict = {}
    try:
        with transaction.atomic():
            t0 = time.perf_counter()
            result["data"] = _synthesize()
            print(f"synthetic data: {result['data']} ({time.perf_counter() - t0:.1f} s, "
                  "not timed)", flush=True)  # fmt: skip
            first, summary = _timed("lights, first evaluation", lights_evaluate, as_of=AS_OF)
            result["first"] = first
            result["raised"] = summary["raised"]
            result["per_rule"] = {
                k: (v["raised"], v["seconds_read"], v["seconds_write"])
                for k, v in summary["rules"].items()
            }
            result["red"], result["yellow"] = summary["red"], summary["yellow"]
            second, again = _timed("lights, second evaluation", lights_evaluate, as_of=AS_OF)
            result["second"] = second
            result["second_changes"] = again["raised"] + again["cleared"]
            result["second_rules"] = {
                k: (v["updated"], v["seconds_read"], v["seconds_write"])
                for k, v in again["rules"].items()
            }
            matrix, cells = _timed("loyalty matrix", loyalty_matrix_refresh, as_of=AS_OF)
            result["matrix"] = matrix
            result["cells"] = cells["cells"]
            # The champions seated above: their stored score and risks (Today reads them).
            result["health"], _summary = _timed(
                "relationship health (nightly step)", relationship_health_job, as_of=AS_OF
            )
            if not keep:
                raise Rollback
    except Rollback:
        pass
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the synthetic cases, answers and lights (to time the pages on them with "
        "benchmarks/pages.py); run it once per built database",
    )
    args = parser.parse_args()
    _django()
    print(f"migrate: {_migrate():.1f} s (not timed)", flush=True)
    result = run(keep=args.keep)
    print(f"per rule, first (raised, read s, write s): {result['per_rule']}")
    print(f"per rule, second (updated, read s, write s): {result['second_rules']}")
    print(f"lit: {result['red']} red, {result['yellow']} yellow; cells: {result['cells']}")
    total = result["first"] + result["matrix"]
    print(
        f"\nfirst evaluation {result['first']:.1f} s + loyalty matrix {result['matrix']:.1f} s ="
        f" {total:.1f} s (target < {TARGET_SECONDS} s); unchanged re-run {result['second']:.1f}"
        f" s with {result['second_changes']} changes (must be 0)"
    )
    ok = total < TARGET_SECONDS and result["second_changes"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
