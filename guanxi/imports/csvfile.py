"""Reading a CSV file's text into a polars frame of strings, with the line a spreadsheet user
sees for every record and a report of the records that cannot be read.

- The header need not be on line 1: title lines above it (``2024年3月客户消费明细``) are skipped;
  the caller says which of the first `HEADER_SEARCH` records is the header.
- ``_line`` is the physical line where the record starts: a note with line breaks inside quotes
  makes the next record start lines further down, and the count says so.
- A record with more fields than the header (an unquoted comma in a note) is not imported and is
  reported with its line; the other records are read. Extra fields that are all empty (a
  trailing comma) are dropped; missing fields at the end are empty cells.

The common file goes through polars' reader (a million rows in a second or two); a file polars
refuses (a malformed record) is read again record by record by Python's csv module, which says
which records are malformed.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext as _

from guanxi.imports.report import RowError

LINE = "_line"
HEADER_SEARCH = 10
SEPARATORS = (",", "\t", ";")
SHOWN_TEXT = 200


class CsvRejected(Exception):
    """The file as a whole cannot be read."""


@dataclass
class CsvTable:
    frame: pl.DataFrame
    header_line: int = 1
    errors: list[RowError] = field(default_factory=list)


def _separator(text: str) -> str:
    """Chinese Excel exports sometimes use tabs or semicolons: the one that most splits one of
    the first lines (the header, maybe under a title line)."""
    lines = text[:65536].splitlines()[:HEADER_SEARCH] or [""]
    return max(SEPARATORS, key=lambda s: max(line.count(s) for line in lines))


def _records(text: str, separator: str) -> Iterator[tuple[int, int, list[str]]]:
    """(first line, last line, fields) of every record, blank lines included."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    last = 0
    for fields in reader:
        yield last + 1, reader.line_num, fields
        last = reader.line_num


def read_csv_text(text: str, is_header: Callable[[list[str]], int]) -> CsvTable:
    """The frame (string columns named by the header, and `LINE`); `is_header(cells)` scores a
    candidate header record (how many of its cells are known columns; the first record with the
    highest score is the header)."""
    separator = _separator(text)
    try:
        head = list(itertools.islice(_records(text, separator), HEADER_SEARCH))
    except csv.Error as exc:
        raise CsvRejected(
            _("The CSV file could not be read: %(reason)s") % {"reason": exc}
        ) from None
    head = [r for r in head if any(f.strip() for f in r[2])]
    if not head:
        raise CsvRejected(_("The file is empty."))
    scores = [is_header(fields) for _s, _e, fields in head]
    start, end, header = head[scores.index(max(scores))]
    try:
        frame = _fast(text, separator, start, end)
        errors: list[RowError] = []
    except (pl.exceptions.PolarsError, ValueError):
        frame, errors = _careful(text, separator, start, header)
    return CsvTable(frame=frame, header_line=start, errors=errors)


def _fast(text: str, separator: str, start: int, end: int) -> pl.DataFrame:
    frame = pl.read_csv(
        io.BytesIO(text.encode("utf-8")),
        separator=separator,
        infer_schema=False,
        skip_lines=start - 1,
        row_index_name=LINE,
        row_index_offset=end + 1,
    )
    columns = [c for c in frame.columns if c != LINE]
    if '"' in text and columns and frame.height:
        # Line breaks inside quoted cells push the following records down.
        breaks = pl.sum_horizontal(
            pl.col(c).str.count_matches("\n", literal=True).fill_null(0) for c in columns
        )
        frame = frame.with_columns(
            (pl.col(LINE).cast(pl.Int64) + breaks.cum_sum() - breaks).cast(pl.UInt32).alias(LINE)
        )
    return frame


def _careful(text: str, separator: str, start: int,
             header: list[str]) -> tuple[pl.DataFrame, list[RowError]]:  # fmt: skip
    """Record by record: the good ones in the frame, the malformed ones as errors."""
    width = len(header)
    lines: list[int] = []
    rows: list[list[str | None]] = []
    errors: list[RowError] = []
    records = _records(text, separator)
    try:
        for first, _last, fields in records:
            if first <= start:
                continue
            if len(fields) > width and any(f.strip() for f in fields[width:]):
                errors.append(_too_many(first, fields, width, separator))
                continue
            cells = [f if f != "" else None for f in fields[:width]]
            rows.append(cells + [None] * (width - len(cells)))
            lines.append(first)
    except csv.Error as exc:
        raise CsvRejected(
            _("The CSV file could not be read after line %(line)s: %(reason)s")
            % {"line": lines[-1] if lines else start, "reason": exc}
        ) from None
    names = _unique(header)
    data = {LINE: pl.Series(LINE, lines, dtype=pl.UInt32)}
    for i, name in enumerate(names):
        data[name] = pl.Series(name, [r[i] for r in rows], dtype=pl.String)
    return pl.DataFrame(data), errors


def _too_many(line: int, fields: list[str], width: int, separator: str) -> RowError:
    return RowError(
        line=line,
        column="",
        value=separator.join(fields)[:SHOWN_TEXT],
        message=_("has %(found)s fields, the header has %(expected)s (a separator inside a "
                  "cell must be within double quotes)")
        % {"found": len(fields), "expected": width},
    )  # fmt: skip


def _unique(header: list[str]) -> list[str]:
    names: list[str] = []
    for i, name in enumerate(header):
        name = name or f"column {i + 1}"
        names.append(f"{name} ({i + 1})" if name in names else name)
    return names
