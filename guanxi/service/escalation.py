"""The escalation job (every quarter hour): open cases near or past their due time go up the
line, and late ones are marked breached.

- Near: the case has used its policy's share (`near_breach_percent`, default 80 %) of the
  working time allowed for the first response (not given yet) or the resolution → level 1, the
  owner's team lead.
- Past: the first response or the resolution is late → level 2, the director (a manager). A case
  that jumps straight past its due time goes through level 1 first in the same run.
Each level reached is logged (`CaseEvent`, kind escalated, with who it went to), sets
`escalation_level`, `escalated_to` and `escalated_at`, and gives that person a follow-up task on
the account due today (their Today lists the case). A case waiting on the customer is not
escalated (its clock is stopped). Running the job again changes nothing: a level is reached once.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from guanxi.activities.models import TaskKind, TaskSource
from guanxi.activities.services import task_create
from guanxi.core.errors import ApplicationError
from guanxi.core.models import Role, User
from guanxi.service import sla
from guanxi.service.models import Case, CaseStatus, EscalationLevel, EventKind
from guanxi.service.services import log_event, record_breaches

#: Statuses whose SLA clock runs.
RUNNING = (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED, CaseStatus.IN_PROGRESS, CaseStatus.REOPENED)


def team_lead_of(user: User) -> User | None:
    if user.team_id is None:
        return None
    leads = User.objects.filter(role=Role.TEAM_LEAD, team_id=user.team_id, is_active=True)
    return leads.exclude(pk=user.pk).order_by("id").first()


def director() -> User | None:
    """The director who receives level 2: the first active manager."""
    return User.objects.filter(role=Role.MANAGER, is_active=True).order_by("id").first()


def target_level(case: Case, terms: sla.Terms, now: dt.datetime) -> int:
    """How far up the line the case belongs now."""
    answering = case.first_responded_at is None
    if (answering and sla.first_response_late(case, now)) or sla.resolution_late(case, now):
        return EscalationLevel.DIRECTOR
    near_answer = answering and sla.near_due(
        case.first_response_due_at, terms.first_response, terms, now
    )
    if near_answer or sla.near_due(case.resolution_due_at, terms.resolution, terms, now):
        return EscalationLevel.TEAM_LEAD
    return EscalationLevel.NONE


def _give_task(case: Case, person: User, level: int) -> str:
    """A follow-up task for ``person``; the words of a refusal if they cannot have one."""
    title = _("Escalated case #%(id)s: %(subject)s") % {"id": case.pk, "subject": case.subject}
    try:
        task_create(
            actor=person,
            account=case.account,
            assignee=person,
            kind=TaskKind.FOLLOW_UP,
            title=title[:200],
            due_date=timezone.localdate(),
            notes=_("Level %(level)s escalation of a service case.") % {"level": level},
            source=TaskSource.ESCALATION,
            key=f"escalation:{case.pk}:{level}:{person.pk}",
        )
    except ApplicationError as exc:
        return str(exc)
    return ""


def escalate_case(case: Case, *, now: dt.datetime, days: sla.CalendarDays | None = None) -> int:
    """Record the breaches and raise the case to the level it belongs at; returns the number of
    levels raised (0: nothing to do). ``days``: the calendar days, read once per run."""
    terms = sla.terms_of(case.sla_policy, days)
    flags = (case.first_response_breached, case.resolution_breached)
    record_breaches(case, now, None)
    goal = target_level(case, terms, now)
    raised = 0
    for level in range(case.escalation_level + 1, goal + 1):
        person = team_lead_of(case.owner) if level == EscalationLevel.TEAM_LEAD else director()
        note = _give_task(case, person, level) if person is not None else _("No one to tell.")
        case.escalation_level, case.escalated_to, case.escalated_at = level, person, now
        log_event(case, EventKind.ESCALATED, at=now, level=level, assignee=person, note=note)
        raised += 1
    if raised or flags != (case.first_response_breached, case.resolution_breached):
        case._history_user = None  # the job
        case.save()
    return raised


def case_escalation(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """The job: check every running case with due times (``as_of`` is ignored: the clock is
    now; ``progress`` shows a bar, for `guanxi escalate`). Returns how many cases were checked,
    escalated and newly breached."""
    now = timezone.now()
    due = Q(resolution_due_at__isnull=False) | Q(first_response_due_at__isnull=False)
    ids = list(
        Case.objects.filter(due, status__in=RUNNING)
        .filter(
            Q(escalation_level__lt=EscalationLevel.DIRECTOR)
            | Q(resolution_breached=False, resolution_due_at__lt=now)
            | Q(
                first_response_breached=False,
                first_responded_at__isnull=True,
                first_response_due_at__lt=now,
            )
        )
        .values_list("id", flat=True)
    )
    escalated = breached = 0
    days = sla.calendar_days()
    for pk in tqdm(ids, desc="escalation", unit=" cases", disable=not progress):
        with transaction.atomic():
            case = (
                Case.objects.select_for_update(of=("self",))
                .select_related("sla_policy", "owner", "account")
                .get(pk=pk)
            )
            before = case.first_response_breached + case.resolution_breached
            if case.status in RUNNING:
                escalated += escalate_case(case, now=now, days=days) > 0
                breached += case.first_response_breached + case.resolution_breached - before
    return {"checked": len(ids), "escalated": escalated, "breached": breached}
