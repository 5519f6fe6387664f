"""Small builders for import tests."""

from __future__ import annotations

import csv
import io

from openpyxl import Workbook

from guanxi.workspace.flows import file_import


def csv_bytes(rows: list[list[object]], encoding: str = "utf-8") -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue().encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run(kind: str, rows: list[list[object]] | bytes, *, user=None, name: str = "f.csv", **kw):
    content = rows if isinstance(rows, bytes) else csv_bytes(rows)
    # Through the flow the CLI and the upload page use (imported discounts are checked too).
    return file_import(kind=kind, content=content, file_name=name, actor=user, **kw)


def messages(report) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for e in report.errors:
        out.setdefault(e.line, []).append(f"{e.column}: {e.message}")
    return out
