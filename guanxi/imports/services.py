"""Import a CSV/XLSX file of accounts, contacts, transactions or payments.

`import_file` is what the CLI (`guanxi import`) and the admin upload page call. Every run is kept
as an ImportRun with its counts and line-numbered errors; nothing is silently dropped: created +
updated + unchanged + failed always equals the rows read.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.core.bulk import analyze
from guanxi.core.models import User
from guanxi.imports.columns import KINDS, SPECS
from guanxi.imports.context import ImportContext, Outcome
from guanxi.imports.ledger import PAYMENT_KIND, TRANSACTION_KIND, import_ledger
from guanxi.imports.models import ImportRun, ImportStatus
from guanxi.imports.orm import import_accounts, import_contacts
from guanxi.imports.reader import FileRejected, read_errors_frame, read_table
from guanxi.imports.report import ImportReport, RowError

logger = logging.getLogger(__name__)
DEFAULT_SOURCE = "import"
# What an import of each kind writes in bulk (rows and their history).
IMPORTED_TABLES = {
    "accounts": (Account, Account.history.model),
    "contacts": (Contact, Contact.history.model),
    "transactions": (TRANSACTION_KIND.model, TRANSACTION_KIND.history_model),
    "payments": (PAYMENT_KIND.model, PAYMENT_KIND.history_model),
}


def _run_importer(kind: str, frame: pl.DataFrame, ctx: ImportContext) -> Outcome:
    if kind == "accounts":
        return import_accounts(frame, ctx)
    if kind == "contacts":
        return import_contacts(frame, ctx)
    if kind == "transactions":
        return import_ledger(TRANSACTION_KIND, frame, ctx)
    return import_ledger(PAYMENT_KIND, frame, ctx)


def _write_errors_file(run: ImportRun, errors: pl.DataFrame) -> str:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"import-{run.pk}-errors.csv"
    errors.write_csv(path)
    return str(path)


def import_file(
    *,
    kind: str,
    path: str | Path | None = None,
    username: str | None = None,
    source: str | None = None,
    dry_run: bool = False,
    progress: bool = False,
    actor: User | None = None,
    content: bytes | None = None,
    file_name: str = "",
    errors_file: bool | None = None,
    after_write: Callable[[ImportRun, int, int], None] | None = None,
) -> ImportReport:
    """Import one file. Pass `path` (CLI) or `content` + `file_name` (upload).

    `actor`/`username`: rows may only touch accounts that user can see; neither means the system
    with full access. `errors_file` (default: when a path is given) also writes the complete
    error list to DATA_DIR/imports/import-<run>-errors.csv. `after_write(run, created, updated)`
    runs when rows were written (not on a dry run), inside the import's error handling: the
    follow-up a higher floor needs (`guanxi.workspace.flows.file_import` passes the discount
    floor check)."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    started = time.monotonic()
    file_name = file_name or (Path(path).name if path else "upload")
    source = (source or "").strip() or DEFAULT_SOURCE
    report = ImportReport(kind=kind, file_name=file_name, source=source, dry_run=dry_run)
    if actor is None and username:
        actor = User.objects.filter(username=username, is_active=True).first()
        if actor is None:
            report.fatal = _("There is no active user named %(u)s.") % {"u": username}
            return report
    if len(source) > 30:
        report.fatal = _("The source may have at most 30 characters.")
        return report
    run = ImportRun.objects.create(
        user=actor, kind=kind, file_name=file_name[:255], source=source, dry_run=dry_run
    )
    report.run_id = run.pk
    ctx = ImportContext(
        user=actor,
        run_id=run.pk,
        source=source,
        dry_run=dry_run,
        progress=progress,
        batch_size=settings.GUANXI_IMPORT_BATCH_SIZE,
    )
    errors = _read_and_write(report, run, ctx, path=path, content=content, after_write=after_write)
    if not dry_run and (report.created or report.updated):
        # A file can add millions of rows; the planner should know them before the next query.
        analyze(*IMPORTED_TABLES[kind])
    _finish(report, run, errors, write_file=errors_file if errors_file is not None else bool(path))
    report.duration = time.monotonic() - started
    _record(run, report)
    return report


def _read_and_write(
    report: ImportReport,
    run: ImportRun,
    ctx: ImportContext,
    *,
    path: str | Path | None,
    content: bytes | None,
    after_write: Callable[[ImportRun, int, int], None] | None,
) -> pl.DataFrame:
    """Read the file, import its rows and count them on ``report``; the line errors come back.
    Nothing escapes as a traceback: a rejected file or an internal error is ``report.fatal``."""
    errors = pl.DataFrame()
    try:
        read = read_table(
            SPECS[report.kind], path=path, content=content, file_name=report.file_name
        )
        report.warnings = read.warnings
        report.rows_read = read.frame.height + len(read.errors)
        outcome = _run_importer(report.kind, read.frame, ctx) if read.frame.height else Outcome()
        outcome.add_errors(read_errors_frame(read.errors))
        errors = outcome.error_frame()
        report.created, report.updated = outcome.created, outcome.updated
        report.warnings = [*report.warnings, *outcome.warnings]
        if outcome.more_warnings:
            report.warnings.append(
                _("%(n)s more lines look like records on file.") % {"n": outcome.more_warnings}
            )
        report.unchanged = outcome.unchanged
        report.failed = errors["line"].n_unique() if errors.height else 0
        if after_write is not None and not ctx.dry_run and (outcome.created or outcome.updated):
            after_write(run, outcome.created, outcome.updated)
    except FileRejected as exc:
        report.fatal = str(exc)
    except Exception as exc:  # never a traceback for the user; the log keeps it
        logger.exception("import #%s failed", run.pk)
        close_old_connections()
        report.fatal = _("The import stopped because of an internal error (%(error)s); nothing "
                         "after the last completed batch was written.") % {
            "error": type(exc).__name__
        }  # fmt: skip
    return errors


def _finish(
    report: ImportReport, run: ImportRun, errors: pl.DataFrame, *, write_file: bool
) -> None:
    """The first errors kept on the report (and the run); every one in a CSV when asked."""
    report.errors = [RowError(**r) for r in errors.head(ImportRun.MAX_STORED_ERRORS).to_dicts()]
    report.error_count = errors.height
    if errors.height and write_file:
        report.errors_file = _write_errors_file(run, errors)


def _record(run: ImportRun, report: ImportReport) -> None:
    """The run's row says how it ended: failed, partly imported or imported."""
    if report.fatal:
        status = ImportStatus.FAILED
    elif report.failed:
        status = ImportStatus.PARTIAL
    else:
        status = ImportStatus.SUCCEEDED
    ImportRun.objects.filter(pk=run.pk).update(
        status=status,
        finished_at=timezone.now(),
        duration_seconds=report.duration,
        rows_read=report.rows_read,
        created_count=report.created,
        updated_count=report.updated,
        unchanged_count=report.unchanged,
        failed_count=report.failed,
        message=report.fatal,
        warnings=report.warnings,
        errors=[e.as_dict() for e in report.errors],
        errors_file=report.errors_file,
    )
