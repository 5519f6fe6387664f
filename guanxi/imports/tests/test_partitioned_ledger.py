"""The importer on the ledger in monthly partitions (PostgreSQL): COPY lands rows in their
months, a re-import updates them (moving a row whose date changed to its new month) and the
external ids stay unique across months."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db import connection

from guanxi.imports.tests.helpers import run
from guanxi.transactions.models import Transaction
from guanxi.transactions.partitions import KEY_TABLE
from tests.support import make_transaction

HEAD = ["external_id", "account_code", "occurred_at", "category", "amount"]
SH = ZoneInfo("Asia/Shanghai")


def partitions_of(*external_ids: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text FROM transactions_transaction "
            "WHERE external_id = ANY(%s) ORDER BY external_id",
            [list(external_ids)],
        )
        return [row[0] for row in cursor.fetchall()]


def test_an_import_writes_and_moves_rows_between_months(cast, partitioned_ledger):
    code = cast.account.code
    rows = [
        HEAD,
        ["K1", code, "2024-05-01 19:30", "fnb", "100"],
        ["K2", code, "2024-06-01 00:30", "fnb", "200"],  # 16:30 UTC on 31 May: June here
        ["K3", code, "2025-02-14", "fnb", "300"],
    ]
    report = run("transactions", rows, user=cast.alice)
    assert (report.created, report.failed) == (3, 0), report.describe()
    assert partitions_of("K1", "K2", "K3") == [
        "transactions_transaction_p202405",
        "transactions_transaction_p202406",
        "transactions_transaction_p202502",
    ]
    rows[1][2], rows[3][4] = "2025-03-03 12:00", "333"  # K1 moves to March 2025
    report = run("transactions", rows, user=cast.mia)
    assert (report.created, report.updated, report.unchanged) == (0, 2, 1), report.describe()
    assert partitions_of("K1") == ["transactions_transaction_p202503"]
    k1 = Transaction.objects.get(external_id="K1")
    assert k1.occurred_at == dt.datetime(2025, 3, 3, 12, tzinfo=SH)
    assert k1.history.count() == 2
    assert Transaction.objects.get(external_id="K3").amount == Decimal("333.00")
    with connection.cursor() as cursor:  # one key per external id, the moved one included
        cursor.execute(f"SELECT external_id, transaction_id FROM {KEY_TABLE} ORDER BY 1")
        keys = cursor.fetchall()
    assert keys == sorted(Transaction.objects.values_list("external_id", "id"))


def test_an_import_finds_an_external_id_recorded_in_another_month(cast, partitioned_ledger):
    tx = make_transaction(account=cast.account, when=dt.datetime(2023, 9, 9, tzinfo=SH),
                          source="import", external_id="K9", amount="50")  # fmt: skip
    rows = [HEAD, ["K9", cast.account.code, "2025-01-09", "fnb", "50"]]
    report = run("transactions", rows, user=cast.alice)
    assert (report.created, report.updated) == (0, 1), report.describe()
    assert list(Transaction.objects.values_list("id", flat=True)) == [tx.pk]
    assert partitions_of("K9") == ["transactions_transaction_p202501"]
