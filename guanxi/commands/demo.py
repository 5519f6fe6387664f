"""`guanxi demo`: build the demo data, run the nightly chain on it once a day, serve it."""

from __future__ import annotations

import argparse
import subprocess
import sys

from guanxi.commands import common
from guanxi.commands.common import DESCRIBE, jobs_inline
from guanxi.commands.serving import serve_app
from guanxi.core.errors import ApplicationError
from guanxi.core.jobs import JobFailed
from guanxi.demo import services as demo_services


def demo(args: argparse.Namespace) -> int:
    if args.no_serve:
        return demo_load(args)
    # The build runs in a child process: it starts polars' thread pool, which does not survive
    # the fork of gunicorn's workers, and a worker's first polars call (an upload to import)
    # would hang for good. The serving process never loads polars before it forks.
    code = demo_load_in_child(args)
    if code:
        return code
    jobs_inline()
    serve_app(
        args.addr,
        note="Background jobs run inline in the demo (no worker needed); in production run"
        " `guanxi worker` alongside `guanxi serve`.",
    )
    return 0


def demo_load_in_child(args: argparse.Namespace) -> int:
    """`guanxi demo --no-serve` with the same options, in a fresh Python process."""
    command = [sys.executable, "-m", "guanxi.cli", "demo", "--no-serve", "--addr", args.addr]
    command += ["--accounts", str(args.accounts), "--seed", str(args.seed)]
    if args.reset:
        command.append("--reset")
    return subprocess.call(command)


def demo_load(args: argparse.Namespace) -> int:
    """Migrate, build the demo data, run its nightly chain and print how to log in."""
    common.migrate()
    try:
        summary = demo_services.demo_build(
            accounts=args.accounts, seed=args.seed, progress=True, reset=args.reset
        )
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
    print(summary.describe())
    demo_nightly()
    username, password = demo_services.demo_admin_ensure()
    print(f"\nLog in at http://{args.addr}/admin/ as {username} / {password}")
    print(demo_services.demo_logins_hint(password))
    return 0


def demo_nightly() -> None:
    """Run the nightly chain on the demo once a day, so its lists and each KAM's Today page show
    scores, tiers, discount reviews and tasks on first login."""
    if not demo_services.demo_nightly_due():
        return
    try:
        summary = demo_services.demo_nightly(progress=True)
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
