"""Benchmark: import 1,000,000 transaction rows from CSV with Guanxi's importer and compare with
django-import-export on the same file, on SQLite and PostgreSQL. Run by hand, not a test:

    .venv/bin/python benchmarks/import_transactions.py                 # 1,000,000 rows
    .venv/bin/python benchmarks/import_transactions.py --rows 100000   # quick run
    .venv/bin/python benchmarks/import_transactions.py --dbs sqlite    # one database only

Each measured import runs in its own subprocess against a fresh database (a new SQLite file, or
a newly created PostgreSQL database), so peak RSS (resource.getrusage) is that import's own.
Setup (migrations, users, accounts) is not timed. See benchmarks/README.md for the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
CATEGORIES = ["rooms", "fnb", "meeting", "travel", "other"]
CHANNELS = ["direct", "walk_in", "phone", "website", "mini_program", "ota", "travel_agency"]


# -- data --------------------------------------------------------------------------------------
def generate(path: Path, rows: int, accounts: int, seed: int = 2026) -> None:
    """A deterministic transactions CSV (same seed, same bytes)."""
    import numpy as np
    import polars as pl

    rng = np.random.default_rng(seed)
    start = np.datetime64("2022-01-01T00:00:00")
    seconds = rng.integers(0, 3 * 365 * 24 * 3600, rows)
    amount_cents = rng.lognormal(mean=10.5, sigma=1.0, size=rows).astype(np.int64) + 100
    frame = pl.DataFrame(
        {
            "source": ["bench"] * rows,
            "external_id": [f"B{i:09d}" for i in range(rows)],
            "account_code": [f"ACC{a:05d}" for a in rng.integers(0, accounts, rows)],
            "occurred_at": (start + seconds.astype("timedelta64[s]")).astype("datetime64[us]"),
            "category": np.array(CATEGORIES)[rng.integers(0, len(CATEGORIES), rows)],
            "amount": amount_cents,
            "cost": (amount_cents * 0.6).astype(np.int64),
            "head_count": rng.integers(1, 200, rows),
            "channel": np.array(CHANNELS)[rng.integers(0, len(CHANNELS), rows)],
            "description": np.array(["", "商务宴请", "会议室租用", "团队客房"])[
                rng.integers(0, 4, rows)
            ],
        }
    ).with_columns(
        pl.col("occurred_at").dt.strftime("%Y-%m-%d %H:%M:%S"),
        *[
            pl.format(
                "{}.{}", pl.col(c) // 100, (pl.col(c) % 100).cast(pl.String).str.zfill(2)
            ).alias(c)
            for c in ("amount", "cost")
        ],
    )
    frame.write_csv(path)


# -- one measured run (in a subprocess) --------------------------------------------------------
def _setup_django(db: str, workdir: Path, dbname: str) -> None:
    if db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
            conn.execute(f'CREATE DATABASE "{dbname}"')
        os.environ["DATABASE_URL"] = f"{PG_BASE}/{dbname}"
    else:
        os.environ.pop("DATABASE_URL", None)
        data = workdir / dbname
        data.mkdir(parents=True, exist_ok=True)
        os.environ["GUANXI_DATA_DIR"] = str(data)
    os.environ["DJANGO_SETTINGS_MODULE"] = "guanxi.settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _make_accounts(n: int) -> None:
    from guanxi.accounts.models import Account, AccountType
    from guanxi.core.models import Role, Team, User

    team = Team.objects.create(name="Bench")
    owner = User.objects.create_user("bench", role=Role.MANAGER, team=team)
    Account.objects.bulk_create(
        Account(code=f"ACC{i:05d}", name=f"基准客户{i}", account_type=AccountType.CORPORATE,
                owner=owner, team=team)
        for i in range(n)
    )  # fmt: skip


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_guanxi(path: Path, rows: int) -> dict:
    # The import as the CLI and the upload page run it (imported discounts are checked too).
    from guanxi.transactions.models import Transaction
    from guanxi.workspace.flows import file_import as import_file

    t0 = time.perf_counter()
    report = import_file(kind="transactions", path=path, username="bench", errors_file=False)
    first = time.perf_counter() - t0
    assert report.ok and report.created == rows, report.describe()
    peak = _peak_mb()
    t0 = time.perf_counter()
    again = import_file(kind="transactions", path=path, username="bench", errors_file=False)
    rerun = time.perf_counter() - t0
    assert again.unchanged == rows and again.created == again.updated == 0, again.describe()
    history = Transaction.history.count()
    assert Transaction.objects.count() == rows and history == rows
    return {"seconds": first, "rerun_seconds": rerun, "peak_mb": peak, "history_rows": history}


def run_import_export(path: Path, rows: int) -> dict:
    import tablib
    from import_export import fields, resources
    from import_export.widgets import ForeignKeyWidget

    from guanxi.accounts.models import Account
    from guanxi.transactions.models import ProductCategory, Transaction

    class TransactionResource(resources.ModelResource):
        account = fields.Field(attribute="account", column_name="account_code",
                               widget=ForeignKeyWidget(Account, "code"))  # fmt: skip
        category = fields.Field(attribute="category", column_name="category",
                                widget=ForeignKeyWidget(ProductCategory, "code"))  # fmt: skip

        class Meta:
            model = Transaction
            import_id_fields = ("source", "external_id")
            fields = ("source", "external_id", "account", "occurred_at", "category", "amount",
                      "cost", "head_count", "channel", "description")  # fmt: skip
            use_bulk = True
            batch_size = 1000
            skip_diff = True
            skip_unchanged = False
            use_transactions = True

    with open(path, encoding="utf-8") as f:
        head = [next(f) for _ in range(rows + 1)]
    t0 = time.perf_counter()
    dataset = tablib.Dataset().load("".join(head), format="csv")
    result = TransactionResource().import_data(dataset, dry_run=False, raise_errors=True)
    seconds = time.perf_counter() - t0
    assert not result.has_errors() and not result.has_validation_errors()
    assert Transaction.objects.count() == rows, Transaction.objects.count()
    return {"seconds": seconds, "peak_mb": _peak_mb(), "history_rows": Transaction.history.count()}


def child(args: argparse.Namespace) -> None:
    workdir = Path(args.workdir)
    _setup_django(args.db, workdir, f"guanxi_bench_{args.engine}")
    _make_accounts(args.accounts)
    fn = run_guanxi if args.engine == "guanxi" else run_import_export
    result = fn(Path(args.file), args.rows)
    result.update(engine=args.engine, db=args.db, rows=args.rows)
    result["rows_per_second"] = args.rows / result["seconds"]
    print("RESULT " + json.dumps(result), flush=True)


# -- driver ------------------------------------------------------------------------------------
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ie-rows", type=int, default=50_000,
                        help="rows for django-import-export (at most --rows)")  # fmt: skip
    parser.add_argument("--accounts", type=int, default=2_000)
    parser.add_argument("--dbs", default="sqlite,postgres")
    parser.add_argument("--engines", default="guanxi,import_export")
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--engine", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return

    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="guanxi-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    csv_path = workdir / f"transactions-{args.rows}.csv"
    if not csv_path.exists():
        t0 = time.perf_counter()
        generate(csv_path, args.rows, args.accounts)
        print(f"generated {csv_path} ({csv_path.stat().st_size / 1e6:.0f} MB) "
              f"in {time.perf_counter() - t0:.1f} s", flush=True)  # fmt: skip
    ie_rows = min(args.ie_rows, args.rows)
    results: list[dict] = []
    for db in args.dbs.split(","):
        for engine, rows in (("guanxi", args.rows), ("import_export", ie_rows)):
            if engine not in args.engines.split(","):
                continue
            cmd = [sys.executable, __file__, "--child", "--engine", engine, "--db", db,
                   "--file", str(csv_path), "--rows", str(rows), "--accounts",
                   str(args.accounts), "--workdir", str(workdir)]  # fmt: skip
            print(f"running {engine} on {db} ({rows:,} rows)…", flush=True)
            proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
            if proc.returncode or line is None:
                print(proc.stdout[-2000:], proc.stderr[-4000:], file=sys.stderr)
                raise SystemExit(f"{engine} on {db} failed")
            results.append(json.loads(line[len("RESULT ") :]))
            print("  " + json.dumps(results[-1]), flush=True)

    print()
    print("| database | importer | rows | seconds | rows/s | peak RSS (MB) | re-run (s) "
          "| vs import-export |")  # fmt: skip
    print("|---|---|---:|---:|---:|---:|---:|---:|")  # fmt: skip
    for db in args.dbs.split(","):
        ie = next((r for r in results if r["db"] == db and r["engine"] == "import_export"), None)
        for r in (r for r in results if r["db"] == db):
            ratio = r["rows_per_second"] / ie["rows_per_second"] if ie else float("nan")
            rerun = f"{r['rerun_seconds']:.1f}" if "rerun_seconds" in r else "—"
            print(f"| {db} | {r['engine']} | {r['rows']:,} | {r['seconds']:.1f} | "
                  f"{r['rows_per_second']:,.0f} | {r['peak_mb']:,.0f} | {rerun} "
                  f"| {ratio:.1f}× |")  # fmt: skip


if __name__ == "__main__":
    main()
