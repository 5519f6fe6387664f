"""Benchmark: the home dashboard's server time at 100,000 accounts and 10M transactions.

    .venv/bin/python benchmarks/dashboard.py --store      # the nightly step once (writes)
    .venv/bin/python benchmarks/dashboard.py              # the pages (rolled back)
    .venv/bin/python benchmarks/dashboard.py --code /tmp/before   # another checkout's code

For the director, a team lead and the KAM with the most accounts: ``compute`` — every figure of
the viewer's scope computed once (what the nightly step does per scope, and what the first page
of the day does when the night stored none); ``page`` — the whole home page through Django's
test client, median of ``--repeat`` after one warm-up, with its SQL count.

``--store`` runs only the nightly step `dashboard_snapshots` (recorded as a job run, committed)
and prints its time and scopes. Without it everything runs in one transaction that is rolled
back: the database is left as it was (the login's session row and, on a database without a
team lead, the lead made for the run: ``bench_lead``, leading the team of the busiest KAM).
Scopes the night has not stored are stored inside that transaction first, as the night would
(the code before issue 16 stored the director's and the team leads' charts only; its KAMs and
the figures besides the charts were computed on every request).

``--code DIR`` imports Guanxi from another checkout (e.g. ``git archive main`` unpacked), to
time the code before a change on the same database.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _ms(fn, repeat: int) -> tuple[float, object]:
    result = fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


def _lead(kam):
    """A team lead of the busiest KAM's team: the database's own, else one made for the run."""
    from guanxi.core.models import Role, User

    lead = User.objects.filter(role=Role.TEAM_LEAD, team=kam.team, is_active=True).first()
    if lead is None:
        lead = User.objects.create_user(
            "bench_lead", password="x", role=Role.TEAM_LEAD, team=kam.team, is_staff=True
        )
    return lead


def _store_as_the_night(user, today) -> float | None:
    """Store ``user``'s scope if the night has not: ms it took (0 when it was there, None when
    the code stores no scope of theirs: their page computes every figure)."""
    from guanxi.accounts.selectors import accounts_visible_to
    from guanxi.core.models import StoredSnapshot
    from guanxi.workspace import snapshots

    start = time.perf_counter()
    if hasattr(snapshots, "dashboard_figures"):  # issue 16: every scope, every figure
        scope = snapshots.scope_of(user)
        fresh = StoredSnapshot.objects.filter(
            name=snapshots.NAME, scope=scope, as_of=today, data__version=snapshots.VERSION
        )
        if fresh.exists():
            return 0.0
        snapshots.dashboard_figures(user, today=today)
    else:  # before: the charts of the director's and the team leads' scopes
        scope = snapshots.scope_of(user)
        if scope is None:
            return None
        data = snapshots.charts_compute(accounts_visible_to(user), today)
        StoredSnapshot.objects.update_or_create(
            name=snapshots.NAME, scope=scope, defaults={"as_of": today, "data": data}
        )
    return (time.perf_counter() - start) * 1000


def _page(user, repeat: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    page, response = _ms(lambda: client.get("/admin/"), repeat)
    with CaptureQueriesContext(connection) as ctx:
        client.get("/admin/")
    return page, len(ctx.captured_queries), response.status_code


def _store_step() -> None:
    from django.utils import timezone

    from guanxi.core.jobs import job_record
    from guanxi.workspace.tasks import dashboard_snapshots_job

    start = time.perf_counter()
    summary = job_record("dashboard_snapshots", dashboard_snapshots_job, as_of=timezone.localdate())
    print(f"dashboard_snapshots: {time.perf_counter() - start:.1f} s, {summary}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--store", action="store_true", help="run the nightly step (writes)")
    parser.add_argument("--code", type=Path, help="import Guanxi from this checkout")
    args = parser.parse_args()
    # The checkout's own pages.py: its _setup puts that checkout first on the path.
    sys.path.insert(0, str(args.code.resolve() / "benchmarks" if args.code else HERE))
    from pages import PG_BASE, _setup, _users

    _setup(args.database_url or f"{PG_BASE}/guanxi_bench_nightly")
    import guanxi

    print(f"code: {Path(guanxi.__file__).parent.parent}")
    if args.store:
        _store_step()
        return
    from django.contrib.auth.models import update_last_login
    from django.contrib.auth.signals import user_logged_in
    from django.db import transaction
    from django.utils import timezone

    # A login writes the user's last_login; held to the end of the run, that row lock would
    # block (or deadlock) another benchmark logging in the same user on the shared database.
    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
    today = timezone.localdate()
    with transaction.atomic():
        users = _users()
        director, kam = users["director"], next(u for k, u in users.items() if k != "director")
        viewers = {"director": director, "team lead": _lead(kam), f"KAM {kam.username}": kam}
        for label, user in viewers.items():
            stored = _store_as_the_night(user, today)
            page, queries, status = _page(user, args.repeat)
            note = (
                "nothing stored: computed per request" if stored is None
                else f"stored now {stored:7.0f} ms" if stored else "stored by the night"
            )  # fmt: skip
            print(f"{label:>16}: page {page:6.0f} ms ({queries} queries, {status})   {note}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
