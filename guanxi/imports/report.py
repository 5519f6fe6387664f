"""What an import did, for the CLI, the UI and the ImportRun row."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from guanxi.imports.models import ImportRun

SHOWN_ERRORS = 50


@dataclass
class RowError:
    line: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "value": self.value,
                "message": self.message}  # fmt: skip


@dataclass
class ImportReport:
    kind: str
    file_name: str
    source: str = ""
    dry_run: bool = False
    run_id: int | None = None
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    fatal: str = ""  # the whole file was rejected
    warnings: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)  # the first ImportRun.MAX_STORED_ERRORS
    error_count: int = 0  # all of them
    duration: float = 0.0
    errors_file: str = ""

    @property
    def ok(self) -> bool:
        return not self.fatal and self.failed == 0

    @property
    def counts_add_up(self) -> bool:
        return self.created + self.updated + self.unchanged + self.failed == self.rows_read

    def describe(self) -> str:
        head = _("Import #%(id)s of %(kind)s from %(file)s") % {
            "id": self.run_id or "—",
            "kind": self.kind,
            "file": self.file_name,
        }
        if self.dry_run:
            head += " " + _("(dry run: nothing was written)")
        lines = [head]
        if self.fatal:
            lines.append(_("Rejected: %(reason)s") % {"reason": self.fatal})
            return "\n".join(lines)
        verb = _("would be") if self.dry_run else ""
        lines.append(
            _(
                "%(read)s rows read: %(created)s created, %(updated)s updated, "
                "%(unchanged)s unchanged, %(failed)s failed %(verb)s(%(secs).1f s)."
            )
            % {
                "read": self.rows_read,
                "created": self.created,
                "updated": self.updated,
                "unchanged": self.unchanged,
                "failed": self.failed,
                "verb": f"[{verb}] " if verb else "",
                "secs": self.duration,
            }
        )
        lines.extend(_("Warning: %(w)s") % {"w": w} for w in self.warnings)
        if self.errors:
            lines.append(_("Errors (line, column: reason):"))
            line_word = _("line")
            for err in self.errors[:SHOWN_ERRORS]:
                where = f"{line_word} {err.line}, {err.column}" if err.column else (
                    f"{line_word} {err.line}"
                )  # a record that could not be read at all names no column
                lines.append(f"  {where}: {err.message}")
            more = max(self.error_count, len(self.errors)) - SHOWN_ERRORS
            if more > 0:
                lines.append("  " + _("… and %(n)s more") % {"n": more})
            if self.errors_file:
                lines.append(_("Full error report: %(path)s") % {"path": self.errors_file})
            elif self.run_id:
                lines.append(
                    _("Full error report: admin → Import runs → #%(id)s") % {"id": self.run_id}
                )
        return "\n".join(lines)


def errors_as_csv_rows(run: ImportRun) -> list[list[str]]:
    rows = [[_("line"), _("column"), _("value"), _("reason")]]
    rows += [[e.get("line"), e.get("column"), e.get("value"), e.get("message")]
             for e in run.errors]  # fmt: skip
    return rows
