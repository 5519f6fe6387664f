"""Reading CSV and XLSX files into a polars frame of strings, one column per spec key.

Every value stays a string (or null for an empty cell) so validation can quote what the user
wrote. The frame has a `_line` column: the line where the record starts in the file; for XLSX the
sheet row number. The header is the first of the first ten rows that names the most known
columns (title rows above it are skipped, and a warning says which row was used). Every cell but
free text (names, notes, addresses …) is made half-width (NFKC): full-width digits, letters and
signs are what a Chinese input method types. A CSV record that cannot be read (more fields than
the header) is a line error in ``ReadResult.errors``; the other rows are read.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from guanxi.imports.columns import Spec, resolve_headers
from guanxi.imports.csvfile import HEADER_SEARCH, LINE, CsvRejected, CsvTable, read_csv_text
from guanxi.imports.decode import EncodingRejected, decode_csv
from guanxi.imports.report import RowError

__all__ = ["LINE", "FileRejected", "ReadResult", "read_errors_frame", "read_table",
           "xlsx_sheet_names"]  # fmt: skip
#: Columns of free text, kept as typed: full-width punctuation is right in Chinese prose, and
#: NFKC would turn 华东会展（上海） into 华东会展(上海).
FREE_TEXT = frozenset({
    "name", "short_name", "notes", "description", "comment", "address", "title", "job_title",
    "department", "nickname", "company", "person_name", "competitor", "lost_reason",
    "lost_note", "next_step", "money_evidence", "authority_evidence", "need_evidence",
    "schedule", "block", "tags",
})  # fmt: skip
#: Characters NFKC changes that people type: the ideographic space, enclosed and compatibility
#: forms (①, ㎡), and the full-width and half-width forms (１２３４, ．, ，, ￥, ｶ).
COMPATIBLE = r"[\u3000\u2460-\u24ff\u3200-\u33ff\ufe30-\ufe6f\uff00-\uffef]"


class FileRejected(Exception):
    """The whole file cannot be imported; the message says why in plain words."""


@dataclass
class ReadResult:
    frame: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""
    #: Records that could not be read at all (line-numbered); the frame holds the others.
    errors: list[RowError] = field(default_factory=list)
    header_line: int = 1


def _read_csv(raw: bytes, is_header: Callable[[list[str]], int]) -> tuple[CsvTable, str]:
    try:
        decoded = decode_csv(raw)
    except EncodingRejected as exc:
        raise FileRejected(str(exc)) from None
    if not decoded.text.strip():
        raise FileRejected(_("The file is empty."))
    try:
        return read_csv_text(decoded.text, is_header), decoded.encoding
    except CsvRejected as exc:
        raise FileRejected(str(exc)) from None


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        # Excel stores every number as a float: 1001.0 is the code "1001".
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value)
    return text


def _open_xlsx(raw: bytes):
    # deferred: openpyxl costs start-up time; only an Excel upload needs it
    from openpyxl import load_workbook

    try:
        return load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise FileRejected(
            _("The XLSX file could not be opened (%(reason)s). Save it again from Excel as .xlsx.")
            % {"reason": type(exc).__name__}
        ) from None


def xlsx_sheet_names(content: bytes) -> list[str]:
    """The names of a workbook's sheets, in order (for a file of several tables)."""
    book = _open_xlsx(content)
    try:
        return list(book.sheetnames)
    finally:
        book.close()


def _read_xlsx(raw: bytes, is_header: Callable[[list[str]], int],
               sheet_name: str | None = None) -> tuple[pl.DataFrame, int]:  # fmt: skip
    """The sheet as a frame, and the row number of its header."""
    book = _open_xlsx(raw)
    try:
        sheet = book[sheet_name] if sheet_name else book.worksheets[0]
        rows = (
            (n, [_cell_text(v) for v in row])
            for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)
        )
        head = [(n, cells) for n, cells in itertools.islice(rows, HEADER_SEARCH)
                if any(c is not None and c.strip() for c in cells)]  # fmt: skip
        if not head:
            if sheet_name is None:
                raise FileRejected(_("The first sheet is empty: no column headers found."))
            raise FileRejected(
                _("The sheet %(sheet)s is empty: no column headers found.") % {"sheet": sheet.title}
            )
        scores = [is_header([c or "" for c in cells]) for _n, cells in head]
        header_row, header = head[scores.index(max(scores))]
        headers = [c or f"column {i + 1}" for i, c in enumerate(header)]
        width = len(headers)
        lines: list[int] = []
        columns: list[list[str | None]] = [[] for _ in range(width)]
        rest = itertools.chain(((n, c) for n, c in head if n > header_row), rows)
        for line, cells in rest:
            cells = cells[:width]
            if all(c is None or not c.strip() for c in cells):
                continue
            lines.append(line)
            for i in range(width):
                columns[i].append(cells[i] if i < len(cells) else None)
    except FileRejected:
        raise
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise FileRejected(
            _("The XLSX file could not be read (%(reason)s).") % {"reason": type(exc).__name__}
        ) from None
    finally:
        book.close()
    data = {LINE: pl.Series(LINE, lines, dtype=pl.UInt32)}
    for i, name in enumerate(headers):
        if name in data:
            name = f"{name} ({i + 1})"
        data[name] = pl.Series(name, columns[i], dtype=pl.String)
    return pl.DataFrame(data), header_row


def _header_score(spec: Spec) -> Callable[[list[str]], int]:
    """How well a row reads as the header: the known columns it names, and more than all of
    them when it names every required one."""

    def score(cells: list[str]) -> int:
        mapping, _unknown = resolve_headers(spec, [c for c in cells if c and c.strip()])
        found = set(mapping.values())
        return len(found) + (1000 if all(k in found for k in spec.required) else 0)

    return score


def read_table(spec: Spec, *, path: str | Path | None = None, content: bytes | None = None,
               file_name: str = "", sheet: str | None = None) -> ReadResult:  # fmt: skip
    """Read the file (path or uploaded bytes) and map its headers onto the spec's keys; of a
    workbook, the first sheet or the one named ``sheet``."""
    if content is None:
        if path is None:
            raise ValueError("path or content is required")
        try:
            content = Path(path).read_bytes()
        except OSError as exc:
            raise FileRejected(
                _("The file could not be opened: %(reason)s") % {"reason": exc.strerror}
            ) from None
        file_name = file_name or Path(path).name
    name = file_name.lower()
    is_xlsx = name.endswith((".xlsx", ".xlsm")) or content[:2] == b"PK"
    if name.endswith(".xls"):
        raise FileRejected(_("Old .xls files are not supported; save the sheet as .xlsx or CSV."))
    if not content.strip():
        raise FileRejected(_("The file is empty."))
    warnings: list[str] = []
    errors: list[RowError] = []
    score = _header_score(spec)
    if is_xlsx:
        frame, header_line = _read_xlsx(content, score, sheet)
        encoding = ""
        if header_line > 1:
            warnings.append(_("The column headers are on row %(row)s; the rows above it were "
                              "skipped.") % {"row": header_line})  # fmt: skip
    else:
        table, encoding = _read_csv(content, score)
        frame, errors, header_line = table.frame, table.errors, table.header_line
        if header_line > 1:
            warnings.append(_("The column headers are on line %(line)s; the lines above it were "
                              "skipped.") % {"line": header_line})  # fmt: skip
        if encoding == "big5":
            warnings.append(_("The file was read as Big5 (traditional Chinese)."))
    headers = [c for c in frame.columns if c != LINE]
    mapping, unknown = resolve_headers(spec, headers)
    if unknown:
        warnings.append(
            _("Ignored unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    missing = [k for k in spec.required if k not in mapping.values()]
    if missing:
        raise FileRejected(
            _("Required columns are missing: %(missing)s. The headers must be on one of the "
              "first %(n)s lines; found: %(found)s.")
            % {"missing": ", ".join(missing), "n": HEADER_SEARCH,
               "found": ", ".join(headers) or "—"}
        )  # fmt: skip
    frame = frame.select(
        pl.col(LINE).cast(pl.UInt32), *[_cell(frame, h, k) for h, k in mapping.items()]
    )
    # Blank lines are not data: drop them rather than reporting them as bad rows.
    keys = list(mapping.values())
    blank = pl.all_horizontal(pl.col(k).is_null() for k in keys)
    blanks = frame.select(blank.sum()).item()
    if blanks:
        frame = frame.filter(~blank)
        warnings.append(_("Skipped %(n)s blank lines.") % {"n": blanks})
    if frame.height == 0 and not errors:
        raise FileRejected(_("The file has headers but no data rows."))
    return ReadResult(frame=frame, warnings=warnings, encoding=encoding, errors=errors,
                      header_line=header_line)  # fmt: skip


def read_errors_frame(errors: list[RowError]) -> pl.DataFrame:
    """The records that could not be read, as an importer's errors frame (line, column, …)."""
    return pl.DataFrame(
        [e.as_dict() for e in errors],
        schema={"line": pl.UInt32, "column": pl.String, "value": pl.String, "message": pl.String},
    )


def _cell(frame: pl.DataFrame, header: str, key: str) -> pl.Expr:
    """The cell trimmed, empty as null, and half-width unless it is free text. NFKC costs a
    second per million cells, so only a column with a character it changes gets it."""
    col = pl.col(header).cast(pl.String)
    if key not in FREE_TEXT and frame.select(col.str.contains(COMPATIBLE).any()).item():
        col = col.str.normalize("NFKC")
    return col.str.strip_chars().replace("", None).alias(key)
