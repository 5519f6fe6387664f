"""The consumer `guanxi worker` runs: Huey's, with each periodic task enqueued once per due
minute however many consumers share the queue.

Several `guanxi worker` processes (on one machine or several, on one Redis) all take jobs off the
queue; each also runs Huey's scheduler, which checks the periodic tasks once a minute. Before
enqueuing a periodic task that is due, a scheduler claims that task's minute in the queue's
storage (Redis ``SET NX`` with an expiry; ``put_if_empty`` on Huey's other storages); only the
one that wins enqueues it. Why a claim per minute rather than one elected scheduler holding a
lock: nothing to hand over when a worker dies. With a lock, the nightly run would be lost if its
holder died shortly before 02:00 and the lock had not expired yet; with claims, any live worker
fires it.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from typing import Any

from huey import Huey
from huey.consumer import Consumer, Scheduler
from huey.storage import RedisStorage

# A claim only has to outlive its minute on every worker's clock; an hour covers any skew.
CLAIM_SECONDS = 3600


def claim_key(huey: Huey, task_name: str, moment: dt.datetime) -> str:
    return f"{huey.name}.periodic.{task_name}.{moment:%Y-%m-%dT%H:%M}"


def periodic_claim(huey: Huey, task_name: str, moment: dt.datetime) -> bool:
    """True for the first consumer to claim ``task_name`` in ``moment``'s minute, False after."""
    key = claim_key(huey, task_name, moment)
    owner = f"{socket.gethostname()}:{os.getpid()}".encode()
    storage = huey.storage
    if isinstance(storage, RedisStorage):
        return bool(storage.conn.set(key, owner, nx=True, ex=CLAIM_SECONDS))
    return bool(storage.put_if_empty(key, owner))


class ClaimingScheduler(Scheduler):
    def enqueue_periodic_tasks(self, now: dt.datetime | None) -> None:
        moment = now or self.huey._get_timestamp()
        for task in self.huey.read_periodic(moment):
            try:
                claimed = periodic_claim(self.huey, task.name, moment)
            except Exception:
                self._logger.exception("Could not claim periodic task %s.", task)
                continue
            if not claimed:
                self._logger.info("Periodic task %s: enqueued by another worker.", task.name)
                continue
            self._logger.info("Enqueueing periodic task %s.", task)
            try:
                self.huey.enqueue(task)
            except Exception:
                self._logger.exception("Error enqueueing periodic task %s.", task)


class GuanxiConsumer(Consumer):
    scheduler_class = ClaimingScheduler


def consumer_for(huey: Huey, **options: Any) -> GuanxiConsumer:
    """A consumer of ``huey``'s queue; ``periodic=False`` leaves the schedule to other workers."""
    return GuanxiConsumer(huey, **options)
