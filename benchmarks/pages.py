"""Benchmark: every page and API list's server time at 100,000 accounts and 10M transactions.

Run by hand on the database `nightly_tiering.py --runs 0` builds (not a test):

    .venv/bin/python benchmarks/pages.py                          # every page, 5 timed GETs each
    .venv/bin/python benchmarks/pages.py --only today --repeat 10 # pages whose name matches
    .venv/bin/python benchmarks/pages.py --save after.json --baseline before.json

Issue 12's budget: every page and API call under 300 ms server time, for the director and for
the KAM with the most accounts. Each page is requested once to warm up, then ``--repeat`` times
through Django's test client in this process (a real session: ``force_login``; the API with a
bearer token); the time is the client call's wall time, i.e. the server's work without a
network. Printed per page and user: median and max in ms, the ratio of the median to the
budget, the response size and the number of SQL queries; with ``--baseline`` (a file an earlier
run saved with ``--save``) the ratio of the median to the baseline's median too.

Pages: the dashboard, every registered admin list, the admin's own pages without arguments
(Today, compliance, the attendance sheet, the tier migration matrix, upload forms …), the plain
pages (`PLAIN_PAGES`: the pipeline's, renewals, the warning lights and the loyalty matrix), the
account list's heavy variants (sorted by CLV, filtered, searched), and for the KAM's busiest
account its form, 360° page, relationship map, assessment form and merge preview with the
second busiest (a dry run, for the director: a KAM may not merge); API: every GET operation of
the OpenAPI that needs no path argument or only an account id.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
BUDGET_MS = 300.0


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _users():
    """The director (a manager who sees every account) and the KAM who owns the most accounts."""
    from django.db.models import Count

    from guanxi.core.models import Role, User

    director = User.objects.filter(role=Role.MANAGER).order_by("id").first()
    kam = (
        User.objects.filter(role=Role.KAM)
        .annotate(n=Count("owned_accounts"))
        .order_by("-n", "id")
        .first()
    )
    return {"director": director, f"kam ({kam.username})": kam}


def _busiest_accounts(kam, n: int = 2) -> list[int]:
    """The ids of the KAM's ``n`` accounts with the most transactions, busiest first."""
    from django.db.models import Count

    from guanxi.accounts.models import Account

    return list(
        Account.objects.filter(owner=kam)
        .annotate(n=Count("transactions"))
        .order_by("-n", "id")
        .values_list("id", flat=True)[:n]
    )


def _admin_pages() -> dict[str, str]:
    """Every admin list, and every admin page that takes no argument (GET)."""
    from django.contrib import admin
    from django.urls import NoReverseMatch, reverse

    pages = {"dashboard": reverse("admin:index")}
    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        pages[f"{meta.app_label}.{meta.model_name} list"] = reverse(
            f"admin:{meta.app_label}_{meta.model_name}_changelist"
        )
        for pattern in model_admin.get_urls():
            name = getattr(pattern, "name", None)
            if not name or name.endswith(("_changelist", "_add", "_autocomplete")):
                continue
            try:
                url = reverse(f"admin:{name}")
            except NoReverseMatch:
                continue  # needs an argument
            pages[name.replace(f"{meta.app_label}_{meta.model_name}_", f"{meta.model_name} ")] = url
    return pages


#: The plain pages (outside the admin's registry) that take no argument.
PLAIN_PAGES = ("pipeline_board", "pipeline_funnel", "pipeline_forecast", "pipeline_win_loss",
               "agreements_renewals", "loyalty_lights", "loyalty_lights_export",
               "loyalty_matrix", "reports_distribution")  # fmt: skip


def _plain_pages() -> dict[str, str]:
    from django.urls import reverse

    return {name: reverse(name) for name in PLAIN_PAGES}


def _account_pages(account_id: int, second_id: int) -> dict[str, str]:
    """The account list's variants and the pages of one account (the KAM's busiest); the merge
    preview (a dry run: every row moved and rolled back) of it with the second busiest."""
    from django.urls import reverse

    base = reverse("admin:accounts_account_changelist")
    return {
        "account list by CLV": f"{base}?{_clv_sort()}",
        "account list filtered": f"{base}?account_type__exact=corporate",
        "account list search name": f"{base}?q=%E5%AE%A2%E6%88%B7123",  # 客户123
        "account list search contact": f"{base}?q=%E8%81%94%E7%B3%BB%E4%BA%BA4567",  # 联系人4567
        "account form": reverse("admin:accounts_account_change", args=(account_id,)),
        "account 360": reverse("admin:accounts_account_view_360", args=(account_id,)),
        "relationship map": reverse(
            "admin:relationships_buyingcentremember_map", args=(account_id,)
        ),
        "assessment form": reverse("admin:assessments_assessment_fill", args=(account_id,)),
        "merge preview": reverse("merge_accounts", args=(account_id, second_id)),
    }


def _clv_sort() -> str:
    """The account list's ``o=`` parameter that sorts by CLV, descending."""
    from guanxi.workspace.admin_list import COLUMNS, DEFAULT_COLUMNS

    # The changelist counts the action checkbox as column 0 (the list has actions); the name
    # leads, then the default columns (a user's own choice of columns moves the numbers).
    columns = ["action_checkbox", "name_link", *(COLUMNS[key] for key in DEFAULT_COLUMNS)]
    for i, column in enumerate(columns):
        if "clv" in str(column):
            return f"o=-{i}"
    return "o=-1"


def _api_pages(account_id: int) -> dict[str, str]:
    from guanxi.api import api

    schema = api.get_openapi_schema()
    pages = {}
    for path, operations in schema["paths"].items():
        if "get" not in operations:
            continue
        params = re.findall(r"{(\w+)}", path)
        if params and params != ["account_id"]:
            continue
        pages[f"API {path}"] = path.replace("{account_id}", str(account_id))
    return pages


def time_page(client, url: str, repeat: int, headers: dict) -> dict:
    """Median and max server time of ``url`` after a warm-up, its size and SQL count (the other
    page benchmarks use it too)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    response = client.get(url, **headers)  # warm-up
    if response.status_code in (302, 403, 405):
        return {"status": response.status_code}  # an action or a redirect, not a page to time
    times = []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            response = client.get(url, **headers)
            times.append((time.perf_counter() - t0) * 1000)
    size = len(response.content) if not response.streaming else 0
    return {
        "status": response.status_code,
        "median_ms": statistics.median(times),
        "max_ms": max(times),
        "kb": size / 1024,
        "queries": len(queries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database-url", default=f"{PG_BASE}/guanxi_bench_nightly")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--only", default="", help="regular expression on the page name")
    parser.add_argument("--save", help="write the results to this JSON file")
    parser.add_argument("--baseline", help="a JSON file saved by an earlier run")
    parser.add_argument("--language", default="zh-hans")
    args = parser.parse_args()

    _setup(args.database_url)
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the 403s of actions
    from django.test import Client

    from guanxi.core.services import api_token_create

    baseline = json.loads(Path(args.baseline).read_text()) if args.baseline else {}
    users = _users()
    kam = list(users.values())[1]
    account_id, second_id = _busiest_accounts(kam)
    pages = {**_admin_pages(), **_plain_pages(), **_account_pages(account_id, second_id),
             **_api_pages(account_id)}  # fmt: skip
    only = re.compile(args.only) if args.only else None
    results: dict[str, dict] = {}
    print(f"{len(pages)} pages; account #{account_id}; budget {BUDGET_MS:.0f} ms; "
          f"{args.repeat} timed GETs each after a warm-up")  # fmt: skip
    print(f"{'page':52} {'user':14} {'status':>6} {'median':>8} {'max':>8} {'÷300ms':>7} "
          f"{'KB':>7} {'SQL':>4} {'÷base':>6}")  # fmt: skip
    over = 0
    for label, user in users.items():
        client = Client(HTTP_ACCEPT_LANGUAGE=args.language)
        client.force_login(user)
        _, key = api_token_create(user=user, name="bench-pages")
        for name, url in pages.items():
            if only and not only.search(name):
                continue
            headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if name.startswith("API") else {}
            r = time_page(client, url, args.repeat, headers)
            if "median_ms" not in r:
                continue
            key_name = f"{name} | {label.split()[0]}"
            results[key_name] = {**r, "url": url}
            base = baseline.get(key_name, {}).get("median_ms")
            ratio = f"{r['median_ms'] / base:6.2f}" if base else "     —"
            flag = " ✗" if r["median_ms"] > BUDGET_MS else ""
            over += bool(flag)
            print(f"{name[:52]:52} {label[:14]:14} {r['status']:>6} {r['median_ms']:8.0f} "
                  f"{r['max_ms']:8.0f} {r['median_ms'] / BUDGET_MS:7.2f} {r['kb']:7.0f} "
                  f"{r['queries']:>4} {ratio}{flag}", flush=True)  # fmt: skip
    print(f"\n{over} of {len(results)} over the {BUDGET_MS:.0f} ms budget")
    if args.save:
        Path(args.save).write_text(json.dumps(results, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
