"""Importing opportunities from CSV or XLSX (a spreadsheet of deals kept before Guanxi, a
legacy CRM's export): every row is created through `services.opportunity_create`, so the access
rule (an account the importer sees), the stage rules (a lost deal names its reason, a closed one
its date), the first stage-log row and the audit history are those of a deal entered by hand.
Rows are read and reported by `imports.rows` (line-numbered errors, dry run).

Every row is a new deal: the file has no key to match an existing one, so import a file once
(a dry run first shows what would fail).
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
from guanxi.imports.rows import RowImportResult, rows_import
from guanxi.leads.importer import entries_by_name
from guanxi.leads.models import LeadSource
from guanxi.pipeline.models import LostReason, Opportunity, OpportunityType, Stage
from guanxi.pipeline.selectors import default_pipeline
from guanxi.pipeline.services import opportunity_create

OPPORTUNITIES = Spec(
    kind="opportunities",
    label=gettext_lazy("Opportunities"),
    match_by=gettext_lazy("every row is a new opportunity; import a file once"),
    columns=(
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


def _row(actor: User, row: dict[str, Any], found: _Lookups) -> bool:
    code = (row.get("account") or "").strip()
    account = accounts_visible_to(actor).filter(code=code).only("pk").first()
    if account is None:  # an account out of sight looks the same as a missing one
        raise InvalidInput(_("No account with code %(code)s.") % {"code": code}, field="account")
    kind = row.get("type") or "other"
    if kind.strip().lower() not in found.types:
        raise InvalidInput(_("Unknown value: %(value)s.") % {"value": kind}, field="type")
    owner = _pick(found.users, row.get("owner"), "owner") if row.get("owner") else None
    fields: dict[str, Any] = {k: row.get(k) or "" for k in PLAIN}
    fields.update({k: _day(row.get(k), k) for k in ("next_step_on", "closed_on")})
    if row.get("probability"):
        fields["probability"] = _percent(row["probability"])
    expected_close = _day(row.get("expected_close"), "expected_close")
    if expected_close is None:
        raise InvalidInput(_("Required."), field="expected_close")
    opportunity_create(
        actor=actor,
        account=account.pk,
        name=row.get("name") or "",
        expected_close=expected_close,
        opportunity_type=found.types[kind.strip().lower()],
        amount=row.get("amount") or 0,
        stage=_pick(found.stages, row.get("stage"), "stage"),
        owner=owner,
        source=_pick(found.sources, row.get("source"), "source"),
        lost_reason=_pick(found.lost, row.get("lost_reason"), "lost_reason"),
        **{k: v for k, v in fields.items() if v not in ("", None)},
    )
    return False


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
    """Create an opportunity from each good row; report each bad one by line."""
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
