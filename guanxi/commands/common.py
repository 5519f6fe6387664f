"""What several commands share: the database migrated before they run, the server, dates on the
command line, jobs run by hand and the one-line summaries of their results."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from typing import Any

import waitress
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from guanxi.core.jobs import job_record
from guanxi.wsgi import application


class CliError(Exception):
    """Bad arguments or state: print the message, exit 2, no traceback."""


def migrate(verbosity: int = 0) -> None:
    """Bring the database up to date (and create the SQLite folder) before any command runs."""
    db_name = settings.DATABASES["default"]["NAME"]
    directory = os.path.dirname(str(db_name))
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and directory:
        os.makedirs(directory, exist_ok=True)
    # WhiteNoise serves from the apps' folders but expects STATIC_ROOT to exist.
    os.makedirs(settings.STATIC_ROOT, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)


def serve_app(addr: str, threads: int = 8, *, note: str = "") -> None:
    # waitress: a production-grade pure-Python WSGI server, unlike Django's runserver.
    host, _, port = addr.rpartition(":")
    print(f"Guanxi is running at http://{addr}/  (Ctrl+C to stop)", flush=True)
    if note:
        print(note, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        waitress.serve(application, host=host or "127.0.0.1", port=int(port), threads=threads)


def jobs_inline() -> None:
    """Run Huey jobs where they are enqueued: the demo has no worker, and the UI's buttons that
    enqueue a job ("re-evaluate now") would otherwise wait for one forever."""
    HUEY.immediate = True  # also swaps the queue for an in-memory one
    settings.HUEY = {**settings.HUEY, "immediate": True}


def parse_as_of(value: str | None) -> dt.date | None:
    """--as-of as a date, not in the future; raises CliError with the message to print."""
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


def run_job(name: str, fn: Callable[..., dict[str, Any]], **kwargs: Any) -> dict[str, Any]:
    """Run a job by hand, recorded like the scheduled ones (a JobRun row admins can see)."""
    return job_record(name, fn, **kwargs)


def describe_ledger_rollups(summary: dict[str, Any]) -> str:
    return f"ledger rollups: {summary['accounts']} accounts as of {summary['as_of']}"


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
    "ledger_rollups": describe_ledger_rollups,
    "analytics": describe_analytics,
    "tiering": describe_tiering,
    "discount_reviews": describe_discounts,
    "policy_tasks": describe_tasks,
}
