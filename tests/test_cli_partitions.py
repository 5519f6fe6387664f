"""`guanxi partitions`: the ledger's monthly partitions from the command line. Turning them on
needs PostgreSQL; on SQLite the command says the ledger is one plain table and refuses."""

from __future__ import annotations

import pytest
from django.db import connection

from guanxi.cli import main
from guanxi.transactions.partitions import ledger_is_partitioned, ledger_partitions

on_postgres = connection.vendor == "postgresql"


@pytest.mark.skipif(on_postgres, reason="what the command says on SQLite")
def test_on_sqlite_the_ledger_stays_one_table(db, capsys):
    assert main(["partitions"]) == 0
    assert "one plain table" in capsys.readouterr().out
    assert main(["partitions", "--enable"]) == 2
    assert "need PostgreSQL" in capsys.readouterr().err
    assert not ledger_is_partitioned()


@pytest.mark.skipif(not on_postgres, reason="monthly partitions are a PostgreSQL feature")
def test_enable_partitions_the_ledger_then_keeps_months_ahead(db, capsys):
    assert main(["partitions", "--enable", "--as-of", "2026-06-30", "--ahead", "2"]) == 0
    out = capsys.readouterr().out
    assert ledger_is_partitioned()
    assert "monthly partitions and a default one" in out
    names = {p.name for p in ledger_partitions()}
    assert {"transactions_transaction_p202606", "transactions_transaction_p202608"} <= names
    assert main(["partitions", "--as-of", "2026-06-30", "--ahead", "2"]) == 0
    assert "created none" in capsys.readouterr().out  # idempotent


def test_a_bad_ahead_is_refused(db, capsys):
    assert main(["partitions", "--ahead", "-1"]) == 2
    assert "--ahead must be between 0 and 120" in capsys.readouterr().err
