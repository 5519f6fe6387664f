"""The policy engine: turns the tier policies (等级特权) into tasks for the account owners.

`policy_tasks_sync` is set-based so the nightly run handles 100,000 accounts: it reads the
effective policies, the last touchpoint per account and kind (one aggregate query), the contacts
and key dates whose day falls in the gift window, the open policy tasks and the keys already
done; it computes the tasks that should exist, compares them with those that do, and writes
only the differences. A second run on unchanged data writes nothing.

One open task per (account, key). Keys: ``call``, ``visit``, ``banquet``, ``trip`` (recurring:
a new one follows the done one), ``birthday:<contact id>:<year>``,
``anniversary:<key date id>:<year>``, ``group:<group name>`` (once: not recreated after a task
with that key was done or cancelled).

Titles and cancellation reasons are stored in the site language (``settings.LANGUAGE_CODE``),
whatever language the user who triggered the sync reads: the stored text is then the same on
every run (no rewrite when a manager runs it from the English UI) and readable in the admin,
the calendar feed and searches. Pages show `task_display_title(task)`, which composes the title
again in the reader's language from the task's kind, contact, tier and key.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.activities.models import Task, TaskSource, TaskStatus
from guanxi.activities.policy_wants import (
    CADENCE_TOUCHPOINT,
    Context,
    Person,
    Want,
    cancel_reason,
    compose_title,
    group_of,
    wanted_tasks,
)
from guanxi.contacts.models import Contact, KeyDate
from guanxi.core.bulk import analyze, chunks, insert_rows, update_rows
from guanxi.tiers.models import AccountTier, GreetingRole, Tier
from guanxi.tiers.selectors import EffectivePolicy, effective_policies
from guanxi.touchpoints.selectors import last_touchpoints

GIFT_WINDOW_DAYS = 30  # a gift task appears when the birthday/anniversary is this close
ID_CHUNK = 2000  # ids per `__in` query when reading what open tasks refer to

_UPDATED_FIELDS = ["due_date", "assignee_id", "tier_id", "contact_id", "role", "budget", "title"]


# --- results ------------------------------------------------------------------------------------


@dataclass
class SyncResult:
    """What a sync did; ``written`` is the number of task rows inserted or updated."""

    created: int = 0
    rescheduled: int = 0
    reassigned: int = 0
    updated: int = 0  # tier, role, budget, contact or title changed, due date and assignee not
    cancelled: int = 0
    unchanged: int = 0
    written: int = 0


# --- titles and reasons -------------------------------------------------------------------------


def task_display_title(task: Task) -> str:
    """The task's title in the reader's language. Policy tasks are composed again from kind,
    contact, tier and key (the stored title is in the site language); manual tasks keep the
    title their author wrote. Select ``contact`` and ``tier`` with the task to avoid queries."""
    if task.source in SYSTEM_TITLES:
        return system_title(task)
    if task.source != TaskSource.POLICY:
        return task.title
    return compose_title(
        kind=task.kind,
        tier=task.tier if task.tier_id else None,
        contact_name=task.contact.name if task.contact_id else "",
        group=group_of(task.key),
    )


def _recovery_title(task: Task, parts: list[str]) -> str:
    return _("Win back a detractor: %(account)s scored %(score)s in the NPS survey") % {
        "account": task.account.name,
        "score": parts[2],
    }


def _referral_title(task: Task, parts: list[str]) -> str:
    return _("Ask for a referral: %(account)s is a promoter (NPS %(score)s)") % {
        "account": task.account.name,
        "score": parts[1],
    }


def _escalation_title(task: Task, parts: list[str]) -> str:
    # The subject is the case's own words: kept from the stored title, after its "#id: ".
    subject = task.title.partition("：")[2] or task.title.partition(": ")[2]
    return _("Escalated case #%(id)s: %(subject)s") % {"id": parts[1], "subject": subject}


#: System tasks whose title is composed again in the reader's language from their ``key``
#: ("recovery:<answer>:<score>", "referral:<score>:<day>", "escalation:<case>:<level>:<user>");
#: the stored title (site language) stands for a key that does not read.
SYSTEM_TITLES = {
    TaskSource.RECOVERY: (_recovery_title, 3),
    TaskSource.REFERRAL_ASK: (_referral_title, 2),
    TaskSource.ESCALATION: (_escalation_title, 2),
}


def system_title(task: Task) -> str:
    compose, needs = SYSTEM_TITLES[task.source]
    parts = task.key.split(":")
    if len(parts) < needs:
        return task.title
    return compose(task, parts)


def task_role_label(task: Task) -> str:
    """Who is to do the task, in the reader's language ("General manager"), not the
    stored code ("general_manager"); an unknown code is shown as it is."""
    if not task.role:
        return ""
    try:
        return str(GreetingRole(task.role).label)
    except ValueError:
        return task.role


def _in_site_language() -> Any:
    return translation.override(settings.LANGUAGE_CODE)


# --- the sync -----------------------------------------------------------------------------------

# Open task rows are tuples in this order; row[4:] lines up with _UPDATED_FIELDS.
_OPEN_FIELDS = (
    "id", "account_id", "key", "kind", "due_date", "assignee_id",
    "tier_id", "contact_id", "role", "budget", "title",
)  # fmt: skip
_CONTACT_FIELDS = ("id", "account_id", "name", "birthday", "is_active")
_KEY_DATE_FIELDS = (
    "id", "contact_id", "date", "contact__account_id", "contact__name",
    "contact__birthday", "contact__is_active",
)  # fmt: skip
# What the write step hands to the bulk module (plain tuples: building a model instance per task
# is what made the nightly run slow, and Django's bulk_update builds a CASE expression per row
# and field, minutes of CPU for the 100,000 changes a re-tiering night can bring).
_CREATE_COLUMNS = (
    "account_id", "assignee_id", "kind", "title", "due_date", "tier_id", "key", "contact_id",
    "role", "budget",
)  # fmt: skip
_INSERT_COLUMNS = (*_CREATE_COLUMNS, "status", "source", "notes", "cancel_reason", "created_at")
_UPDATE_COLUMNS = ("id", *_UPDATED_FIELDS)
_CANCEL_COLUMNS = ("id", "status", "cancelled_at", "cancel_reason")


@dataclass
class _Seen:
    """What the sync reads, once, before it computes anything."""

    ctx: Context
    policies: dict[int, EffectivePolicy]
    owners: dict[int, int | None]
    tiers: dict[int, Tier]
    last: dict[int, dict[str, dt.date]]  # account → touchpoint kind → last day
    existing: dict[int, dict[str, tuple]]  # account → key → open task row (_OPEN_FIELDS)
    closed_keys: set[tuple[int, str]]  # (account, key) of once-only tasks done or cancelled
    birthdays_by_account: dict[int, list[int]]  # contact ids
    dates_by_account: dict[int, list[int]]  # key date ids


@dataclass
class _Plan:
    """The differences the sync writes."""

    creates: list[tuple] = field(default_factory=list)  # values in _CREATE_COLUMNS order
    updates: list[tuple] = field(default_factory=list)  # values in _UPDATE_COLUMNS order
    cancels: list[tuple[int, str]] = field(default_factory=list)  # (id, reason)


def _step(progress: Any) -> Callable[[str], None]:
    if callable(progress):
        return progress
    if progress:
        return lambda name: print(f"policy tasks: {name}", file=sys.stderr)
    return lambda name: None


def policy_tasks_sync(
    *, as_of: dt.date | None = None, account_ids: Iterable[int] | None = None, progress: Any = None
) -> SyncResult:
    """Bring the open policy tasks in line with the accounts' effective policies on ``as_of``
    (default today), for all accounts or only ``account_ids``.

    Due dates: calls, visits, banquets and trips from the last touchpoint of that kind plus the
    interval (banquets in calendar months, trips 365 days) or, with none, from the day the account
    entered the tier that asks (at the latest ``as_of``); gifts ``gift_lead_days`` before the
    birthday or anniversary, once it is within 30 days; group invitations at once. A cadence
    change moves the due date, an owner change reassigns, and a task the policies no longer ask
    for is cancelled with the reason.
    """
    step = _step(progress)
    as_of = as_of or timezone.localdate()
    ids = None if account_ids is None else sorted({int(a) for a in account_ids})
    result = SyncResult()
    step("reading")
    seen = _read(as_of, ids)
    step("computing")
    now = timezone.now()
    plan = _compute(seen, ids, result)
    step("writing")
    _write(plan, now)
    if ids is None and (plan.creates or plan.updates or plan.cancels):
        # A whole-book sync can create or move hundreds of thousands of tasks (Today reads
        # them); a sync for a few accounts changes too little to matter.
        analyze(Task)
    result.created = len(plan.creates)
    result.cancelled = len(plan.cancels)
    result.written = len(plan.creates) + len(plan.updates) + len(plan.cancels)
    step("done")
    return result


# --- read ---------------------------------------------------------------------------------------


def _scoped(qs: QuerySet, ids: list[int] | None, lookup: str = "account_id") -> QuerySet:
    return qs if ids is None else qs.filter(**{f"{lookup}__in": ids})


def _read(as_of: dt.date, ids: list[int] | None) -> _Seen:
    """Everything the sync compares, in a fixed number of queries whatever the number of
    accounts."""
    policies = effective_policies(ids, on=as_of)
    owners = dict(
        _scoped(Account.objects.all(), ids, "id").values_list("id", "owner_id").iterator()
    )
    tiers = Tier.objects.select_related("scheme").in_bulk()
    since: dict[tuple[int, int], dt.date | None] = {
        (acc, tier): day
        for acc, tier, day in _scoped(AccountTier.objects.filter(tier__isnull=False), ids)
        .values_list("account_id", "tier_id", "since")
        .iterator(chunk_size=5000)
    }
    last = last_touchpoints(ids, kinds=set(CADENCE_TOUCHPOINT.values()), as_of=as_of)
    open_qs = _scoped(Task.objects.filter(source=TaskSource.POLICY, status=TaskStatus.OPEN), ids)
    open_rows = list(open_qs.values_list(*_OPEN_FIELDS).iterator(chunk_size=5000))
    existing: dict[int, dict[str, tuple]] = defaultdict(dict)
    for row in open_rows:
        existing[row[1]][row[2]] = row
    closed_keys = _read_closed_keys(as_of, ids)
    window_end = as_of + dt.timedelta(days=GIFT_WINDOW_DAYS)
    contacts, key_dates = _read_people(as_of, window_end, ids, open_rows)
    birthdays_by_account, dates_by_account = _people_by_account(contacts, key_dates)
    return _Seen(
        ctx=Context(as_of, window_end, since, contacts, key_dates, {}),
        policies=policies,
        owners=owners,
        tiers=tiers,
        last=last,
        existing=existing,
        closed_keys=closed_keys,
        birthdays_by_account=birthdays_by_account,
        dates_by_account=dates_by_account,
    )


def _read_closed_keys(as_of: dt.date, ids: list[int] | None) -> set[tuple[int, str]]:
    """Once-only keys already fulfilled (or deliberately cancelled): they are not offered
    again."""
    years = (as_of.year, as_of.year + 1)
    closed = _scoped(
        Task.objects.filter(source=TaskSource.POLICY)
        .exclude(status=TaskStatus.OPEN)
        .filter(
            Q(key__startswith="group:")
            | Q(key__endswith=f":{years[0]}")
            | Q(key__endswith=f":{years[1]}")
        ),
        ids,
    )
    return set(closed.values_list("account_id", "key").iterator(chunk_size=5000))


def _read_people(
    as_of: dt.date, window_end: dt.date, ids: list[int] | None, open_rows: list[tuple]
) -> tuple[dict[int, Person], dict[int, tuple[int, dt.date]]]:
    """Contacts and key dates (key date id → (contact id, date)) whose day falls in the gift
    window, plus those the open tasks refer to."""
    months = {as_of.month, window_end.month}
    contacts: dict[int, Person] = {}
    key_dates: dict[int, tuple[int, dt.date]] = {}

    def read_contacts(rows: Iterable[tuple]) -> None:
        for cid, acc, name, birthday, active in rows:
            contacts[cid] = Person(acc, name, birthday, active)

    def read_key_dates(qs: QuerySet) -> None:
        for kid, cid, day, acc, name, birthday, active in qs.values_list(
            *_KEY_DATE_FIELDS
        ).iterator(chunk_size=5000):
            key_dates[kid] = (cid, day)
            contacts.setdefault(cid, Person(acc, name, birthday, active))

    birthdays = Contact.objects.filter(
        is_active=True, birthday__isnull=False, birthday__month__in=months
    )
    read_contacts(_scoped(birthdays, ids).values_list(*_CONTACT_FIELDS).iterator(chunk_size=5000))
    read_key_dates(
        _scoped(
            KeyDate.objects.filter(date__month__in=months, contact__is_active=True),
            ids,
            "contact__account_id",
        )
    )
    # Open tasks may refer to key dates and contacts outside the window (an overdue gift, a
    # contact who left): read the few not read yet by id, in chunks (no subquery: PostgreSQL
    # can pick a very bad plan for it right after a bulk load).
    missing_kd = sorted(
        {
            int(row[2].split(":")[1])
            for row in open_rows
            if row[2].startswith("anniversary:") and row[2].split(":")[1].isdigit()
        }
        - key_dates.keys()
    )
    for batch in chunks(missing_kd, ID_CHUNK):
        read_key_dates(KeyDate.objects.filter(id__in=batch))
    missing_contacts = sorted({row[7] for row in open_rows if row[7]} - contacts.keys())
    for batch in chunks(missing_contacts, ID_CHUNK):
        read_contacts(Contact.objects.filter(id__in=batch).values_list(*_CONTACT_FIELDS))
    return contacts, key_dates


def _people_by_account(
    contacts: dict[int, Person], key_dates: dict[int, tuple[int, dt.date]]
) -> tuple[dict[int, list[int]], dict[int, list[int]]]:
    """account → its active contacts with a birthday; account → its active contacts' key
    dates."""
    birthdays: dict[int, list[int]] = defaultdict(list)
    for cid, c in contacts.items():
        if c.is_active and c.birthday is not None:
            birthdays[c.account_id].append(cid)
    dates: dict[int, list[int]] = defaultdict(list)
    for kid, (cid, _day) in key_dates.items():
        c = contacts[cid]
        if c.is_active:
            dates[c.account_id].append(kid)
    return birthdays, dates


# --- compute ------------------------------------------------------------------------------------


def _compute(seen: _Seen, ids: list[int] | None, result: SyncResult) -> _Plan:
    """Compare, account by account, the tasks the policies ask for with the open ones; count
    what is unchanged, rescheduled, reassigned or updated in ``result``."""
    plan = _Plan()
    with _in_site_language():
        scope = seen.owners.keys() if ids is None else ids
        for acc in set(scope) & (set(seen.policies) | set(seen.existing)):
            _plan_account(seen, acc, plan, result)
    return plan


def _plan_account(seen: _Seen, acc: int, plan: _Plan, result: SyncResult) -> None:
    owner = seen.owners.get(acc)
    ep = seen.policies.get(acc)
    mine = seen.existing.get(acc, {})
    wants = (
        wanted_tasks(
            seen.ctx, acc, ep, seen.last.get(acc, {}), seen.birthdays_by_account.get(acc, ()),
            seen.dates_by_account.get(acc, ()), mine,
        )
        if ep is not None
        else {}
    )  # fmt: skip
    for key, want in wants.items():
        row = mine.get(key)
        if row is not None:
            _compare(row, want, owner, plan, result)
        elif owner is not None and (acc, key) not in seen.closed_keys:
            plan.creates.append(
                (
                    acc, owner, want.kind, want.title, want.due or seen.ctx.as_of, want.tier_id,
                    key, want.contact_id, want.role, want.budget,
                )
            )  # fmt: skip
    for key, row in mine.items():
        if key not in wants:
            reason = cancel_reason(row, ep, seen.tiers, seen.ctx.contacts, seen.ctx.key_dates)
            plan.cancels.append((row[0], reason[:300]))


def _compare(row: tuple, want: Want, owner: int | None, plan: _Plan, result: SyncResult) -> None:
    """An open task the policies still ask for: plan an update when anything differs."""
    task_id, due, assignee = row[0], row[4], row[5]
    # Compare plain tuples: building a model instance per unchanged task is what made the
    # nightly run slow.
    values = (
        want.due or due, owner or assignee, want.tier_id, want.contact_id,
        want.role, want.budget, want.title,
    )  # fmt: skip
    if values == row[4:]:  # due, assignee, tier, contact, role, budget, title
        result.unchanged += 1
        return
    plan.updates.append((task_id, *values))
    if values[0] != due:
        result.rescheduled += 1
    if values[1] != assignee:
        result.reassigned += 1
    if values[0] == due and values[1] == assignee:
        result.updated += 1


# --- write --------------------------------------------------------------------------------------


def _write(plan: _Plan, now: dt.datetime) -> None:
    """All of the sync's writes in one transaction: cancellations, updates, then new tasks,
    each in one COPY or statement through the bulk module."""
    table = Task._meta.db_table
    cancelled = TaskStatus.CANCELLED.value
    new = (TaskStatus.OPEN.value, TaskSource.POLICY.value, "", "", now)  # status … created_at
    with transaction.atomic():
        update_rows(
            table, _CANCEL_COLUMNS, ((pk, cancelled, now, reason) for pk, reason in plan.cancels)
        )
        update_rows(table, _UPDATE_COLUMNS, plan.updates)
        insert_rows(table, _INSERT_COLUMNS, ((*row, *new) for row in plan.creates))
