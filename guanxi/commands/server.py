"""`guanxi serve`, `guanxi worker`, `guanxi manage`: running Guanxi."""

from __future__ import annotations

import argparse
import contextlib
import logging
import sys
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from django.conf import settings
from django.core.management import execute_from_command_line
from django.utils.module_loading import autodiscover_modules
from huey.consumer_options import ConsumerConfig
from huey.contrib.djhuey import HUEY

from guanxi.commands import common, serving
from guanxi.core.consumer import consumer_for


def serve(args: argparse.Namespace) -> int:
    common.migrate()
    if settings.HUEY.get("immediate"):
        note = "Background jobs: run inline (HUEY_IMMEDIATE is on), no worker needed."
    else:
        note = (
            "Background jobs: run `guanxi worker` alongside (nightly chain at "
            f"{settings.GUANXI_NIGHTLY_HOUR:02d}:00 {settings.TIME_ZONE})."
        )
    serving.serve_app(args.addr, processes=args.processes, threads=args.threads, note=note)
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
    if args.scheduler:
        print(
            f"Nightly chain every day at {settings.GUANXI_NIGHTLY_HOUR:02d}:00 "
            f"{settings.TIME_ZONE}, enqueued once however many workers share the queue."
            " Ctrl+C to stop.",
            flush=True,
        )
    else:
        print("No scheduler here (--no-scheduler): other workers start the nightly chain.")
    _huey_logging()
    options = ConsumerConfig(
        **{**config["consumer"], "workers": workers, "periodic": args.scheduler}
    )
    options.validate()
    autodiscover_modules("tasks")  # what run_huey does: register every app's jobs
    with contextlib.suppress(KeyboardInterrupt):
        consumer_for(HUEY, **options.values).run()
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
