"""Benchmark: every page of the demo, its server time and its time to the load event in Chromium.

Run by hand (not a test), from the repository root:

    .venv/bin/python benchmarks/demo_pages.py                 # build a fresh demo, then measure
    .venv/bin/python benchmarks/demo_pages.py --reuse         # measure the demo built last time
    .venv/bin/python benchmarks/demo_pages.py --only 360 --no-browser

Issue 16's budget: every page of the demo under 300 ms server time and under 1 s to the load
event in Chromium on this machine. The demo is `guanxi demo --no-serve` (300 accounts, its
nightly run) in a SQLite file under ``var/bench-demo/`` — the database a new user gets. Pages:
the dashboard, Today, compliance and the 360° page of the KAM's first account as the director
(zhoumin) and the KAM (wangfang); as the admin, every admin list, add form and custom page and
every plain page (the same walk as the language crawl, `tests/page_words.py`).

Server time: Django's test client in this process, one warm-up then ``--repeat`` GETs, the
median. Browser: `guanxi serve` on 127.0.0.1 (one process), Chromium logged in as the user, one
warm-up load then the median of ``--repeat`` loads of ``loadEventEnd - startTime``
(Navigation Timing). Printed per page: both medians, their ratios to the budgets, ✗ over it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "var" / "bench-demo"
SERVER_BUDGET_MS = 300.0
LOAD_BUDGET_MS = 1000.0
PASSWORD = "guanxi-demo-2026"
PORT = 8177


def _environment() -> dict[str, str]:
    env = dict(os.environ, GUANXI_DATA_DIR=str(DATA), PYTHONPATH=str(ROOT))
    env.pop("DATABASE_URL", None)
    return env


def build() -> None:
    DATA.mkdir(parents=True, exist_ok=True)
    (DATA / "guanxi.sqlite3").unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "guanxi.cli", "demo", "--no-serve"], check=True,
                   env=_environment(), cwd=ROOT, stdout=subprocess.DEVNULL)  # fmt: skip
    print(f"demo built in {time.perf_counter() - started:.0f} s")


def pages() -> list[tuple[str, str]]:
    """(username, url) of every page measured."""
    sys.path.insert(0, str(ROOT))
    from django.urls import reverse

    from guanxi.accounts.models import Account
    from guanxi.core.models import User
    from tests.page_words import admin_urls, plain_urls

    result = []
    for username in ("zhoumin", "wangfang"):
        user = User.objects.get(username=username)
        account = Account.objects.filter(owner__username="wangfang").order_by("pk").first()
        for name, args in (("admin:index", ()), ("admin:activities_task_today", ()),
                           ("admin:activities_task_compliance", ()),
                           ("admin:accounts_account_view_360", (account.pk,))):  # fmt: skip
            result.append((user.username, reverse(name, args=args)))
    account = Account.objects.order_by("pk").first()
    admin_user = User.objects.filter(is_superuser=True).order_by("pk").first()
    for url in dict.fromkeys([*admin_urls(account), *plain_urls()]):
        result.append((admin_user.username, url))
    return result


def server_times(
    targets: list[tuple[str, str]], repeat: int
) -> tuple[dict[tuple[str, str], float], list[tuple[str, str]]]:
    """The median server time of every page that answers 200, and those that are HTML pages
    (a download or a JSON answer has no load event to measure)."""
    from django.test import Client

    from guanxi.core.models import User

    clients: dict[str, Client] = {}
    times = {}
    html = []
    for username, url in targets:
        if username not in clients:
            clients[username] = Client(raise_request_exception=False)
            clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        first = client.get(url)
        if first.status_code != 200:
            continue
        if "text/html" in first.get("Content-Type", ""):
            html.append((username, url))
        runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            client.get(url)
            runs.append((time.perf_counter() - started) * 1000)
        times[(username, url)] = statistics.median(runs)
    return times, html


def load_times(targets: list[tuple[str, str]], repeat: int) -> dict[tuple[str, str], float]:
    from playwright.sync_api import sync_playwright

    server = subprocess.Popen(
        [sys.executable, "-m", "guanxi.cli", "serve", "--addr", f"127.0.0.1:{PORT}",
         "--processes", "1"],
        env=_environment(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{PORT}"
    times: dict[tuple[str, str], float] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync"])  # fmt: skip
            pages_of: dict[str, object] = {}
            for username, url in targets:
                if username not in pages_of:
                    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
                    _wait_for(page, base)
                    page.goto(f"{base}/admin/login/")
                    page.fill("input[name=username]", username)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_load_state("load")
                    pages_of[username] = page
                page = pages_of[username]
                runs = []
                for n in range(repeat + 1):
                    response = page.goto(base + url, wait_until="load")
                    if response is None or response.status != 200:
                        break
                    spent = page.evaluate(
                        "() => { const n = performance.getEntriesByType('navigation')[0];"
                        " return n.loadEventEnd - n.startTime; }"
                    )
                    if n:  # the first load warms the caches
                        runs.append(spent)
                if runs:
                    times[(username, url)] = statistics.median(runs)
            browser.close()
    finally:
        server.terminate()
        server.wait(10)
    return times


def _wait_for(page: object, base: str) -> None:
    for _ in range(60):
        try:
            page.goto(f"{base}/admin/login/")  # type: ignore[attr-defined]
            return
        except Exception:  # noqa: BLE001 — the server is still starting
            time.sleep(1)
    raise SystemExit("guanxi serve did not answer")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reuse", action="store_true", help="measure the demo built last time")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", default="", help="only URLs containing this text")
    parser.add_argument("--no-browser", action="store_true", help="server time only")
    args = parser.parse_args()
    if not args.reuse or not (DATA / "guanxi.sqlite3").exists():
        build()
    os.environ.update(_environment())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    targets = [t for t in pages() if args.only in t[1]]
    server, html = server_times(targets, args.repeat)
    loads = {} if args.no_browser else load_times(html, args.repeat)
    print(f"{len(server)} pages; budgets {SERVER_BUDGET_MS:.0f} ms server, "
          f"{LOAD_BUDGET_MS:.0f} ms to the load event")  # fmt: skip
    print(f"{'page':<64} {'user':<9} {'server':>7} {'÷300':>5} {'load':>7} {'÷1000':>6}")
    over = 0
    for (username, url), ms in sorted(server.items(), key=lambda kv: -kv[1]):
        load = loads.get((username, url))
        bad = ms > SERVER_BUDGET_MS or (load is not None and load > LOAD_BUDGET_MS)
        over += bad
        shown = f"{load:7.0f} {load / LOAD_BUDGET_MS:6.2f}" if load is not None else f"{'—':>14}"
        print(f"{url[:64]:<64} {username:<9} {ms:7.0f} {ms / SERVER_BUDGET_MS:5.2f} {shown}"
              f"{' ✗' if bad else ''}")  # fmt: skip
    print(f"{over} of {len(server)} pages over a budget")
    return 0


if __name__ == "__main__":
    sys.exit(main())
