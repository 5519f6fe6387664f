"""Today's service cases (see `today.py`): the open cases the user owns that have due times, and
the cases escalated to them (a team lead, a director; the lead keeps a case the director now
has), the account's standing first, then how late; the reason says whether the case was
escalated to the user, how long until (or since) it is due and whether its SLA is already
breached."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import visible_to
from guanxi.service.models import OPEN_STATUSES, Case, CaseKind, EventKind
from guanxi.workspace.today_rows import Section, Standing, priority_key


@dataclass
class CaseItem:
    case: Any  # guanxi.service.models.Case
    account: Account
    standing: Standing
    escalated_to_user: bool
    late: bool
    reason: str
    due_at: dt.datetime | None = None  # the first response's, until there is one; then resolution's


def _hours_words(due: dt.datetime | None, now: dt.datetime) -> str:
    if due is None:
        return ""
    hours = int(abs((due - now).total_seconds()) // 3600)
    if due < now:
        return ngettext("%(n)s hour overdue", "%(n)s hours overdue", hours) % {"n": hours}
    return ngettext("due in %(n)s hour", "due in %(n)s hours", hours) % {"n": hours}


def _due(case: Case) -> dt.datetime | None:
    if case.first_responded_at is None and case.first_response_due_at is not None:
        return case.first_response_due_at
    return case.resolution_due_at


def service_cases(ctx: Any, *, window: slice) -> Section:
    user = ctx.user
    now = timezone.now()
    mine = Q(owner=user) & ~Q(kind=CaseKind.PRAISE)
    qs = visible_to(Case.objects.filter(status__in=OPEN_STATUSES), ctx.actor, prefix="account__")
    # Escalated to the user now, or on the way up (a team lead passed over by the director).
    reached = Q(escalated_to=user) | Q(events__kind=EventKind.ESCALATED, events__assignee=user)
    rows = list(
        qs.filter(mine | reached)
        .order_by()
        .values_list("id", "account_id", "resolution_due_at")
        .distinct()
    )
    stand = ctx.standings_for(a for _pk, a, _due in rows)

    def standing(account_id: int) -> Standing:
        return stand.get(account_id) or Standing()

    def urgency(due: dt.datetime | None) -> int:
        return 0 if due is None else int((now - due).total_seconds() // 3600)

    keys = sorted((priority_key(standing(a), urgency(due)), pk, a) for pk, a, due in rows)
    shown = keys[window]
    cases = Case.objects.select_related("account").in_bulk([k[1] for k in shown])
    items = []
    for _p, pk, account_id in shown:
        case = cases.get(pk)
        if case is None:
            continue
        escalated = case.owner_id != user.pk
        due = _due(case)
        late = case.first_response_breached or case.resolution_breached
        words = []
        level = {"level": case.get_escalation_level_display()}
        if escalated and case.escalated_to_id == user.pk:
            words.append(_("escalated to you (%(level)s)") % level)
        elif escalated:
            words.append(_("escalated (%(level)s)") % level)
        if case.status == "waiting":
            words.append(_("waiting on the customer"))
        else:
            words.append(_hours_words(due, now))
        if late:
            words.append(_("SLA breached"))
        words += standing(account_id).words()
        items.append(
            CaseItem(
                case=case,
                account=case.account,
                standing=standing(account_id),
                escalated_to_user=escalated,
                late=late,
                reason=" · ".join(w for w in words if w),
                due_at=due,
            )
        )
    return Section(items, total=len(keys), offset=window.start or 0)
