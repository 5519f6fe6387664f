"""The `guanxi` command: one entry point for running, loading and importing.

guanxi demo [--accounts N] [--seed S] [--no-serve]   build the demo and serve it
guanxi serve [--addr 127.0.0.1:8000]                migrate and serve
guanxi import accounts|contacts|transactions|payments FILE [--user U] [--source S]
guanxi analyze [--as-of YYYY-MM-DD] [--user U]      score every account (RFM, ABC, CLV, P(alive))
guanxi tier [--as-of YYYY-MM-DD]                   re-evaluate every account's tiers
guanxi tasks [--as-of YYYY-MM-DD]                  turn tier policies into tasks for the KAMs
guanxi nightly [--as-of YYYY-MM-DD]                analytics → tiering → discount reviews → tasks
guanxi tiers presets [--load CODE … | --all] [--activate]   list or load the shipped tier schemes
guanxi worker [--workers N]                        run the background-job consumer (Huey)
guanxi token USERNAME [--name N]                   print a new API token
guanxi manage ARGS…                                any Django management command
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Callable
from typing import Any


def _setup_django(*, admin: bool = True) -> None:
    """Start Django. ``admin=False`` skips the admin's autodiscovery: importing every admin module
    pulls in the analytics (scipy) and the importers (polars), over a second of start-up that a
    command like `guanxi tiers presets` never uses. Commands that serve pages or run queued jobs
    (which may be defined next to the admin actions that enqueue them) keep it."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    import django

    if admin:
        django.setup()
        return
    from django.contrib import admin as django_admin

    autodiscover = django_admin.autodiscover
    django_admin.autodiscover = lambda: None
    try:
        django.setup()
    finally:
        django_admin.autodiscover = autodiscover


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


def _serve(addr: str, threads: int = 8, *, note: str = "") -> None:
    # waitress: a production-grade pure-Python WSGI server, unlike Django's runserver.
    from waitress import serve

    from guanxi.wsgi import application

    host, _, port = addr.rpartition(":")
    print(f"Guanxi is running at http://{addr}/  (Ctrl+C to stop)", flush=True)
    if note:
        print(note, flush=True)
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
    _demo_nightly()
    username, password = demo_admin_ensure()
    print(f"\nLog in at http://{args.addr}/admin/ as {username} / {password}")
    print(demo_logins_hint(password))
    if not args.no_serve:
        _jobs_inline()
        _serve(
            args.addr,
            note="Background jobs run inline in the demo (no worker needed); in production run"
            " `guanxi worker` alongside `guanxi serve`.",
        )
    return 0


def _jobs_inline() -> None:
    """Run Huey jobs where they are enqueued: the demo has no worker, and the UI's buttons that
    enqueue a job ("re-evaluate now") would otherwise wait for one forever."""
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = True  # also swaps the queue for an in-memory one
    settings.HUEY = {**settings.HUEY, "immediate": True}


def _demo_nightly() -> None:
    """Run the nightly chain on the demo once a day, so its lists and each KAM's Today page show
    scores, tiers, discount reviews and tasks on first login."""
    from guanxi.core.errors import ApplicationError
    from guanxi.core.jobs import JobFailed
    from guanxi.demo.services import demo_nightly, demo_nightly_due

    if not demo_nightly_due():
        return
    try:
        summary = demo_nightly(progress=True)
    except (JobFailed, ApplicationError) as exc:
        print(f"nightly run skipped: {getattr(exc, 'message', exc)}", file=sys.stderr)
        return
    history = summary.get("history") or []
    if history:
        moves = sum(h["changes"] for h in history)
        print(
            f"tier history: {len(history)} monthly runs from {history[0]['as_of']}"
            f" to {history[-1]['as_of']}, {moves} tier changes"
        )
    for name, step in summary["steps"].items():
        print(DESCRIBE[name](step))
    print("(guanxi nightly re-runs analytics, tiering, discount reviews and tasks.)")


def cmd_serve(args: argparse.Namespace) -> int:
    from django.conf import settings

    _migrate()
    if settings.HUEY.get("immediate"):
        note = "Background jobs: run inline (HUEY_IMMEDIATE is on), no worker needed."
    else:
        note = (
            "Background jobs: run `guanxi worker` alongside (nightly chain at "
            f"{settings.GUANXI_NIGHTLY_HOUR:02d}:00 {settings.TIME_ZONE})."
        )
    _serve(args.addr, threads=args.threads, note=note)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from guanxi.workspace.flows import file_import

    _migrate()
    report = file_import(
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


def _parse_as_of(value: str | None) -> dt.date | None:
    """--as-of as a date, not in the future; raises CliError with the message to print."""
    from django.utils import timezone

    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise CliError(f"--as-of must be a date like 2026-06-30, not '{value}'") from None
    today = timezone.localdate()
    if day > today:
        raise CliError(f"--as-of {day} is in the future; use today ({today}) or earlier")
    return day


class CliError(Exception):
    """Bad arguments or state: print the message, exit 2, no traceback."""


def _run_job(name: str, fn: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """Run a job by hand, recorded like the scheduled ones (a JobRun row admins can see)."""
    from guanxi.core.jobs import job_record

    return job_record(name, fn, **kwargs)


def describe_analytics(summary: dict[str, Any]) -> str:
    return (
        f"analytics: run #{summary['run']} as of {summary['as_of']}, "
        f"{summary['accounts']} accounts scored from {summary['transactions']} transactions"
    )


def describe_tiering(summary: dict[str, Any]) -> str:
    lines = [
        f"tiering: run #{summary['run']} as of {summary['as_of']}, {summary['accounts']} accounts,"
        f" {summary['changes']} tier changes"
    ]
    schemes = sorted(set(summary.get("tiers", {})) | set(summary.get("by_scheme", {})))
    if not schemes:
        lines.append("  no active tier scheme (guanxi tiers presets --all --activate loads some)")
    for code in schemes:
        moves = summary.get("by_scheme", {}).get(code, {})
        moved = ", ".join(f"{k} {moves[k]}" for k in ("new", "up", "down", "lost") if moves.get(k))
        tiers = ", ".join(f"{t} {n}" for t, n in summary.get("tiers", {}).get(code, {}).items())
        lines.append(f"  {code}: {tiers or 'no account in a tier'}; changes: {moved or 'none'}")
    return "\n".join(lines)


def describe_discounts(summary: dict[str, Any]) -> str:
    return (
        f"discount reviews: {summary['flagged']} newly flagged, "
        f"{summary['pending']} waiting for review"
    )


def describe_tasks(summary: dict[str, Any]) -> str:
    keys = ("created", "rescheduled", "reassigned", "cancelled", "unchanged")
    counts = ", ".join(f"{k} {summary[k]}" for k in keys if k in summary)
    return f"policy tasks: {counts}"


DESCRIBE: dict[str, Callable[[dict[str, Any]], str]] = {
    "analytics": describe_analytics,
    "tiering": describe_tiering,
    "discount_reviews": describe_discounts,
    "policy_tasks": describe_tasks,
}


def _job_command(name: str, fn_path: str, args: argparse.Namespace) -> int:
    from importlib import import_module

    from guanxi.core.errors import ApplicationError

    _migrate()
    try:
        as_of = _parse_as_of(args.as_of)
        module, attr = fn_path.rsplit(".", 1)
        summary = _run_job(name, getattr(import_module(module), attr), as_of=as_of, progress=True)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(DESCRIBE[name](summary))
    return 0


def cmd_tier(args: argparse.Namespace) -> int:
    return _job_command("tiering", "guanxi.tiers.tasks.tiering_job", args)


def cmd_tasks(args: argparse.Namespace) -> int:
    return _job_command("policy_tasks", "guanxi.activities.tasks.policy_tasks_job", args)


def cmd_nightly(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from guanxi.core.errors import ApplicationError
    from guanxi.core.jobs import JobFailed
    from guanxi.workspace.tasks import NIGHTLY_STEPS, nightly_job

    _migrate()
    try:
        as_of = _parse_as_of(args.as_of)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    reports: list[str] = []
    with tqdm(total=len(NIGHTLY_STEPS), desc="nightly", unit=" steps") as bar:

        def on_step(name: str, summary: dict[str, Any]) -> None:
            reports.append(DESCRIBE[name](summary))
            bar.update(1)

        try:
            summary = _run_job("nightly", nightly_job, as_of=as_of, progress=True, on_step=on_step)
        except JobFailed as exc:
            failure: Exception = exc
        except ApplicationError as exc:
            failure = exc
        else:
            failure = None  # type: ignore[assignment]
    print("\n".join(reports))
    if failure is not None:
        message = getattr(failure, "message", str(failure))
        print(f"error: nightly run stopped, {message}", file=sys.stderr)
        skipped = getattr(failure, "summary", {}).get("skipped", [])
        if skipped:
            print(f"  not run: {', '.join(skipped)}", file=sys.stderr)
        return 1
    print(f"nightly run as of {summary['as_of']} done.")
    return 0


def _preset_codes() -> list[str]:
    from guanxi.tiers import services

    for attr in ("PRESET_CODES", "PRESETS"):
        codes = getattr(services, attr, None)
        if codes:
            return list(codes)
    return ["restaurant-monthly", "clp-levels", "pyramid"]


def cmd_tiers(args: argparse.Namespace) -> int:
    from django.db import transaction
    from django.db.models import Count

    from guanxi.core.errors import ApplicationError
    from guanxi.tiers.models import TierScheme
    from guanxi.tiers.services import scheme_load_preset

    _migrate()
    codes = _preset_codes()
    wanted = codes if args.all else (args.load or [])
    unknown = [c for c in wanted if c not in codes]
    if unknown:
        print(
            f"error: no preset named {', '.join(unknown)}; presets: {', '.join(codes)}",
            file=sys.stderr,
        )
        return 2
    if args.activate and not wanted:
        print("error: --activate needs --load CODE … or --all", file=sys.stderr)
        return 2
    try:
        with transaction.atomic():
            for code in wanted:
                scheme = scheme_load_preset(code=code)
                if args.activate and not scheme.is_active:
                    scheme.is_active = True
                    scheme.save(update_fields=["is_active", "updated_at"])
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    loaded = {
        s.code: s for s in TierScheme.objects.filter(code__in=codes).annotate(n=Count("tiers"))
    }
    for code in codes:
        scheme = loaded.get(code)
        if scheme is None:
            print(f"  {code:<20} not loaded")
            continue
        state = "active" if scheme.is_active else "inactive"
        levels = "stages" if scheme.purpose == "lifecycle" else "tiers"
        print(f"  {code:<20} {state:<8} {scheme.n} {levels:<6} {scheme.name} / {scheme.name_en}")
    if wanted and not args.activate:
        print("Loaded presets are inactive until activated (--activate, or in the admin).")
    return 0


def _queue_location(config: dict[str, Any]) -> str:
    from urllib.parse import urlsplit, urlunsplit

    if config.get("url"):
        parts = urlsplit(config["url"])
        netloc = parts.netloc
        if parts.password:  # never print a password to a log
            netloc = netloc.replace(f":{parts.password}@", ":***@")
        return f"Redis at {urlunsplit(parts._replace(netloc=netloc))}"
    return f"SQLite file {config.get('filename')}"


def cmd_worker(args: argparse.Namespace) -> int:
    from django.conf import settings
    from django.core.management import call_command

    _migrate()
    config = settings.HUEY
    if config.get("immediate"):
        print(
            "error: HUEY_IMMEDIATE is on: jobs run inline where they are started, there is no "
            "queue for a worker to consume",
            file=sys.stderr,
        )
        return 2
    workers = config["consumer"]["workers"] if args.workers is None else args.workers
    if workers < 1:
        print("error: --workers must be at least 1", file=sys.stderr)
        return 2
    print(f"Guanxi worker: queue in {_queue_location(config)}; {workers} worker(s).", flush=True)
    print(
        f"Nightly chain every day at {settings.GUANXI_NIGHTLY_HOUR:02d}:00 {settings.TIME_ZONE}."
        " Ctrl+C to stop.",
        flush=True,
    )
    _huey_logging()
    with contextlib.suppress(KeyboardInterrupt):
        call_command("run_huey", workers=workers)
    return 0


def _huey_logging() -> None:
    """One line per consumer event: run_huey would add its own handler and the root logger
    would print every line a second time."""
    import logging

    logger = logging.getLogger("huey")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


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


# Commands that serve the admin or run queued jobs: they load every app's admin module.
NEEDS_ADMIN = {cmd_demo, cmd_serve, cmd_worker, cmd_manage}


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

    p = sub.add_parser("tier", help="re-evaluate every account's tiers in the active schemes")
    p.add_argument("--as-of", help="evaluate as of this date (default today)")
    p.set_defaults(func=cmd_tier)

    p = sub.add_parser("tasks", help="create and update the tasks the tier policies ask for")
    p.add_argument("--as-of", help="plan as of this date (default today)")
    p.set_defaults(func=cmd_tasks)

    p = sub.add_parser(
        "nightly", help="run the nightly chain now: analytics, tiering, discount reviews, tasks"
    )
    p.add_argument("--as-of", help="run as of this date (default today)")
    p.set_defaults(func=cmd_nightly)

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

    p = sub.add_parser("worker", help="run the background-job consumer and the nightly schedule")
    p.add_argument("--workers", type=int, help="worker threads (default HUEY_WORKERS or 2)")
    p.set_defaults(func=cmd_worker)

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
