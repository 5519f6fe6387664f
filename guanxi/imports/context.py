"""What every importer gets: who imports, under which run, and how to write."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl
from django.db.models import QuerySet

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.models import User
from guanxi.imports.validate import ERROR_SCHEMA

MAX_WARNINGS = 200


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[pl.DataFrame] = field(default_factory=list)
    #: Lines imported with a remark (a likely duplicate), at most MAX_WARNINGS kept.
    warnings: list[str] = field(default_factory=list)
    more_warnings: int = 0

    def warn(self, text: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(text)
        else:
            self.more_warnings += 1

    def add_errors(self, frame: pl.DataFrame) -> None:
        if frame.height:
            self.errors.append(frame.select(*[pl.col(k).cast(t) for k, t in ERROR_SCHEMA.items()]))

    def error_frame(self) -> pl.DataFrame:
        if not self.errors:
            return pl.DataFrame(schema=ERROR_SCHEMA)
        return pl.concat(self.errors).sort("line", maintain_order=True)


@dataclass
class ImportContext:
    user: User | None  # None: the system, with full access (CLI without --user)
    run_id: int | None
    source: str
    dry_run: bool
    progress: bool
    batch_size: int

    @property
    def reason(self) -> str:
        return f"import #{self.run_id}" if self.run_id else "import"

    @property
    def user_id(self) -> int | None:
        return self.user.pk if self.user else None

    @property
    def sees_all(self) -> bool:
        return self.user is None or self.user.sees_all_accounts

    def visible_accounts(self) -> QuerySet[Account]:
        return Account.objects.all() if self.user is None else accounts_visible_to(self.user)

    def may_assign_owner(self, owner: User) -> bool:
        """Managers and admins may give accounts to anyone; a team lead to their team's
        members; a KAM only to themselves."""
        if self.sees_all or owner.pk == self.user.pk:
            return True
        return bool(self.user.leads_team and owner.team_id == self.user.team_id)
