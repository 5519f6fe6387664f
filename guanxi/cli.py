"""The `guanxi` command: one entry point for running, loading and importing.

guanxi demo [--accounts N] [--seed S] [--no-serve]   build the demo and serve it
guanxi serve [--addr 127.0.0.1:8000]                migrate and serve
guanxi import accounts|contacts|transactions|payments FILE [--user U] [--source S]
guanxi analyze [--as-of YYYY-MM-DD] [--user U]      score every account (RFM, ABC, CLV, P(alive))
guanxi token USERNAME [--name N]                   print a new API token
guanxi manage ARGS…                                any Django management command
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    django.setup()


def _migrate(verbosity: int = 0) -> None:
    from django.conf import settings
    from django.core.management import call_command

    db_name = settings.DATABASES["default"]["NAME"]
    directory = os.path.dirname(str(db_name))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and directory:
        os.makedirs(directory, exist_ok=True)
    # WhiteNoise serves from the apps' folders but expects STATIC_ROOT to exist.
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)


def _serve(addr: str, threads: int = 8) -> None:
    # waitress: a production-grade pure-Python WSGI server, unlike Django's runserver.
    from waitress import serve

    from guanxi.wsgi import application

    host, _, port = addr.rpartition(":")
    print(f"Guanxi is running at http://{addr}/  (Ctrl+C to stop)", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        serve(application, host=host or "127.0.0.1", port=int(port), threads=threads)


def cmd_demo(args: argparse.Namespace) -> int:
    from guanxi.core.errors import ApplicationError
    from guanxi.demo.services import demo_admin_ensure, demo_build, demo_logins_hint

    _migrate()
    try:
        summary = demo_build(
            accounts=args.accounts, seed=args.seed, progress=True, reset=args.reset
        )
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(summary.describe())
    _analyze_demo()
    username, password = demo_admin_ensure()
    print(f"\nLog in at http://{args.addr}/admin/ as {username} / {password}")
    print(demo_logins_hint(password))
    if not args.no_serve:
        _serve(args.addr)
    return 0


def _analyze_demo() -> None:
    """Score the demo once a day so its lists and pages show segments, CLV and P(alive)."""
    from django.utils import timezone

    from guanxi.core.errors import ApplicationError
    from guanxi.insights.selectors import latest_run
    from guanxi.insights.services import analysis_run

    latest = latest_run()
    if latest is not None and latest.observation_end == timezone.localdate():
        return
    try:
        run = analysis_run(progress=True)
    except ApplicationError as exc:
        print(f"analysis skipped: {exc.message}", file=sys.stderr)
        return
    print(f"Analysis run #{run.pk}: {run.n_accounts} accounts scored (guanxi analyze re-runs it).")


def cmd_serve(args: argparse.Namespace) -> int:
    _migrate()
    _serve(args.addr, threads=args.threads)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from guanxi.imports.services import import_file

    _migrate()
    report = import_file(
        kind=args.kind,
        path=args.file,
        username=args.user,
        source=args.source,
        dry_run=args.dry_run,
        progress=True,
    )
    print(report.describe())
    return 0 if report.ok else 1


def cmd_analyze(args: argparse.Namespace) -> int:
    import datetime as dt

    from guanxi.core.errors import ApplicationError
    from guanxi.core.models import User
    from guanxi.insights.selectors import run_describe
    from guanxi.insights.services import analysis_run

    _migrate()
    user = None
    if args.user:
        user = User.objects.filter(username=args.user).first()
        if user is None:
            print(f"error: no user named '{args.user}'", file=sys.stderr)
            return 2
    try:
        as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    except ValueError:
        print(f"error: --as-of must be a date like 2026-06-30, not '{args.as_of}'", file=sys.stderr)
        return 2
    try:
        run = analysis_run(user=user, as_of=as_of, progress=True)
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(run_describe(run))
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from guanxi.core.models import User
    from guanxi.core.services import api_token_create

    _migrate()
    try:
        user = User.objects.get(username=args.username)
    except User.DoesNotExist:
        print(f"error: no user named '{args.username}'", file=sys.stderr)
        return 2
    _token, key = api_token_create(user=user, name=args.name)
    print(key)
    return 0


def cmd_manage(args: argparse.Namespace) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["guanxi manage", *args.args])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="guanxi", description="Guanxi (关系) key-account CRM")
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

    p = sub.add_parser("serve", help="apply migrations and serve the web UI and API")
    p.add_argument("--addr", default="127.0.0.1:8000")
    p.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("import", help="import a CSV or XLSX file")
    p.add_argument("kind", choices=["accounts", "contacts", "transactions", "payments"])
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
    _setup_django()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
