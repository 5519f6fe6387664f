"""Files as hotel PMS/POS systems and people write them: a malformed record, notes with line
breaks, title rows above the header, Big5 and UTF-16 text. The good rows are imported (or, for
the all-or-nothing importers, nothing is), every bad one is reported by the line a spreadsheet
user sees."""

from __future__ import annotations

import codecs

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanxi.contacts.models import Contact
from guanxi.imports.models import ImportRun
from guanxi.imports.tests.helpers import csv_bytes, messages, run, xlsx_bytes
from guanxi.transactions.models import Transaction

HEAD = ["external_id", "account_code", "occurred_at", "category", "amount", "description"]


def _tx(code: str, n: int, note: str = "") -> list[object]:
    return [f"M{n}", code, "2024-05-01", "fnb", "100", note]


def test_a_record_with_too_many_fields_is_reported_and_the_rest_imported(cast):
    code = cast.account.code
    text = "\n".join(
        [
            ",".join(HEAD),
            *[",".join(map(str, _tx(code, n))) for n in range(1, 6)],  # lines 2-6
            f"M6,{code},2024-05-01,fnb,100,午餐,含酒水",  # line 7: an unquoted comma
            f"M7,{code},2024-05-01,fnb,100,",
        ]
    ).encode()
    report = run("transactions", text, user=cast.alice)
    assert not report.fatal, report.fatal
    assert (report.rows_read, report.created, report.failed) == (7, 6, 1)
    assert report.counts_add_up
    [error] = report.errors
    assert (error.line, error.column) == (7, "")
    assert error.message.startswith("has 7 fields, the header has 6")
    assert "line 7: has 7 fields, the header has 6" in report.describe()
    assert set(Transaction.objects.values_list("external_id", flat=True)) == {
        "M1", "M2", "M3", "M4", "M5", "M7"
    }  # fmt: skip


def test_a_malformed_record_in_a_dry_run_writes_nothing(cast):
    code = cast.account.code
    text = f"{','.join(HEAD)}\nM1,{code},2024-05-01,fnb,100,\nM2,{code},2024-05-01,fnb,1,a,b\n"
    report = run("transactions", text.encode(), user=cast.alice, dry_run=True)
    assert (report.created, report.failed) == (1, 1)
    assert messages(report).keys() == {3}
    assert not Transaction.objects.exists()


def test_a_trailing_empty_field_is_no_error(cast):
    text = f"{','.join(HEAD)}\nM1,{cast.account.code},2024-05-01,fnb,100,,\n"
    report = run("transactions", text.encode(), user=cast.alice)
    assert report.ok and report.created == 1, report.describe()


def test_line_numbers_count_lines_after_a_note_with_line_breaks(cast):
    code = cast.account.code
    note = "第一行\n第二行\n第三行"  # the record of line 2 ends on line 4
    rows = [HEAD, _tx(code, 1, note), _tx(code, 2), [*_tx(code, 3)[:4], "-5", ""]]
    report = run("transactions", csv_bytes(rows), user=cast.alice)
    assert messages(report) == {
        6: ["amount: is negative on a sale; a refund says so in the kind column (refund, 退款)"]
    }
    assert Transaction.objects.get(external_id="M1").description == note
    # The same file with a malformed record: read record by record, same line numbers.
    broken = csv_bytes(rows) + f"M4,{code},2024-05-01,fnb,1,a,b\n".encode()
    report = run("transactions", broken, user=cast.alice)
    assert sorted(messages(report)) == [6, 7]


def test_title_rows_above_the_header_are_skipped_in_csv_and_xlsx(cast):
    code = cast.account.code
    rows = [
        ["2024年3月 客户消费明细", "", "", "", "", ""],
        ["导出时间：2024-04-01", "", "", "", "", ""],
        HEAD,
        _tx(code, 1),
        [*_tx(code, 2)[:4], "-1", ""],
    ]
    report = run("transactions", csv_bytes(rows), user=cast.alice)
    assert report.created == 1 and messages(report) == {
        5: ["amount: is negative on a sale; a refund says so in the kind column (refund, 退款)"]
    }
    assert "The column headers are on line 3; the lines above it were skipped." in report.warnings
    rows[3][0], rows[4][0] = "X1", "X2"
    report = run("transactions", xlsx_bytes(rows), user=cast.alice, name="t.xlsx")
    assert report.created == 1 and messages(report) == {
        5: ["amount: is negative on a sale; a refund says so in the kind column (refund, 退款)"]
    }
    assert "The column headers are on row 3; the rows above it were skipped." in report.warnings


def test_a_big5_file_is_read_as_big5_never_as_mojibake(cast):
    rows = [["code", "account_code", "name", "mobile"],
            ["T1", cast.account.code, "黃麗華", "0912345678"],
            ["T2", cast.account.code, "陳美玲", ""]]  # fmt: skip
    report = run("contacts", csv_bytes(rows, "big5"), user=cast.alice)
    assert report.ok, report.describe()
    assert "The file was read as Big5 (traditional Chinese)." in report.warnings
    assert Contact.objects.get(code="T1").name == "黃麗華"
    assert Contact.objects.get(code="T2").name == "陳美玲"
    # A GB18030 file with the same traditional name stays GB18030.
    rows[1][0], rows[2][0] = "T3", "T4"
    report = run("contacts", csv_bytes(rows, "gb18030"), user=cast.alice)
    # (Its lines look like T1 and T2, so the duplicate check warns; no word of Big5.)
    assert report.ok and not [w for w in report.warnings if "Big5" in w], report.describe()
    assert Contact.objects.get(code="T3").name == "黃麗華"


def test_a_utf16_file_with_a_byte_order_mark_is_read(cast):
    rows = [["code", "account_code", "name"], ["U1", cast.account.code, "王芳"]]
    for encoding, bom in (("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE)):
        rows[1][0] = f"U-{encoding}"
        text = "\t".join(rows[0]) + "\r\n" + "\t".join(rows[1]) + "\r\n"  # Excel's "Unicode text"
        report = run("contacts", bom + text.encode(encoding), user=cast.alice)
        assert report.ok, report.describe()
        assert Contact.objects.get(code=f"U-{encoding}").name == "王芳"


def test_the_upload_page_reports_a_messy_file_without_an_error_page(client, cast):
    code = cast.account.code
    text = (
        "客戶消費明細\n"  # a title line, in Big5 like the rest
        "external_id,account_code,occurred_at,category,amount,description\n"
        f"W1,{code},2024年3月5日,fnb,１２８０．００,黃麗華\n"
        f"W2,{code},2024-03-05,fnb,1,午餐,含酒水\n"
    )
    upload = SimpleUploadedFile("t.csv", text.encode("big5"))
    client.force_login(cast.alice)
    response = client.post(
        reverse("admin:imports_importrun_upload"),
        {"kind": "transactions", "file": upload},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-count="created">1<' in body and 'data-count="failed">1<' in body
    assert "有 7 个字段，而表头有 6 个" in body and "列标题在第 2 行" in body
    assert Transaction.objects.get(external_id="W1").description == "黃麗華"
    run = ImportRun.objects.get()
    assert run.errors[0]["line"] == 4 and run.status == "partial"


def test_a_big5_file_with_traditional_chinese_headers_is_matched(cast):
    rows = [["客戶編號", "單號", "消費時間", "產品類別", "金額", "備註"],
            [cast.account.code, "B1", "2024/3/5 12:05", "fnb", "1280", "黃麗華訂房"]]  # fmt: skip
    report = run("transactions", csv_bytes(rows, "big5"), user=cast.alice)
    assert report.created == 1, report.describe()
    assert Transaction.objects.get(external_id="B1").description == "黃麗華訂房"
