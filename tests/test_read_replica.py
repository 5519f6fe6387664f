"""The read replica on a real one: a PostgreSQL 15 primary and a replica streaming from it
(tests/pg_replica.py), Guanxi pointed at both (DATABASE_URL, DATABASE_REPLICA_URL) in a
subprocess (tests/replica_probe.py). Skipped where the PostgreSQL binaries are missing."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests import pg_replica

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not pg_replica.available(), reason=f"PostgreSQL binaries not found in {pg_replica.BIN}"
)


@pytest.fixture(scope="module")
def pair():
    started = pg_replica.start_pair()
    yield started
    started.stop()


def test_list_page_reads_the_replica_and_a_write_reads_the_primary(pair, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": pair.primary_url,
        "DATABASE_REPLICA_URL": pair.replica_url,
        "GUANXI_DATA_DIR": str(tmp_path),
        "HUEY_IMMEDIATE": "1",
        "DJANGO_SETTINGS_MODULE": "guanxi.settings",
    }
    done = subprocess.run(
        [sys.executable, "-m", "tests.replica_probe"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    assert seen["in_recovery"] is True
    assert seen["replica_writable"] is False
    # replay paused: the list came from the replica, which has not seen the second account
    assert seen["list"] == {
        "status": 200, "aliases": ["replica"], "has_before": True, "has_after": False
    }  # fmt: skip
    # the browser wrote (logging in stores last_login): its next list is the primary's
    assert seen["login_status"] == 302
    assert seen["list_after_write"] == {
        "status": 200, "aliases": ["default"], "has_before": True, "has_after": True
    }  # fmt: skip
    # replay resumed and the pin gone: the replica serves the list again, now up to date
    assert seen["list_after_replay"] == {
        "status": 200, "aliases": ["replica"], "has_before": True, "has_after": True
    }  # fmt: skip
