"""Two real `guanxi worker` processes on one Redis queue and one database: at the nightly hour
both schedulers find the chain due, one enqueues it, it runs once.

Each worker's clock is moved (time-machine, ticking) to 02:00 local time just before its consumer
starts, so the test need not wait for the night. Skipped without Redis on 127.0.0.1:6379."""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = "redis://127.0.0.1:6379/14"  # a database of its own: other tests use 15
NIGHT = "2031-03-04T02:00:00+08:00"  # GUANXI_NIGHTLY_HOUR 2 in Asia/Shanghai

WORKER = f"""
import sys, time_machine
from guanxi.core import consumer

run = consumer.GuanxiConsumer.run

def at_night(self):
    time_machine.travel("{NIGHT}", tick=True).start()
    return run(self)

consumer.GuanxiConsumer.run = at_night
from guanxi.cli import main
sys.exit(main(["worker", "--workers", "1"]))
"""


@pytest.fixture
def env(tmp_path):
    conn = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        conn.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    name = f"guanxitest{uuid.uuid4().hex[:8]}"  # as Huey spells it in its Redis keys
    env = {**os.environ, "GUANXI_DATA_DIR": str(tmp_path), "HUEY_REDIS_URL": REDIS_URL,
           "HUEY_NAME": name, "HUEY_IMMEDIATE": "0", "TIME_ZONE": "Asia/Shanghai",
           "GUANXI_NIGHTLY_HOUR": "2", "PYTHONUNBUFFERED": "1"}  # fmt: skip
    for key in ("DATABASE_URL", "DATABASE_REPLICA_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(key, None)  # one SQLite file both workers and the test can open
    migrate = [sys.executable, "-m", "guanxi.cli", "manage", "migrate", "-v", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, timeout=300)
    yield env
    for key in conn.scan_iter(f"*{name}*"):
        conn.delete(key)


def _nightly_runs(db: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name, status FROM core_jobrun WHERE name = 'nightly'")
        return rows.fetchall()


def test_two_workers_run_the_nightly_chain_once(env, tmp_path):
    logs = [tmp_path / f"worker{i}.log" for i in (1, 2)]
    procs = []
    for log in logs:
        with open(log, "w") as out:
            procs.append(subprocess.Popen([sys.executable, "-c", WORKER], cwd=ROOT, env=env,
                                          stdout=out, stderr=subprocess.STDOUT))  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        db = tmp_path / "guanxi.sqlite3"
        while time.monotonic() < deadline:
            runs = _nightly_runs(db)
            if runs and all(status != "running" for _, status in runs):
                break
            time.sleep(0.5)
        time.sleep(3)  # room for a second run, were the chain enqueued twice
        runs = _nightly_runs(db)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(timeout=30)
    text = [log.read_text() for log in logs]
    assert len(runs) == 1, (runs, text)
    # both schedulers found the chain due: one enqueued it, the other saw it claimed
    lines = "".join(text).splitlines()
    for task in ("nightly_schedule", "case_escalation_schedule"):  # the latter: every 15 min
        enqueued = [line for line in lines if "Enqueueing periodic task" in line and task in line]
        assert len(enqueued) == 1, (task, text)
        assert sum(f"{task}: enqueued by another worker" in line for line in lines) == 1, text
