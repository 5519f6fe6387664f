"""What the tier policies ask of one account: the policy tasks it should have open, by key, and
why a task it has open is no longer asked for.

Pure computation on what `guanxi.activities.policy` read (no queries): the sync calls `wanted_tasks`
and `cancel_reason` for every account in scope, so this is its hot loop (titles are memoised in
the `Context`). Titles and reasons come out in the active language; the sync runs them in the
site language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from guanxi.activities.models import TaskKind
from guanxi.core.dates import add_months, next_occurrence, occurrence_in
from guanxi.tiers.models import Tier
from guanxi.tiers.selectors import EffectivePolicy

TRIP_EVERY_DAYS = 365
DEFAULT_GIFT_LEAD_DAYS = 3
RECURRING = {
    "call": TaskKind.CALL,
    "visit": TaskKind.VISIT,
    "banquet": TaskKind.BANQUET,
    "trip": TaskKind.TRIP,
}
# The touchpoint kind whose last occurrence the cadence is measured from.
CADENCE_TOUCHPOINT = {"call": "call", "visit": "visit", "banquet": "banquet", "trip": "trip"}


@dataclass
class Want:
    """A policy task an account should have open."""

    kind: str
    due: dt.date | None  # None: keep an existing task's due date, else as_of
    tier_id: int | None
    contact_id: int | None = None
    role: str = ""
    budget: Decimal | None = None
    title: str = ""


@dataclass
class Person:
    """A contact as the gift rules see them."""

    account_id: int
    name: str
    birthday: dt.date | None
    is_active: bool


@dataclass
class Context:
    """What every account's computation shares: the day, the gift window and the people read."""

    as_of: dt.date
    window_end: dt.date
    since: dict[tuple[int, int], dt.date | None]
    contacts: dict[int, Person]
    key_dates: dict[int, tuple[int, dt.date]]
    titles: dict[tuple, str]  # composing titles is the hot loop: memoise them


# --- titles -------------------------------------------------------------------------------------


def _what(kind: str, group: str = "") -> str:
    """The privilege a task kind stands for, as a noun phrase for titles and reasons."""
    return {
        TaskKind.CALL: _("phone calls"),
        TaskKind.VISIT: _("visits"),
        TaskKind.BANQUET: _("banquets"),
        TaskKind.TRIP: _("the yearly trip"),
        TaskKind.BIRTHDAY_GIFT: _("birthday gifts"),
        TaskKind.ANNIVERSARY_GIFT: _("anniversary gifts"),
        TaskKind.GROUP_INVITE: _("membership of %(group)s") % {"group": group},
    }.get(kind, str(kind))


def compose_title(*, kind: str, tier: Tier | None, contact_name: str = "", group: str = "") -> str:
    """A policy task's title in the active language: what to do, for whom, which tier asks."""
    labels = dict(TaskKind.choices)
    if kind == TaskKind.GROUP_INVITE and group:
        what = _("Invite to %(group)s") % {"group": group}
    elif contact_name:
        what = _("%(kind)s for %(contact)s") % {"kind": labels[kind], "contact": contact_name}
    else:
        what = str(labels.get(kind, kind))
    if tier is not None:
        what = _("%(task)s — %(tier)s") % {"task": what, "tier": tier}
    return what[:200]


def group_of(key: str) -> str:
    """The group a ``group:<name>`` key invites to; "" for other keys."""
    return key.split(":", 1)[1] if key.startswith("group:") else ""


# --- what an account should have open -----------------------------------------------------------


class _Wanted:
    """The policy tasks one account should have open, by key, collected in ``wants``."""

    def __init__(
        self, ctx: Context, acc: int, ep: EffectivePolicy, last: dict[str, dt.date]
    ) -> None:
        self.ctx, self.acc, self.ep, self.last = ctx, acc, ep, last
        self.lead = dt.timedelta(days=ep.gift_lead_days or DEFAULT_GIFT_LEAD_DAYS)
        self.wants: dict[str, Want] = {}

    def entered(self, field: str) -> dt.date | None:
        """Due from the day the account entered the tier that asks (never after as_of)."""
        tier = self.ep.driver.get(field)
        day = self.ctx.since.get((self.acc, tier.pk)) if tier is not None else None
        return min(day, self.ctx.as_of) if day is not None else None

    def from_last(
        self, kind: str, field: str, step: Callable[[dt.date], dt.date]
    ) -> dt.date | None:
        """Due one interval after the last touchpoint of the kind, else from entering the tier."""
        base = self.last.get(CADENCE_TOUCHPOINT[kind])
        if base is not None:
            return step(base)
        return self.entered(field)

    def add(self, key: str, kind: str, field: str, due: dt.date | None, **extra: Any) -> None:
        tier = self.ep.driver.get(field)
        name = self.ctx.contacts[extra["contact_id"]].name if extra.get("contact_id") else ""
        group = group_of(key)
        memo = (kind, tier.pk if tier else None, name, group)
        title = self.ctx.titles.get(memo)
        if title is None:
            title = self.ctx.titles[memo] = compose_title(
                kind=kind, tier=tier, contact_name=name, group=group
            )
        self.wants[key] = Want(kind=kind, due=due, tier_id=memo[1], title=title, **extra)


def wanted_tasks(
    ctx: Context, acc: int, ep: EffectivePolicy, last: dict[str, dt.date],
    birthday_contacts: Collection[int], key_date_ids: Collection[int], mine: dict[str, tuple],
) -> dict[str, Want]:  # fmt: skip
    """The policy tasks account ``acc`` should have open, by key."""
    wanted = _Wanted(ctx, acc, ep, last)
    _want_cadences(wanted)
    _want_gifts(wanted, birthday_contacts, key_date_ids)
    _keep_overdue_gifts(wanted, mine)
    return wanted.wants


def _want_cadences(w: _Wanted) -> None:
    """Calls, visits, banquets and the trip (recurring), and group invitations (once)."""
    ep = w.ep
    for kind, field in (("call", "call_every_days"), ("visit", "visit_every_days")):
        days = getattr(ep, field)
        if days:
            due = w.from_last(kind, field, lambda d, n=days: d + dt.timedelta(days=n))
            w.add(kind, RECURRING[kind], field, due)
    months = ep.banquet_every_months
    if months:
        host = ep.banquet_host_role or ""
        due = w.from_last("banquet", "banquet_every_months", lambda d: add_months(d, months))
        w.add(
            "banquet", TaskKind.BANQUET, "banquet_every_months", due,
            role=host, budget=ep.banquet_budget_per_table,
        )  # fmt: skip
    if ep.trip_budget_per_person is not None:
        every = dt.timedelta(days=TRIP_EVERY_DAYS)
        due = w.from_last("trip", "trip_budget_per_person", lambda d: d + every)
        w.add(
            "trip", TaskKind.TRIP, "trip_budget_per_person", due, budget=ep.trip_budget_per_person
        )
    for group in ep.groups:
        w.add(
            f"group:{group}", TaskKind.GROUP_INVITE, f"group:{group}", w.entered(f"group:{group}")
        )


def _want_gifts(
    w: _Wanted, birthday_contacts: Collection[int], key_date_ids: Collection[int]
) -> None:
    """Birthday and anniversary gifts whose day falls in the window, due lead days before."""
    ep, ctx = w.ep, w.ctx
    if ep.birthday_gift_value is not None:
        for cid in birthday_contacts:
            occurrence = next_occurrence(ctx.contacts[cid].birthday, ctx.as_of)
            if occurrence <= ctx.window_end:
                w.add(
                    f"birthday:{cid}:{occurrence.year}", TaskKind.BIRTHDAY_GIFT,
                    "birthday_gift_value", occurrence - w.lead,
                    contact_id=cid, budget=ep.birthday_gift_value,
                )  # fmt: skip
    if ep.anniversary_gift_value is not None:
        for kid in key_date_ids:
            cid, day = ctx.key_dates[kid]
            occurrence = next_occurrence(day, ctx.as_of)
            if occurrence <= ctx.window_end:
                w.add(
                    f"anniversary:{kid}:{occurrence.year}", TaskKind.ANNIVERSARY_GIFT,
                    "anniversary_gift_value", occurrence - w.lead,
                    contact_id=cid, budget=ep.anniversary_gift_value,
                )  # fmt: skip


def _keep_overdue_gifts(w: _Wanted, mine: dict[str, tuple]) -> None:
    """An open gift task whose day has passed stays (overdue) while the privilege still holds."""
    ep, ctx, acc = w.ep, w.ctx, w.acc
    for key in mine:
        if key in w.wants:
            continue
        parts = key.split(":")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            continue
        year = int(parts[2])
        if parts[0] == "birthday" and ep.birthday_gift_value is not None:
            c = ctx.contacts.get(int(parts[1]))
            if c and c.is_active and c.account_id == acc and c.birthday:
                w.add(
                    key, TaskKind.BIRTHDAY_GIFT, "birthday_gift_value",
                    occurrence_in(c.birthday, year) - w.lead,
                    contact_id=int(parts[1]), budget=ep.birthday_gift_value,
                )  # fmt: skip
        elif parts[0] == "anniversary" and ep.anniversary_gift_value is not None:
            kd = ctx.key_dates.get(int(parts[1]))
            c = ctx.contacts.get(kd[0]) if kd else None
            if kd and c and c.is_active and c.account_id == acc:
                w.add(
                    key, TaskKind.ANNIVERSARY_GIFT, "anniversary_gift_value",
                    occurrence_in(kd[1], year) - w.lead,
                    contact_id=kd[0], budget=ep.anniversary_gift_value,
                )  # fmt: skip


# --- why an open task is no longer asked for -----------------------------------------------


def cancel_reason(
    row: tuple,
    ep: EffectivePolicy | None,
    tiers: dict[int, Tier],
    contacts: dict[int, Person],
    key_dates: dict[int, tuple[int, dt.date]],
) -> str:
    """Why an open policy task (``row`` as the sync reads it) is no longer asked for, in the
    active language."""
    _id, acc, key, kind, *_rest = row
    tier_id = row[6]
    old = tiers.get(tier_id) if tier_id else None
    parts = key.split(":")
    if kind in (TaskKind.BIRTHDAY_GIFT, TaskKind.ANNIVERSARY_GIFT) and len(parts) == 3:
        if kind == TaskKind.ANNIVERSARY_GIFT:
            kd = key_dates.get(int(parts[1])) if parts[1].isdigit() else None
            if kd is None:
                return _("The anniversary was removed from the contact's profile.")
            contact = contacts.get(kd[0])
        else:
            contact = contacts.get(int(parts[1])) if parts[1].isdigit() else None
        if contact is None:
            return _("The contact was removed.")
        if not contact.is_active or contact.account_id != acc:
            return _("%(contact)s has left the account.") % {"contact": contact.name}
        if kind == TaskKind.BIRTHDAY_GIFT and contact.birthday is None:
            return _("%(contact)s's birthday was removed.") % {"contact": contact.name}
    what = _what(kind, group_of(key))
    if old is not None and not old.scheme.is_active:
        return _("The tier scheme %(scheme)s was deactivated; it granted %(what)s.") % {
            "scheme": old.scheme,
            "what": what,
        }
    if ep is None or not ep.tiers:
        return _("Tier lost: %(old)s → no tier; nothing grants %(what)s any more.") % {
            "old": old or "—",
            "what": what,
        }
    same_scheme = [t for t in ep.tiers if old is not None and t.scheme_id == old.scheme_id]
    new = same_scheme[0] if same_scheme else None
    if old is not None and new is not None and new.pk != old.pk:
        return _("Tier changed: %(old)s → %(new)s; %(new)s does not grant %(what)s.") % {
            "old": old,
            "new": new,
            "what": what,
        }
    return _("The policies of %(tiers)s no longer grant %(what)s.") % {
        "tiers": ", ".join(str(t) for t in ep.tiers),
        "what": what,
    }
