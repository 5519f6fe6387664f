"""The KAM's day (今日工作): what one person should do today, in priority order, with the reason.

`agenda(user=…, actor=…)` reads what the Today page and the API show and returns plain
dataclasses (`today_rows.py`); pages only render them. Priority is the same everywhere: the
account's highest tier first (rank 1 before rank 2, no tier last), then its CLV from the latest
analysis run, then how overdue the work is. The reason is spelled out ("3 days overdue · A品质 ·
CLV ¥52,000") so a KAM can see why a row is at the top.

A KAM with 2,000 accounts has thousands of items a day, so each section shows its top N
(GUANXI_TODAY_LIMIT) with its total, and `agenda_section` pages through one section ("show
all"). Every item's sort key is built from a few columns per row (ids, dates, the standings);
only the shown items are read whole, worded and rendered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
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
from guanxi.core.idlists import ids_in
from guanxi.core.models import User
from guanxi.insights.models import AccountScore
from guanxi.insights.selectors import latest_run
from guanxi.plans.selectors import actions_due_for
from guanxi.relationships.health import stored_health_for, stored_risk_counts
from guanxi.tiers.models import SchemePurpose, Tier, TierChange
from guanxi.tiers.selectors import TIERS, TiersInForce, policies_of, tiers_in_force
from guanxi.touchpoints.models import TouchpointKind
from guanxi.touchpoints.selectors import last_touchpoints
from guanxi.workspace.today_cases import service_cases
from guanxi.workspace.today_deals import deal_risks, large_deals, stale_deals
from guanxi.workspace.today_lights import warning_lights
from guanxi.workspace.today_renewals import renewals_at_risk
from guanxi.workspace.today_rows import (
    SECTIONS,
    WINDOW_DAYS,
    Agenda,
    KeyDateItem,
    NeglectedItem,
    RelationshipRiskItem,
    Section,
    Standing,
    TaskItem,
    TierChangeItem,
    priority_key,
)


@dataclass
class _Day:
    """What every section reads first: the user's accounts, the keys of their open tasks in the
    window and every one of these accounts' standing (the priority needs them all)."""

    user: User
    actor: User
    as_of: dt.date
    account_ids: list[int]
    task_rows: list[tuple[int, int, dt.date]]  # (task id, account id, due date)
    stand: dict[int, Standing]
    tiers: TiersInForce  # the tier rows of these accounts, read once for every section
    memo: dict[str, Any] = field(default_factory=dict)  # reads sections share (the open deals)

    def standings_for(self, account_ids: Any) -> dict[int, Standing]:
        """Every standing, with those of `account_ids` outside the user's book read too (a case
        escalated to a director is on a KAM's account): a section ranks and words them the same
        on Today and on its "show all" page, which reads no tasks."""
        missing = sorted(set(account_ids) - self.stand.keys())
        if missing:
            self.stand.update(standings(missing, on=self.as_of))
        return self.stand


# --- Reads --------------------------------------------------------------------------------------


def their_accounts(user: User, actor: User | None = None) -> QuerySet[Account]:
    """The accounts that are `user`'s work (owned or co-owned), limited to what `actor` sees.
    A manager's Today is their own book, not the whole company."""
    # Owned UNION co-owned, each through its own index (an OR across the co-owners' join made
    # PostgreSQL read all 100,000 accounts).
    owned = Account.objects.filter(owner=user).values("id").order_by()
    co_owned = Account.co_owners.through.objects.filter(user=user).values("account_id").order_by()
    accounts = Account.objects.filter(id__in=owned.union(co_owned))
    if (actor is None or actor.pk == user.pk) and user.is_active:
        return accounts  # one's own and co-owned accounts are in one's sight: no second union
    return visible_to(accounts, actor or user)


def standings(
    account_ids: list[int], *, on: dt.date | None = None, tiers: TiersInForce | None = None
) -> dict[int, Standing]:
    """Highest tier in force (over active schemes) and latest CLV per account, in a few
    queries (the tier rows from ``tiers`` when the caller read them already)."""

    result = {pk: Standing() for pk in account_ids}
    if not account_ids:
        return result
    if tiers is None:
        tiers = tiers_in_force(account_ids, on=on)
    per_account = tiers.tier_ids(TIERS)
    by_pk = Tier.objects.in_bulk({t for ids in per_account.values() for t in ids})
    for account_id, tier_ids in per_account.items():
        s = result[account_id]
        for tier in (by_pk[t] for t in tier_ids if t in by_pk):
            if tier.rank < s.rank:
                s.tier, s.rank = tier, tier.rank
    run = latest_run()
    if run is not None:
        scores = AccountScore.objects.filter(ids_in("account_id", account_ids), run=run)
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


def _tasks(ctx: _Day, *, due: bool, window: slice) -> Section:
    """Due (overdue and today) or upcoming tasks: every open task's key is sorted, only the
    shown ones are read whole."""
    as_of = ctx.as_of
    rows = [r for r in ctx.task_rows if (r[2] <= as_of) == due]

    def order(row: tuple) -> tuple:
        pk, account_id, due_date = row
        priority = priority_key(ctx.stand[account_id], (as_of - due_date).days)
        # Upcoming work is a plan for the week: soonest first, priority within a day.
        return (priority, due_date, pk) if due else (due_date, priority, pk)

    rows.sort(key=order)
    shown = rows[window]
    tasks = Task.objects.select_related("account", "contact", "tier", "tier__scheme").in_bulk(
        [r[0] for r in shown]
    )
    items = [_task_item(tasks[r[0]], ctx.stand[r[1]], as_of) for r in shown if r[0] in tasks]
    return Section(items, total=len(rows), offset=window.start or 0)


def _key_dates(ctx: _Day, *, window: slice) -> Section:
    """Birthdays and anniversaries in the window, soonest first, priority within a day."""
    as_of, stand = ctx.as_of, ctx.stand
    birthdays = (
        Contact.objects.filter(ids_in("account_id", ctx.account_ids), is_active=True)
        .filter(birthday__isnull=False)
        .filter(recurring_within_q("birthday", as_of, WINDOW_DAYS))
        .values_list("id", "id", "account_id", "birthday")
    )
    others = (
        KeyDate.objects.filter(ids_in("contact__account_id", ctx.account_ids))
        .filter(contact__is_active=True)
        .filter(recurring_within_q("date", as_of, WINDOW_DAYS))
        .values_list("id", "contact_id", "contact__account_id", "date")
    )
    # (day, priority, contact, is birthday, row id): the contact's or the key date's id.
    keys = []
    for is_birthday, rows in ((True, birthdays), (False, others)):
        for pk, contact_id, account_id, date in rows:
            day = next_occurrence(date, as_of)
            priority = priority_key(stand[account_id], -(day - as_of).days)
            keys.append((day, priority, contact_id, is_birthday, pk))
    keys.sort()
    shown = keys[window]
    contacts = Contact.objects.select_related("account").in_bulk([k[4] for k in shown if k[3]])
    dates = KeyDate.objects.select_related("contact__account").in_bulk(
        [k[4] for k in shown if not k[3]]
    )
    items = []
    for day, _p, _c, is_birthday, pk in shown:
        if is_birthday and pk in contacts:
            items.append(_key_date_item(day, as_of, contacts[pk], _("birthday"), True, stand))
        elif not is_birthday and pk in dates:
            kd = dates[pk]
            items.append(_key_date_item(day, as_of, kd.contact, str(kd), False, stand))
    return Section(items, total=len(keys), offset=window.start or 0)


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
    ranks = {}
    for tier in (change.from_tier, change.to_tier):
        if tier is not None:
            ranks[tier.pk] = tier.rank
    return _direction(change.from_tier_id, change.to_tier_id, ranks)


def _direction(from_id: int | None, to_id: int | None, ranks: dict[int, int]) -> str:
    if from_id is None:
        return "new" if to_id is not None else "changed"
    if to_id is None:
        return "lost"
    before, after = ranks.get(from_id), ranks.get(to_id)
    if before is None or after is None or before == after:
        return "changed"
    return "up" if after < before else "down"


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


def _tier_changes(ctx: _Day, *, window: slice) -> Section:
    """Tier moves of the last days. A scheme's rollout (every account's first tier on the
    day the scheme first ran) is left out: it is not news, and it would bury the real moves.
    A first tier given later is shown as "new", never as an up-move."""

    rows = list(
        TierChange.objects.filter(
            ids_in("account_id", ctx.account_ids),
            scheme__purpose=SchemePurpose.TIERS,  # lifecycle moves are on the lifecycle card
            effective_on__gt=ctx.as_of - dt.timedelta(days=WINDOW_DAYS),
            effective_on__lte=ctx.as_of,
        ).values_list("id", "account_id", "scheme_id", "from_tier_id", "to_tier_id", "effective_on")
    )
    rollout = _rollout_days({r[2] for r in rows}) if rows else {}
    ranks = dict(
        Tier.objects.filter(pk__in={t for r in rows for t in r[3:5] if t is not None})
        .values_list("id", "rank")
    )  # fmt: skip
    keys = []
    for pk, account_id, scheme_id, from_id, to_id, effective_on in rows:
        direction = _direction(from_id, to_id, ranks)
        if direction == "new" and effective_on == rollout.get(scheme_id):
            continue
        priority = priority_key(ctx.stand[account_id], -effective_on.toordinal())
        keys.append((priority, pk, direction))
    keys.sort()
    shown = keys[window]
    changes = TierChange.objects.select_related(
        "account", "scheme", "from_tier", "to_tier"
    ).in_bulk([k[1] for k in shown])
    items = [
        _tier_change_item(changes[pk], direction, ctx.stand)
        for _p, pk, direction in shown
        if pk in changes
    ]
    return Section(items, total=len(keys), offset=window.start or 0)


def _tier_change_item(change: Any, direction: str, stand: dict[int, Standing]) -> TierChangeItem:
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
    return TierChangeItem(
        change=change,
        account=change.account,
        standing=standing,
        direction=direction,
        reason=" · ".join([moved, *standing.words()]),
    )


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


def _neglected(ctx: _Day, *, window: slice) -> Section:
    """Accounts whose tier asks for contact every N days and that had none for longer, the
    furthest beyond their cadence first within a standing."""
    as_of, stand = ctx.as_of, ctx.stand
    mine = set(ctx.account_ids)
    in_force = {pk: ids for pk, ids in ctx.tiers.tier_ids(None).items() if pk in mine}
    policies = policies_of(in_force)
    cadences = {pk: shortest_cadence(p) for pk, p in policies.items() if pk in stand}
    cadences = {pk: c for pk, c in cadences.items() if c[0]}
    if not cadences:
        return Section()
    last = last_touchpoint_days(list(cadences), as_of)
    # Without any touchpoint, the clock runs from when the account entered its tier.
    since = ctx.tiers.since
    keys = []
    for account_id, (cadence, driver) in cadences.items():
        last_at = last.get(account_id)
        if last_at is not None:
            days_since = (as_of - last_at).days
            beyond = days_since - cadence
        else:
            start = since.get(account_id)
            days_since = None
            beyond = (as_of - start).days - cadence if start else 1
        if beyond > 0:
            priority = priority_key(stand[account_id], beyond)
            keys.append((priority, account_id, (cadence, driver, last_at, days_since, beyond)))
    keys.sort(key=lambda k: k[:2])
    shown = keys[window]
    accounts = Account.objects.in_bulk([k[1] for k in shown])
    items = [_neglected_item(accounts[pk], stand[pk], *facts) for _p, pk, facts in shown]
    return Section(items, total=len(keys), offset=window.start or 0)


def _neglected_item(
    account: Account,
    standing: Standing,
    cadence: int,
    driver: Any,
    last_at: dt.date | None,
    days_since: int | None,
    beyond: int,
) -> NeglectedItem:
    if days_since is not None:
        ago = ngettext(
            "last touchpoint %(n)s day ago", "last touchpoint %(n)s days ago", days_since
        ) % {"n": days_since}
    else:
        ago = _("no touchpoint yet")
    every = ngettext("every %(n)s day", "every %(n)s days", cadence) % {"n": cadence}
    if driver is not None:
        every = f"{every} ({driver})"
    words = standing.words()
    if driver is not None and driver == standing.tier:
        words = words[1:]  # "(A quality)" already says which tier
    return NeglectedItem(
        account=account,
        standing=standing,
        cadence_days=cadence,
        last_touchpoint_on=last_at,
        days_since=days_since,
        days_beyond=beyond,
        reason=" · ".join([ago, _("cadence %(every)s") % {"every": every}, *words]),
    )


def _relationship_risks(ctx: _Day, *, window: slice) -> Section:
    """The accounts whose buying centre has risks, from the stored relationship health
    (`relationships.health`: refreshed by every write that changes it and nightly): the
    number of risks of every account sorts them, only the shown ones are read whole."""
    counts = stored_risk_counts(ctx.account_ids)
    keys = [(priority_key(ctx.stand[pk], n), pk) for pk, (_score, n) in counts.items()]
    keys.sort()
    shown = keys[window]
    healths = stored_health_for([pk for _p, pk in shown])
    accounts = Account.objects.in_bulk([pk for _p, pk in shown])
    items = []
    for _p, pk in shown:
        health = healths[pk]
        standing = ctx.stand[pk]
        words = [_("coverage %(score)s/100") % {"score": health.score}, *standing.words()]
        items.append(
            RelationshipRiskItem(
                account=accounts[pk],
                standing=standing,
                health=health,
                reason=" · ".join(words),
            )
        )
    return Section(items, total=len(keys), offset=window.start or 0)


def _plan_actions(ctx: _Day, *, window: slice) -> Section:
    """Open account-plan actions the user owns, overdue or due within the window (一企一策)."""
    actions = actions_due_for(ctx.user, until=ctx.as_of + dt.timedelta(days=WINDOW_DAYS))
    actions = visible_to(actions, ctx.actor, prefix="plan__account__")
    items = list(actions[window])
    total = len(items) if window.start == 0 and window.stop is None else actions.count()
    return Section(items, total=total, offset=window.start or 0)


_BUILDERS = {
    "due": partial(_tasks, due=True),
    "upcoming": partial(_tasks, due=False),
    "key_dates": _key_dates,
    "tier_changes": _tier_changes,
    "neglected": _neglected,
    "relationship_risks": _relationship_risks,
    "plan_actions": _plan_actions,
    "large_deals": large_deals,
    "stale_deals": stale_deals,
    "deal_risks": deal_risks,
    "renewals_at_risk": renewals_at_risk,
    "service_cases": service_cases,
    "warning_lights": warning_lights,
}


def _day(user: User, actor: User | None, as_of: dt.date | None, *, tasks: bool = True) -> _Day:
    actor = actor or user
    as_of = as_of or timezone.localdate()
    account_ids = list(their_accounts(user, actor).order_by().values_list("id", flat=True))
    task_rows: list = []
    if tasks:
        task_rows = list(
            open_tasks(user, actor)
            .filter(due_date__lte=as_of + dt.timedelta(WINDOW_DAYS))
            .order_by()
            .values_list("id", "account_id", "due_date")
        )
    ids = sorted(set(account_ids) | {r[1] for r in task_rows})
    tiers = tiers_in_force(ids, on=as_of)
    return _Day(user, actor, as_of, account_ids, task_rows, standings(ids, on=as_of, tiers=tiers),
                tiers)  # fmt: skip


def _window(offset: int, limit: int | None) -> slice:
    return slice(offset, None if limit is None else offset + limit)


def agenda(
    *,
    user: User,
    actor: User | None = None,
    as_of: dt.date | None = None,
    limit: int | None = None,
) -> Agenda:
    """`user`'s day as `actor` may see it (the actor defaults to the user): the top ``limit``
    items of each section (default the GUANXI_TODAY_LIMIT setting; 0 or less: every item),
    with each section's total. Only the shown items are read whole."""
    ctx = _day(user, actor, as_of)
    limit = settings.GUANXI_TODAY_LIMIT if limit is None else limit
    window = _window(0, limit if limit > 0 else None)
    sections = {name: build(ctx, window=window) for name, build in _BUILDERS.items()}
    return Agenda(user=user, as_of=ctx.as_of, **sections)


def agenda_section(
    name: str,
    *,
    user: User,
    actor: User | None = None,
    as_of: dt.date | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> Section:
    """One section of `user`'s day in its order, ``limit`` items from ``offset`` (None: all),
    with its total: the "show all" page and the API's pages."""
    if name not in SECTIONS:
        raise ValueError(name)
    ctx = _day(user, actor, as_of, tasks=name in ("due", "upcoming"))
    return _BUILDERS[name](ctx, window=_window(offset, limit))
