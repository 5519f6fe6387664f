"""Background jobs that leave a record: one `JobRun` row per attempt.

A job is a plain function taking keyword arguments and returning a summary dict (what it did, in
numbers). `job_record` runs it and records the attempt (running → succeeded / failed / retrying,
duration, summary, error with the tail of the traceback); `recorded_task` turns it into a Huey
task that retries (`JOB_RETRIES` times, `JOB_RETRY_DELAY` seconds apart) and records every
attempt, so a failure that happens once and heals is visible as "retrying", and the final failure
stays visible as "failed". The command line calls the same functions through `job_record`, so a
run started by hand shows up in the same list.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Callable
from functools import partial, wraps
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from huey.contrib.djhuey import db_task

from guanxi.core.models import JobRun, JobStatus

JOB_RETRIES = 2
JOB_RETRY_DELAY = 300  # seconds: long enough for a restarted database or a lock to clear
TRACEBACK_LINES = 25
ERROR_CHARS = 6000

Job = Callable[..., dict[str, Any]]


class JobFailed(Exception):
    """A job failed part-way; `summary` says what it had done before (stored on its JobRun)."""

    def __init__(self, message: str, *, summary: dict[str, Any] | None = None):
        super().__init__(message)
        self.summary = summary or {}


def _jsonable(summary: Any) -> dict[str, Any]:
    # Summaries carry dates and Decimals; the JSON field wants plain values.
    if not isinstance(summary, dict):
        summary = {"result": summary} if summary is not None else {}
    return json.loads(json.dumps(summary, cls=DjangoJSONEncoder, ensure_ascii=False))


def error_text(exc: BaseException) -> str:
    """The error as an admin reads it: type and message first, then the end of the traceback."""
    head = f"{type(exc).__name__}: {exc}"
    lines = traceback.format_exception(exc)
    tail = "".join(lines[-TRACEBACK_LINES:])
    return f"{head}\n\n{tail}"[:ERROR_CHARS]


def job_record(
    name: str, fn: Job, *, attempt: int = 1, final: bool = True, **kwargs: Any
) -> dict[str, Any]:
    """Run ``fn(**kwargs)`` as one attempt of job ``name`` and record it; re-raise on failure.

    ``final`` says whether a failure ends the job (status failed) or another attempt will
    follow (status retrying).
    """
    run = JobRun.objects.create(name=name, attempt=attempt, status=JobStatus.RUNNING)
    try:
        summary = fn(**kwargs)
    except BaseException as exc:
        run.status = JobStatus.FAILED if final else JobStatus.RETRYING
        run.error = error_text(exc)
        run.summary = _jsonable(getattr(exc, "summary", {}))
        run.finished_at = timezone.now()
        run.save(update_fields=["status", "error", "summary", "finished_at"])
        raise
    run.status = JobStatus.SUCCEEDED
    run.summary = _jsonable(summary)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "summary", "finished_at"])
    return run.summary


def recorded_task(
    name: str,
    *,
    retries: int = JOB_RETRIES,
    retry_delay: int = JOB_RETRY_DELAY,
    pass_attempt: bool = False,
) -> Callable[[Job], Any]:
    """Decorator: the job ``fn`` as a Huey task named ``name`` that records every attempt.

    The task takes the job's keyword arguments; the plain function stays available as
    ``task.job`` (the command line runs it synchronously). With ``pass_attempt`` the job also
    gets ``attempt`` and ``final`` (a chain records its steps under the same attempt).
    """

    def decorator(fn: Job) -> Any:
        @wraps(fn)
        def attempt(*, task: Any = None, **kwargs: Any) -> dict[str, Any]:
            # Huey counts retries down: a fresh task has `retries` left, the last attempt 0.
            left = task.retries if task is not None else 0
            number, final = retries - left + 1, left == 0
            job = partial(fn, attempt=number, final=final) if pass_attempt else fn
            return job_record(name, job, attempt=number, final=final, **kwargs)

        wrapper = db_task(retries=retries, retry_delay=retry_delay, context=True, name=name)(
            attempt
        )
        wrapper.job = fn
        return wrapper

    return decorator


__all__ = ["JOB_RETRIES", "JOB_RETRY_DELAY", "JobFailed", "error_text", "job_record",
           "recorded_task"]  # fmt: skip
