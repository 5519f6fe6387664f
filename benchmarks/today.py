"""Benchmark: the Today page and `/api/activities/today` for the heaviest KAM, a team lead and
the director, with where the time goes. Run by hand on a built benchmark database (not a test):

    .venv/bin/python benchmarks/today.py                                   # guanxi_bench_nightly
    .venv/bin/python benchmarks/today.py --database-url postgres://…/other --explain 3

Everything runs inside one transaction that is rolled back at the end, so the database is left
as it was (the page writes a session and, for one's own day, the calendar feed's token; the API
needs a token; a benchmark database without a team lead gets one, owning nothing, for the run).

Per user: a warm-up GET, then ``--repeat`` timed GETs through Django's test client (the
median and max wall time of the call: the server's work without a network), the response's
size and its SQL count; then the agenda alone (`workspace.today.agenda`) and the template's
render alone, each the median of ``--repeat``; the slowest queries of the last page request,
each with its EXPLAIN ANALYZE with ``--explain N``. On a shared machine the wall times follow
the load average (printed at the end); the CPU time of this process (Python's share of a
request, not the database's) moves much less with it, so compare before and after on that.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time

from pages import _setup  # the scripts beside it: Django set up the same way

#: The median CPU time (this process: Python, not the database) of each timed URL, in order.
CPU: list[float] = []
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def _users() -> dict:
    """The KAM who owns the most accounts, a team lead (of that KAM's team; one is made for the
    run when the database has none) and the director (the first manager)."""
    from django.db.models import Count

    from guanxi.core.models import Role, User

    kam = (
        User.objects.filter(role=Role.KAM)
        .annotate(n=Count("owned_accounts"))
        .order_by("-n", "id")
        .first()
    )
    lead = User.objects.filter(role=Role.TEAM_LEAD, team=kam.team).order_by("id").first()
    if lead is None:
        lead = User.objects.create_user("bench-lead", role=Role.TEAM_LEAD, team=kam.team,
                                        is_staff=True)  # fmt: skip
    director = User.objects.filter(role=Role.MANAGER).order_by("id").first()
    return {f"kam {kam.username}": kam, f"lead {lead.username}": lead, "director": director}


class _RenderClock:
    """Wall time spent rendering one template (its includes inside it)."""

    def __init__(self, name: str) -> None:
        from django.template.backends.django import Template

        self.name, self.times, self._real = name, [], Template.render
        clock = self

        def render(template, context=None, request=None):
            if template.template.name != clock.name:
                return clock._real(template, context, request)
            t0 = time.perf_counter()
            try:
                return clock._real(template, context, request)
            finally:
                clock.times.append((time.perf_counter() - t0) * 1000)

        Template.render = render


def _median(times: list[float]) -> str:
    return f"{statistics.median(times):6.0f} (max {max(times):4.0f})"


def _time_get(client, url: str, repeat: int, headers: dict) -> tuple[list[float], object, list]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, **headers)  # warm-up
    times, cpu = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            t0, c0 = time.perf_counter(), time.process_time()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - t0) * 1000)
            cpu.append((time.process_time() - c0) * 1000)
    assert response.status_code == 200, (url, response.status_code)
    CPU.append(statistics.median(cpu))
    return times, response, list(queries.captured_queries)


def _short(text: str, n: int) -> str:
    """``text`` with its long id lists cut (a KAM's 2,000 account ids), at most ``n`` chars."""
    text = re.sub(r"\{(\d+,){8,}[\d,]*\}", "{…ids…}", text)
    text = re.sub(r"\((\d+, ){8,}[\d, ]*\)", "(…ids…)", text)
    return text if len(text) <= n else text[: n - 1] + "…"


def _explain(queries: list, n: int) -> None:
    from django.db import connection

    slow = sorted(queries, key=lambda q: -float(q["time"]))[:n]
    for q in slow:
        print(f"    {float(q['time']) * 1000:6.1f} ms  {_short(q['sql'], 400)}")
        if not q["sql"].lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {q['sql']}")
            for (line,) in cursor.fetchall()[:30]:
                print(f"        {_short(line, 160)}")


def _run(users: dict, repeat: int, explain: int, language: str) -> None:
    from django.test import Client
    from django.urls import reverse

    from guanxi.core.services import api_token_create
    from guanxi.workspace.today import agenda

    page_clock = _RenderClock("admin/activities/task/today.html")
    url = reverse("admin:activities_task_today")
    for label, user in users.items():
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        client.force_login(user)
        _, key = api_token_create(user=user, name="bench-today")
        page_clock.times.clear()
        times, response, queries = _time_get(client, url, repeat, {})
        render = list(page_clock.times[1:])
        size = len(response.content) / 1024
        print(f"{label:22} page  {_median(times)} ms  {size:5.0f} KB  {len(queries):3} SQL  "
              f"(render {_median(render)} ms; CPU {CPU[-1]:4.0f} ms)")  # fmt: skip
        api_times, api_response, api_queries = _time_get(
            client, "/api/activities/today", repeat, {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        )
        print(f"{'':22} API   {_median(api_times)} ms  {len(api_response.content) / 1024:5.0f} "
              f"KB  {len(api_queries):3} SQL  (CPU {CPU[-1]:4.0f} ms)")  # fmt: skip
        alone = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            agenda(user=user)
            alone.append((time.perf_counter() - t0) * 1000)
        print(f"{'':22} agenda() alone {_median(alone)} ms")
        if explain:
            _explain(queries, explain)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=f"{PG_BASE}/guanxi_bench_nightly")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN ANALYZE the N slowest")
    parser.add_argument("--language", default="zh-hans")
    parser.add_argument("--only", default="", help="users whose label matches (kam, lead, …)")
    args = parser.parse_args()
    _setup(args.database_url)
    from django.db import transaction

    with transaction.atomic():
        users = {k: v for k, v in _users().items() if re.search(args.only, k)}
        _run(users, args.repeat, args.explain, args.language)
        transaction.set_rollback(True)  # leave the benchmark database as it was
    print(f"load: {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


if __name__ == "__main__":
    main()
