"""`guanxi partitions`: the transaction ledger's monthly partitions on PostgreSQL (status, turn
them on, keep months ahead). docs/scaling-partitioning.md says when to turn them on."""

from __future__ import annotations

import argparse
import sys

from guanxi.commands import common
from guanxi.commands.common import CliError, parse_as_of
from guanxi.core.bulk import is_postgres
from guanxi.core.errors import ApplicationError
from guanxi.transactions.partitions import (
    DEFAULT_PARTITION,
    ledger_is_partitioned,
    ledger_partition,
    ledger_partitions,
    ledger_partitions_ensure,
)


def _status() -> None:
    parts = ledger_partitions()
    if not parts:
        print("the transaction ledger is one plain table (not partitioned)")
        if is_postgres():
            print("  guanxi partitions --enable  rebuilds it with monthly partitions")
        return
    months = [p for p in parts if p.name != DEFAULT_PARTITION]
    default = next((p for p in parts if p.name == DEFAULT_PARTITION), None)
    print(f"the transaction ledger has {len(months)} monthly partitions and a default one")
    if months:
        print(f"  first {months[0].name}, last {months[-1].name}")
    if default is not None and default.rows > 0:
        print(f"  about {default.rows} rows outside the months, in {DEFAULT_PARTITION}")


def partitions(args: argparse.Namespace) -> int:
    common.migrate()
    try:
        as_of = parse_as_of(args.as_of)
        if not 0 <= args.ahead <= 120:
            raise CliError(f"--ahead must be between 0 and 120 months, not {args.ahead}")
        if args.enable:
            if not is_postgres():
                raise CliError("monthly partitions need PostgreSQL (DATABASE_URL=postgres://…)")
            summary = ledger_partition(as_of=as_of, ahead=args.ahead, progress=True)
            if summary["converted"]:
                print(f"ledger partitioned in {summary['seconds']} s")
        elif ledger_is_partitioned():
            summary = ledger_partitions_ensure(as_of=as_of, ahead=args.ahead, progress=True)
            print(common.describe_partitions(summary))
    except CliError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except ApplicationError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    _status()
    return 0
