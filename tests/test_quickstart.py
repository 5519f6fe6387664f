"""The Quickstart's first command, end to end: `guanxi demo` migrates, loads demo data, prints a
login and serves HTTP. Runs the real CLI in a subprocess against a throwaway data directory."""

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def demo_server(tmp_path):
    port = _free_port()
    env = {**os.environ, "GUANXI_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_URL", None)  # the Quickstart runs on SQLite
    env.pop("DJANGO_SETTINGS_MODULE", None)
    log = tmp_path / "demo.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "guanxi.cli", "demo", "--accounts", "15",
             "--addr", f"127.0.0.1:{port}"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            yield port, proc, log
        finally:
            proc.terminate()
            proc.wait(timeout=20)


def test_demo_command_loads_data_prints_login_and_serves(demo_server):
    port, proc, log = demo_server
    deadline = time.monotonic() + 180
    status = None
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/", timeout=5) as r:
                status = r.status
                page = r.read().decode()
                break
        except OSError:
            time.sleep(0.5)
    output = log.read_text()
    assert status == 200, f"server did not answer; exit={proc.poll()}\n{output[-3000:]}"
    assert "csrfmiddlewaretoken" in page
    assert re.search(r"admin\s*/\s*\S+", output), output
    # no worker in the demo: the jobs the UI enqueues run inline, and it says so
    assert "Background jobs run inline in the demo" in output, output
    assert "tier history: 6 monthly runs" in output, output
    assert (Path(log.parent) / "guanxi.sqlite3").exists()
