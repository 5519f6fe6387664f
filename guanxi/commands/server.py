"""`guanxi serve`, `guanxi worker`, `guanxi manage`: running Guanxi."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management import call_command, execute_from_command_line

from guanxi.commands import common


def serve(args: argparse.Namespace) -> int:
    common.migrate()
    if settings.HUEY.get("immediate"):
        note = "Background jobs: run inline (HUEY_IMMEDIATE is on), no worker needed."
    else:
        note = (
            "Background jobs: run `guanxi worker` alongside (nightly chain at "
            f"{settings.GUANXI_NIGHTLY_HOUR:02d}:00 {settings.TIME_ZONE})."
        )
    common.serve_app(args.addr, threads=args.threads, note=note)
    return 0


def _queue_location(config: dict[str, Any]) -> str:
    if config.get("url"):
        parts = urlsplit(config["url"])
        netloc = parts.netloc
        if parts.password:  # never print a password to a log
            netloc = netloc.replace(f":{parts.password}@", ":***@")
        return f"Redis at {urlunsplit(parts._replace(netloc=netloc))}"
    return f"SQLite file {config.get('filename')}"


def worker(args: argparse.Namespace) -> int:
    common.migrate()
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
    logger = logging.getLogger("huey")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("[%(asctime)s] %(levelname)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False


def manage(args: argparse.Namespace) -> int:
    execute_from_command_line(["guanxi manage", *args.args])
    return 0
