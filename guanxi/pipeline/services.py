"""Writes for opportunities (商机): create, move through the stages, change, delete, and their
MICE event lines. The rules each write keeps are in `pipeline.rules`.

Access follows the accounts app: whoever sees the account works its deals; a deal or an account
out of sight is NotFound. Every write saves through `save_as`, so the audit history names the
actor; every stage move is a `StageChange` row naming the actor and how long the deal sat in the
stage it left.

Probability: a new deal takes its stage's default unless one is given. A stage move is a new
estimate, so it resets the probability to the new stage's default (won 100, lost 0) unless the
move names one; the owner may set it again afterwards with `opportunity_update`.

Won and lost: winning sets `closed_on` (local today unless a date is given) and writes the
expected revenue (`rules.expected_revenue_rows`); losing requires a lost reason. Moving a deal
out of won or lost clears the close date, the lost reason and note, and the expected revenue,
so no won figure stays behind.

The stage log's rollups for the funnel and win/loss (`pipeline.stage_rollup`) follow every
write of the log, account, owner or amount, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.services import account_for_actor
from guanxi.contacts.models import Contact
from guanxi.core.errors import Conflict, InvalidInput, NotFound
from guanxi.core.models import User
from guanxi.core.services import UNSET, check_fields, delete_as, save_as, validated
from guanxi.pipeline.models import (
    LostReason,
    Opportunity,
    OpportunityLine,
    Outcome,
    Stage,
    StageChange,
)
from guanxi.pipeline.rules import (
    RELATED,
    check_closing,
    check_closing_fields,
    expected_revenue_refresh,
    line_category,
    lines_total,
    money,
    resolve_contacts,
    resolve_listed,
    resolve_owner,
    resolve_stage,
)
from guanxi.pipeline.selectors import (
    default_pipeline,
    first_open_stage,
    opportunities_visible_to,
    opportunity_for_actor,
)
from guanxi.pipeline.stage_rollup import closed_rows_refresh, stage_rollup_add, stage_rollup_kept
from guanxi.transactions.models import ProductCategory

# Plain fields a client may set besides the named arguments.
OPPORTUNITY_FIELDS = frozenset(
    {
        "next_step", "next_step_on", "competitor", "source", "campaign", "lead", "notes",
        "event_start", "event_end", "attendees", "probability", "amount_from_lines",
        "closed_on", "lost_reason", "lost_note", "code",
    }
)  # fmt: skip
LINE_FIELDS = frozenset({"kind", "quantity", "unit_price", "day", "category", "description"})


def _set_fields(opportunity: Opportunity, fields: Mapping[str, Any]) -> None:
    for name, value in fields.items():
        if name in RELATED:
            value = resolve_listed(RELATED[name], value, name)
        elif name in {"next_step", "competitor", "campaign", "notes", "lost_note", "code"}:
            value = (value or "").strip()
        setattr(opportunity, name, value)


def _close_state(
    opportunity: Opportunity,
    *,
    closed_on: dt.date | None,
    lost_reason: Any,
    lost_note: str,
) -> None:
    """Set or clear what goes with the deal's outcome (already taken from its stage)."""
    if opportunity.outcome == Outcome.OPEN:
        opportunity.closed_on = None
        opportunity.lost_reason = None
        opportunity.lost_note = ""
        return
    opportunity.closed_on = closed_on or timezone.localdate()
    if opportunity.outcome == Outcome.WON:
        opportunity.lost_reason = None
        opportunity.lost_note = ""
    else:
        opportunity.lost_reason = resolve_listed(LostReason, lost_reason, "lost_reason")
        opportunity.lost_note = (lost_note or "").strip()


def _set_stage(opportunity: Opportunity, stage: Stage, probability: int | None) -> None:
    opportunity.stage = stage
    opportunity.pipeline_id = stage.pipeline_id
    opportunity.outcome = stage.outcome
    opportunity.probability = stage.probability if probability is None else probability
    opportunity.stage_changed_at = timezone.now()


def _category(value: Any) -> ProductCategory | None:
    if value is None or value == "" or isinstance(value, ProductCategory):
        return value or None
    lookup = {"pk": value} if isinstance(value, int) else {"code": value}
    found = ProductCategory.objects.filter(**lookup).first()
    if found is None:
        raise InvalidInput(_("Unknown product category: %(c)s.") % {"c": value}, field="category")
    return found


def _build_line(opportunity: Opportunity, data: Mapping[str, Any]) -> OpportunityLine:
    check_fields(dict(data), LINE_FIELDS)
    line = OpportunityLine(opportunity=opportunity)
    _fill_line(line, data)
    validated(line)
    return line


def _fill_line(line: OpportunityLine, data: Mapping[str, Any]) -> None:
    for name, value in data.items():
        if name == "category":
            line.category = _category(value)
        elif name in {"quantity", "unit_price"}:
            setattr(line, name, money(value, name))
        else:
            setattr(line, name, value if name != "description" else (value or "").strip())
    if line.category_id is None and line.kind:
        line.category = line_category(line)


def _refresh_amount(opportunity: Opportunity) -> None:
    if opportunity.amount_from_lines:
        opportunity.amount = lines_total(opportunity.lines.all())


def _log_move(
    opportunity: Opportunity, *, actor: User, left: Stage | None, seconds: int | None
) -> None:
    """The stage log's row for the stage the deal just entered (from None: it was created)."""
    StageChange.objects.create(
        opportunity=opportunity,
        from_stage=left,
        to_stage=opportunity.stage,
        changed_at=opportunity.stage_changed_at,
        actor=actor,
        seconds_in_from_stage=seconds,
    )


@transaction.atomic
def opportunity_create(
    *,
    actor: User,
    account: Account | int,
    name: str,
    expected_close: dt.date,
    opportunity_type: str = "other",
    amount: Decimal | int | str = 0,
    stage: Stage | int | None = None,
    owner: User | int | None = None,
    contacts: Iterable[Contact | int] = (),
    lines: Iterable[Mapping[str, Any]] = (),
    **fields: Any,
) -> Opportunity:
    """Open a deal on an account the actor sees, in `stage` (the default pipeline's first open
    stage when None), owned by `owner` (the actor when None), with its first stage-log row."""
    account = account_for_actor(actor=actor, account_id=account)
    check_fields(fields, OPPORTUNITY_FIELDS)
    closed_on = fields.pop("closed_on", None)
    lost_reason = fields.pop("lost_reason", None)
    lost_note = fields.pop("lost_note", "")
    probability = fields.pop("probability", None)
    if stage is None:
        stage = first_open_stage(default_pipeline())
    stage = resolve_stage(stage, pipeline=None)
    opportunity = Opportunity(
        account=account,
        name=(name or "").strip(),
        opportunity_type=opportunity_type,
        amount=money(amount, "amount"),
        expected_close=expected_close,
        owner=resolve_owner(actor=actor, account=account, owner=owner),
    )
    _set_fields(opportunity, fields)
    _set_stage(opportunity, stage, probability)
    _close_state(opportunity, closed_on=closed_on, lost_reason=lost_reason, lost_note=lost_note)
    check_closing(opportunity)
    people = resolve_contacts(account, contacts)
    save_as(opportunity, actor=actor)
    opportunity.contacts.set(people)
    for data in lines:
        save_as(_build_line(opportunity, data), actor=actor)
    if opportunity.amount_from_lines:
        _refresh_amount(opportunity)
        save_as(opportunity, actor=actor)
    _log_move(opportunity, actor=actor, left=None, seconds=None)
    stage_rollup_add([opportunity.pk])
    expected_revenue_refresh(opportunity)
    return opportunity


@transaction.atomic
def opportunity_move(
    *,
    actor: User,
    opportunity: Opportunity | int,
    stage: Stage | int,
    lost_reason: LostReason | int | None = None,
    lost_note: str = "",
    closed_on: dt.date | None = None,
    probability: int | None = None,
) -> Opportunity:
    """Move the deal to another stage of its pipeline, logging the move with the time spent in
    the stage left. Moving to the stage it is in changes nothing."""
    pk = opportunity.pk if isinstance(opportunity, Opportunity) else opportunity
    opportunity_for_actor(actor, pk)
    # Locked, so two moves at once log one after the other, each with its own duration.
    opportunity = Opportunity.objects.select_for_update().get(pk=pk)
    stage = resolve_stage(stage, pipeline=opportunity.pipeline)
    if stage.pk == opportunity.stage_id:
        return opportunity
    left, entered_at = opportunity.stage, opportunity.stage_changed_at
    _set_stage(opportunity, stage, probability)
    _close_state(opportunity, closed_on=closed_on, lost_reason=lost_reason, lost_note=lost_note)
    check_closing(opportunity)
    with stage_rollup_kept([pk]):
        save_as(opportunity, actor=actor)
        seconds = int((opportunity.stage_changed_at - entered_at).total_seconds())
        _log_move(opportunity, actor=actor, left=left, seconds=max(seconds, 0))
    expected_revenue_refresh(opportunity)
    return opportunity


def _change_account(*, actor: User, opportunity: Opportunity, account: Account | int) -> None:
    new = account_for_actor(actor=actor, account_id=account)
    if new.pk == opportunity.account_id:
        return
    if opportunity.outcome != Outcome.OPEN:
        raise InvalidInput(
            _("A won or lost deal stays with its account; reopen it to move it."),
            field="account",
        )
    opportunity.account = new


@transaction.atomic
def opportunity_update(
    *,
    actor: User,
    opportunity: Opportunity | int,
    account: Account | int = UNSET,
    owner: User | int = UNSET,
    contacts: Iterable[Contact | int] = UNSET,
    **fields: Any,
) -> Opportunity:
    """Change the given fields only. The stage changes by `opportunity_move`, never here; the
    account only while the deal is open; with `amount_from_lines` the amount follows the lines.
    A won deal's expected revenue is rebuilt from what changed."""
    if "stage" in fields or "pipeline" in fields:
        raise InvalidInput(_("Move the deal to another stage with the move action, so the "
                             "stage log keeps it."), field="stage")  # fmt: skip
    check_fields(fields, OPPORTUNITY_FIELDS | {"name", "opportunity_type", "amount",
                                               "expected_close"})  # fmt: skip
    opportunity = opportunity_for_actor(actor, opportunity)
    check_closing_fields(opportunity.outcome, fields)
    if account is not UNSET:
        _change_account(actor=actor, opportunity=opportunity, account=account)
    if owner is not UNSET and owner is not None:
        opportunity.owner = resolve_owner(
            actor=actor, account=opportunity.account, owner=owner, keep=opportunity.owner_id
        )
    elif account is not UNSET:
        resolve_owner(actor=actor, account=opportunity.account, owner=opportunity.owner,
                      keep=opportunity.owner_id)  # fmt: skip
    if "probability" in fields and fields["probability"] is None:
        fields["probability"] = opportunity.stage.probability  # back to the stage's default
    if "amount" in fields:
        fields["amount"] = money(fields["amount"], "amount")
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    _set_fields(opportunity, fields)
    if opportunity.amount_from_lines:
        if "amount" in fields and fields["amount"] != lines_total(opportunity.lines.all()):
            raise InvalidInput(_("The amount comes from the event lines; change them, or stop "
                                 "computing it from them."), field="amount")  # fmt: skip
        _refresh_amount(opportunity)
    if contacts is not UNSET:
        people = resolve_contacts(opportunity.account, contacts or ())
    else:
        people = resolve_contacts(opportunity.account, opportunity.contacts.all())
    check_closing(opportunity)
    with stage_rollup_kept([opportunity.pk]):  # keyed by the account, owner and amount
        save_as(opportunity, actor=actor)
    opportunity.contacts.set(people)
    expected_revenue_refresh(opportunity)
    return opportunity


@transaction.atomic
def opportunity_delete(*, actor: User, opportunity: Opportunity | int) -> None:
    """Delete an open deal. Won and lost deals are kept for the win/loss figures and the
    forecast's attainment (409): move one back to an open stage first if it was a mistake."""
    opportunity = opportunity_for_actor(actor, opportunity)
    if opportunity.outcome != Outcome.OPEN:
        raise Conflict(
            _("A won or lost deal is kept for the win/loss figures; move it back to an open "
              "stage first if it was closed by mistake."),
            field="opportunity",
        )  # fmt: skip
    with stage_rollup_kept([opportunity.pk]):
        for line in opportunity.lines.all():
            delete_as(line, actor=actor)
        delete_as(opportunity, actor=actor)


# --- Event lines ------------------------------------------------------------------------------


def _after_lines(opportunity: Opportunity, actor: User) -> Opportunity:
    """A deal whose amount follows its lines, and a won deal's expected revenue, follow them."""
    if opportunity.amount_from_lines:
        _refresh_amount(opportunity)
        save_as(opportunity, actor=actor)
        closed_rows_refresh([opportunity.pk])  # win/loss sums a closed deal's amount
    expected_revenue_refresh(opportunity)
    return opportunity


def _line_for_actor(actor: User, line: OpportunityLine | int) -> OpportunityLine:
    pk = line.pk if isinstance(line, OpportunityLine) else line
    found = OpportunityLine.objects.filter(
        pk=pk, opportunity__in=opportunities_visible_to(actor).values("pk")
    ).first()
    if found is None:
        raise NotFound(_("Line %(id)s not found.") % {"id": pk}, field="line")
    return found


@transaction.atomic
def opportunity_line_add(
    *, actor: User, opportunity: Opportunity | int, **data: Any
) -> OpportunityLine:
    """Add an event line (rooms on a night, meeting space, F&B covers …) to the deal."""
    opportunity = opportunity_for_actor(actor, opportunity)
    line = _build_line(opportunity, data)
    save_as(line, actor=actor)
    _after_lines(opportunity, actor)
    return line


@transaction.atomic
def opportunity_line_update(
    *, actor: User, line: OpportunityLine | int, **data: Any
) -> OpportunityLine:
    line = _line_for_actor(actor, line)
    check_fields(data, LINE_FIELDS)
    _fill_line(line, data)
    validated(line)
    save_as(line, actor=actor)
    _after_lines(line.opportunity, actor)
    return line


@transaction.atomic
def opportunity_line_delete(*, actor: User, line: OpportunityLine | int) -> Opportunity:
    line = _line_for_actor(actor, line)
    opportunity = line.opportunity
    delete_as(line, actor=actor)
    return _after_lines(opportunity, actor)
