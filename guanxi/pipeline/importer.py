"""Importing opportunities from CSV or XLSX (a spreadsheet of deals kept before Guanxi, a
legacy CRM's export): every row is created through `services.opportunity_create`, so the access
rule (an account the importer sees), the stage rules (a lost deal names its reason, a closed one
its date), the first stage-log row and the audit history are those of a deal entered by hand.
Rows are read and reported by `imports.rows` (line-numbered errors, dry run).

A row with a deal code (`code`, the deal's number in the file it came from) that a deal on
file has updates that deal, so a file may be imported again: the cells it fills replace the
deal's values (an empty cell leaves the value as it is), a changed stage is a move by
`services.opportunity_move` (the stage log gets its row, a lost deal still needs its reason), the
rest a change by `services.opportunity_update`. A row without a code, or with a new one, is a
new deal. A dry run reports what would be created and updated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.errors import InvalidInput
from guanxi.core.models import User
from guanxi.imports.cells import NotADay, parse_day
from guanxi.imports.columns import Column, Spec
from guanxi.imports.rows import UNCHANGED, UPDATED, RowImportResult, rows_import
from guanxi.leads.importer import entries_by_name
from guanxi.leads.models import LeadSource
from guanxi.pipeline.models import LostReason, Opportunity, OpportunityType, Outcome, Stage
from guanxi.pipeline.rules import money
from guanxi.pipeline.selectors import default_pipeline, opportunities_visible_to
from guanxi.pipeline.services import opportunity_create, opportunity_move, opportunity_update

OPPORTUNITIES = Spec(
    kind="opportunities",
    label=gettext_lazy("Opportunities"),
    match_by=gettext_lazy("deal code: an existing code updates that opportunity (its stage "
                          "moves through the stage log), a new code or none creates one"),
    columns=(
        Column("code", gettext_lazy("Deal code"), ("商机编号", "商机代码", "项目编号"), False,
               gettext_lazy("Your own number for the deal; unique. Import the file again with "
                            "it to update the deals."), "D2027-001"),
        Column("account", gettext_lazy("Account code"), ("客户编号", "客户代码"), True,
               gettext_lazy("The account's code (customer number)."), "A1001"),
        Column("name", gettext_lazy("Name"), ("商机名称", "名称", "项目"), True, "",
               "2027年经销商大会"),
        Column("expected_close", gettext_lazy("Expected close date"), ("预计成交日期",), True,
               "YYYY-MM-DD", "2027-03-31"),
        Column("stage", gettext_lazy("Stage"), ("阶段",), False,
               gettext_lazy("A stage's key (identify, contact, propose …) or its name; default: "
                            "the first stage."), "propose"),
        Column("type", gettext_lazy("Type"), ("类型", "商机类型"), False,
               gettext_lazy("mice, corporate_rate, banquet, group_block, product or other."),
               "mice"),
        Column("amount", gettext_lazy("Amount"), ("金额", "预计金额"), False, "", "180000"),
        Column("owner", gettext_lazy("Owner"), ("负责人", "客户经理"), False,
               gettext_lazy("Username; default: you."), ""),
        Column("probability", gettext_lazy("Probability (%)"), ("概率", "赢单概率"), False,
               gettext_lazy("Default: the stage's."), ""),
        Column("next_step", gettext_lazy("Next step"), ("下一步",), False, "", ""),
        Column("next_step_on", gettext_lazy("Next step date"), ("下一步日期",), False,
               "YYYY-MM-DD", ""),
        Column("competitor", gettext_lazy("Competitor"), ("竞争对手",), False, "", ""),
        Column("source", gettext_lazy("Source"), ("来源",), False,
               gettext_lazy("A source key (bd, exhibition, referral …) or its name."), ""),
        Column("campaign", gettext_lazy("Campaign"), ("市场活动",), False, "", ""),
        Column("closed_on", gettext_lazy("Closed on"), ("关闭日期", "成交日期"), False,
               gettext_lazy("For a won or lost deal."), ""),
        Column("lost_reason", gettext_lazy("Lost reason"), ("输单原因",), False,
               gettext_lazy("Required for a lost deal: a reason's key or name."), ""),
        Column("lost_note", gettext_lazy("Why it was lost"), ("输单说明",), False, "", ""),
        Column("notes", gettext_lazy("Notes"), ("备注",), False, "", ""),
    ),
)  # fmt: skip
PLAIN = ("next_step", "competitor", "campaign", "lost_note", "notes")
CLOSING = ("closed_on", "lost_reason", "lost_note")


def _day(value: str | None, column: str) -> dt.date | None:
    if not value:
        return None
    try:
        return parse_day(value)
    except NotADay as exc:
        raise InvalidInput(str(exc), field=column) from None


def _pick(found: dict[str, Any], value: str | None, column: str) -> Any:
    if not value:
        return None
    entry = found.get(value.strip().lower())
    if entry is None:
        raise InvalidInput(_("Unknown value: %(value)s.") % {"value": value}, field=column)
    return entry


class _Lookups:
    """What the rows name, read once a file: stages, sources, lost reasons, types, users."""

    def __init__(self) -> None:
        pipeline = default_pipeline()
        self.stages = entries_by_name(Stage.objects.filter(pipeline=pipeline, active=True))
        self.sources = entries_by_name(LeadSource.objects.filter(active=True))
        self.lost = entries_by_name(LostReason.objects.filter(active=True))
        self.types = {v: v for v in OpportunityType.values}
        for value, label in OpportunityType.choices:
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    self.types[str(label).lower()] = value
        self.users = {u.username: u for u in User.objects.filter(is_active=True)}


def _values(actor: User, row: dict[str, Any], found: _Lookups) -> dict[str, Any]:
    """The row's filled cells as the services take them (an empty cell is left out)."""
    code = (row.get("account") or "").strip()
    account = accounts_visible_to(actor).filter(code=code).only("pk").first()
    if account is None:  # an account out of sight looks the same as a missing one
        raise InvalidInput(_("No account with code %(code)s.") % {"code": code}, field="account")
    kind = row.get("type") or "other"
    if kind.strip().lower() not in found.types:
        raise InvalidInput(_("Unknown value: %(value)s.") % {"value": kind}, field="type")
    values: dict[str, Any] = {k: row.get(k) or "" for k in PLAIN}
    values.update({k: _day(row.get(k), k) for k in ("next_step_on", "closed_on")})
    if row.get("probability"):
        values["probability"] = _percent(row["probability"])
    values["expected_close"] = _day(row.get("expected_close"), "expected_close")
    if values["expected_close"] is None:
        raise InvalidInput(_("Required."), field="expected_close")
    values.update(
        account=account.pk,
        name=row.get("name") or "",
        opportunity_type=found.types[kind.strip().lower()] if row.get("type") else None,
        amount=money(row["amount"], "amount") if row.get("amount") else None,
        owner=_pick(found.users, row.get("owner"), "owner"),
        stage=_pick(found.stages, row.get("stage"), "stage"),
        source=_pick(found.sources, row.get("source"), "source"),
        lost_reason=_pick(found.lost, row.get("lost_reason"), "lost_reason"),
    )
    return {k: v for k, v in values.items() if v not in ("", None)}


def _on_file(actor: User, code: str) -> Opportunity | None:
    """The deal with this code, when the actor sees it; a code on a deal out of sight is
    refused rather than taken again."""
    if not code:
        return None
    deal = opportunities_visible_to(actor).filter(code=code).first()
    if deal is None and Opportunity.objects.filter(code=code).exists():
        raise InvalidInput(_("Another deal has this code."), field="code")
    return deal


def _row(actor: User, row: dict[str, Any], found: _Lookups) -> bool | str:
    code = (row.get("code") or "").strip()
    deal = _on_file(actor, code)
    values = _values(actor, row, found)
    if deal is not None:
        return _update(actor, deal, values)
    values.setdefault("opportunity_type", OpportunityType.OTHER)
    opportunity_create(actor=actor, code=code, **values)
    return False


def _changes(deal: Opportunity, values: dict[str, Any]) -> dict[str, Any]:
    """What the row changes on the deal, compared by value (a list entry or user by its id)."""
    changes = {}
    for name, value in values.items():
        if name == "stage":
            continue
        current = getattr(deal, f"{name}_id" if name in ("account", "owner", "source",
                                                         "lost_reason") else name)  # fmt: skip
        if current != getattr(value, "pk", value):
            changes[name] = value
    return changes


def _update(actor: User, deal: Opportunity, values: dict[str, Any]) -> str:
    """Change the deal as the row says: a new stage by a move (with the closing fields when
    it closes the deal, before the other changes when it reopens it), the rest by a change."""
    changes = _changes(deal, values)
    stage = values.get("stage")
    moving = stage is not None and stage.pk != deal.stage_id
    if not moving and not changes:
        return UNCHANGED
    if not moving:
        opportunity_update(actor=actor, opportunity=deal, **changes)
        return UPDATED
    closing = {k: changes.pop(k) for k in CLOSING if k in changes}
    probability = changes.pop("probability", None)
    if stage.outcome == Outcome.OPEN:  # reopened or moved on: the move first, then the rest
        opportunity_move(actor=actor, opportunity=deal, stage=stage, probability=probability)
        if changes:
            opportunity_update(actor=actor, opportunity=deal.pk, **changes)
        return UPDATED
    if changes:
        opportunity_update(actor=actor, opportunity=deal, **changes)
    opportunity_move(actor=actor, opportunity=deal.pk, stage=stage, probability=probability,
                     **closing)  # fmt: skip
    return UPDATED


def _percent(value: str) -> int:
    try:
        number = int(float(value.strip().rstrip("%")))
    except ValueError:
        number = -1
    if not 0 <= number <= 100:
        raise InvalidInput(_("Write a whole number from 0 to 100."), field="probability")
    return number


def opportunity_import(
    *, actor: User, content: bytes, file_name: str, dry_run: bool = False
) -> RowImportResult:
    """Create an opportunity from each good row, or update the one its deal code names; report
    each bad one by line."""
    found = _Lookups()
    return rows_import(
        OPPORTUNITIES,
        lambda row: _row(actor, row, found),
        content=content,
        file_name=file_name,
        dry_run=dry_run,
    )


def _key(entry: Any) -> str:
    """A list entry as the importer reads it back: its built-in key, else its name."""
    return "" if entry is None else (entry.builtin or entry.name)


def opportunity_export_rows(qs: QuerySet[Opportunity]) -> Iterator[dict[str, Any]]:
    """The deals of ``qs`` (already limited by the access rule) in the import format."""
    related = ("account", "stage", "owner", "source", "lost_reason")
    for deal in qs.select_related(*related).order_by("expected_close", "id").iterator(2000):
        yield {
            "code": deal.code,
            "account": deal.account.code,
            "name": deal.name,
            "expected_close": deal.expected_close.isoformat(),
            "stage": _key(deal.stage),
            "type": deal.opportunity_type,
            "amount": f"{deal.amount:.2f}",
            "owner": deal.owner.username,
            "probability": deal.probability,
            "next_step": deal.next_step,
            "next_step_on": deal.next_step_on.isoformat() if deal.next_step_on else "",
            "competitor": deal.competitor,
            "source": _key(deal.source),
            "campaign": deal.campaign,
            "closed_on": deal.closed_on.isoformat() if deal.closed_on else "",
            "lost_reason": _key(deal.lost_reason),
            "lost_note": deal.lost_note,
            "notes": deal.notes,
        }
