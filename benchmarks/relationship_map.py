"""Benchmark: the relationship map of an account with 200 people. Run by hand, not a test:

    .venv/bin/python benchmarks/relationship_map.py                 # PostgreSQL, build + measure
    .venv/bin/python benchmarks/relationship_map.py --db sqlite     # a fresh SQLite file
    .venv/bin/python benchmarks/relationship_map.py --reuse         # keep the built database
    .venv/bin/python benchmarks/relationship_map.py --demo          # the default demo, SQLite
    .venv/bin/python benchmarks/relationship_map.py --demo-dir DIR  # a demo already built in DIR

Target (issue 5): the map page of an account with 200 contacts renders in under 1 s. The script
builds a fresh database (`guanxi_bench_map` at BENCH_PG_URL, default
postgres://postgres@127.0.0.1:5432, or a SQLite file under --workdir): one KAM, the account with
200 contacts in a five-level reporting tree (1 general manager → 4 vice presidents → 12
directors → 48 managers → 135 staff), all on the buying centre with roles, attitudes, influence,
a few rising stars, leavers and named relationship owners, a stage reached by 80 of them, 600
touchpoints each involving one to three people, the organisation relationship, and 20 other
accounts with a buying centre of their own (so the queries are not on an empty table). Setup
is not timed.

Then, in a fresh subprocess: the buying-centre read + coverage score + SVG render (the map
alone) and the map page GET through the Django test client as the logged-in KAM, each once cold
and then `--repeat` times; it prints the times (median and worst), the number of queries, the
SVG size and the ratio against the 1 s target.

`--demo` measures the demo instead (issue 5 asks for it on the demo data): it builds the default
demo into a temporary data directory (`GUANXI_DATA_DIR=<tmp> guanxi demo --no-serve`, SQLite,
~20 s, not timed, deleted afterwards), then the measuring subprocess, with the same
GUANXI_DATA_DIR, takes the account with the most buying-centre seats (华彩医药集团股份有限公司:
200 contacts + 2 external people; at least 200 is asserted) and logs in as its owner.
`--demo-dir DIR` skips the build and measures a demo already built in DIR (kept as is).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DBNAME = "guanxi_bench_map"
FAN_OUT = (4, 3, 4, 3)  # reports per person at each level: 1 + 4 + 12 + 48 + 144 → cut at 200
PEOPLE = 200
TARGET_S = 1.0


def _django(args: argparse.Namespace, create: bool) -> None:
    if args.demo_dir:
        # The demo's own database: SQLite under GUANXI_DATA_DIR (see guanxi/settings.py).
        os.environ.pop("DATABASE_URL", None)
        os.environ["GUANXI_DATA_DIR"] = str(Path(args.demo_dir).resolve())
    elif args.db == "postgres":
        if create:
            import psycopg

            with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{DBNAME}"')
                conn.execute(f'CREATE DATABASE "{DBNAME}"')
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{DBNAME}"
    else:
        path = Path(args.workdir) / "bench_map.sqlite3"
        if create and path.exists():
            path.unlink()
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    os.environ.setdefault("HUEY_IMMEDIATE", "1")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# -- setup -------------------------------------------------------------------------------------
def build(seed: int = 2026) -> None:
    import random

    from django.core.management import call_command
    from django.utils import timezone

    from guanxi.accounts.models import Account, AccountType
    from guanxi.contacts.models import Contact
    from guanxi.core.models import Role, Team, User
    from guanxi.relationships.models import (
        AccountRelationship,
        BuyingCentreMember,
        BuyingRole,
        RelationshipStage,
        RelationshipStageEvent,
        StanceToUs,
    )
    from guanxi.touchpoints.models import Touchpoint, TouchpointKind

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    rnd = random.Random(seed)
    team = Team.objects.create(name="Bench")
    kam = User.objects.create_user("kam", password="bench", role=Role.KAM, team=team,
                                   is_staff=True, last_name="王", first_name="芳")  # fmt: skip
    colleagues = [
        User.objects.create_user(f"kam{i}", role=Role.KAM, team=team, is_staff=True)
        for i in range(4)
    ]
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
    given = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰"
    titles = ["总经理", "副总裁", "总监", "经理", "主管", "专员"]

    def person_name(i: int) -> str:
        return rnd.choice(surnames) + rnd.choice(given) + (rnd.choice(given) if i % 3 else "")

    def make_account_with_tree(code: str, name: str, people: int) -> tuple[Account, list]:
        account = Account.objects.create(code=code, name=name, owner=kam, team=team,
                                         account_type=AccountType.CORPORATE)  # fmt: skip
        contacts = Contact.objects.bulk_create(
            Contact(account=account, code=f"{code}-{i:03d}", name=person_name(i),
                    is_active=rnd.random() > 0.04)
            for i in range(people)
        )  # fmt: skip
        # Reporting tree, level by level.
        boss_of: dict[int, int | None] = {0: None}
        level, nxt, depth = [0], 1, 0
        while nxt < people:
            fan = FAN_OUT[min(depth, len(FAN_OUT) - 1)]
            children = []
            for boss in level:
                for _ in range(fan):
                    if nxt >= people:
                        break
                    boss_of[nxt] = boss
                    children.append(nxt)
                    nxt += 1
            level, depth = children, depth + 1
        depth_of = {}
        for i in range(people):
            d, j = 0, i
            while boss_of[j] is not None:
                j, d = boss_of[j], d + 1
            depth_of[i] = d
        seats = []
        for i, contact in enumerate(contacts):
            d = depth_of[i]
            Contact.objects.filter(pk=contact.pk).update(title=titles[min(d, len(titles) - 1)])
            roles = {0: [BuyingRole.APPROVER], 1: [BuyingRole.DECISION_MAKER]}.get(
                d,
                [
                    rnd.choice(
                        [
                            BuyingRole.INFLUENCER,
                            BuyingRole.USER,
                            BuyingRole.SUPPORTER,
                            BuyingRole.GATEKEEPER,
                        ]
                    )
                ],  # fmt: skip
            )
            boss = boss_of[i]
            seats.append(
                BuyingCentreMember(
                    account=account,
                    contact=contact,
                    buying_roles=[str(r) for r in roles],
                    stance=rnd.choice(StanceToUs.values),
                    influence=max(1, 5 - d),
                    reports_to=contacts[boss] if boss is not None else None,
                    rising_star=rnd.random() < 0.05,
                    relationship_owner=rnd.choice([None, None, *colleagues]),
                )  # fmt: skip
            )
        BuyingCentreMember.objects.bulk_create(seats)
        return account, contacts

    account, contacts = make_account_with_tree("MAP200", "华东国际会展集团（基准）", PEOPLE)
    now = timezone.now()
    touchpoints = []
    for _ in range(600):
        tp = Touchpoint.objects.create(
            account=account, kind=rnd.choice(TouchpointKind.values),
            occurred_at=now - dt.timedelta(days=rnd.randint(0, 400), hours=rnd.randint(0, 23)),
            logged_by=kam,
        )  # fmt: skip
        tp.contacts.add(*rnd.sample(contacts, rnd.randint(1, 3)))
        touchpoints.append(tp)
    through = Touchpoint.contacts.through
    involved = {}
    for tp_id, contact_id in through.objects.values_list("touchpoint_id", "contact_id"):
        involved.setdefault(contact_id, []).append(tp_id)
    events = []
    for contact in rnd.sample(contacts, 80):
        reached = rnd.randint(1, 4)
        for rank, stage in enumerate(RelationshipStage.values[:reached]):
            evidence = involved.get(contact.pk, [None])[0]
            events.append(
                RelationshipStageEvent(
                    account=account,
                    contact=contact,
                    stage=stage,
                    reached_on=(now - dt.timedelta(days=300 - rank * 60)).date(),
                    evidence_id=evidence,
                    recorded_by=kam,
                )  # fmt: skip
            )
    RelationshipStageEvent.objects.bulk_create(events)
    AccountRelationship.objects.create(account=account, supplier_stage="core",
                                       kotler_level="accountable")  # fmt: skip
    for n in range(20):
        make_account_with_tree(f"OTHER{n:02d}", f"其他客户{n}", 30)
    print(f"  built in {time.perf_counter() - t0:.1f} s: account {account.pk}, "
          f"{len(contacts)} people, {len(touchpoints)} touchpoints, {len(events)} stages",
          flush=True)  # fmt: skip


# -- one measured run --------------------------------------------------------------------------
def pick_account(demo: bool) -> tuple:
    """(account, the user to log in as): the synthetic MAP200 and its KAM, or on the demo the
    account with the most buying-centre seats and its owner."""
    from django.db.models import Count

    from guanxi.accounts.models import Account
    from guanxi.core.models import User

    if not demo:
        return Account.objects.get(code="MAP200"), User.objects.get(username="kam")
    account = (
        Account.objects.annotate(seats=Count("buying_centre"))
        .select_related("owner")
        .order_by("-seats", "pk")
        .first()
    )
    assert account is not None and account.seats >= PEOPLE, (
        f"the demo's biggest buying centre has {account.seats if account else 0} seats, "
        f"not {PEOPLE}"
    )
    assert account.owner is not None, f"account {account.pk} has no owner to log in as"
    return account, account.owner


def measure(repeat: int, *, demo: bool = False) -> dict:
    from django.db import connection, reset_queries
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment
    from django.urls import reverse
    from django.utils import translation

    from guanxi.contacts.models import Contact
    from guanxi.relationships.map import relationship_map_svg
    from guanxi.relationships.risks import relationship_health
    from guanxi.relationships.selectors import buying_centre

    setup_test_environment()
    account, kam = pick_account(demo)
    seats = account.buying_centre.count()
    contacts = Contact.objects.filter(account=account).count()

    def render() -> str:
        centre = buying_centre(account)
        return relationship_map_svg(centre, health=relationship_health(centre))

    svg_times, svg = [], ""
    with translation.override("zh-hans"):
        for _ in range(repeat + 1):
            t0 = time.perf_counter()
            svg = render()
            svg_times.append(time.perf_counter() - t0)
    client = Client()
    client.force_login(kam)
    url = reverse("admin:relationships_buyingcentremember_map", args=(account.pk,))
    page_times, size, queries = [], 0, 0
    for i in range(repeat + 1):
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            t0 = time.perf_counter()
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
            page_times.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.status_code
        size, queries = len(response.content), len(captured)
        if i == 0:
            assert svg.count('class="person"') == seats, (svg.count('class="person"'), seats)
    warm_svg, warm_page = svg_times[1:] or svg_times, page_times[1:] or page_times
    return {
        "account": f"{account.name} (id {account.pk}, code {account.code})",
        "seats": seats,
        "contacts": contacts,
        "login": kam.username,
        "svg_cold_s": round(svg_times[0], 3),
        "svg_median_s": round(statistics.median(warm_svg), 3),
        "svg_worst_s": round(max(warm_svg), 3),
        "svg_kb": round(len(svg) / 1024),
        "page_cold_s": round(page_times[0], 3),
        "page_median_s": round(statistics.median(warm_page), 3),
        "page_worst_s": round(max(warm_page), 3),
        "page_kb": round(size / 1024),
        "page_queries": queries,
    }


def child(args: argparse.Namespace) -> None:
    _django(args, create=args.phase == "build")
    if args.phase == "build":
        build()
    else:
        result = measure(args.repeat, demo=bool(args.demo_dir))
        print("RESULT " + json.dumps(result), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["postgres", "sqlite"], default="postgres")
    parser.add_argument("--workdir", default=tempfile.gettempdir(), help="for the SQLite file")
    parser.add_argument("--repeat", type=int, default=10, help="warm runs after the cold one")
    parser.add_argument("--reuse", action="store_true", help="skip the build; use the database")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="measure the default demo (built into a temporary data dir, SQLite)",
    )
    parser.add_argument(
        "--demo-dir", metavar="DIR", help="measure the demo already built in this GUANXI_DATA_DIR"
    )
    parser.add_argument("--phase", choices=["build", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.phase:
        child(args)
        return
    if args.demo_dir:
        report(run_measure(args, args.demo_dir))
    elif args.demo:
        with tempfile.TemporaryDirectory(prefix="guanxi_bench_demo_") as data_dir:
            build_demo(data_dir)
            report(run_measure(args, data_dir))
    else:
        if not args.reuse:
            print(f"building the {PEOPLE}-person account on {args.db} …", flush=True)
            subprocess.run([*_me(args), "--phase", "build"], check=True)
        report(run_measure(args))


def _me(args: argparse.Namespace) -> list[str]:
    return [sys.executable, __file__, "--db", args.db, "--workdir", args.workdir,
            "--repeat", str(args.repeat)]  # fmt: skip


def build_demo(data_dir: str) -> None:
    """`guanxi demo --no-serve` into data_dir, on its own SQLite database (not timed)."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["GUANXI_DATA_DIR"] = data_dir
    guanxi = Path(sys.executable).parent / "guanxi"
    print(f"building the default demo in {data_dir} …", flush=True)
    t0 = time.perf_counter()
    out = subprocess.run([str(guanxi), "demo", "--no-serve"], env=env, cwd=ROOT,
                         capture_output=True, text=True)  # fmt: skip
    if out.returncode:
        sys.exit(f"guanxi demo failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    print(f"  built in {time.perf_counter() - t0:.1f} s", flush=True)


def run_measure(args: argparse.Namespace, demo_dir: str | None = None) -> dict:
    """The measure phase in a fresh subprocess (cold caches, a new connection); its result."""
    extra = ["--demo-dir", demo_dir] if demo_dir else []
    out = subprocess.run([*_me(args), *extra, "--phase", "measure"], capture_output=True,
                         text=True)  # fmt: skip
    if out.returncode:
        sys.exit(f"the measure phase failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    line = next(x for x in out.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line[7:])


def report(r: dict) -> None:
    print(f"account: {r['account']}, {r['seats']} buying-centre seats, {r['contacts']} contacts;"
          f" logged in as {r['login']}")  # fmt: skip
    print(f"map alone (read + score + SVG): cold {r['svg_cold_s']} s, median {r['svg_median_s']} s,"
          f" worst {r['svg_worst_s']} s; SVG {r['svg_kb']} kB")  # fmt: skip
    print(f"map page GET: cold {r['page_cold_s']} s, median {r['page_median_s']} s, worst "
          f"{r['page_worst_s']} s; {r['page_kb']} kB, {r['page_queries']} queries")  # fmt: skip
    print(f"page median {r['page_median_s']} s = {r['page_median_s'] / TARGET_S:.2f}× the 1 s "
          f"target (cold {r['page_cold_s'] / TARGET_S:.2f}×)")  # fmt: skip
    if r["page_worst_s"] > TARGET_S:
        sys.exit("the map page took longer than the 1 s target")


if __name__ == "__main__":
    main()
