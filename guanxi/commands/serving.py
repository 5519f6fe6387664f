"""Serving the web UI and API: several processes where the platform forks (gunicorn), one
waitress process elsewhere.

Why several processes: Python runs one thread at a time per process (the GIL), so one process
with 8 threads serves about one page at a time however many cores the machine has; throughput
fell as clients were added (benchmarks/serve_throughput.py). gunicorn's master forks N worker
processes that share the listening socket, restarts any that die or hang (``timeout``) and
recycles each after ``max_requests``. It needs fork, so Windows (and ``--processes 1``
anywhere) keeps waitress, one process with threads, as before.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Any

import waitress
from django.db import connections

# Threads per process: a page waits on the database part of its time, so a few threads keep a
# process busy; more only queue up behind the GIL.
DEFAULT_THREADS = 4
MAX_DEFAULT_PROCESSES = 8


def forking_supported() -> bool:
    return sys.platform.startswith("linux") or sys.platform == "darwin"


def default_processes() -> int:
    """GUANXI_SERVE_PROCESSES, else one per core (at least 2, at most 8); 1 where there is no
    fork."""
    configured = os.environ.get("GUANXI_SERVE_PROCESSES")
    if configured:
        return int(configured)
    if not forking_supported():
        return 1
    return max(2, min(os.cpu_count() or 1, MAX_DEFAULT_PROCESSES))


def default_threads() -> int:
    return int(os.environ.get("GUANXI_SERVE_THREADS", DEFAULT_THREADS))


def serve_app(
    addr: str, *, processes: int | None = None, threads: int | None = None, note: str = ""
) -> None:
    host, _, port = addr.rpartition(":")
    host = host or "127.0.0.1"
    processes = default_processes() if processes is None else processes
    threads = default_threads() if threads is None else threads
    if processes > 1 and not forking_supported():
        print(f"Several processes need fork, which {sys.platform} lacks: serving with one.")
        processes = 1
    print(f"Guanxi is running at http://{addr}/  (Ctrl+C to stop)", flush=True)
    server = "waitress" if processes == 1 else "gunicorn"
    print(f"{server}: {processes} process(es) × {threads} thread(s).", flush=True)
    if note:
        print(note, flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        if processes == 1:
            # waitress: a production-grade pure-Python WSGI server, unlike Django's runserver.
            waitress.serve(wsgi_application(), host=host, port=int(port), threads=threads)
        else:
            gunicorn_serve(host, int(port), processes=processes, threads=threads)


def wsgi_application() -> Any:
    """The WSGI application, built when the server starts, not when this module is imported:
    building it starts WhiteNoise, which warns "No directory at …/static/" unless STATIC_ROOT
    exists, and the command's migrate() creates it first (`guanxi demo` used to warn twice, once
    in the process that builds the data and once in the one that serves)."""
    # deferred: see the docstring; the module is imported before migrate() runs
    from guanxi.wsgi import application

    return application


def gunicorn_options(host: str, port: int, *, processes: int, threads: int) -> dict[str, Any]:
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": processes,
        "threads": threads,
        "worker_class": "gthread",
        # The application is already loaded here (migrations run, the demo's inline jobs set):
        # workers are forked from it rather than importing it again.
        "preload_app": True,
        # A request this slow is stuck (an import runs in the worker, not in a request): the
        # master replaces the process.
        "timeout": int(os.environ.get("GUANXI_SERVE_TIMEOUT", 120)),
        "graceful_timeout": 10,
        # Recycle workers now and then, so a slow leak cannot grow without bound.
        "max_requests": 2000,
        "max_requests_jitter": 200,
        "loglevel": os.environ.get("GUANXI_SERVE_LOG_LEVEL", "warning"),
        "errorlog": "-",
        # X-Forwarded-* are read by guanxi.wsgi (GUANXI_TRUSTED_PROXIES), the same way under
        # both servers: gunicorn itself trusts none.
        "forwarded_allow_ips": "",
    }


def gunicorn_serve(host: str, port: int, *, processes: int, threads: int) -> None:
    # deferred: gunicorn imports fcntl, which exists only where it can fork (not on Windows)
    from gunicorn.app.base import BaseApplication

    class Guanxi(BaseApplication):
        def load_config(self) -> None:
            for key, value in gunicorn_options(
                host, port, processes=processes, threads=threads
            ).items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            return wsgi_application()

    # Forked workers must not share the connections the migration (or the demo) opened here.
    connections.close_all()
    Guanxi().run()
