"""Throughput and latency of `guanxi serve` under 1, 8 and 32 concurrent clients.

Starts the real server (a subprocess, as `guanxi serve` runs in production) on the demo database
(SQLite, built once into --data-dir) or on --database-url, logs every client in as one user, and
has each client loop over a fixed mix of pages for --duration seconds: the account list, Today,
an account's 360° page, the dashboard and the API's account list. Prints requests per second,
p50 and p95 per server configuration and client count, and the ratio of the last configuration
to the first.

    .venv/bin/python benchmarks/serve_throughput.py                    # 1×8 (before) vs default
    .venv/bin/python benchmarks/serve_throughput.py --configs 1x8,2x4,4x4 --duration 30
    .venv/bin/python benchmarks/serve_throughput.py --database-url postgres://…/gx_bench_NAME \\
        --user kam00 --password bench

The clients run in this process (threads on keep-alive connections), on the same machine: they
take some of its CPU, as the issue's measurements did.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_PASSWORD = "guanxi-demo-2026"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """One client: a keep-alive connection and its cookies."""

    def __init__(self, port: int, token: str | None = None, *, keepalive: bool = True) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.token = token
        self.keepalive = keepalive

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if path.startswith("/api/") and self.token:
            headers = {"Authorization": f"Bearer {self.token}"}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if not self.keepalive:
            headers["Connection"] = "close"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()  # the server closed a kept-alive connection: reconnect once
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        if not self.keepalive:
            self.conn.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";")[0]
        return response.status, data

    def login(self, username: str, password: str) -> None:
        _, page = self.request("GET", "/admin/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token.decode(), "username": username, "password": password}
        )
        status, _ = self.request("POST", "/admin/login/?next=/admin/", form)
        if status != 302:
            raise SystemExit(f"login as {username} failed ({status})")


def _env(args: argparse.Namespace) -> dict[str, str]:
    env = {**os.environ, "GUANXI_DATA_DIR": str(args.data_dir), "PYTHONUNBUFFERED": "1"}
    env.pop("DATABASE_REPLICA_URL", None)
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    else:
        env.pop("DATABASE_URL", None)
    return env


def _guanxi(env: dict[str, str], *argv: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "guanxi.cli", *argv], cwd=ROOT, env=env,
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout


def prepare(args: argparse.Namespace, env: dict[str, str]) -> str:
    """Build the demo once (SQLite), return an API token of the benchmark user."""
    if not args.database_url and not (args.data_dir / "guanxi.sqlite3").exists():
        print(f"building the demo database in {args.data_dir} …", flush=True)
        _guanxi(env, "demo", "--no-serve")
    return _guanxi(env, "token", args.user, "--name", "bench").strip().split()[-1]


def start_server(env: dict[str, str], processes: int, threads: int) -> tuple[subprocess.Popen, int]:
    port = _free_port()
    cmd = [sys.executable, "-m", "guanxi.cli", "serve", "--addr", f"127.0.0.1:{port}",
           "--processes", str(processes), "--threads", str(threads)]  # fmt: skip
    log = open(Path(env["GUANXI_DATA_DIR"]) / f"serve-{processes}x{threads}.log", "a")  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if Browser(port).request("GET", "/admin/login/")[0] == 200:
                return proc, port
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise SystemExit("the server did not start")


def pages(port: int, token: str) -> list[str]:
    client = Browser(port, token)
    status, body = client.request("GET", "/api/accounts?limit=1")
    if status != 200:
        raise SystemExit(f"/api/accounts answered {status}")
    items = json.loads(body)
    items = items.get("items", items) if isinstance(items, dict) else items
    account = items[0]["id"]
    return [
        "/admin/accounts/account/",
        "/admin/activities/task/today/",
        f"/admin/accounts/account/{account}/360/",
        "/admin/",
        "/api/accounts?limit=50",
    ]


def _each(fn, items: list) -> None:
    threads = [threading.Thread(target=fn, args=(item,)) for item in items]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def drive(port: int, token: str, paths: list[str], clients: int, args: argparse.Namespace) -> dict:
    browsers = [Browser(port, token, keepalive=args.keepalive) for _ in range(clients)]

    def warm_up(b: Browser) -> None:
        b.login(args.user, args.password)
        for path in paths:  # each client's first round is not counted
            b.request("GET", path)

    _each(warm_up, browsers)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def loop(numbered: tuple[int, Browser]) -> None:
        n, browser = numbered
        while time.monotonic() < stop:
            path = paths[n % len(paths)]
            n += 1
            start = time.perf_counter()
            status, _ = browser.request("GET", path)
            took = time.perf_counter() - start
            with lock:
                latencies.append(took)
                errors[0] += status != 200

    stop = time.monotonic() + args.duration
    began = time.monotonic()
    _each(loop, list(enumerate(browsers)))
    elapsed = time.monotonic() - began
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
    return {
        "requests": len(latencies), "errors": errors[0], "rps": len(latencies) / elapsed,
        "p50": cuts[49], "p95": cuts[94],
    }  # fmt: skip


def run(args: argparse.Namespace) -> dict[str, dict[int, list[dict]]]:
    """Every configuration once per round, rounds interleaved, so a neighbour's load on the
    machine falls on all configurations alike."""
    env = _env(args)
    token = prepare(args, env)
    results: dict[str, dict[int, list[dict]]] = {}
    for round_ in range(1, args.rounds + 1):
        for processes, threads in args.configs:
            label = f"{processes}×{threads}"
            proc, port = start_server(env, processes, threads)
            try:
                paths = pages(port, token)
                for clients in args.clients:
                    r = drive(port, token, paths, clients, args)
                    results.setdefault(label, {}).setdefault(clients, []).append(r)
                    print(
                        f"round {round_} {label:>6} {clients:>3} clients: {r['rps']:6.1f} req/s"
                        f"  p50 {r['p50'] * 1000:6.0f} ms  p95 {r['p95'] * 1000:6.0f} ms"
                        f"  ({r['requests']} requests, {r['errors']} not 200)",
                        flush=True,
                    )
            finally:
                proc.terminate()
                proc.wait(timeout=60)
    return results


def summary(results: dict[str, dict[int, list[dict]]], clients: list[int]) -> None:
    """Medians over the rounds, then the last configuration against the first."""
    med: dict[str, dict[int, dict[str, float]]] = {
        label: {c: {k: statistics.median(r[k] for r in rs) for k in ("rps", "p50", "p95")}
                for c, rs in by_clients.items()}
        for label, by_clients in results.items()
    }  # fmt: skip
    print("\nmedians over the rounds:")
    print("| server | clients | req/s | p50 ms | p95 ms |\n|---|---|---|---|---|")
    for label, by_clients in med.items():
        for c in clients:
            m = by_clients[c]
            print(f"| {label} | {c} | {m['rps']:.1f} | {m['p50'] * 1000:.0f} | "
                  f"{m['p95'] * 1000:.0f} |")  # fmt: skip
    first, last = list(med)[0], list(med)[-1]
    if first != last:
        print(f"\n{last} vs {first}:")
        for c in clients:
            a, b = med[first][c], med[last][c]
            print(f"  {c:>3} clients: req/s ×{b['rps'] / a['rps']:.2f}, "
                  f"p95 ×{b['p95'] / a['p95']:.2f}")  # fmt: skip


def _config(value: str) -> tuple[int, int]:
    if value == "default":
        # deferred: the default is the server's own (cores), read where the server reads it
        from guanxi.commands.serving import default_processes, default_threads

        return default_processes(), default_threads()
    processes, _, threads = value.partition("x")
    return int(processes), int(threads)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--configs", default="1x8,default",
                        help="processes×threads to compare, first is the baseline"
                        " (default: 1x8, the old server, then the new default)")  # fmt: skip
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--duration", type=float, default=20, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=1, help="repeat, interleaved; medians")
    parser.add_argument("--database-url", help="PostgreSQL database (default: the demo, SQLite)")
    parser.add_argument("--data-dir", type=Path, default=Path("/tmp/gx-serve-bench"))
    parser.add_argument("--user", default="wangfang", help="who logs in (default a demo KAM)")
    parser.add_argument("--password", default=DEMO_PASSWORD)
    parser.add_argument(
        "--no-keepalive",
        dest="keepalive",
        action="store_false",
        help="a new connection per request: many users' browsers rather than a few kept-alive"
        " connections, which a multi-process server may have accepted unevenly",
    )
    parser.add_argument("--save", type=Path, help="write the results as JSON here")
    args = parser.parse_args()
    args.configs = [_config(c) for c in args.configs.split(",")]
    args.clients = [int(c) for c in args.clients.split(",")]
    results = run(args)
    summary(results, args.clients)
    if args.save:
        args.save.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "guanxi.settings")
    main()
