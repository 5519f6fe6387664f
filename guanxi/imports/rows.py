"""Importing a file row by row through a service: for the records that have rules of their own
(a lead, an opportunity), each row is created by the same service as by hand, so the rules, the
access check and the audit history are those of the app that owns the record.

A row's writer returns True when the row is flagged, or `UPDATED` / `UNCHANGED` when the row
named a record already on file (by the key the app's import matches on) and changed it, or found
it as the row says: these rows are counted apart from the created ones.

The file is read by `read_table` (encodings, separators, Excel, headers matched with Chinese
aliases, the `_line` of each row). A bad row is reported with its line, column, value and reason
and written nowhere; the good rows are written (or, on a dry run, only checked and rolled back).
The apps above `imports` bring their `Spec` and a function that writes one row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.core.errors import ApplicationError, InvalidInput
from guanxi.imports.columns import Spec
from guanxi.imports.reader import LINE, FileRejected, ReadResult, read_table
from guanxi.imports.report import RowError

#: What a row's writer returns for a record on file that it changed, or found as the row says.
UPDATED, UNCHANGED = "updated", "unchanged"

#: At most this many rows a file (a visitor list or a deal list is thousands, not millions).
MAX_ROWS = 20_000
SHOWN_ERRORS = 200


@dataclass
class RowImportResult:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    #: Rows written with something to look at (a lead that looks like a record on file …).
    flagged: int = 0
    dry_run: bool = False
    fatal: str = ""
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def take_read(self, table: ReadResult, *, sheet: str = "") -> None:
        """The reader's warnings, and the records it could not read as failed rows (of the
        ``sheet`` named, in a workbook of several tables)."""
        self.warnings += table.warnings
        self.rows_read += len(table.errors)
        self.failed += len(table.errors)
        for error in table.errors[: max(0, SHOWN_ERRORS - len(self.errors))]:
            if sheet:
                error = replace(error, column=f"{sheet}: {error.column}" if error.column else sheet)
            self.errors.append(error)


class _DryRun(Exception):
    """Rolls the whole file back after checking it."""


def row_errors(line: int, row: dict[str, Any], exc: ApplicationError) -> list[RowError]:
    """The errors a service raised for one row, one per column it names."""
    if isinstance(exc, InvalidInput) and exc.errors:
        found = exc.errors.items()
    else:
        found = [(exc.field or "", [str(exc.message)])]
    return [
        RowError(line=line, column=column or "", value=str(row.get(column or "") or ""),
                 message="; ".join(messages))
        for column, messages in found
    ]  # fmt: skip


def _count(result: RowImportResult, outcome: bool | str) -> None:
    if outcome == UPDATED:
        result.updated += 1
    elif outcome == UNCHANGED:
        result.unchanged += 1
    else:
        result.created += 1
        result.flagged += bool(outcome)


def rows_import(
    spec: Spec,
    write_row: Callable[[dict[str, Any]], bool | str],
    *,
    content: bytes,
    file_name: str,
    dry_run: bool = False,
) -> RowImportResult:
    """Write each good row of the file with ``write_row`` (True when the row is flagged,
    `UPDATED` or `UNCHANGED` for a record on file); report each bad one (an `ApplicationError`
    from the service) by line."""
    result = RowImportResult(dry_run=dry_run)
    try:
        table = read_table(spec, content=content, file_name=file_name)
    except FileRejected as exc:
        result.fatal = str(exc)
        return result
    result.take_read(table)
    if table.frame.height > MAX_ROWS:
        result.fatal = _("At most %(n)s rows a file.") % {"n": MAX_ROWS}
        return result
    try:
        with transaction.atomic():
            for row in table.frame.iter_rows(named=True):
                result.rows_read += 1
                try:
                    with transaction.atomic():
                        outcome = write_row(row)
                    _count(result, outcome)
                except ApplicationError as exc:
                    result.failed += 1
                    if len(result.errors) < SHOWN_ERRORS:
                        result.errors.extend(row_errors(row[LINE], row, exc))
            if dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return result
