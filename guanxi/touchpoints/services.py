"""Writes of the touchpoint ledger. `touchpoint_check` validates what a user says happened;
`touchpoint_create` records it. Logging a touchpoint as a KAM does (which also completes the
task it fulfils and re-plans the tier policy's tasks) is `guanxi.activities.services.
touchpoint_log`, one floor up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction as db_transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.services import check_account_visible
from guanxi.contacts.models import Contact
from guanxi.core import bulk
from guanxi.core.errors import InvalidInput
from guanxi.core.models import User
from guanxi.touchpoints.models import ServeCost, ServeCostKind, Touchpoint, TouchpointKind

# A clock a few minutes fast on a phone must not reject a call just made.
FUTURE_TOLERANCE = dt.timedelta(minutes=10)


@dataclass(frozen=True)
class TouchpointDraft:
    """A touchpoint that passed every check, ready to be recorded."""

    account: Account
    kind: str
    occurred_at: dt.datetime
    contact_ids: list[int]
    subject: str
    notes: str
    cost: Decimal | None


def money_or_none(value: Any, field: str) -> Decimal | None:
    """A cost in yuan with two places, or None for no cost; bad input names ``field``."""
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise InvalidInput(errors={field: _("Enter the cost as a number of yuan.")}) from None
    if not amount.is_finite() or amount < 0:
        raise InvalidInput(errors={field: _("The cost cannot be negative.")})
    if amount >= Decimal("1e12"):
        raise InvalidInput(errors={field: _("The cost is too large.")})
    return amount.quantize(Decimal("0.01"))


def touchpoint_check(
    *,
    account: Account,
    kind: str,
    occurred_at: dt.datetime,
    actor: User,
    contacts: Iterable[Contact | int] = (),
    subject: str = "",
    notes: str = "",
    cost: Decimal | str | None = None,
) -> TouchpointDraft:
    """Check a touchpoint before it is recorded: an account the user sees (else 404), a known
    kind, a moment that has happened (a naive time is wall-clock time in TIME_ZONE), a cost that
    is a sum of yuan, contacts of this account."""
    check_account_visible(actor=actor, account=account)
    if kind not in TouchpointKind.values:
        raise InvalidInput(errors={"kind": _("Choose what kind of touchpoint this was.")})
    if not isinstance(occurred_at, dt.datetime):
        raise InvalidInput(errors={"occurred_at": _("Enter the date and time it happened.")})
    if timezone.is_naive(occurred_at):
        occurred_at = timezone.make_aware(occurred_at)  # a wall-clock time in TIME_ZONE
    if occurred_at > timezone.now() + FUTURE_TOLERANCE:
        raise InvalidInput(
            errors={
                "occurred_at": _("The touchpoint is in the future; log it once it has happened.")
            }
        )
    amount = money_or_none(cost, "cost")
    if len(subject) > 200:
        raise InvalidInput(errors={"subject": _("Keep the subject under 200 characters.")})
    contact_ids = sorted({c if isinstance(c, int) else c.pk for c in contacts})
    found = set(
        Contact.objects.filter(account=account, pk__in=contact_ids).values_list("pk", flat=True)
    )
    if found != set(contact_ids):
        raise InvalidInput(errors={"contacts": _("Choose contacts of this account.")})
    return TouchpointDraft(
        account=account,
        kind=kind,
        occurred_at=occurred_at,
        contact_ids=contact_ids,
        subject=subject.strip(),
        notes=notes,
        cost=amount,
    )


def touchpoint_create(*, draft: TouchpointDraft, actor: User) -> Touchpoint:
    """Record a checked touchpoint, logged by ``actor``, with its contacts."""
    touchpoint = Touchpoint.objects.create(
        account=draft.account,
        kind=draft.kind,
        occurred_at=draft.occurred_at,
        logged_by=actor,
        subject=draft.subject,
        notes=draft.notes,
        cost=draft.cost,
    )
    if draft.contact_ids:
        touchpoint.contacts.set(draft.contact_ids)
    return touchpoint


@db_transaction.atomic
def serve_costs_replace(
    *,
    kind: str,
    references: Iterable[str] | None,
    rows: Iterable[tuple[int, dt.date, Decimal, str]],
) -> int:
    """Replace the costs to serve of ``kind`` posted under ``references`` (None: all of that
    kind) by ``rows`` (account id, day, amount, reference): what a source recomputes in full
    (the rebate accrued on an agreement) is posted again whole, so running it twice leaves the
    same rows. Rows of 0 are left out. A system write (a nightly step), so no actor. Returns
    the rows written."""
    if kind not in ServeCostKind.values:
        raise InvalidInput(
            _("Unknown kind of cost to serve: %(kind)s") % {"kind": kind}, field="kind"
        )
    if references is None:
        ServeCost.objects.filter(kind=kind).delete()
    else:
        for chunk in bulk.chunks(sorted(set(references)), 5000):
            ServeCost.objects.filter(kind=kind, reference__in=chunk).delete()
    kept = [(a, day, kind, amount, ref) for a, day, amount, ref in rows if amount]
    bulk.insert_rows(
        ServeCost._meta.db_table, ["account_id", "day", "kind", "amount", "reference"], kept
    )
    return len(kept)
