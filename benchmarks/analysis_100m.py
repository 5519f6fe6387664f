"""Benchmark: `guanxi analyze` on a generated ledger of 100M transactions (issue 12: under 10
minutes and 4 GB peak). Run by hand, not a test:

    .venv/bin/python benchmarks/analysis_100m.py --database gx_scale100m --build \\
        --accounts 1000000 --transactions 100000000
    .venv/bin/python benchmarks/analysis_100m.py --database gx_scale100m   # measure again

``--build`` creates the database (it must not exist), migrates it, and fills it in SQL, not
through the ORM: one owner, one product category, ``--accounts`` accounts and ``--transactions``
transactions spread over three years up to ``--as-of`` (``INSERT … SELECT`` from
``generate_series``, in ``--workers`` parallel sessions, into an UNLOGGED ledger with its
foreign keys and secondary indexes dropped; the (account_id, occurred_at) and occurred_at
indexes are rebuilt afterwards). Accounts get a spread of activity: an account's share of the
ledger follows ``random()^2``-shaped skew, about 100 transactions on average at 1M/100M. The
result is a benchmark database only (no keys to the ledger, no history rows, not crash-safe).

Then `guanxi analyze --as-of` runs as its own process against it (the code of the checkout the
script sits in); wall and CPU time and peak RSS come from `os.wait4`, as in
`benchmarks/analysis_nightly.py`. Drop the database afterwards:
``psql -h 127.0.0.1 -U postgres -c 'DROP DATABASE gx_scale100m'``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from analysis_nightly import measure  # noqa: E402 (a sibling script, not a package)

ROOT = Path(__file__).resolve().parent.parent
GUANXI = str(Path(sys.executable).parent / "guanxi")
SERVER = "postgres://postgres@127.0.0.1:5432"
TARGET = (600.0, 4.0)  # issue 12: seconds, GB

_PREPARE = """
INSERT INTO core_user (password, is_superuser, username, first_name, last_name, email, is_staff,
    is_active, date_joined, role, phone)
VALUES ('!', false, 'bench_owner', '', '', '', true, true, now(), 'kam', '');
INSERT INTO transactions_productcategory (code, name, name_en, sort_order, is_active)
VALUES ('BENCH', 'Bench', 'Bench', 0, true);
"""


def _sql(url: str, statements: str | list[str]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for statement in [statements] if isinstance(statements, str) else statements:
            conn.execute(statement)


def _ledger_keys(url: str) -> list[str]:
    """Foreign keys from and to the ledger and its secondary indexes: dropped for the load."""
    with psycopg.connect(url) as conn:
        keys = conn.execute(
            "SELECT conrelid::regclass::text, conname FROM pg_constraint WHERE contype = 'f' "
            "AND (conrelid = 'transactions_transaction'::regclass "
            "OR confrelid = 'transactions_transaction'::regclass)"
        ).fetchall()
        indexes = conn.execute(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid IN "
            "('transactions_transaction'::regclass, 'accounts_account'::regclass) "
            "AND NOT indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conindid = indexrelid)"
        ).fetchall()
    drops = [f'ALTER TABLE {table} DROP CONSTRAINT "{name}"' for table, name in keys]
    drops += [f"DROP INDEX IF EXISTS {name}" for (name,) in indexes]
    return drops


def build(database: str, accounts: int, transactions: int, as_of: str, workers: int) -> None:
    url = f"{SERVER}/{database}"
    _sql(f"{SERVER}/postgres", f"CREATE DATABASE {database}")
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    subprocess.run(  # noqa: S603 (our own CLI)
        [GUANXI, "manage", "migrate"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )
    fill(url, accounts, transactions, as_of, workers)


def fill(url: str, accounts: int, transactions: int, as_of: str, workers: int) -> None:
    started = time.perf_counter()
    _sql(url, _ledger_keys(url))
    _sql(url, ["ALTER TABLE transactions_transaction SET UNLOGGED", _PREPARE])
    _sql(
        url,
        f"""INSERT INTO accounts_account (code, name, short_name, english_name, kind,
            organisation_form, account_type, status, industry, enterprise_nature, scale, province,
            city, address, website, phone, organisation_structure, credit_rating, price_system,
            sales_policy, attitude, notes, created_at, updated_at, owner_id)
        SELECT 'B' || g, 'Bench account ' || g, '', '', 'company', '', 'customer', 'active', '',
            '', '', '', '', '', '', '', '', '', '', '', '', '', now(), now(),
            (SELECT min(id) FROM core_user)
        FROM generate_series(1, {accounts}) g""",
    )
    print(f"accounts: {time.perf_counter() - started:.0f} s", flush=True)
    step = -(-transactions // workers)
    end = f"(DATE '{as_of}' + 1)::timestamptz"
    # Rows come in time order (as a real ledger fills up); the account is skewed: low ids buy
    # more. amount 50–2,050, cost about 60 % of it.
    insert = """INSERT INTO transactions_transaction (occurred_at, amount, cost, channel, source,
        external_id, description, created_at, account_id, category_id, kind)
    SELECT t, a, round(a * (0.5 + random()::numeric * 0.2), 2), 'direct', 'bench', '', '', t,
        (SELECT min(id) FROM accounts_account) + floor({accounts} * random() ^ 1.6)::bigint,
        (SELECT min(id) FROM transactions_productcategory), 'sale'
    FROM (SELECT {end} - interval '1096 days' * (1 - g::float8 / {n}) - interval '1 hour'
                   * random() AS t,
                 round((50 + random() * 2000)::numeric, 2) AS a
          FROM generate_series({lo}, {hi}) g) s"""
    with ThreadPoolExecutor(workers) as pool:
        jobs = [
            pool.submit(
                _sql,
                url,
                insert.format(
                    accounts=accounts,
                    end=end,
                    n=transactions,
                    lo=lo,
                    hi=min(lo + step - 1, transactions),
                ),
            )
            for lo in range(1, transactions + 1, step)
        ]
        for job in jobs:
            job.result()
    print(f"ledger: {time.perf_counter() - started:.0f} s", flush=True)
    _sql(
        url,
        [
            "SET maintenance_work_mem = '1GB'",
            "CREATE INDEX transaction_account_c0b560_idx "
            "ON transactions_transaction (account_id, occurred_at)",
            "CREATE INDEX transaction_occurre_e78bc7_idx ON transactions_transaction (occurred_at)",
            "VACUUM ANALYZE transactions_transaction",
            "VACUUM ANALYZE accounts_account",
        ],
    )
    print(f"indexes, vacuum: {time.perf_counter() - started:.0f} s", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="gx_scale100m")
    parser.add_argument("--build", action="store_true")
    parser.add_argument(
        "--fill-only", action="store_true", help="fill a migrated database, do not measure"
    )
    parser.add_argument("--accounts", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=100_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--as-of", default="2026-11-20")
    args = parser.parse_args()
    if args.fill_only:
        url = f"{SERVER}/{args.database}"
        fill(url, args.accounts, args.transactions, args.as_of, args.workers)
        return
    if args.build:
        build(args.database, args.accounts, args.transactions, args.as_of, args.workers)
    os.environ["DATABASE_URL"] = f"{SERVER}/{args.database}"
    load = os.getloadavg()[0]
    result = measure("analyze", args.as_of)
    wall, peak = TARGET
    print(
        f"guanxi analyze: {result['wall']:.0f} s wall (target {wall:.0f}), "
        f"{result['cpu']:.0f} s CPU, {result['peak_gb']:.2f} GB peak (target {peak})"
    )
    print(f"load average before / after: {load:.1f} / {os.getloadavg()[0]:.1f}")
    for line in result["output"]:
        print(f"  {line}")


if __name__ == "__main__":
    main()
