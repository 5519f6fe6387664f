"""Importing agreements from one XLSX workbook (an agreement register kept in Excel, a legacy
contract system's export): a sheet of agreements and, beside it, their volume commitments,
rebate brackets and room-block nights, each row naming its agreement by reference.

Sheets are found by name (English or Chinese, any case): ``agreements`` (协议) is required; the
others are optional — ``commitments`` (承诺量), ``rebate brackets`` (返点档位), ``block nights``
(房间保留). A CSV file is read as the agreements sheet alone.

**The reference is the key**: a reference already on file updates that agreement (one the
importer does not see is refused, not revealed), a new one creates it. For each agreement a
sheet names, that sheet's rows are the whole of it: its commitments are replaced, the brackets
of each schedule it names are replaced (a schedule is matched by agreement and name), the
nights of each block it names are replaced (a block is matched by agreement and name); a
schedule's and a block's settings come from the first of its rows that gives them.
Agreements a sheet does not name keep what they have. A file that changes an **active**
agreement (its fields, commitments or rebate ladders) writes one amendment for it, as an edit
on its page does: field → [before, after], "Changed by import.", by the importer.

**All or nothing**: every row is checked and written inside one transaction; one bad row rolls
back the whole file, and the report lists every bad row by sheet, line and column (as
`imports.rows` does for leads and deals). A dry run checks everything and writes nothing.
Writes go through `save_as` (the audit history names the importer) and the room blocks'
services; the access rule is the accounts' (an account out of sight reads as unknown).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_descendant_ids, accounts_visible_to
from guanxi.accounts.services import check_owner_assignment
from guanxi.agreements import blocks
from guanxi.agreements.import_specs import AGREEMENTS, BRACKETS, COMMITMENTS, NIGHTS, SHEETS
from guanxi.agreements.models import (
    Agreement,
    AgreementStatus,
    AgreementType,
    PenaltyRule,
    RebateBracket,
    RebateMethod,
    RebateSchedule,
    ReviewCadence,
    SettlementFrequency,
    VolumeBasis,
    VolumeCommitment,
)
from guanxi.agreements.services import amendment_write, fields_snapshot
from guanxi.agreements.terms import commitment_plain, schedule_plain
from guanxi.core.errors import ApplicationError, Conflict, InvalidInput
from guanxi.core.models import User
from guanxi.core.services import delete_as, save_as
from guanxi.imports.cells import NotADay, number_text, parse_day
from guanxi.imports.columns import Spec
from guanxi.imports.reader import LINE, FileRejected, read_table, xlsx_sheet_names
from guanxi.imports.rows import MAX_ROWS, SHOWN_ERRORS, RowImportResult, row_errors
from guanxi.imports.validate import FALSE_WORDS, TRUE_WORDS, choice_lookup
from guanxi.leads.importer import entries_by_name
from guanxi.transactions.models import ProductCategory

SPLIT = re.compile(r"[,，、;；\s]+")
__all__ = ["AGREEMENTS", "BRACKETS", "COMMITMENTS", "NIGHTS", "agreement_import"]


class _Rollback(Exception):
    """Undoes the whole file: a dry run, or a file with a bad row."""


# --- Cells ------------------------------------------------------------------------------------


def _text(row: dict[str, Any], column: str, *, required: bool = False) -> str:
    value = (row.get(column) or "").strip()
    if required and not value:
        raise InvalidInput(_("Required."), field=column)
    return value


def _day(row: dict[str, Any], column: str, *, required: bool = False) -> dt.date | None:
    value = _text(row, column, required=required)
    if not value:
        return None
    try:
        return parse_day(value)
    except NotADay as exc:
        raise InvalidInput(str(exc), field=column) from None


def _number(row: dict[str, Any], column: str, *, required: bool = False) -> Decimal | None:
    value = number_text(_text(row, column, required=required)).rstrip("%")
    if not value:
        return None
    try:
        number = Decimal(value)
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or number < 0:
        raise InvalidInput(_("Write a number, zero or more."), field=column)
    return number


def _flag(row: dict[str, Any], column: str) -> bool | None:
    value = _text(row, column).lower()
    if not value:
        return None
    if value in TRUE_WORDS or value in FALSE_WORDS:
        return value in TRUE_WORDS
    raise InvalidInput(_("Write yes or no."), field=column)


def _choice(row: dict[str, Any], column: str, lookup: dict[str, str]) -> str | None:
    value = _text(row, column)
    if not value:
        return None
    found = lookup.get(value.lower())
    if found is None:
        raise InvalidInput(_("Unknown value: %(value)s.") % {"value": value}, field=column)
    return found


# --- What rows name, read once a file --------------------------------------------------------


@dataclass
class _Found:
    actor: User
    types: dict[str, Any] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    categories: dict[str, ProductCategory] = field(default_factory=dict)
    choices: dict[str, dict[str, str]] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)  # written in this file
    replaced: set[tuple[str, int]] = field(default_factory=set)  # (what, agreement or block id)
    nights: dict[int, dict[dt.date, int]] = field(default_factory=dict)  # block id → nights
    # An active agreement's terms before the file touched them: its changes are an amendment.
    before: dict[int, dict[str, Any]] = field(default_factory=dict)

    @classmethod
    def load(cls, actor: User) -> _Found:
        found = cls(actor=actor)
        found.types = entries_by_name(
            AgreementType.objects.filter(active=True), also=lambda t: (t.kind,)
        )
        found.users = {u.username: u for u in User.objects.filter(is_active=True)}
        for category in ProductCategory.objects.all():
            for name in (category.code, category.name, category.name_en):
                if name:
                    found.categories[name.strip().lower()] = category
        found.choices = {
            "status": choice_lookup(AgreementStatus),
            "review_cadence": choice_lookup(ReviewCadence),
            "basis": choice_lookup(VolumeBasis),
            "penalty_rule": choice_lookup(PenaltyRule),
            "method": choice_lookup(RebateMethod),
            "frequency": choice_lookup(SettlementFrequency),
        }
        return found

    def categories_of(self, row: dict[str, Any], column: str) -> list[ProductCategory]:
        out = []
        for name in SPLIT.split(_text(row, column)):
            if not name:
                continue
            category = self.categories.get(name.lower())
            if category is None:
                raise InvalidInput(_("Unknown value: %(value)s.") % {"value": name}, field=column)
            out.append(category)
        return out

    def agreement(self, row: dict[str, Any]) -> Agreement:
        """The agreement a row of another sheet names: written above or already on file."""
        reference = _text(row, "reference", required=True)
        found = self.agreements.get(reference.lower())
        if found is None:  # on file before this file: remembered as it was
            found = _visible_agreement(self.actor, reference)
            if found is not None:
                self.remember(found)
        if found is None:
            raise InvalidInput(
                _("No agreement with reference %(ref)s.") % {"ref": reference}, field="reference"
            )
        return found

    def remember(self, agreement: Agreement) -> None:
        if agreement.pk not in self.before and agreement.status == AgreementStatus.ACTIVE:
            self.before[agreement.pk] = terms_snapshot(agreement)

    def first_sight(self, what: str, pk: int) -> bool:
        """True the first time this file names ``pk`` for ``what`` (then its rows replace)."""
        key = (what, pk)
        if key in self.replaced:
            return False
        self.replaced.add(key)
        return True


AMENDED_FIELDS = ("name", "agreement_type", "account", "owner", "starts_on", "ends_on", "status",
                  "review_cadence", "signed_on", "renewal_date", "notice_days", "auto_renew",
                  "notes", "covered_accounts")  # fmt: skip


def terms_snapshot(agreement: Agreement) -> dict[str, Any]:
    """What an amendment compares: the agreement's fields, commitments and rebate schedules."""
    values = fields_snapshot(agreement, AMENDED_FIELDS)
    # A sheet's rows replace an agreement's terms whole, so terms compare by content, not by id.
    values["commitments"] = sorted(
        (commitment_plain(c) for c in agreement.commitments.all()), key=json.dumps
    )
    values["rebate schedules"] = sorted(
        (schedule_plain(s) for s in agreement.rebate_schedules.all()), key=json.dumps
    )
    return values


def _amendments(found: _Found) -> None:
    """One amendment per active agreement the file changed: field → [before, after]."""
    for pk, before in found.before.items():
        agreement = Agreement.objects.get(pk=pk)
        after = terms_snapshot(agreement)
        changes = {
            key: [before.get(key), after.get(key)]
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        }
        if changes:
            amendment_write(actor=found.actor, agreement=agreement, changes=changes,
                            summary=_("Changed by import."))  # fmt: skip


def _visible_agreement(actor: User, reference: str) -> Agreement | None:
    """The agreement on file with this reference; Conflict if the actor cannot see it."""
    on_file = Agreement.objects.filter(reference__iexact=reference).order_by("id")
    if not on_file.exists():
        return None
    seen = on_file.filter(account__in=accounts_visible_to(actor)).first()
    if seen is None:
        raise Conflict(
            _("The reference %(ref)s is taken by an agreement you cannot change.")
            % {"ref": reference},
            field="reference",
        )
    return seen


# --- One row of each sheet --------------------------------------------------------------------


def _account(actor: User, code: str, column: str) -> Account:
    account = accounts_visible_to(actor).filter(code=code).first() if code else None
    if account is None:  # an account out of sight looks the same as a missing one
        raise InvalidInput(_("No account with code %(code)s.") % {"code": code}, field=column)
    return account


def _covered(actor: User, account: Account, row: dict[str, Any]) -> list[Account]:
    codes = [c for c in SPLIT.split(_text(row, "covered")) if c]
    subsidiaries = set(account_descendant_ids(account))
    covered = []
    for code in codes:
        sub = _account(actor, code, "covered")
        if sub.pk not in subsidiaries:
            raise InvalidInput(
                _("%(code)s is not a subsidiary of the agreement's account.") % {"code": code},
                field="covered",
            )
        covered.append(sub)
    return covered


def _agreement_row(row: dict[str, Any], found: _Found) -> bool:
    """Create or update one agreement; True when it updated one on file."""
    actor = found.actor
    reference = _text(row, "reference", required=True)
    if reference.lower() in found.agreements:
        raise InvalidInput(_("This reference is given twice in the file."), field="reference")
    account = _account(actor, _text(row, "account", required=True), "account")
    kind = _text(row, "type", required=True)
    agreement_type = found.types.get(kind.lower())
    if agreement_type is None:
        raise InvalidInput(_("Unknown value: %(value)s.") % {"value": kind}, field="type")
    owner = actor
    if _text(row, "owner"):
        owner = found.users.get(_text(row, "owner"))
        if owner is None:
            raise InvalidInput(_("Unknown user."), field="owner")
        check_owner_assignment(actor=actor, owner=owner)
    existing = _visible_agreement(actor, reference)
    if existing is not None:
        found.remember(existing)
    agreement = existing or Agreement(reference=reference)
    agreement.name = _text(row, "name", required=True)
    agreement.agreement_type, agreement.account, agreement.owner = agreement_type, account, owner
    agreement.starts_on = _day(row, "starts_on", required=True)
    agreement.ends_on = _day(row, "ends_on", required=True)
    if agreement.ends_on < agreement.starts_on:
        raise InvalidInput(_("The end must not be before the start."), field="ends_on")
    _optional_fields(agreement, row, found)
    covered = _covered(actor, account, row)
    save_as(agreement, actor=actor)
    agreement.covered_accounts.set(covered)
    found.agreements[reference.lower()] = agreement
    return existing is not None


def _optional_fields(agreement: Agreement, row: dict[str, Any], found: _Found) -> None:
    """Status, signing, notice, renewal, review cadence, notes: kept where a cell is empty."""
    for column in ("status", "review_cadence"):
        value = _choice(row, column, found.choices[column])
        if value:
            setattr(agreement, column, value)
    for column in ("signed_on", "renewal_date"):
        value = _day(row, column)
        if value:
            setattr(agreement, column, value)
    notice = _number(row, "notice_days")
    if notice is not None:
        if notice != int(notice) or notice > 3650:
            raise InvalidInput(_("Write a whole number of days."), field="notice_days")
        agreement.notice_days = int(notice)
    auto_renew = _flag(row, "auto_renew")
    if auto_renew is not None:
        agreement.auto_renew = auto_renew
    if _text(row, "notes"):
        agreement.notes = _text(row, "notes")


def _commitment_row(row: dict[str, Any], found: _Found) -> bool:
    agreement = found.agreement(row)
    if found.first_sight("commitments", agreement.pk):
        for old in agreement.commitments.all():
            delete_as(old, actor=found.actor)
    committed = _number(row, "committed", required=True)
    if not committed:
        raise InvalidInput(_("Write a number above zero."), field="committed")
    commitment = VolumeCommitment(
        agreement=agreement,
        basis=_choice(row, "basis", found.choices["basis"]) or VolumeBasis.AMOUNT,
        unit=_text(row, "unit"),
        committed=committed,
        starts_on=_day(row, "starts_on"),
        ends_on=_day(row, "ends_on"),
        notes=_text(row, "notes"),
    )
    categories = found.categories_of(row, "categories")
    save_as(commitment, actor=found.actor)
    commitment.categories.set(categories)
    return False


def _schedule(agreement: Agreement, row: dict[str, Any], found: _Found) -> RebateSchedule:
    """The schedule a bracket row names (by name), its settings from the row's first sight."""
    name = _text(row, "schedule")
    schedule = agreement.rebate_schedules.filter(name=name).first()
    if schedule is not None and not found.first_sight("brackets", schedule.pk):
        return schedule
    schedule = schedule or RebateSchedule(agreement=agreement, name=name)
    for column in ("method", "basis", "frequency"):
        value = _choice(row, column, found.choices[column])
        if value:
            setattr(schedule, column, value)
    schedule.starts_on, schedule.ends_on = _day(row, "starts_on"), _day(row, "ends_on")
    categories = found.categories_of(row, "categories")
    save_as(schedule, actor=found.actor)
    schedule.categories.set(categories)
    found.first_sight("brackets", schedule.pk)
    for old in schedule.brackets.all():
        delete_as(old, actor=found.actor)
    return schedule


def _bracket_row(row: dict[str, Any], found: _Found) -> bool:
    schedule = _schedule(found.agreement(row), row, found)
    start = _number(row, "from_value", required=True)
    rate = _number(row, "rate", required=True)
    if rate > 100:
        raise InvalidInput(_("Write a number from 0 to 100."), field="rate")
    if schedule.brackets.filter(from_value=start).exists():
        raise InvalidInput(_("Two brackets of the schedule start here."), field="from_value")
    save_as(RebateBracket(schedule=schedule, from_value=start, rate=rate), actor=found.actor)
    return False


def _night_row(row: dict[str, Any], found: _Found) -> bool:
    agreement = found.agreement(row)
    name = _text(row, "block", required=True)
    rooms = _number(row, "rooms", required=True)
    if rooms != int(rooms):
        raise InvalidInput(_("Rooms must be a whole number, zero or more."), field="rooms")
    night = _day(row, "night", required=True)
    fields: dict[str, Any] = {
        "group_rate": _number(row, "group_rate"), "cutoff_on": _day(row, "cutoff_on"),
        "allowance_percent": _number(row, "allowance"), "penalty_percent": _number(row, "penalty"),
        "penalty_rule": _choice(row, "penalty_rule", found.choices["penalty_rule"]),
        "minimum_revenue": _number(row, "minimum_revenue"),
    }  # fmt: skip
    fields = {k: v for k, v in fields.items() if v is not None}
    block = agreement.room_blocks.filter(name=name).first()
    if block is None:
        for column in ("group_rate", "cutoff_on"):
            if column not in fields:
                raise InvalidInput(_("Required for a new block."), field=column)
        block = blocks.room_block_create(
            actor=found.actor, agreement=agreement, name=name, **fields
        )
    elif fields:
        blocks.room_block_update(actor=found.actor, block=block, **fields)
    nights = found.nights.setdefault(block.pk, {})
    if not found.first_sight("nights", block.pk) and night in nights:
        raise InvalidInput(_("This night is given twice for the block."), field="night")
    nights[night] = int(rooms)
    blocks.room_block_update(actor=found.actor, block=block, nights=dict(nights))
    return False


# --- The workbook ------------------------------------------------------------------------------


Writer = Callable[[dict[str, Any], _Found], bool]


def _writers() -> list[tuple[str, Spec, Writer]]:
    """The sheets in the order they are written (agreements first: the others name them)."""
    found: list[tuple[str, Spec, Writer]] = [
        ("agreements", AGREEMENTS, _agreement_row),
        ("commitments", COMMITMENTS, _commitment_row),
        ("nights", NIGHTS, _night_row),
    ]
    found.insert(2, ("brackets", BRACKETS, _bracket_row))
    return found


def _sheets(content: bytes, file_name: str) -> dict[str, str | None]:
    """Which sheet holds which table: {what: sheet name} (None: the file's only table)."""
    is_xlsx = file_name.lower().endswith((".xlsx", ".xlsm")) or content[:2] == b"PK"
    if not is_xlsx:
        return {"agreements": None}
    names = {name.strip().lower(): name for name in xlsx_sheet_names(content)}
    found = {}
    for what, aliases in SHEETS.items():
        hit = next((names[a] for a in aliases if a in names), None)
        if hit is not None:
            found[what] = hit
    if "agreements" not in found:
        raise FileRejected(
            _("The workbook has no sheet named agreements; found: %(found)s.")
            % {"found": ", ".join(names.values()) or "—"}
        )
    return found


def _write_sheet(result: RowImportResult, label: str, table: Any, write: Any, found: _Found):
    for row in table.frame.iter_rows(named=True):
        result.rows_read += 1
        try:
            with transaction.atomic():
                result.flagged += bool(write(row, found))
            result.created += 1
        except ApplicationError as exc:
            result.failed += 1
            if len(result.errors) < SHOWN_ERRORS:
                for error in row_errors(row[LINE], row, exc):
                    error.column = f"{label}: {error.column}" if error.column else label
                    result.errors.append(error)


def agreement_import(
    *, actor: User, content: bytes, file_name: str, dry_run: bool = False
) -> RowImportResult:
    """Write the workbook's agreements and their terms, all or nothing (module docstring).
    ``created`` counts the rows written, ``flagged`` the agreements that updated one on file."""
    result = RowImportResult(dry_run=dry_run)
    try:
        sheets = _sheets(content, file_name)
        tables = [
            (sheets[what], read_table(spec, content=content, file_name=file_name,
                                      sheet=sheets[what]), write)
            for what, spec, write in _writers() if what in sheets
        ]  # fmt: skip
    except FileRejected as exc:
        result.fatal = str(exc)
        return result
    for sheet, table, _write in tables:
        result.take_read(table, sheet=sheet or "")
    if sum(table.frame.height for _s, table, _w in tables) > MAX_ROWS:
        result.fatal = _("At most %(n)s rows a file.") % {"n": MAX_ROWS}
        return result
    found = _Found.load(actor)
    try:
        with transaction.atomic():
            for sheet, table, write in tables:
                _write_sheet(result, sheet or "agreements", table, write, found)
            if not result.failed:
                _amendments(found)
            if dry_run or result.failed:
                raise _Rollback
    except _Rollback:
        pass
    if result.failed and not dry_run:
        result.warnings.append(_("Nothing was written: correct the lines below and import the "
                                 "file again."))  # fmt: skip
    return result
