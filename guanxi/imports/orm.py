"""The per-row path for accounts and contacts (客户档案 / 联系人): thousands of rows, so the ORM
is fast enough and keeps every model rule (full_clean, simple-history with m2m tags).

Cells are parsed vectorised first (validate.Checks); each row is then written in its own
savepoint inside a batch transaction, so a row is either fully written or not at all.
A column missing from the file leaves that field alone; an empty cell clears it (fields that
cannot be empty keep their value, or get the default on create).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import polars as pl
from django.core.exceptions import ValidationError
from django.db import DatabaseError, models, transaction
from django.utils.translation import gettext as _
from tqdm import tqdm

from guanxi.accounts.models import (
    Account,
    AccountKind,
    AccountStatus,
    AccountType,
    Attitude,
    CreditRating,
    EnterpriseNature,
    Industry,
    OrganisationForm,
    Scale,
    Tag,
)
from guanxi.accounts.selectors import by_code
from guanxi.contacts.models import Contact, Gender
from guanxi.core.models import Team, User
from guanxi.duplicates.entry import account_lookalikes, contact_lookalikes, same_credit_code
from guanxi.duplicates.matching import explain
from guanxi.imports.context import ImportContext, Outcome
from guanxi.imports.reader import LINE
from guanxi.imports.validate import Checks

TAG_SPLIT = re.compile(r"\s*[,，、;；]\s*")


class RowError(Exception):
    def __init__(self, column: str, message: str, value: str = "") -> None:
        super().__init__(message)
        self.column, self.message, self.value = column, message, value


def _error_frame(errors: list[tuple[int, str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        errors,
        schema={"line": pl.UInt32, "column": pl.String, "value": pl.String, "message": pl.String},
        orient="row",
    )


def _validation_messages(exc: ValidationError, columns: dict[str, str]) -> RowError:
    if hasattr(exc, "error_dict"):
        field, errs = next(iter(exc.error_dict.items()))
        return RowError(columns.get(field, field), "; ".join(str(m) for e in errs for m in e))
    return RowError("", "; ".join(exc.messages))


def _process(frame: pl.DataFrame, ctx: ImportContext, out: Outcome,
             handle: Callable[[dict[str, Any]], str]) -> None:  # fmt: skip
    """Run `handle(row)` → "created" | "updated" | "unchanged" for every row, in batches."""
    errors: list[tuple[int, str, str, str]] = []
    size = max(1, ctx.batch_size)
    bar = tqdm(total=frame.height, disable=not ctx.progress, unit=" rows", desc=_("Writing"),
               file=sys.stderr)  # fmt: skip
    # A dry run does the real work inside a transaction that is rolled back, so it reports
    # exactly what would happen (parents created earlier in the file included).
    with transaction.atomic():
        for start in range(0, frame.height, size):
            batch = frame.slice(start, size)
            counts = {"created": 0, "updated": 0, "unchanged": 0}
            batch_errors: list[tuple[int, str, str, str]] = []
            try:
                with transaction.atomic():
                    for row in batch.iter_rows(named=True):
                        try:
                            with transaction.atomic():
                                counts[handle(row)] += 1
                        except RowError as exc:
                            batch_errors.append((row[LINE], exc.column, exc.value, exc.message))
                        except DatabaseError as exc:
                            batch_errors.append(
                                (row[LINE], "", "", _("not saved: %(reason)s") % {"reason": exc})
                            )
            except DatabaseError as exc:  # the batch itself could not commit
                counts = {"created": 0, "updated": 0, "unchanged": 0}
                batch_errors = [
                    (line, "", "", _("not saved: %(reason)s") % {"reason": exc})
                    for line in batch[LINE].to_list()
                ]
            out.created += counts["created"]
            out.updated += counts["updated"]
            out.unchanged += counts["unchanged"]
            errors.extend(batch_errors)
            bar.update(batch.height)
        if ctx.dry_run:
            transaction.set_rollback(True)
    bar.close()
    if errors:
        out.add_errors(_error_frame(errors))


def _drop_bad(typed: pl.DataFrame, errors: pl.DataFrame, out: Outcome) -> pl.DataFrame:
    """Record cell errors and codes repeated in the file (the later line is the error);
    return the rows left to write."""
    out.add_errors(errors)
    bad = set(errors["line"].to_list())
    typed = typed.with_columns(pl.col(LINE).min().over("v_code").alias("_first"))
    dupes = typed.filter(pl.col("v_code").is_not_null() & (pl.col(LINE) != pl.col("_first")))
    if dupes.height:
        out.add_errors(_error_frame([
            (r[LINE], "code", r["code"],
             _("repeats the code of line %(line)s") % {"line": r["_first"]})
            for r in dupes.iter_rows(named=True)
        ]))  # fmt: skip
        bad |= set(dupes[LINE].to_list())
    return typed.filter(~pl.col(LINE).is_in(list(bad)))


def _apply(obj: models.Model, values: dict[str, Any]) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def _save(obj: models.Model, ctx: ImportContext, *, created: bool,
          after_save: Callable[[], None] | None = None) -> None:  # fmt: skip
    """Save with the audit fields set; m2m changes (tags) land in the same history row."""
    obj._history_user = ctx.user
    obj._change_reason = ctx.reason
    if after_save is None:
        obj.save()
        return
    obj.skip_history_when_saving = True
    try:
        obj.save()
        after_save()
    finally:
        del obj.skip_history_when_saving
    obj.save()  # now with history, which snapshots the m2m as it is
    if created:
        latest = obj.history.order_by("-history_id").first()
        obj.history.filter(pk=latest.pk).update(history_type="+")


def _present(frame: pl.DataFrame, keys: list[str]) -> list[str]:
    return [k for k in keys if k in frame.columns]


# -- accounts ------------------------------------------------------------------------------


ACCOUNT_TEXT = {
    "name": 200, "short_name": 100, "english_name": 200, "credit_code": 40, "province": 50,
    "city": 50,
    "address": 300, "website": 200, "phone": 40, "notes": 100_000,
}  # fmt: skip
ACCOUNT_CHOICES: dict[str, type[models.TextChoices]] = {
    "account_type": AccountType, "kind": AccountKind, "status": AccountStatus,
    "organisation_form": OrganisationForm, "industry": Industry,
    "enterprise_nature": EnterpriseNature, "scale": Scale, "credit_rating": CreditRating,
    "attitude": Attitude,
}  # fmt: skip
NOT_BLANK = {"name", "account_type", "kind", "status"}


class _Caches:
    def __init__(self) -> None:
        self.users: dict[str, User | None] = {}
        self.teams: dict[str, Team | None] = {}

    def user(self, username: str) -> User | None:
        if username not in self.users:
            self.users[username] = User.objects.filter(username=username, is_active=True).first()
        return self.users[username]

    def team(self, name: str) -> Team | None:
        if name not in self.teams:
            self.teams[name] = Team.objects.filter(name=name).first()
        return self.teams[name]


def import_accounts(frame: pl.DataFrame, ctx: ImportContext) -> Outcome:
    out = Outcome()
    c = Checks(frame)
    c.text("code", max_length=40, required=True)
    for name, length in ACCOUNT_TEXT.items():
        c.text(name, max_length=length, required=name == "name")
    for name, choices in ACCOUNT_CHOICES.items():
        c.choice(name, choices, required=name == "account_type")
    c.money("annual_sales")
    c.date("customer_since")
    for name in ("parent_code", "owner", "team", "tags"):
        c.text(name, max_length=2000)
    typed, errors = c.evaluate()
    good = _drop_bad(typed, errors, out)
    _process(good, ctx, out, _AccountRows(frame, ctx, out))
    return out


class _AccountRows:
    """One account row of a file: create or update it under the same rules as the account form
    (owner and team assignment, a visible parent), or say why not (a RowError)."""

    FIELD_COLUMNS = {"parent": "parent_code", "owner": "owner", "team": "team"}

    def __init__(self, frame: pl.DataFrame, ctx: ImportContext, out: Outcome) -> None:
        self.ctx = ctx
        self.out = out
        self.fields = _present(
            frame, [*ACCOUNT_TEXT, *ACCOUNT_CHOICES, "annual_sales", "customer_since"]
        )
        self.has = set(frame.columns)
        self.caches = _Caches()
        self.visible = ctx.visible_accounts()

    def __call__(self, row: dict[str, Any]) -> str:
        code = row["v_code"]
        obj = by_code(Account.objects.all(), code)
        created = obj is None
        if obj is not None and not self.visible.filter(pk=obj.pk).exists():
            raise RowError(
                "code", _("account %(code)s belongs to someone you cannot see") % {"code": code},
                code,
            )  # fmt: skip
        values = self._values(row)
        owner = self._owner(row, obj, created)
        if owner is not None:
            values["owner_id"] = owner.pk
        team_id = self._team_id(row, obj, created, owner)
        if team_id is not _KEEP:
            values["team_id"] = team_id
        if "parent_code" in self.has:
            values["parent_id"] = self._parent_id(row, obj, code)
        tags = self._tags(row) if "tags" in self.has else None
        if created:
            self._lookalikes(row, values)
            obj = Account(code=code)
        return self._save(obj, values, tags, created=created)

    def _lookalikes(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        """A new account like one on file: the same credit code is the same legal entity and
        is not imported (a RowError); a name alike is imported with a warning on the report
        naming the match, for a manager to merge or dismiss in the duplicates queue."""
        found = account_lookalikes(
            name=values.get("name") or "", credit_code=values.get("credit_code") or "",
            **{k: values.get(k) or "" for k in ("phone", "city", "address")},
        )  # fmt: skip
        if not found:
            return
        match = found[0].obj
        if same_credit_code(found):
            raise RowError("credit_code", _("the same credit code as account %(code)s (%(name)s)")
                           % {"code": match.code, "name": match.name},
                           values.get("credit_code") or "")  # fmt: skip
        self.out.warn(
            _("Line %(line)s looks like account %(code)s (%(name)s): %(why)s")
            % {"line": row[LINE], "code": match.code, "name": match.name,
               "why": explain(found[0].reasons)}
        )  # fmt: skip

    def _values(self, row: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in self.fields:
            value = row[f"v_{name}"]
            if value is None and name in NOT_BLANK:
                continue  # keep it (or the model default on create)
            if value is None and name not in ("annual_sales", "customer_since"):
                value = ""
            values[name] = value
        if values.get("annual_sales") is not None:
            values["annual_sales"] = Decimal(values["annual_sales"])
        return values

    def _owner(self, row: dict[str, Any], obj: Account | None, created: bool) -> User | None:
        """The named user, or the importer for a new account. Naming the current owner again
        (an export re-imported by a co-owner) is not an assignment."""
        if "owner" in self.has and row["v_owner"]:
            owner = self.caches.user(row["v_owner"])
            if owner is None:
                raise RowError("owner", _("no active user named %(u)s") % {"u": row["v_owner"]},
                               row["v_owner"])  # fmt: skip
            if (created or owner.pk != obj.owner_id) and not self.ctx.may_assign_owner(owner):
                raise RowError(
                    "owner",
                    _("only managers and admins may make someone else the owner"),
                    row["v_owner"],
                )
            return owner
        if created:
            if self.ctx.user is None:
                raise RowError("owner", _("is required when importing without a user"))
            return self.ctx.user
        return None

    def _team_id(
        self, row: dict[str, Any], obj: Account | None, created: bool, owner: User | None
    ) -> Any:
        """The named team (the importer's own unless they see every account), or the (new)
        owner's team when the column is empty; _KEEP when nothing changes."""
        if "team" in self.has and row["v_team"]:
            team = self.caches.team(row["v_team"])
            if team is None:
                raise RowError("team", _("no team named %(t)s") % {"t": row["v_team"]},
                               row["v_team"])  # fmt: skip
            if (created or team.pk != obj.team_id) and not (
                self.ctx.sees_all or team.pk == self.ctx.user.team_id
            ):
                raise RowError("team", _("you may only assign your own team"), row["v_team"])
            return team.pk
        if created or ("team" in self.has and owner is not None and owner.pk != obj.owner_id):
            return owner.team_id  # empty: the (new) owner's team
        return _KEEP

    def _parent_id(self, row: dict[str, Any], obj: Account | None, code: str) -> int | None:
        parent_code = row["v_parent_code"]
        if not parent_code:
            return None
        if parent_code == code:
            raise RowError("parent_code", _("an account cannot be its own parent"), code)
        parent = by_code(self.visible, parent_code)
        if parent is None and obj is not None and obj.parent_id:
            # A parent out of sight the account already has stays valid.
            parent = Account.objects.filter(pk=obj.parent_id, code=parent_code).first()
        if parent is None:
            raise RowError(
                "parent_code",
                _("account %(code)s not found or not visible to you") % {"code": parent_code},
                parent_code,
            )
        return parent.pk

    def _tags(self, row: dict[str, Any]) -> list[Tag]:
        names = sorted({t for t in TAG_SPLIT.split(row["v_tags"] or "") if t})
        too_long = [t for t in names if len(t) > 50]
        if too_long:
            raise RowError("tags", _("tag is longer than 50 characters"), too_long[0])
        return [Tag.objects.get_or_create(name=t)[0] for t in names]

    def _save(
        self, obj: Account, values: dict[str, Any], tags: list[Tag] | None, *, created: bool
    ) -> str:
        changed = _apply(obj, values)
        tags_changed = tags is not None and (
            created or {t.pk for t in tags} != set(obj.tags.values_list("pk", flat=True))
        )
        if not created and not changed and not tags_changed:
            return "unchanged"
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise _validation_messages(exc, self.FIELD_COLUMNS) from None
        _save(obj, self.ctx, created=created,
              after_save=(lambda: obj.tags.set(tags)) if tags_changed else None)  # fmt: skip
        return "created" if created else "updated"


def _contact_lookalikes(out: Outcome, row: dict[str, Any], values: dict[str, Any]) -> None:
    """A new contact like one on file (same mobile or e-mail, or the same name at the
    account): imported, with a warning naming the match."""
    found = contact_lookalikes(name=values.get("name") or "", account_id=values["account_id"],
                               mobile=values.get("mobile") or "",
                               email=values.get("email") or "")  # fmt: skip
    if found:
        match = found[0].obj
        out.warn(_("Line %(line)s looks like contact %(code)s (%(name)s): %(why)s")
                 % {"line": row[LINE], "code": match.code, "name": match.name,
                    "why": explain(found[0].reasons)})  # fmt: skip


#: "Leave the account's team as it is" (None would clear it).
_KEEP = object()


# -- contacts ------------------------------------------------------------------------------

CONTACT_TEXT = {"name": 100, "english_name": 100, "nickname": 50, "title": 100,
                "department": 100, "mobile": 40, "phone": 40, "email": 254, "wechat": 60,
                "notes": 100_000}  # fmt: skip
GENDER_WORDS = {"男": Gender.MALE, "女": Gender.FEMALE, "m": Gender.MALE, "f": Gender.FEMALE,
                "先生": Gender.MALE, "女士": Gender.FEMALE}  # fmt: skip


def import_contacts(frame: pl.DataFrame, ctx: ImportContext) -> Outcome:
    out = Outcome()
    if "gender" in frame.columns:
        frame = frame.with_columns(
            pl.col("gender").str.to_lowercase().replace(GENDER_WORDS).alias("gender")
        )
    c = Checks(frame)
    c.text("code", max_length=40, required=True)
    c.text("account_code", max_length=40, required=True)
    for name, length in CONTACT_TEXT.items():
        c.text(name, max_length=length, required=name == "name")
    c.choice("gender", Gender)
    c.date("birthday")
    c.boolean("is_primary")
    c.boolean("is_active")
    typed, errors = c.evaluate()
    good = _drop_bad(typed, errors, out)

    fields = _present(frame, [*CONTACT_TEXT, "gender", "birthday", "is_primary", "is_active"])
    visible = ctx.visible_accounts()
    accounts: dict[str, int | None] = {}

    def account_id(code: str) -> int | None:
        if code not in accounts:
            found = by_code(visible.only("pk"), code)
            accounts[code] = found.pk if found else None
        return accounts[code]

    def handle(row: dict[str, Any]) -> str:
        code = row["v_code"]
        acc_id = account_id(row["v_account_code"])
        if acc_id is None:
            raise RowError(
                "account_code",
                _("account %(code)s not found or not visible to you")
                % {"code": row["v_account_code"]},
                row["v_account_code"],
            )
        obj = by_code(Contact.objects.all(), code)
        created = obj is None
        if obj is not None and not visible.filter(pk=obj.account_id).exists():
            raise RowError(
                "code", _("contact %(code)s belongs to someone you cannot see") % {"code": code},
                code,
            )  # fmt: skip
        values: dict[str, Any] = {"account_id": acc_id}
        for name in fields:
            value = row[f"v_{name}"]
            if name in ("is_primary", "is_active"):
                if value is None:
                    continue
            elif value is None and name == "name":
                continue
            elif value is None and name != "birthday":
                value = ""
            values[name] = value
        if created:
            _contact_lookalikes(out, row, values)
            obj = Contact(code=code)
        if not _apply(obj, values) and not created:
            return "unchanged"
        try:
            obj.full_clean(validate_unique=False)
        except ValidationError as exc:
            raise _validation_messages(exc, {"account": "account_code"}) from None
        _save(obj, ctx, created=created)
        return "created" if created else "updated"

    _process(good, ctx, out, handle)
    return out
