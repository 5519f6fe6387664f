"""Reads of tasks: task lists, SOP compliance and the cost of privileges delivered per tier.

Days are local days in the configured time zone (Asia/Shanghai): a call at 23:30 Shanghai
time (15:30 UTC) counts on that Shanghai day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import Greatest, TruncDate
from django.utils import timezone

from guanxi.accounts.selectors import staff_users, visible_to
from guanxi.activities.models import Task, TaskSource, TaskStatus
from guanxi.core.dates import local_midnight
from guanxi.core.models import Role, Team, User
from guanxi.tiers.models import AccountTier, SchemePurpose, Tier, TierScheme
from guanxi.touchpoints.models import Touchpoint

ZERO = Decimal("0.00")


def fulfilled_task(touchpoint: Touchpoint) -> Task | None:
    """The task ``touchpoint`` fulfilled, if any (from select_related when it was joined)."""
    try:
        return touchpoint.fulfilled_task
    except Task.DoesNotExist:
        return None


def tasks_for(
    actor: User,
    *,
    status: str | None = TaskStatus.OPEN,
    due_before: dt.date | None = None,
    assignee: User | None | bool = True,
    account_id: int | None = None,
) -> QuerySet[Task]:
    """Tasks on accounts ``actor`` may see. ``assignee=True`` (default): the user's own tasks;
    a User: that person's tasks; None/False: every visible task. ``status`` None: any status.
    ``due_before``: due on or before that day (e.g. today for "due and overdue").
    ``account_id``: only that account's tasks (none when the user may not see it)."""
    qs = visible_to(Task.objects.all(), actor, prefix="account__")
    if account_id is not None:
        qs = qs.filter(account_id=account_id)
    if assignee is True:
        qs = qs.filter(assignee=actor)
    elif isinstance(assignee, User):
        qs = qs.filter(assignee=assignee)
    if status is not None:
        qs = qs.filter(status=status)
    if due_before is not None:
        qs = qs.filter(due_date__lte=due_before)
    return qs.select_related("account", "contact", "tier", "tier__scheme", "assignee").order_by(
        "due_date", "id"
    )


# --- SOP compliance -----------------------------------------------------------------------------


@dataclass
class ComplianceRow:
    """Policy tasks due in the period for one KAM (``user``) or one team (``team``)."""

    user: User | None = None
    team: Team | None = None
    due: int = 0  # due so far (due day in the period, not after as_of) or done already
    on_time: int = 0  # done on or before the due day
    late: int = 0  # done after the due day
    open_overdue: int = 0  # still open and past its due date, as Today shows it
    open_due_today: int = 0  # still open, due today
    open_not_due: int = 0  # still open, not yet due (not counted in ``due``)

    @property
    def decided(self) -> int:
        """Tasks whose outcome is known: done, or open past their due day."""
        return self.on_time + self.late + self.open_overdue

    @property
    def share_on_time(self) -> float | None:
        """On-time tasks as a share of the decided ones; None when there are none yet."""
        return self.on_time / self.decided if self.decided else None

    def add(self, other: ComplianceRow) -> None:
        for name in ("due", "on_time", "late", "open_overdue", "open_due_today", "open_not_due"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class TierCost:
    """Cost of privileges delivered (touchpoint costs) attributed to one tier (None: no tier)."""

    tier: Tier | None
    cost: Decimal = ZERO
    touchpoints: int = 0


@dataclass
class ComplianceReport:
    start: dt.date
    end: dt.date
    as_of: dt.date
    kams: list[ComplianceRow] = field(default_factory=list)
    teams: list[ComplianceRow] = field(default_factory=list)
    total: ComplianceRow = field(default_factory=ComplianceRow)
    cost_by_tier: list[TierCost] = field(default_factory=list)
    cost_total: Decimal = ZERO
    attribution_scheme: TierScheme | None = None
    # Open policy tasks overdue since before the period: Today lists them too.
    overdue_earlier: int = 0


def _task_rows_for(actor: User) -> QuerySet[Task]:
    """Compliance rows a user may read: a KAM their own, a team lead their team's, managers
    and admins everybody's."""
    qs = Task.objects.all()
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return qs.none()
    if actor.sees_all_accounts:
        return qs
    if actor.leads_team:
        return qs.filter(Q(assignee__team_id=actor.team_id) | Q(assignee=actor))
    return qs.filter(assignee=actor)


#: How a policy task due in a period stands, as the compliance report counts it.
SOP_OUTCOMES = ("on_time", "late", "open_overdue", "open_due_today", "open_not_due")


def policy_tasks_due(tasks: QuerySet, start: dt.date, end: dt.date) -> QuerySet:
    """The policy tasks (not cancelled) of ``tasks`` due between ``start`` and ``end``: due on
    their due day or, when later, the local day they were created (annotated ``due_day``, and
    ``done_day``)."""
    return (
        tasks.filter(source=TaskSource.POLICY)
        .exclude(status=TaskStatus.CANCELLED)
        .annotate(due_day=_due_day(), done_day=TruncDate("completed_at", tzinfo=_zone()))
        .filter(due_day__gte=start, due_day__lte=end)
    )


def _zone() -> Any:
    return timezone.get_current_timezone()


def _due_day() -> Greatest:
    return Greatest(
        F("due_date"), TruncDate("created_at", tzinfo=_zone()), output_field=DateField()
    )


def sop_outcome(name: str, as_of: dt.date) -> Q:
    """The tasks of `policy_tasks_due` in one of the `SOP_OUTCOMES` on ``as_of`` (the report's
    counts and the task list's filter behind the dashboard's compliance chart)."""
    done, is_open = Q(status=TaskStatus.DONE), Q(status=TaskStatus.OPEN)
    return {
        "on_time": done & Q(done_day__lte=F("due_day")),
        "late": done & Q(done_day__gt=F("due_day")),
        "open_overdue": is_open & Q(due_day__lte=as_of, due_date__lt=as_of),
        "open_due_today": is_open & Q(due_day=as_of, due_date=as_of),
        "open_not_due": is_open & Q(due_day__gt=as_of),
    }[name]


def compliance(
    *, actor: User, start: dt.date, end: dt.date, as_of: dt.date | None = None
) -> ComplianceReport:
    """SOP compliance for policy tasks due between ``start`` and ``end`` (inclusive), per KAM
    (the assignee) and per team, as of ``as_of`` (default today), and the cost of privileges
    delivered per tier in the period.

    A task is due on its due day, or on the local day it was created when that is later: a
    task created already past its due date (the first sync after a tier started asks for a
    visit "since" the tier began) could not have been done on time, so it is judged from when
    it appeared. On time = completed on a local day on or before that day. "Due" counts the
    tasks due so far (not the ones whose day is still to come, unless they are done already),
    and it adds up: due = on time + late + open and overdue + open and due today. An open task
    is overdue once its due date has passed, as Today shows it (a task created late is overdue
    from the day it appears; done that day it still counts as on time). Open tasks overdue since
    before the period are counted apart (`overdue_earlier`), so that the period's overdue and
    those add up to Today's overdue policy tasks.
    Cancelled tasks (the policy no longer asked for them, or a person cancelled them with a
    reason) are not counted.

    Cost per tier: every touchpoint with a cost in the period counts once: towards the tier of
    the policy task it fulfilled; a touchpoint without such a task counts towards the account's
    current tier in the first active scheme (by code), or "no tier". A KAM sees their own
    accounts' costs, a team lead the team's, managers all (the account access rule).
    """
    as_of = as_of or timezone.localdate()
    report = ComplianceReport(start=start, end=end, as_of=as_of)
    tasks = policy_tasks_due(_task_rows_for(actor), start, end)
    done = Q(status=TaskStatus.DONE)
    rows = list(
        tasks.order_by()
        .values("assignee_id")
        .annotate(
            due=Count("id", filter=Q(due_day__lte=as_of) | done),
            **{name: Count("id", filter=sop_outcome(name, as_of)) for name in SOP_OUTCOMES},
        )
    )
    users = User.objects.select_related("team").in_bulk([r["assignee_id"] for r in rows])
    teams: dict[int | None, ComplianceRow] = {}
    for r in rows:
        person = users[r["assignee_id"]]
        row = ComplianceRow(
            user=person,
            team=person.team,
            due=r["due"],
            on_time=r["on_time"],
            late=r["late"],
            open_overdue=r["open_overdue"],
            open_due_today=r["open_due_today"],
            open_not_due=r["open_not_due"],
        )
        report.kams.append(row)
        teams.setdefault(person.team_id, ComplianceRow(team=person.team)).add(row)
        report.total.add(row)
    report.kams.sort(key=lambda row: (row.team.name if row.team else "", row.user.username))
    report.teams = sorted(teams.values(), key=lambda row: row.team.name if row.team else "~")
    report.overdue_earlier = (
        _task_rows_for(actor)
        .filter(source=TaskSource.POLICY, status=TaskStatus.OPEN, due_date__lt=as_of)
        .annotate(due_day=_due_day())
        .filter(due_day__lt=start)
        .count()
    )
    _cost_by_tier(report, actor)
    return report


def _cost_by_tier(report: ComplianceReport, actor: User) -> None:
    touchpoints = visible_to(
        Touchpoint.objects.filter(
            cost__isnull=False,
            occurred_at__gte=local_midnight(report.start),
            occurred_at__lt=local_midnight(report.end + dt.timedelta(days=1)),
        ),
        actor,
        prefix="account__",
    ).order_by()
    totals: dict[int | None, TierCost] = {}

    def book(tier_id: int | None, cost: Decimal, n: int) -> None:
        bucket = totals.setdefault(tier_id, TierCost(tier=None))
        bucket.cost += cost or ZERO
        bucket.touchpoints += n

    with_tier = touchpoints.filter(fulfilled_task__tier__isnull=False)
    for tier_id, cost, n in with_tier.values_list("fulfilled_task__tier_id").annotate(
        s=Sum("cost"), n=Count("id")
    ):
        book(tier_id, cost, n)
    scheme = (
        TierScheme.objects.filter(is_active=True, purpose=SchemePurpose.TIERS)
        .order_by("code")
        .first()
    )
    report.attribution_scheme = scheme
    rest = touchpoints.exclude(fulfilled_task__tier__isnull=False)
    per_account = list(rest.values_list("account_id").annotate(s=Sum("cost"), n=Count("id")))
    current: dict[int, int | None] = {}
    if scheme is not None and per_account:
        current = dict(
            AccountTier.objects.filter(
                scheme=scheme, account_id__in=rest.values("account_id")
            ).values_list("account_id", "tier_id")
        )
    for account_id, cost, n in per_account:
        book(current.get(account_id), cost, n)
    tiers = Tier.objects.select_related("scheme").in_bulk([t for t in totals if t is not None])
    for tier_id, bucket in totals.items():
        bucket.tier = tiers.get(tier_id) if tier_id is not None else None
    report.cost_by_tier = sorted(
        totals.values(),
        key=lambda b: (
            b.tier is None,
            b.tier.scheme.code if b.tier else "",
            getattr(b.tier, "rank", 0),
        ),
    )
    report.cost_total = sum((b.cost for b in totals.values()), ZERO)


def agenda_subjects(actor: User) -> QuerySet[User]:
    """The people whose Today page `actor` may open: themself; a team lead their team; managers
    and admins every active staff user who works accounts — not the administrators (a superuser
    or the admin role: they own no accounts and have no day to look at), except themself."""
    users = staff_users()
    if actor.sees_all_accounts:
        admins = Q(is_superuser=True) | Q(role=Role.ADMIN)
        return users.exclude(admins & ~Q(pk=actor.pk)).order_by("username")
    q = Q(pk=actor.pk)
    if actor.leads_team:
        q |= Q(team_id=actor.team_id)
    return users.filter(q).order_by("username")


def agenda_subject(actor: User, user_id: Any) -> User | None:
    """The member `actor` picked, or None when they may not see that person's day (→ 404)."""
    try:
        pk = int(user_id)
    except (TypeError, ValueError):
        return None
    return agenda_subjects(actor).filter(pk=pk).first()


def picks_members(actor: User) -> bool:
    return actor.sees_all_accounts or actor.role == Role.TEAM_LEAD


def open_tasks(user: User, actor: User | None = None) -> QuerySet[Task]:
    """`user`'s open tasks on accounts `actor` may see."""

    return tasks_for(actor or user, assignee=user)


def next_open_task(task: Task) -> Task | None:
    """After logging `task`, the task of the same kind now waiting on its account (the policy
    engine schedules the next visit at once), for the success message."""
    qs = Task.objects.filter(account_id=task.account_id, kind=task.kind, status=TaskStatus.OPEN)
    if task.key:
        qs = qs.filter(key=task.key)
    return qs.exclude(pk=task.pk).order_by("due_date", "id").first()
