"""`guanxi analyze`, `guanxi tier`, `guanxi tasks`, `guanxi escalate`, `guanxi nightly`: the
background jobs run by hand, recorded like the scheduled ones."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import Any

from tqdm import tqdm

from guanxi.activities.tasks import policy_tasks_job
from guanxi.commands import common
from guanxi.commands.common import DESCRIBE, CliError, parse_as_of, run_job
from guanxi.core.errors import ApplicationError
from guanxi.core.jobs import JobFailed
from guanxi.core.models import User
from guanxi.insights.selectors import run_describe
from guanxi.insights.services import analysis_run
from guanxi.service.tasks import case_escalation_job
from guanxi.tiers.tasks import tiering_job
from guanxi.workspace.tasks import NIGHTLY_STEPS, nightly_job


def analyze(args: argparse.Namespace) -> int:
    common.migrate()
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
    common.report_interrupted()
    try:
        run = analysis_run(actor=user, as_of=as_of, progress=True)
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(run_describe(run))
    return 0


def _job_command(name: str, job: Callable[..., dict[str, Any]], args: argparse.Namespace) -> int:
    common.migrate()
    try:
        as_of = parse_as_of(args.as_of)
        summary = run_job(name, job, as_of=as_of, progress=True)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(DESCRIBE[name](summary))
    return 0


def tier(args: argparse.Namespace) -> int:
    return _job_command("tiering", tiering_job, args)


def tasks(args: argparse.Namespace) -> int:
    return _job_command("policy_tasks", policy_tasks_job, args)


def escalate(args: argparse.Namespace) -> int:
    """The case escalation job (every quarter hour in the worker) now, on the clock of now."""
    common.migrate()
    try:
        summary = run_job("case_escalation", case_escalation_job, progress=True)
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    print(DESCRIBE["case_escalation"](summary))
    return 0


def nightly(args: argparse.Namespace) -> int:
    common.migrate()
    try:
        as_of = parse_as_of(args.as_of)
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    reports: list[str] = []
    failure: Exception | None = None
    with tqdm(total=len(NIGHTLY_STEPS), desc="nightly", unit=" steps") as bar:

        def on_step(name: str, summary: dict[str, Any]) -> None:
            reports.append(DESCRIBE[name](summary))
            bar.update(1)

        try:
            summary = run_job("nightly", nightly_job, as_of=as_of, progress=True, on_step=on_step)
        except (JobFailed, ApplicationError) as exc:
            failure = exc
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
