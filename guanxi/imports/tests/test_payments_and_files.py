from decimal import Decimal
from pathlib import Path

from guanxi.imports.tests.helpers import csv_bytes, messages, run, xlsx_bytes
from guanxi.transactions.models import Payment, Transaction

PAY = ["external_id", "account_code", "received_at", "amount", "method", "reference"]


def test_payments_import_idempotent_with_errors(cast):
    code = cast.account.code
    rows = [PAY, ["R1", code, "2024-05-20", "50000", "微信支付", "INV-1"],
            ["R2", code, "2024-05-20", "0", "", ""],
            ["R3", code, "2024-05-20", "10", "cheque", ""]]  # fmt: skip
    report = run("payments", rows, user=cast.alice, source="erp")
    assert report.created == 1 and report.failed == 2
    m = messages(report)
    assert m[3] == ["amount: must be more than zero"]
    assert m[4][0].startswith("method: is not one of: bank_transfer")
    p = Payment.objects.get(source="erp", external_id="R1")
    assert p.amount == Decimal("50000.00") and p.method == "wechat_pay"
    assert p.history.get().history_user == cast.alice
    again = run("payments", rows[:2], user=cast.alice, source="erp")
    assert again.unchanged == 1 and Payment.history.count() == 1


TX = [["客户编号", "单号", "消费时间", "产品类别", "金额", "人数", "备注"]]


def test_chinese_headers_and_gb18030(cast):
    rows = TX + [[cast.account.code, "Z1", "2024/05/01 12:00", "餐饮", "¥88.8", "2", "午餐"]]
    report = run("transactions", csv_bytes(rows, "gb18030"), user=cast.alice)
    assert report.ok, report.describe()
    t = Transaction.objects.get(external_id="Z1")
    assert t.amount == Decimal("88.80") and t.head_count == 2 and t.description == "午餐"


def test_utf8_with_bom_and_unknown_columns_warn(cast):
    rows = [["external_id", "account_code", "occurred_at", "category", "amount", "颜色"],
            ["Z2", cast.account.code, "2024-05-01", "fnb", "1", "红"]]  # fmt: skip
    report = run("transactions", b"\xef\xbb\xbf" + csv_bytes(rows), user=cast.alice)
    assert report.created == 1
    assert report.warnings == ["Ignored unknown columns: 颜色."]


def test_xlsx_uses_sheet_row_numbers(cast):
    import datetime as dt

    rows = [["external_id", "account_code", "occurred_at", "category", "amount"],
            ["X1", cast.account.code, dt.datetime(2024, 5, 1, 9, 30), "fnb", 12.5],
            [None, None, None, None, None],
            ["X2", cast.account.code, dt.date(2024, 5, 2), "fnb", -1],
            [1001, cast.account.code, "2024-05-03", "rooms", 3]]  # fmt: skip
    report = run("transactions", xlsx_bytes(rows), user=cast.alice, name="t.xlsx")
    assert report.created == 2, report.describe()
    assert messages(report) == {
        4: ["amount: is negative on a sale; a refund says so in the kind column (refund, 退款)"]
    }
    assert Transaction.objects.get(external_id="X1").amount == Decimal("12.50")
    assert Transaction.objects.filter(external_id="1001").exists()


def test_whole_file_problems_are_clear_messages(cast):
    cases = {
        b"": "The file is empty.",
        csv_bytes([["external_id", "amount"], ["A", "1"]]): "Required columns are missing: ",
        csv_bytes([["external_id", "account_code", "occurred_at", "category", "amount"]]):
            "The file has headers but no data rows.",
        b"\xff\xfe\x00garbage\x81\x00": "The file starts like UTF-16 text but does not read",
        b"\x81\x00garbage\xff": "The file looks like UTF-16 or UTF-32 text without",
        b"code,name\n1,\x80\x80\n": "The file is not UTF-8, UTF-16, GB18030 (GBK) or Big5 text",
    }  # fmt: skip
    for content, message in cases.items():
        report = run("transactions", content, user=cast.alice)
        assert not report.ok and report.fatal.startswith(message), report.fatal
    broken = run("transactions", b"PK\x03\x04broken", user=cast.alice, name="x.xlsx")
    assert broken.fatal.startswith("The XLSX file could not be opened")
    assert "Rejected:" in broken.describe()


def test_cli_report_lists_fifty_errors_then_the_rest_and_the_file(cast, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    head = ["external_id", "account_code", "occurred_at", "category", "amount"]
    rows = [head] + [[f"N{i}", cast.account.code, "2024-05-01", "fnb", "-1"] for i in range(60)]
    path = tmp_path / "many.csv"
    path.write_bytes(csv_bytes(rows))
    from guanxi.imports.services import import_file

    report = import_file(kind="transactions", path=path)
    text = report.describe()
    assert (
        "line 51, amount: is negative on a sale; a refund says so in the kind column (refund, 退款)"
        in text
    )
    assert "line 52, amount" not in text
    assert "… and 10 more" in text
    assert report.errors_file and f"Full error report: {report.errors_file}" in text
    assert (tmp_path / "imports").exists()
    assert len(Path(report.errors_file).read_text(encoding="utf-8").splitlines()) == 61
