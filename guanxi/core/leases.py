"""Runs that say which process works on them, so a run whose process died shows as interrupted.

A run row (a `core.models.LeasedRun`: JobRun, ImportRun, AnalysisRun, TierRun) records the
host and process id that started it and a heartbeat time, which a background thread of that
process moves on every `GUANXI_RUN_HEARTBEAT_SECONDS` while the process has runs in progress.
A process killed outright (SIGKILL, the machine lost) never writes its run's end; `reap` finds
such runs and marks them interrupted:

- on the same host, when the process is gone (or its id now belongs to a younger process);
- from another host, when the heartbeat is older than `GUANXI_RUN_STALE_SECONDS`. The same host
  never goes by the heartbeat alone: a long SQLite write blocks the heartbeat's own write while
  the process is busy and well.

`reap` runs when a run of the same kind starts (`LeasedRun.save`) and when the lists, the
dashboard and the command line show runs. Nothing else changes: whatever the run wrote is left
as its own transactions left it (a tiering or analysis run writes all or nothing; an import
keeps the batches it committed, each with its audit rows).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)

HOST = socket.gethostname()[:255]
# The heartbeat thread stops after this many beats with no run of its process in progress.
IDLE_BEATS = 3


def this_process() -> dict[str, Any]:
    """The lease fields of a run this process starts now."""
    return {"host": HOST, "pid": os.getpid(), "heartbeat_at": timezone.now()}


# --- Is the process still there? -------------------------------------------------------------


def _proc_start(pid: int) -> tuple[float | None, bool]:
    """(When process `pid` started, as a Unix time; whether it is a zombie), from /proc where
    there is one (Linux); (None, False) elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            stat = f.read()
        with open("/proc/stat", encoding="ascii") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith("btime "))
    except (OSError, StopIteration, ValueError):
        return None, False
    # The command name (field 2) may hold spaces: the fields after it follow the last ")".
    fields = stat.rpartition(")")[2].split()
    state, start_ticks = fields[0], int(fields[19])
    return boot + start_ticks / os.sysconf("SC_CLK_TCK"), state in ("Z", "X")


def process_alive(pid: int, started_at: datetime) -> bool:
    """Whether process `pid` on this host is still the one that started a run at `started_at`."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, under another user
    except OverflowError:
        return False
    began, zombie = _proc_start(pid)
    if zombie:
        return False  # killed, waiting for its parent to collect it
    # A process id is reused once free: a process younger than the run is another one (a few
    # seconds' slack for the clock).
    return began is None or began <= started_at.timestamp() + 5


# --- Marking interrupted runs -----------------------------------------------------------------


def _gone_because(run: Any, now: datetime, stale: timedelta) -> str | None:
    """Why `run` (status running) is no longer worked on, or None when it may still be."""
    if run.host == HOST and run.pid:
        if process_alive(run.pid, run.started_at):
            return None
        return _("Interrupted: its process (%(pid)s on %(host)s) ended without finishing it.") % {
            "pid": run.pid,
            "host": run.host,
        }
    last = run.heartbeat_at or run.started_at
    if now - last <= stale:
        return None
    return _("Interrupted: no sign of life from %(host)s since %(time)s.") % {
        "host": run.host or "?",
        "time": timezone.localtime(last).strftime("%Y-%m-%d %H:%M:%S"),
    }


def reap(model: type) -> list[int]:
    """Mark the runs of `model` whose process is gone as interrupted; their ids come back."""
    running, interrupted = model.LEASE_RUNNING, model.LEASE_INTERRUPTED
    now = timezone.now()
    stale = timedelta(seconds=settings.GUANXI_RUN_STALE_SECONDS)
    marked = []
    for run in model.objects.filter(status=running).only(
        "host", "pid", "heartbeat_at", "started_at"
    ):
        why = _gone_because(run, now, stale)
        if why is None:
            continue
        # Guarded by status: a run that finished meanwhile keeps its own ending.
        done = model.objects.filter(pk=run.pk, status=running).update(
            status=interrupted,
            finished_at=run.heartbeat_at or run.started_at,
            **{model.LEASE_NOTE_FIELD: why},
        )
        if done:
            logger.warning("%s #%s: %s", model.__name__, run.pk, why)
            marked.append(run.pk)
    return marked


# --- The heartbeat ----------------------------------------------------------------------------

_lock = threading.Lock()
_models: set[type] = set()
_thread: threading.Thread | None = None
_wanted = 0  # bumped by every keep_alive: a new run while the thread winds down keeps it going


def keep_alive(model: type) -> None:
    """Beat for this process's runs of `model` until none is in progress."""
    global _thread, _wanted
    if settings.GUANXI_RUN_HEARTBEAT_SECONDS <= 0:
        return
    with _lock:
        _models.add(model)
        _wanted += 1
        if _thread is None or not _thread.is_alive():
            _thread = threading.Thread(target=_beat, name="guanxi-run-heartbeat", daemon=True)
            _thread.start()


def _beat_once() -> int:
    pid, now, beat = os.getpid(), timezone.now(), 0
    for model in list(_models):
        beat += model.objects.filter(status=model.LEASE_RUNNING, host=HOST, pid=pid).update(
            heartbeat_at=now
        )
    return beat


def _beat() -> None:
    global _thread
    idle = 0
    while True:
        wanted = _wanted
        time.sleep(settings.GUANXI_RUN_HEARTBEAT_SECONDS)
        try:
            idle = 0 if _beat_once() else idle + 1
        except DatabaseError as exc:  # a locked SQLite file, a restarting server: next time
            logger.info("run heartbeat skipped: %s", exc)
        except Exception:  # not a database problem: stop beating rather than spin
            logger.exception("run heartbeat stopped")
            idle = IDLE_BEATS
        finally:
            connection.close()  # this thread's own connection
        with _lock:
            if idle >= IDLE_BEATS and wanted == _wanted:
                _thread = None
                return
