"""`guanxi serve`: several processes where the platform forks, and the reverse-proxy headers."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from guanxi.commands import serving
from guanxi.wsgi import behind_proxies

ROOT = Path(__file__).resolve().parent.parent


def _seen_by_app(environ: dict) -> dict:
    seen = {}

    def app(env, start_response):
        seen.update(env)
        return [b""]

    behind_proxies(app, frozenset({"10.0.0.2", "10.0.0.3"}))(environ, lambda *a: None)
    return seen


def test_forwarded_headers_from_a_trusted_proxy_name_the_client():
    seen = _seen_by_app({
        "REMOTE_ADDR": "10.0.0.2", "wsgi.url_scheme": "http", "HTTP_HOST": "10.0.0.9:8000",
        # the client wrote a fake first hop; the outer proxy 10.0.0.3 appended the real one
        "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7, 10.0.0.3",
        "HTTP_X_FORWARDED_PROTO": "https", "HTTP_X_FORWARDED_HOST": "crm.example.com",
    })  # fmt: skip
    assert seen["REMOTE_ADDR"] == "203.0.113.7"
    assert seen["wsgi.url_scheme"] == "https" and seen["HTTP_HOST"] == "crm.example.com"


def test_forwarded_headers_from_anyone_else_are_ignored():
    seen = _seen_by_app({
        "REMOTE_ADDR": "198.51.100.1", "wsgi.url_scheme": "http", "HTTP_HOST": "crm:8000",
        "HTTP_X_FORWARDED_FOR": "127.0.0.1", "HTTP_X_FORWARDED_PROTO": "https",
        "HTTP_X_FORWARDED_HOST": "evil.example.com",
    })  # fmt: skip
    assert seen["REMOTE_ADDR"] == "198.51.100.1"
    assert seen["wsgi.url_scheme"] == "http" and seen["HTTP_HOST"] == "crm:8000"


def test_several_processes_by_default_where_the_platform_forks(monkeypatch):
    monkeypatch.delenv("GUANXI_SERVE_PROCESSES", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 1)
    monkeypatch.setattr(sys, "platform", "linux")
    assert serving.default_processes() == 2
    monkeypatch.setattr(os, "cpu_count", lambda: 64)
    assert serving.default_processes() == serving.MAX_DEFAULT_PROCESSES
    monkeypatch.setattr(sys, "platform", "win32")
    assert serving.default_processes() == 1
    monkeypatch.setenv("GUANXI_SERVE_PROCESSES", "3")
    assert serving.default_processes() == 3


def test_the_commands_build_the_wsgi_application_only_when_they_serve(tmp_path):
    """Building it starts WhiteNoise, which warned "No directory at …/static/" twice on `guanxi
    demo`: once in each process, before migrate() had made the folder."""
    env = {**os.environ, "GUANXI_DATA_DIR": str(tmp_path)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    code = (
        "import sys; from guanxi.cli import _setup_django; _setup_django(); "
        "import guanxi.commands.demo, guanxi.commands.server; "
        "print('guanxi.wsgi' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True)  # fmt: skip
    assert out.stdout.strip() == "False", out.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_forks_the_processes_asked_for_and_answers(tmp_path):
    port = _free_port()
    env = {**os.environ, "GUANXI_DATA_DIR": str(tmp_path), "PYTHONUNBUFFERED": "1"}
    for key in ("DATABASE_URL", "DATABASE_REPLICA_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(key, None)
    cmd = [sys.executable, "-m", "guanxi.cli", "serve", "--addr", f"127.0.0.1:{port}",
           "--processes", "3", "--threads", "2"]  # fmt: skip
    log = tmp_path / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        status, deadline = None, time.monotonic() + 300  # only a failing run waits this long
        while status is None and time.monotonic() < deadline and proc.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/") as r:
                    status = r.status
            except OSError:
                time.sleep(0.5)
        assert status == 200, log.read_text()
        assert len(_children(proc.pid)) == 3, log.read_text()
        # proxy headers from an address that is not a trusted proxy: ignored, not refused
        forged = urllib.request.Request(
            f"http://127.0.0.1:{port}/admin/login/",
            headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "6.6.6.6"},
        )
        with urllib.request.urlopen(forged) as r:
            assert r.status == 200
        assert "gunicorn: 3 process(es) × 2 thread(s)" in log.read_text()
        # A fresh data directory has no static/ yet: migrate() makes it before WhiteNoise looks.
        assert "No directory at" not in log.read_text()
    finally:
        proc.terminate()
        assert proc.wait(timeout=30) == 0
