"""Reads of service cases, under the access rule (a case of an account out of sight is a 404)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as Pick
from django.db.models import Count, IntegerField, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.core.dates import local_midnight
from guanxi.core.errors import NotFound
from guanxi.core.models import User
from guanxi.service.models import (
    OPEN_STATUSES,
    Case,
    CaseEvent,
    CaseKind,
    CaseStep,
    LspcasStep,
    Solution,
)

#: How long a breached complaint still counts against an account once resolved.
RECENT_BREACH_DAYS = 90


def cases_visible_to(actor: User | None) -> QuerySet[Case]:
    return visible_to(Case.objects.all(), actor, prefix="account__")


def case_for_actor(*, actor: User, case_id: Case | int, lock: bool = False) -> Case:
    """The case if ``actor`` sees its account; NotFound otherwise (missing looks the same)."""
    pk = case_id.pk if isinstance(case_id, Case) else case_id
    qs = cases_visible_to(actor).select_related("account", "sla_policy", "owner", "category")
    if lock:
        qs = qs.select_for_update(of=("self",))
    case = qs.filter(pk=pk).first()
    if case is None:
        raise NotFound(_("Case %(id)s not found.") % {"id": pk}, field="case")
    return case


@dataclass(frozen=True)
class ChecklistRow:
    step: str
    label: str
    done: CaseStep | None


def checklist(case: Case) -> list[ChecklistRow]:
    """The six LSPCAS steps in order, each with its row once done."""
    done = {row.step: row for row in case.steps.select_related("done_by")}
    return [ChecklistRow(value, str(label), done.get(value)) for value, label in LspcasStep.choices]


def timeline(case: Case, *, limit: int = 200) -> list[CaseEvent]:
    return list(case.events.select_related("actor", "assignee").order_by("at", "id")[:limit])


def suggested_solutions(case: Case, *, limit: int = 5) -> list[Solution]:
    """Solutions from the knowledge base for the case's category (then general ones)."""
    qs = Solution.objects.filter(active=True)
    if case.category_id is None:
        qs = qs.filter(category__isnull=True)
    else:
        qs = qs.filter(Q(category_id=case.category_id) | Q(category__isnull=True))
    general = Q(category__isnull=True)
    qs = qs.annotate(general=Pick(When(general, then=1), default=0, output_field=IntegerField()))
    return list(qs.order_by("general", "position", "id")[:limit])


def open_cases(account_ids: list[int]) -> QuerySet[Case]:
    """Open cases of accounts the caller already checked (e.g. the 360° card)."""
    return Case.objects.filter(account_id__in=account_ids, status__in=OPEN_STATUSES)


@dataclass(frozen=True)
class ComplaintFacts:
    open_complaints: int
    breached_recently: int


def complaint_facts(
    account_ids: list[int], *, on: dt.date | None = None
) -> dict[int, ComplaintFacts]:
    """Per account: open complaints, and complaints with a breached SLA opened in the last
    ``RECENT_BREACH_DAYS`` days (for agreements' renewal risk); accounts without any left out."""
    if not account_ids:
        return {}
    on = on or timezone.localdate()
    since = local_midnight(on - dt.timedelta(days=RECENT_BREACH_DAYS))
    breached = Q(first_response_breached=True) | Q(resolution_breached=True)
    rows = (
        Case.objects.filter(account_id__in=account_ids, kind=CaseKind.COMPLAINT)
        .filter(Q(status__in=OPEN_STATUSES) | (breached & Q(opened_at__gte=since)))
        .values("account_id")
        .annotate(
            open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
            late=Count("id", filter=breached & Q(opened_at__gte=since)),
        )
    )
    return {
        r["account_id"]: ComplaintFacts(open_complaints=r["open"], breached_recently=r["late"])
        for r in rows
    }
