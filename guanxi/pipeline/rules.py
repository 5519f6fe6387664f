"""The rules of opportunities, each held once: the services check them before they write, and
the admin forms run them on what they built, so a broken rule is the same field error in the
API and on the page. Each `check_*` / resolver raises an `ApplicationError` kind naming the
field at fault.

- The owner of a deal is an active user who can see its account, and one the actor may name:
  themselves, the account's owner, or whom they may assign accounts to (a team lead their team,
  managers anyone).
- A deal's stage belongs to its pipeline and is active.
- A deal's contacts belong to its account (its buying centre).
- A won deal's expected revenue comes from its lines — by the month of the line's day and its
  category; a line without a day falls in the event's start month, else the expected close
  month — or, with no lines, is the whole amount in the expected close month.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_is_visible
from guanxi.accounts.services import assignable_owners
from guanxi.contacts.models import Contact
from guanxi.core.errors import InvalidInput, PermissionDenied
from guanxi.core.models import User
from guanxi.leads.models import Lead, LeadSource
from guanxi.pipeline.models import (
    ExpectedRevenue,
    LineKind,
    LostReason,
    Opportunity,
    OpportunityLine,
    Outcome,
    Pipeline,
    Stage,
)
from guanxi.transactions.models import ProductCategory

CENT = Decimal("0.01")
# The product category a line's revenue is booked under when the line names none.
KIND_CATEGORY = {
    LineKind.ROOMS: "rooms",
    LineKind.FNB: "fnb",
    LineKind.MEETING_SPACE: "meeting",
    LineKind.OTHER: "other",
}


def money(value: Any, field: str) -> Decimal:
    """A non-negative amount in yuan, to the fen."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise InvalidInput(_("Enter an amount."), field=field) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(_("An amount cannot be negative."), field=field)
    return amount.quantize(CENT)


def resolve_owner(
    *, actor: User, account: Account, owner: User | int | None, keep: int | None = None
) -> User:
    """The deal's owner (the actor when none is named), checked against the ownership rule.
    `keep`: the current owner's id, whom the actor need not be allowed to name (only whether
    they still see the account is checked)."""
    if owner is None:
        owner = actor
    elif not isinstance(owner, User):
        found = User.objects.filter(pk=owner).first()
        if found is None:
            raise InvalidInput(_("User %(id)s does not exist.") % {"id": owner}, field="owner")
        owner = found
    if not owner.is_active:
        raise InvalidInput(_("%(user)s is not an active user.") % {"user": owner}, field="owner")
    if not account_is_visible(owner, account.pk):
        raise InvalidInput(
            _("%(user)s cannot see the account %(account)s, so cannot own its deals.")
            % {"user": owner, "account": account},
            field="owner",
        )
    if owner.pk in {actor.pk, account.owner_id, keep}:
        return owner
    if not assignable_owners(actor).filter(pk=owner.pk).exists():
        raise PermissionDenied(
            _("You may make only yourself or the account's owner the owner of this deal."),
            field="owner",
        )
    return owner


def resolve_stage(stage: Stage | int, *, pipeline: Pipeline | None) -> Stage:
    """An active stage of `pipeline` (any pipeline when None)."""
    if not isinstance(stage, Stage):
        found = Stage.objects.select_related("pipeline").filter(pk=stage).first()
        if found is None:
            raise InvalidInput(_("Stage %(id)s does not exist.") % {"id": stage}, field="stage")
        stage = found
    if pipeline is not None and stage.pipeline_id != pipeline.pk:
        raise InvalidInput(
            _("The stage %(stage)s is not a stage of the pipeline %(pipeline)s.")
            % {"stage": stage, "pipeline": pipeline},
            field="stage",
        )
    if not stage.active:
        raise InvalidInput(
            _("The stage %(stage)s is no longer in use.") % {"stage": stage}, field="stage"
        )
    return stage


def resolve_contacts(account: Account, contacts: Iterable[Contact | int]) -> list[Contact]:
    """The contacts, each of `account` (a deal's people are the account's buying centre)."""
    ids = list(dict.fromkeys(c.pk if isinstance(c, Contact) else c for c in contacts))
    found = list(Contact.objects.filter(pk__in=ids, account_id=account.pk))
    if len(found) != len(ids):
        missing = sorted(set(ids) - {c.pk for c in found})[0]
        raise InvalidInput(
            _("Contact %(id)s is not a contact of the account %(account)s.")
            % {"id": missing, "account": account},
            field="contacts",
        )
    return found


def resolve_listed(model: type, value: Any, field: str) -> Any:
    """A row of a list kept as data (source, lost reason) or a lead, given as itself or its id."""
    if value is None or value == "" or isinstance(value, model):
        return value or None
    found = model.objects.filter(pk=value).first()
    if found is None:
        raise InvalidInput(_("%(id)s is not a known choice.") % {"id": value}, field=field)
    return found


RELATED = {"source": LeadSource, "lead": Lead, "lost_reason": LostReason}


def check_closing(opportunity: Opportunity) -> None:
    """A lost deal names why; a closed deal has a close date, not in the future; an open one
    carries no close date or lost reason (set or cleared by the services)."""
    if opportunity.outcome == Outcome.LOST and opportunity.lost_reason_id is None:
        raise InvalidInput(_("Choose why the deal was lost."), field="lost_reason")
    check_close_date(opportunity.closed_on)
    start, end = opportunity.event_start, opportunity.event_end
    if start and end and end < start:
        raise InvalidInput(_("The event cannot end before it starts."), field="event_end")


def check_closing_fields(outcome: str, fields: Mapping[str, Any]) -> None:
    """The close date and lost reason are set by a move; a change may correct them on a deal
    that is closed (the lost reason only on a lost one), never put them on an open one."""
    if outcome == Outcome.OPEN:
        wrong = next((f for f in ("closed_on", "lost_reason", "lost_note") if f in fields), None)
    elif outcome == Outcome.WON:
        wrong = next((f for f in ("lost_reason", "lost_note") if f in fields), None)
    else:
        wrong = None
    if wrong is not None:
        raise InvalidInput(
            _("Only a lost deal has a lost reason, and only a closed one a close date."),
            field=wrong,
        )
    if "closed_on" in fields and fields["closed_on"] is None:
        raise InvalidInput(_("A closed deal keeps its close date."), field="closed_on")


def check_close_date(closed_on: dt.date | None) -> None:
    if closed_on is not None and closed_on > timezone.localdate():
        raise InvalidInput(_("A deal cannot be closed in the future."), field="closed_on")


def line_category(line: OpportunityLine) -> ProductCategory | None:
    """The line's category, or the one its kind is booked under."""
    if line.category_id is not None:
        return line.category
    return ProductCategory.objects.filter(code=KIND_CATEGORY.get(line.kind, "other")).first()


def lines_total(lines: Iterable[OpportunityLine]) -> Decimal:
    return sum((line.quantity * line.unit_price for line in lines), Decimal(0)).quantize(CENT)


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def expected_revenue_rows(opportunity: Opportunity) -> list[ExpectedRevenue]:
    """What the won deal is expected to bring, by month and category (see the module doc)."""
    lines = list(opportunity.lines.all())
    fallback = opportunity.event_start or opportunity.expected_close
    if not lines:
        if not opportunity.amount:
            return []
        month = first_of_month(opportunity.expected_close)
        return [ExpectedRevenue(opportunity=opportunity, month=month, amount=opportunity.amount)]
    sums: dict[tuple[dt.date, int | None], Decimal] = defaultdict(Decimal)
    for line in lines:
        month = first_of_month(line.day or fallback)
        sums[(month, line.category_id)] += line.quantity * line.unit_price
    return [
        ExpectedRevenue(
            opportunity=opportunity, month=month, category_id=category, amount=amount.quantize(CENT)
        )  # fmt: skip
        for (month, category), amount in sums.items()
        if amount
    ]


def expected_revenue_refresh(opportunity: Opportunity) -> None:
    """Keep the expected revenue in step with the deal: rows only while it is won."""
    ExpectedRevenue.objects.filter(opportunity=opportunity).delete()
    if opportunity.outcome == Outcome.WON:
        ExpectedRevenue.objects.bulk_create(expected_revenue_rows(opportunity))
