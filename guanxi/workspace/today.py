"""The KAM's day (今日工作): what one person should do today, in priority order, with the reason.

`agenda(user=…, actor=…)` reads everything the Today page, the API and the calendar need and
returns plain dataclasses; pages only render them. Priority is the same everywhere: the account's
highest tier first (rank 1 before rank 2, no tier last), then its CLV from the latest analysis
run, then how overdue the work is. The reason is spelled out ("3 days overdue · A品质 · CLV
¥52,000") so a KAM can see why a row is at the top.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import visible_to
from guanxi.activities.display import (
    COSTLY,
    ONE_CLICK,
    display_title,
    in_days_words,
    overdue_words,
)
from guanxi.activities.models import Task
from guanxi.activities.selectors import open_tasks
from guanxi.contacts.models import Contact, KeyDate
from guanxi.core.dates import next_occurrence, recurring_within_q
from guanxi.core.formatting import money
from guanxi.core.models import User
from guanxi.insights.models import AccountScore
from guanxi.insights.selectors import latest_run
from guanxi.plans.selectors import actions_due_for
from guanxi.relationships.risks import relationship_health_for
from guanxi.tiers.models import AccountTier, SchemePurpose, Tier, TierChange
from guanxi.tiers.selectors import current_tier_ids, effective_policies
from guanxi.touchpoints.models import TouchpointKind
from guanxi.touchpoints.selectors import last_touchpoints

#: How far ahead Today looks for upcoming tasks, birthdays and anniversaries, and how far back
#: for tier changes.
WINDOW_DAYS = 7
NO_RANK = 10_000


# --- Rows ---------------------------------------------------------------------------------------


@dataclass
class Standing:
    """Why an account matters: its highest tier and its CLV."""

    tier: Any = None  # guanxi.tiers.models.Tier
    rank: int = NO_RANK
    clv: Decimal | None = None

    def words(self) -> list[str]:
        parts = []
        if self.tier is not None:
            parts.append(str(self.tier))
        if self.clv is not None:
            parts.append(_("CLV %(clv)s") % {"clv": money(self.clv)})
        return parts


def _priority(standing: Standing, urgency: int) -> tuple:
    # Tier first, then CLV (unscored last), then urgency (more overdue first).
    clv = standing.clv
    return (standing.rank, clv is None, -(clv or 0), -urgency)


@dataclass
class TaskItem:
    task: Task
    title: str  # in the reader's language
    account: Account
    standing: Standing
    days_overdue: int  # > 0 overdue, 0 due today, < 0 not due yet
    reason: str
    log_kind: str
    log_label: str
    costly: bool

    @property
    def priority(self) -> tuple:
        return _priority(self.standing, self.days_overdue)


@dataclass
class KeyDateItem:
    day: dt.date
    days_until: int
    contact: Any  # guanxi.contacts.models.Contact
    account: Account
    standing: Standing
    what: str  # "birthday" or the anniversary's label
    is_birthday: bool
    reason: str

    @property
    def priority(self) -> tuple:
        return _priority(self.standing, -self.days_until)


@dataclass
class TierChangeItem:
    change: Any  # guanxi.tiers.models.TierChange
    account: Account
    standing: Standing
    direction: str  # "up", "down", "new" (first tier), "lost" (no tier now), or "changed"
    reason: str

    @property
    def upgrade(self) -> bool | None:
        """True up, False down or lost, None for a first assignment (not a move)."""
        return {"up": True, "down": False, "lost": False}.get(self.direction)

    @property
    def priority(self) -> tuple:
        return _priority(self.standing, -(self.change.effective_on.toordinal()))


@dataclass
class NeglectedItem:
    account: Account
    standing: Standing
    cadence_days: int
    last_touchpoint_on: dt.date | None
    days_since: int | None  # None: no touchpoint recorded yet
    days_beyond: int
    reason: str

    @property
    def priority(self) -> tuple:
        return _priority(self.standing, self.days_beyond)


@dataclass
class RelationshipRiskItem:
    """One of the user's accounts whose buying centre has relationship risks (see
    guanxi/relationships/risks.py), with the sentences that say what is thin."""

    account: Account
    standing: Standing
    health: Any  # guanxi.relationships.risks.RelationshipHealth
    reason: str

    @property
    def risks(self) -> list:
        return self.health.risks

    @property
    def priority(self) -> tuple:
        return _priority(self.standing, len(self.health.risks))


@dataclass
class Agenda:
    user: User
    as_of: dt.date
    due: list[TaskItem] = field(default_factory=list)  # overdue and due today
    upcoming: list[TaskItem] = field(default_factory=list)  # the next WINDOW_DAYS days
    key_dates: list[KeyDateItem] = field(default_factory=list)
    tier_changes: list[TierChangeItem] = field(default_factory=list)
    neglected: list[NeglectedItem] = field(default_factory=list)
    relationship_risks: list[RelationshipRiskItem] = field(default_factory=list)
    plan_actions: list[Any] = field(default_factory=list)  # plans.PlanAction, due in the window

    @property
    def is_empty(self) -> bool:
        return not (
            self.due
            or self.upcoming
            or self.key_dates
            or self.tier_changes
            or self.neglected
            or self.relationship_risks
            or self.plan_actions
        )


# --- Reads --------------------------------------------------------------------------------------


def their_accounts(user: User, actor: User | None = None) -> QuerySet[Account]:
    """The accounts that are `user`'s work (owned or co-owned), limited to what `actor` sees.
    A manager's Today is their own book, not the whole company."""
    ids = Account.objects.filter(Q(owner=user) | Q(co_owners=user)).values("id")
    return visible_to(Account.objects.filter(id__in=ids), actor or user)


def standings(account_ids: list[int], *, on: dt.date | None = None) -> dict[int, Standing]:
    """Highest tier in force (over active schemes) and latest CLV per account, in a few
    queries."""

    result = {pk: Standing() for pk in account_ids}
    if not account_ids:
        return result
    per_account = current_tier_ids(account_ids, on=on)
    tiers = Tier.objects.in_bulk({t for ids in per_account.values() for t in ids})
    for account_id, tier_ids in per_account.items():
        s = result[account_id]
        for tier in (tiers[t] for t in tier_ids if t in tiers):
            if tier.rank < s.rank:
                s.tier, s.rank = tier, tier.rank
    run = latest_run()
    if run is not None:
        scores = AccountScore.objects.filter(run=run, account_id__in=account_ids)
        for account_id, clv in scores.values_list("account_id", "clv"):
            result[account_id].clv = clv
    return result


def _task_item(task: Task, standing: Standing, as_of: dt.date) -> TaskItem:
    days = (as_of - task.due_date).days
    kind, label = ONE_CLICK.get(task.kind, (TouchpointKind.OTHER, gettext_lazy("Log")))
    return TaskItem(
        task=task,
        title=display_title(task),
        account=task.account,
        standing=standing,
        days_overdue=days,
        reason=" · ".join([overdue_words(days), *standing.words()]),
        log_kind=kind,
        log_label=str(label),
        costly=kind in COSTLY,
    )


def _key_dates(
    account_ids: list[int], as_of: dt.date, stand: dict[int, Standing]
) -> list[KeyDateItem]:
    items: list[KeyDateItem] = []
    contacts = (
        Contact.objects.filter(account_id__in=account_ids, is_active=True, birthday__isnull=False)
        .filter(recurring_within_q("birthday", as_of, WINDOW_DAYS))
        .select_related("account")
    )
    for contact in contacts:
        day = next_occurrence(contact.birthday, as_of)
        items.append(_key_date_item(day, as_of, contact, _("birthday"), True, stand))
    key_dates = (
        KeyDate.objects.filter(contact__account_id__in=account_ids, contact__is_active=True)
        .filter(recurring_within_q("date", as_of, WINDOW_DAYS))
        .select_related("contact__account")
    )
    for kd in key_dates:
        day = next_occurrence(kd.date, as_of)
        items.append(_key_date_item(day, as_of, kd.contact, str(kd), False, stand))
    return items


def _key_date_item(
    day: dt.date, as_of: dt.date, contact: Any, what: str, is_birthday: bool, stand: dict
) -> KeyDateItem:
    standing = stand[contact.account_id]
    days_until = (day - as_of).days
    return KeyDateItem(
        day=day,
        days_until=days_until,
        contact=contact,
        account=contact.account,
        standing=standing,
        what=what,
        is_birthday=is_birthday,
        reason=" · ".join([f"{what} {in_days_words(days_until)}", *standing.words()]),
    )


def tier_direction(change: Any) -> str:
    """ "up"/"down" for a move between two tiers, "new" for an account's first tier in a scheme
    (an entry, not a move up), "lost" when it no longer meets any tier, "changed" otherwise."""
    if change.from_tier_id is None:
        return "new" if change.to_tier_id is not None else "changed"
    if change.to_tier_id is None:
        return "lost"
    upgrade = change.is_upgrade
    return {True: "up", False: "down"}.get(upgrade, "changed")


def _rollout_days(scheme_ids: set[int]) -> dict[int, dt.date]:
    """scheme id → the first day its tiering ran (its earliest tier change). One indexed
    look-up per scheme (scheme, effective_on): there are only a few schemes."""

    result = {}
    for scheme_id in scheme_ids:
        first = (
            TierChange.objects.filter(scheme_id=scheme_id)
            .order_by("effective_on")
            .values_list("effective_on", flat=True)
            .first()
        )
        if first is not None:
            result[scheme_id] = first
    return result


def _tier_changes(
    account_ids: list[int], as_of: dt.date, stand: dict[int, Standing]
) -> list[TierChangeItem]:
    """Tier moves of the last days. A scheme's rollout (every account's first tier on the
    day the scheme first ran) is left out: it is not news, and it would bury the real moves.
    A first tier given later is shown as "new", never as an up-move."""

    changes = list(
        TierChange.objects.filter(
            scheme__purpose=SchemePurpose.TIERS,  # lifecycle moves are on the lifecycle card
            account_id__in=account_ids,
            effective_on__gt=as_of - dt.timedelta(days=WINDOW_DAYS),
            effective_on__lte=as_of,
        ).select_related("account", "scheme", "from_tier", "to_tier")
    )
    rollout = _rollout_days({c.scheme_id for c in changes}) if changes else {}
    items = []
    for change in changes:
        direction = tier_direction(change)
        if direction == "new" and change.effective_on == rollout.get(change.scheme_id):
            continue
        params = {
            "scheme": change.scheme,
            "old": change.from_tier or "—",
            "new": change.to_tier or "—",
        }
        if direction == "new":
            moved = _("%(scheme)s: new in %(new)s") % params
        elif direction == "lost":
            moved = _("%(scheme)s: %(old)s → no tier (lost)") % params
        else:
            words = {"up": _("up"), "down": _("down")}.get(direction, _("changed"))
            moved = _("%(scheme)s: %(old)s → %(new)s (%(direction)s)") % {
                **params,
                "direction": words,
            }
        standing = stand[change.account_id]
        items.append(
            TierChangeItem(
                change=change,
                account=change.account,
                standing=standing,
                direction=direction,
                reason=" · ".join([moved, *standing.words()]),
            )
        )
    return items


def shortest_cadence(policy: Any) -> tuple[int | None, Any]:
    """The shortest contact cadence of an effective policy and the tier that asks for it."""
    best: tuple[int | None, Any] = (None, None)
    drivers = getattr(policy, "driver", None) or {}
    for name in ("call_every_days", "visit_every_days"):
        days = getattr(policy, name, None)
        if days and (best[0] is None or days < best[0]):
            best = (days, drivers.get(name) if isinstance(drivers, dict) else None)
    return best


def last_touchpoint_days(account_ids: list[int], as_of: dt.date) -> dict[int, dt.date]:
    """The local day of the latest touchpoint of any kind per account."""

    per_kind = last_touchpoints(account_ids, as_of=as_of)
    return {pk: max(days.values()) for pk, days in per_kind.items() if days}


def _neglected(
    account_ids: list[int], as_of: dt.date, stand: dict[int, Standing]
) -> list[NeglectedItem]:
    if not account_ids:
        return []
    policies = effective_policies(account_ids, on=as_of)
    cadences = {pk: shortest_cadence(p) for pk, p in policies.items() if pk in stand}
    cadences = {pk: c for pk, c in cadences.items() if c[0]}
    if not cadences:
        return []
    last = last_touchpoint_days(list(cadences), as_of)
    # Without any touchpoint, the clock runs from when the account entered its tier.
    since: dict[int, dt.date] = {}
    for account_id, day in AccountTier.objects.filter(
        account_id__in=list(cadences),
        tier__isnull=False,
        since__isnull=False,
        scheme__is_active=True,
    ).values_list("account_id", "since"):
        since[account_id] = min(day, since.get(account_id, day))
    accounts = Account.objects.in_bulk(list(cadences))
    items = []
    for account_id, (cadence, driver) in cadences.items():
        last_at = last.get(account_id)
        if last_at is not None:
            days_since = (as_of - last_at).days
            beyond = days_since - cadence
            ago = ngettext(
                "last touchpoint %(n)s day ago", "last touchpoint %(n)s days ago", days_since
            ) % {"n": days_since}
        else:
            start = since.get(account_id)
            days_since = None
            beyond = (as_of - start).days - cadence if start else 1
            ago = _("no touchpoint yet")
        if beyond <= 0:
            continue
        every = ngettext("every %(n)s day", "every %(n)s days", cadence) % {"n": cadence}
        if driver is not None:
            every = f"{every} ({driver})"
        standing = stand[account_id]
        words = standing.words()
        if driver is not None and driver == standing.tier:
            words = words[1:]  # "(A quality)" already says which tier
        items.append(
            NeglectedItem(
                account=accounts[account_id],
                standing=standing,
                cadence_days=cadence,
                last_touchpoint_on=last_at,
                days_since=days_since,
                days_beyond=beyond,
                reason=" · ".join([ago, _("cadence %(every)s") % {"every": every}, *words]),
            )
        )
    return items


def _relationship_risks(
    account_ids: list[int], as_of: dt.date, stand: dict[int, Standing]
) -> list[RelationshipRiskItem]:
    """The accounts whose buying centre has risks, in a fixed number of queries."""

    at_risk = {
        pk: health
        for pk, health in relationship_health_for(account_ids, today=as_of).items()
        if health.risks
    }
    accounts = Account.objects.in_bulk(list(at_risk)) if at_risk else {}
    items = []
    for account_id, health in at_risk.items():
        standing = stand[account_id]
        words = [_("coverage %(score)s/100") % {"score": health.score}, *standing.words()]
        items.append(
            RelationshipRiskItem(
                account=accounts[account_id],
                standing=standing,
                health=health,
                reason=" · ".join(words),
            )
        )
    return items


def _plan_actions(user: User, actor: User, as_of: dt.date) -> list[Any]:
    """Open account-plan actions the user owns, overdue or due within the window (一企一策)."""
    actions = actions_due_for(user, until=as_of + dt.timedelta(days=WINDOW_DAYS))
    return list(visible_to(actions, actor, prefix="plan__account__"))


def agenda(*, user: User, actor: User | None = None, as_of: dt.date | None = None) -> Agenda:
    """`user`'s day as `actor` may see it (the actor defaults to the user)."""
    actor = actor or user
    as_of = as_of or timezone.localdate()
    account_ids = list(their_accounts(user, actor).values_list("id", flat=True))
    tasks = list(open_tasks(user, actor).filter(due_date__lte=as_of + dt.timedelta(WINDOW_DAYS)))
    ids = sorted(set(account_ids) | {t.account_id for t in tasks})
    stand = standings(ids, on=as_of)
    items = [_task_item(t, stand[t.account_id], as_of) for t in tasks]
    result = Agenda(
        user=user,
        as_of=as_of,
        due=[i for i in items if i.days_overdue >= 0],
        upcoming=[i for i in items if i.days_overdue < 0],
        key_dates=_key_dates(account_ids, as_of, stand),
        tier_changes=_tier_changes(account_ids, as_of, stand),
        neglected=_neglected(account_ids, as_of, stand),
        relationship_risks=_relationship_risks(account_ids, as_of, stand),
        plan_actions=_plan_actions(user, actor, as_of),
    )
    result.due.sort(key=lambda i: (i.priority, i.task.due_date, i.task.pk))
    # Upcoming work is a plan for the week: soonest first, priority within a day.
    result.upcoming.sort(key=lambda i: (i.task.due_date, i.priority, i.task.pk))
    result.key_dates.sort(key=lambda i: (i.day, i.priority, i.contact.pk))
    result.tier_changes.sort(key=lambda i: (i.priority, i.change.pk))
    result.neglected.sort(key=lambda i: (i.priority, i.account.pk))
    result.relationship_risks.sort(key=lambda i: (i.priority, i.account.pk))
    return result
