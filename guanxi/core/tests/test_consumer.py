"""Several consumers on one queue: each periodic task is enqueued once per due minute
(guanxi.core.consumer). tests/test_workers.py runs two real `guanxi worker` processes."""

import datetime as dt
import uuid

import pytest
import redis
from huey import RedisHuey, SqliteHuey, crontab

from guanxi.core.consumer import consumer_for

REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own: other tests use 15


def _redis_queue() -> RedisHuey:
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    return RedisHuey(f"guanxi-test-{uuid.uuid4().hex[:8]}", url=REDIS_URL, utc=True)


def _with_periodic(queue):
    @queue.periodic_task(crontab(minute="*"), name="every_minute")
    def every_minute():
        return None

    return queue


def _schedulers(queue, n: int):
    return [consumer_for(queue, workers=1)._create_scheduler() for _ in range(n)]


@pytest.fixture(params=["redis", "sqlite"])
def queue(request, tmp_path):
    queue = _redis_queue() if request.param == "redis" else SqliteHuey(
        "guanxi-test", filename=str(tmp_path / "huey.sqlite3"), utc=True
    )  # fmt: skip
    yield _with_periodic(queue)
    if request.param == "redis":
        conn = queue.storage.conn
        conn.delete(*conn.keys(f"{queue.name}.periodic.*") or [b"none"])
    queue.storage.flush_all()


def test_two_schedulers_enqueue_a_due_periodic_task_once_per_minute(queue):
    first, second = _schedulers(queue, 2)
    minute = dt.datetime(2031, 3, 4, 2, 0)
    first.enqueue_periodic_tasks(minute + dt.timedelta(seconds=3))
    second.enqueue_periodic_tasks(minute + dt.timedelta(seconds=41))
    assert queue.pending_count() == 1
    # the next minute is due again, and again claimed once
    second.enqueue_periodic_tasks(minute + dt.timedelta(seconds=62))
    first.enqueue_periodic_tasks(minute + dt.timedelta(seconds=65))
    assert queue.pending_count() == 2
    assert [t.name for t in queue.pending()] == ["every_minute", "every_minute"]


def test_a_worker_without_the_scheduler_never_enqueues_periodic_tasks(queue):
    scheduler = consumer_for(queue, workers=1, periodic=False)._create_scheduler()
    scheduler.loop()  # one pass of the scheduler loop, which would check the periodic tasks
    assert queue.pending_count() == 0
