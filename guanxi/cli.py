"""The `guanxi` command: one entry point for running, loading and importing.

guanxi demo [--accounts N] [--seed S] [--no-serve]   build the demo and serve it
guanxi serve [--addr A] [--processes N] [--threads T]   migrate and serve
guanxi import accounts|contacts|…|opportunities|agreements FILE [--user U] …
guanxi analyze [--as-of YYYY-MM-DD] [--user U]      score every account (RFM, ABC, CLV, P(alive))
guanxi tier [--as-of YYYY-MM-DD]                   re-evaluate every account's tiers
guanxi tasks [--as-of YYYY-MM-DD]                  turn tier policies into tasks for the KAMs
guanxi escalate                                    escalate the service cases near or past due now
guanxi nightly [--as-of YYYY-MM-DD]                analytics → tiering → discount reviews → tasks
guanxi partitions [--enable] [--ahead N]           the ledger's monthly partitions (PostgreSQL)
guanxi tiers presets [--load CODE … | --all] [--activate]   list or load the shipped tier schemes
guanxi worker [--workers N] [--no-scheduler]       run the background-job consumer (Huey)
guanxi token USERNAME [--name N]                   print a new API token
guanxi manage ARGS…                                any Django management command
"""

from __future__ import annotations

import argparse
import os
import sys

import django
from django.contrib import admin as django_admin


def _setup_django(*, admin: bool = True) -> None:
    """Start Django. ``admin=False`` skips the admin's autodiscovery: importing every admin module
    pulls in the analytics (scipy) and the importers (polars), over a second of start-up that a
    command like `guanxi tiers presets` never uses. Commands that serve pages or run queued jobs
    (which may be defined next to the admin actions that enqueue them) keep it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    if admin:
        django.setup()
        return
    autodiscover = django_admin.autodiscover
    django_admin.autodiscover = lambda: None
    try:
        django.setup()
    finally:
        django_admin.autodiscover = autodiscover


# One small function per command: Django is set up by then, and each imports only its own
# module, so `guanxi tiers presets` does not pay for the analytics or the importer.


def cmd_demo(args: argparse.Namespace) -> int:
    from guanxi.commands import demo  # deferred: after django.setup(), see the module docstring

    return demo.demo(args)


def cmd_serve(args: argparse.Namespace) -> int:
    from guanxi.commands import server  # deferred: after django.setup()

    return server.serve(args)


def cmd_worker(args: argparse.Namespace) -> int:
    from guanxi.commands import server  # deferred: after django.setup()

    return server.worker(args)


def cmd_manage(args: argparse.Namespace) -> int:
    from guanxi.commands import server  # deferred: after django.setup()

    return server.manage(args)


def cmd_import(args: argparse.Namespace) -> int:
    from guanxi.commands import data  # deferred: after django.setup()

    return data.import_(args)


def cmd_tiers(args: argparse.Namespace) -> int:
    from guanxi.commands import data  # deferred: after django.setup()

    return data.tier_presets(args)


def cmd_token(args: argparse.Namespace) -> int:
    from guanxi.commands import data  # deferred: after django.setup()

    return data.token(args)


def cmd_analyze(args: argparse.Namespace) -> int:
    from guanxi.commands import jobs  # deferred: after django.setup(); pulls in scipy/polars

    return jobs.analyze(args)


def cmd_tier(args: argparse.Namespace) -> int:
    from guanxi.commands import jobs  # deferred: after django.setup(); pulls in scipy/polars

    return jobs.tier(args)


def cmd_tasks(args: argparse.Namespace) -> int:
    from guanxi.commands import jobs  # deferred: after django.setup(); pulls in scipy/polars

    return jobs.tasks(args)


def cmd_escalate(args: argparse.Namespace) -> int:
    from guanxi.commands import jobs  # deferred: after django.setup(); pulls in scipy/polars

    return jobs.escalate(args)


def cmd_nightly(args: argparse.Namespace) -> int:
    from guanxi.commands import jobs  # deferred: after django.setup(); pulls in scipy/polars

    return jobs.nightly(args)


def cmd_duplicates(args: argparse.Namespace) -> int:
    from guanxi.commands import data  # deferred: after django.setup()

    return data.duplicates(args)


def cmd_partitions(args: argparse.Namespace) -> int:
    from guanxi.commands import partitions  # deferred: after django.setup()

    return partitions.partitions(args)


# Commands that serve the admin or run queued jobs: they load every app's admin module.
NEEDS_ADMIN = {cmd_demo, cmd_serve, cmd_worker, cmd_manage}


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return number


def _add_serve_and_worker(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="apply migrations and serve the web UI and API")
    p.add_argument("--addr", default="127.0.0.1:8000")
    p.add_argument(
        "--processes",
        type=_positive,
        help="server processes (default GUANXI_SERVE_PROCESSES, else one per core, at least 2;"
        " 1 on Windows)",
    )
    p.add_argument(
        "--threads", type=_positive, help="threads per process (default GUANXI_SERVE_THREADS or 4)"
    )
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("worker", help="run the background-job consumer and the nightly schedule")
    p.add_argument("--workers", type=int, help="worker threads (default HUEY_WORKERS or 2)")
    p.add_argument(
        "--no-scheduler",
        dest="scheduler",
        action="store_false",
        help="only run jobs; leave the nightly schedule to other workers (several workers with"
        " the scheduler on are safe too: each periodic job is enqueued once)",
    )
    p.set_defaults(func=cmd_worker)


def _add_partitions(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "partitions",
        help="PostgreSQL: the transaction ledger's monthly partitions (status; --enable turns"
        " them on; creates the months ahead)",
    )
    p.add_argument(
        "--enable",
        action="store_true",
        help="rebuild the ledger as a partitioned table (locks it while it runs)",
    )
    p.add_argument("--ahead", type=int, default=3, help="months kept ready ahead (default 3)")
    p.add_argument("--as-of", help="count the months ahead from this date (default today)")
    p.set_defaults(func=cmd_partitions)


IMPORT_KINDS = ["accounts", "contacts", "transactions", "payments", "leads", "opportunities",
                "agreements", "survey-answers"]  # fmt: skip


def _add_duplicates(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "duplicates", help="find accounts and contacts that look like one customer twice"
    )
    p.add_argument(
        "--since-hours", type=_positive, help="only pairs with a row changed in the last N hours"
    )
    p.set_defaults(func=cmd_duplicates)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guanxi", description="Guanxi key-account CRM")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("demo", help="load realistic demo data (hotel/MICE group) and serve it")
    p.add_argument("--accounts", type=int, default=300, help="number of accounts (default 300)")
    p.add_argument("--seed", type=int, default=2026, help="random seed (same seed, same data)")
    p.add_argument("--addr", default="127.0.0.1:8000", help="address to serve on")
    p.add_argument("--no-serve", action="store_true", help="load the data, then exit")
    p.add_argument(
        "--reset",
        action="store_true",
        help="rebuild the demo: deletes all CRM data (users stay); refused when the database"
        " holds accounts the demo did not create",
    )
    p.set_defaults(func=cmd_demo)

    _add_serve_and_worker(sub)

    p = sub.add_parser("import", help="import a CSV or XLSX file")
    p.add_argument(
        "kind",
        choices=IMPORT_KINDS,
    )
    p.add_argument("file")
    p.add_argument("--user", help="import as this user (their access rules apply)")
    p.add_argument("--source", default=None, help="source system of the external ids")
    p.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser(
        "analyze", help="score every account: RFM, ABC, P(alive), CLV, lifetime profit"
    )
    p.add_argument("--as-of", help="analyse data up to this date (default today)")
    p.add_argument("--user", help="record this user as having started the run")
    p.set_defaults(func=cmd_analyze)

    p = sub.add_parser("tier", help="re-evaluate every account's tiers in the active schemes")
    p.add_argument("--as-of", help="evaluate as of this date (default today)")
    p.set_defaults(func=cmd_tier)

    p = sub.add_parser("tasks", help="create and update the tasks the tier policies ask for")
    p.add_argument("--as-of", help="plan as of this date (default today)")
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser(
        "escalate",
        help="run the service-case escalation job now (team lead, then director; breaches)",
    )
    p.set_defaults(func=cmd_escalate)

    p = sub.add_parser(
        "nightly", help="run the nightly chain now: analytics, tiering, discount reviews, tasks"
    )
    p.add_argument("--as-of", help="run as of this date (default today)")
    p.set_defaults(func=cmd_nightly)

    _add_partitions(sub)
    _add_duplicates(sub)

    p = sub.add_parser("tiers", help="tier schemes")
    tiers = p.add_subparsers(dest="tiers_command", required=True)
    q = tiers.add_parser(
        "presets", help="list the shipped tier schemes and lifecycle stage sets, or load them"
    )
    group = q.add_mutually_exclusive_group()
    group.add_argument("--load", nargs="+", metavar="CODE", help="load these presets")
    group.add_argument("--all", action="store_true", help="load every preset")
    q.add_argument("--activate", action="store_true", help="also activate what was loaded")
    q.set_defaults(func=cmd_tiers)

    p = sub.add_parser("token", help="create an API token for a user and print it")
    p.add_argument("username")
    p.add_argument("--name", default="cli")
    p.set_defaults(func=cmd_token)

    p = sub.add_parser("manage", help="run a Django management command")
    p.add_argument("args", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_django(admin=args.func in NEEDS_ADMIN)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
