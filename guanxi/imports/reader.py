"""Reading CSV and XLSX files into a polars frame of strings, one column per spec key.

Every value stays a string (or null for an empty cell) so validation can quote exactly what the
user wrote. The frame has a `_line` column: the line of the row in the file (header = line 1); for
XLSX it is the sheet row number.
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _

from guanxi.imports.columns import Spec, resolve_headers

LINE = "_line"
ENCODINGS = ("utf-8", "gb18030")


class FileRejected(Exception):
    """The whole file cannot be imported; the message says why in plain words."""


@dataclass
class ReadResult:
    frame: pl.DataFrame
    warnings: list[str] = field(default_factory=list)
    encoding: str = ""


def _decode_csv(raw: bytes) -> tuple[bytes, str]:
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    try:
        raw.decode("utf-8")
        return raw, encoding
    except UnicodeDecodeError:
        pass
    try:
        # Excel on Chinese Windows saves CSV as GBK; gb18030 is its superset.
        return raw.decode("gb18030").encode("utf-8"), "gb18030"
    except UnicodeDecodeError as exc:
        raise FileRejected(
            _("The file is neither UTF-8 nor GB18030 text (byte %(pos)s). Save it as CSV UTF-8.")
            % {"pos": exc.start}
        ) from None


def _read_csv(raw: bytes) -> tuple[pl.DataFrame, str]:
    data, encoding = _decode_csv(raw)
    if not data.strip():
        raise FileRejected(_("The file is empty."))
    first_line = data.split(b"\n", 1)[0]
    # Chinese Excel exports sometimes use tabs or semicolons; pick the commonest of the three.
    separator = max((",", "\t", ";"), key=lambda s: first_line.count(s.encode()))
    try:
        frame = pl.read_csv(
            io.BytesIO(data),
            separator=separator,
            infer_schema=False,
            row_index_name=LINE,
            row_index_offset=2,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise FileRejected(
            _("The CSV file could not be read: %(reason)s") % {"reason": message}
        ) from None
    return frame, encoding


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


def _read_xlsx(raw: bytes, sheet_name: str | None = None) -> pl.DataFrame:
    book = _open_xlsx(raw)
    try:
        sheet = book[sheet_name] if sheet_name else book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None or all(v is None for v in header):
            if sheet_name is None:
                raise FileRejected(
                    _("The first sheet is empty: row 1 must hold the column headers.")
                )
            raise FileRejected(
                _("The sheet %(sheet)s is empty: row 1 must hold the column headers.")
                % {"sheet": sheet.title}
            )
        headers = [_cell_text(v) or f"column {i + 1}" for i, v in enumerate(header)]
        width = len(headers)
        lines: list[int] = []
        columns: list[list[str | None]] = [[] for _ in range(width)]
        for line, row in enumerate(rows, start=2):
            cells = [_cell_text(v) for v in row[:width]]
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
    return pl.DataFrame(data)


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
    if is_xlsx:
        frame, encoding = _read_xlsx(content, sheet), ""
    else:
        frame, encoding = _read_csv(content)

    headers = [c for c in frame.columns if c != LINE]
    mapping, unknown = resolve_headers(spec, headers)
    if unknown:
        warnings.append(
            _("Ignored unknown columns: %(columns)s.") % {"columns": ", ".join(unknown)}
        )
    missing = [k for k in spec.required if k not in mapping.values()]
    if missing:
        raise FileRejected(
            _("Required columns are missing: %(missing)s. The first line must hold the headers; "
              "found: %(found)s.")
            % {"missing": ", ".join(missing), "found": ", ".join(headers) or "—"}
        )  # fmt: skip
    frame = frame.select(
        pl.col(LINE).cast(pl.UInt32),
        *[
            pl.col(h).cast(pl.String).str.strip_chars().replace("", None).alias(k)
            for h, k in mapping.items()
        ],
    )
    # Blank lines are not data: drop them rather than reporting them as bad rows.
    keys = list(mapping.values())
    blank = pl.all_horizontal(pl.col(k).is_null() for k in keys)
    blanks = frame.select(blank.sum()).item()
    if blanks:
        frame = frame.filter(~blank)
        warnings.append(_("Skipped %(n)s blank lines.") % {"n": blanks})
    if frame.height == 0:
        raise FileRejected(_("The file has headers but no data rows."))
    return ReadResult(frame=frame, warnings=warnings, encoding=encoding)
