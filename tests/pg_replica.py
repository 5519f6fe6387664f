"""A throwaway PostgreSQL primary and a streaming replica of it, on free local ports under /tmp.

Two clusters of our own (initdb, then pg_basebackup -R) rather than a replica of the shared
server on 5432: nothing of the shared server's configuration changes, and both go away after.

    python -m tests.pg_replica      # start a pair, print the URLs, stop on Enter
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
DB = "gx"


def available() -> bool:
    return all((BIN / tool).exists() for tool in ("initdb", "pg_ctl", "pg_basebackup", "psql"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres(cmd: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def _run(cmd: list[str]) -> str:
    done = subprocess.run(_as_postgres(cmd), capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@dataclasses.dataclass
class Pair:
    base: Path
    primary_port: int
    replica_port: int

    def url(self, port: int) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{DB}"

    @property
    def primary_url(self) -> str:
        return self.url(self.primary_port)

    @property
    def replica_url(self) -> str:
        return self.url(self.replica_port)

    def psql(self, port: int, sql: str, db: str = DB) -> str:
        cmd = [str(BIN / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres"]
        return _run([*cmd, "-d", db, "-Atc", sql]).strip()

    def stop(self) -> None:
        for name in ("replica", "primary"):
            if (self.base / name / "postmaster.pid").exists():
                _run([str(BIN / "pg_ctl"), "-D", str(self.base / name), "-m", "immediate", "stop"])
        shutil.rmtree(self.base, ignore_errors=True)


def _configure(data: Path, port: int, base: Path) -> None:
    settings = (
        f"\nport = {port}\nlisten_addresses = '127.0.0.1'\nunix_socket_directories = '{base}'\n"
        # a test cluster: speed over durability
        "fsync = off\nfull_page_writes = off\n"
        "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
    )
    _run(["sh", "-c", f'printf %s "{settings}" >> {data / "postgresql.conf"}'])


def start_pair() -> Pair:
    """initdb a primary, stream a replica from it (pg_basebackup -R), create database gx."""
    base = Path(tempfile.mkdtemp(prefix="gx-replica-", dir="/tmp"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    pair = Pair(base, _free_port(), _free_port())
    primary, replica = base / "primary", base / "replica"
    pg_ctl = str(BIN / "pg_ctl")
    try:
        _run([str(BIN / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust",
              "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        _configure(primary, pair.primary_port, base)
        _run([pg_ctl, "-D", str(primary), "-l", str(base / "primary.log"), "-w", "start"])
        _run([str(BIN / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(pair.primary_port),
              "-U", "postgres", "-D", str(replica), "-R", "-X", "stream", "--no-sync"])  # fmt: skip
        _configure(replica, pair.replica_port, base)
        _run([pg_ctl, "-D", str(replica), "-l", str(base / "replica.log"), "-w", "start"])
        _run([str(BIN / "createdb"), "-h", "127.0.0.1", "-p", str(pair.primary_port),
              "-U", "postgres", DB])  # fmt: skip
        wait_for_replay(pair)
    except Exception:
        pair.stop()
        raise
    return pair


def wait_for_replay(pair: Pair, timeout: float = 30) -> None:
    """Until the replica has replayed everything the primary has written so far."""
    lsn = pair.psql(pair.primary_port, "SELECT pg_current_wal_insert_lsn()", db="postgres")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        behind = pair.psql(
            pair.replica_port, f"SELECT pg_last_wal_replay_lsn() < '{lsn}'::pg_lsn", db="postgres"
        )
        if behind == "f":
            return
        time.sleep(0.1)
    raise TimeoutError(f"replica did not replay up to {lsn} in {timeout} s")


if __name__ == "__main__":
    started = start_pair()
    print(f"DATABASE_URL={started.primary_url}\nDATABASE_REPLICA_URL={started.replica_url}")
    try:
        input("Enter stops both clusters and deletes them. ")
    finally:
        started.stop()
