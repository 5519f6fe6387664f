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
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.activities.models import Task, TaskKind, TaskSource, TaskStatus
from guanxi.contacts.models import Contact, KeyDate
from guanxi.core.dates import add_months, next_occurrence, occurrence_in
from guanxi.tiers.models import AccountTier, Tier

GIFT_WINDOW_DAYS = 30  # a gift task appears when the birthday/anniversary is this close
TRIP_EVERY_DAYS = 365
DEFAULT_GIFT_LEAD_DAYS = 3
WRITE_BATCH = 2000

RECURRING = {
    "call": TaskKind.CALL,
    "visit": TaskKind.VISIT,
    "banquet": TaskKind.BANQUET,
    "trip": TaskKind.TRIP,
}
# The touchpoint kind whose last occurrence the cadence is measured from.
CADENCE_TOUCHPOINT = {"call": "call", "visit": "visit", "banquet": "banquet", "trip": "trip"}
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


@dataclass
class _Want:
    kind: str
    due: dt.date | None  # None: keep an existing task's due date, else as_of
    tier_id: int | None
    contact_id: int | None = None
    role: str = ""
    budget: Decimal | None = None
    title: str = ""


@dataclass
class _Contact:
    account_id: int
    name: str
    birthday: dt.date | None
    is_active: bool


# --- titles and reasons -------------------------------------------------------------------------


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


def _group_of(key: str) -> str:
    return key.split(":", 1)[1] if key.startswith("group:") else ""


def task_display_title(task: Task) -> str:
    """The task's title in the reader's language. Policy tasks are composed again from kind,
    contact, tier and key (the stored title is in the site language); manual tasks keep the
    title their author wrote. Select ``contact`` and ``tier`` with the task to avoid queries."""
    if task.source != TaskSource.POLICY:
        return task.title
    return compose_title(
        kind=task.kind,
        tier=task.tier if task.tier_id else None,
        contact_name=task.contact.name if task.contact_id else "",
        group=_group_of(task.key),
    )


def task_role_label(task: Task) -> str:
    """Who is to do the task, in the reader's language ("General manager (总经理)"), not the
    stored code ("general_manager"); an unknown code is shown as it is."""
    from guanxi.tiers.models import GreetingRole

    if not task.role:
        return ""
    try:
        return str(GreetingRole(task.role).label)
    except ValueError:
        return task.role


def _in_site_language() -> Any:
    return translation.override(settings.LANGUAGE_CODE)


# --- the sync -----------------------------------------------------------------------------------


def _step(progress: Any) -> Callable[[str], None]:
    if callable(progress):
        return progress
    if progress:
        import sys

        return lambda name: print(f"policy tasks: {name}", file=sys.stderr)
    return lambda name: None


def _chunks(items: list, size: int = WRITE_BATCH) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def policy_tasks_sync(
    *, as_of: dt.date | None = None, account_ids=None, progress: Any = None
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
    from guanxi.tiers.selectors import effective_policies
    from guanxi.touchpoints.selectors import last_touchpoints

    step = _step(progress)
    as_of = as_of or timezone.localdate()
    ids = None if account_ids is None else sorted({int(a) for a in account_ids})
    result = SyncResult()

    def scoped(qs, field: str = "account_id"):
        return qs if ids is None else qs.filter(**{f"{field}__in": ids})

    step("reading")
    policies = effective_policies(ids, on=as_of)
    owners = dict(scoped(Account.objects.all(), "id").values_list("id", "owner_id").iterator())
    tiers = Tier.objects.select_related("scheme").in_bulk()
    since: dict[tuple[int, int], dt.date | None] = {
        (acc, tier): day
        for acc, tier, day in scoped(AccountTier.objects.filter(tier__isnull=False))
        .values_list("account_id", "tier_id", "since")
        .iterator(chunk_size=5000)
    }
    last = last_touchpoints(ids, kinds=set(CADENCE_TOUCHPOINT.values()), as_of=as_of)

    open_qs = scoped(Task.objects.filter(source=TaskSource.POLICY, status=TaskStatus.OPEN))
    open_rows = list(
        open_qs.values_list(
            "id", "account_id", "key", "kind", "due_date", "assignee_id",
            "tier_id", "contact_id", "role", "budget", "title",
        ).iterator(chunk_size=5000)
    )  # fmt: skip
    existing: dict[int, dict[str, tuple]] = defaultdict(dict)  # account → key → row
    for row in open_rows:
        existing[row[1]][row[2]] = row

    # Once-only keys already fulfilled (or deliberately cancelled) are not offered again.
    years = (as_of.year, as_of.year + 1)
    closed = scoped(
        Task.objects.filter(source=TaskSource.POLICY)
        .exclude(status=TaskStatus.OPEN)
        .filter(
            Q(key__startswith="group:")
            | Q(key__endswith=f":{years[0]}")
            | Q(key__endswith=f":{years[1]}")
        )
    )
    closed_keys = set(closed.values_list("account_id", "key").iterator(chunk_size=5000))

    # Contacts and key dates whose day falls in the window, plus those open tasks refer to.
    window_end = as_of + dt.timedelta(days=GIFT_WINDOW_DAYS)
    months = {as_of.month, window_end.month}
    contacts: dict[int, _Contact] = {}
    birthday_qs = scoped(
        Contact.objects.filter(is_active=True, birthday__isnull=False, birthday__month__in=months)
    )
    contact_fields = ("id", "account_id", "name", "birthday", "is_active")
    for cid, acc, name, birthday, active in birthday_qs.values_list(*contact_fields).iterator(
        chunk_size=5000
    ):
        contacts[cid] = _Contact(acc, name, birthday, active)
    key_dates: dict[int, tuple[int, dt.date]] = {}  # key date id → (contact id, date)
    kd_fields = (
        "id", "contact_id", "date", "contact__account_id", "contact__name",
        "contact__birthday", "contact__is_active",
    )  # fmt: skip

    def read_key_dates(qs) -> None:
        for kid, cid, day, acc, name, birthday, active in qs.values_list(*kd_fields).iterator(
            chunk_size=5000
        ):
            key_dates[kid] = (cid, day)
            contacts.setdefault(cid, _Contact(acc, name, birthday, active))

    read_key_dates(
        scoped(
            KeyDate.objects.filter(date__month__in=months, contact__is_active=True),
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
    for batch in _chunks(missing_kd):
        read_key_dates(KeyDate.objects.filter(id__in=batch))
    missing_contacts = sorted({row[7] for row in open_rows if row[7]} - contacts.keys())
    for batch in _chunks(missing_contacts):
        for cid, acc, name, birthday, active in Contact.objects.filter(id__in=batch).values_list(
            *contact_fields
        ):
            contacts[cid] = _Contact(acc, name, birthday, active)
    birthdays_by_account: dict[int, list[int]] = defaultdict(list)
    for cid, c in contacts.items():
        if c.is_active and c.birthday is not None:
            birthdays_by_account[c.account_id].append(cid)
    dates_by_account: dict[int, list[int]] = defaultdict(list)
    for kid, (cid, _day) in key_dates.items():
        c = contacts[cid]
        if c.is_active:
            dates_by_account[c.account_id].append(kid)

    step("computing")
    creates: list[tuple] = []
    updates: list[tuple] = []  # (id, *values in _UPDATED_FIELDS order, changed field names)
    cancels: list[tuple[int, str]] = []  # (id, reason)
    now = timezone.now()
    ctx = _Context(as_of, window_end, since, contacts, key_dates, {})
    with _in_site_language():
        scope = owners.keys() if ids is None else ids
        accounts = set(scope) & (set(policies) | set(existing))
        for acc in accounts:
            owner = owners.get(acc)
            ep = policies.get(acc)
            mine = existing.get(acc, {})
            wants = (
                _wants(
                    ctx, acc, ep, last.get(acc, {}), birthdays_by_account.get(acc, ()),
                    dates_by_account.get(acc, ()), mine,
                )
                if ep is not None
                else {}
            )  # fmt: skip
            for key, want in wants.items():
                row = mine.get(key)
                if row is None:
                    if owner is None or (acc, key) in closed_keys:
                        continue
                    creates.append(
                        (
                            acc, owner, want.kind, want.title, want.due or as_of, want.tier_id,
                            key, want.contact_id, want.role, want.budget,
                        )
                    )  # fmt: skip
                    continue
                task_id, due, assignee = row[0], row[4], row[5]
                # Compare plain tuples: building a model instance per unchanged task is what
                # made the nightly run slow.
                values = (
                    want.due or due, owner or assignee, want.tier_id, want.contact_id,
                    want.role, want.budget, want.title,
                )  # fmt: skip
                if values == row[4:]:  # due, assignee, tier, contact, role, budget, title
                    result.unchanged += 1
                    continue
                changed = tuple(
                    name
                    for name, new, old in zip(_UPDATED_FIELDS, values, row[4:], strict=True)
                    if new != old
                )
                updates.append((task_id, *values, changed))
                if values[0] != due:
                    result.rescheduled += 1
                if values[1] != assignee:
                    result.reassigned += 1
                if values[0] == due and values[1] == assignee:
                    result.updated += 1
            for key, row in mine.items():
                if key in wants:
                    continue
                reason = _cancel_reason(row, ep, tiers, contacts, key_dates)
                cancels.append((row[0], reason[:300]))

    step("writing")
    with transaction.atomic():
        _cancel(cancels, now)
        _update(updates)
        _insert(creates, now)
    result.created = len(creates)
    result.cancelled = len(cancels)
    result.written = len(creates) + len(updates) + len(cancels)
    step("done")
    return result


@dataclass
class _Context:
    as_of: dt.date
    window_end: dt.date
    since: dict[tuple[int, int], dt.date | None]
    contacts: dict[int, _Contact]
    key_dates: dict[int, tuple[int, dt.date]]
    titles: dict[tuple, str]  # composing titles is the hot loop: memoise them


_CREATE_COLUMNS = (
    "account_id", "assignee_id", "kind", "title", "due_date", "tier_id", "key", "contact_id",
    "role", "budget",
)  # fmt: skip


def _copy_update(columns: dict[str, str], rows: Iterable[tuple], assignments: str) -> None:
    """PostgreSQL: COPY ``rows`` (id first) into a temporary table and UPDATE the tasks from it.
    Django's bulk_update builds a CASE expression per row and field: minutes of CPU for the
    100,000 changes a re-tiering night can bring; this takes seconds."""
    quote = connection.ops.quote_name
    table = quote(Task._meta.db_table)
    spec = ", ".join(f"{quote(name)} {sql_type}" for name, sql_type in columns.items())
    names = ", ".join(quote(name) for name in columns)
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS policy_sync_rows")
        cursor.execute(f"CREATE TEMPORARY TABLE policy_sync_rows ({spec}) ON COMMIT DROP")
        with cursor.cursor.copy(f"COPY policy_sync_rows ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} AS t SET {assignments} FROM policy_sync_rows AS r WHERE t.id = r.id"
        )
        cursor.execute("DROP TABLE policy_sync_rows")


def _cancel(rows: list[tuple[int, str]], now: dt.datetime) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy_update(
            {"id": "bigint", "cancelled_at": "timestamptz", "cancel_reason": "text"},
            ((pk, now, reason) for pk, reason in rows),
            f"status = '{TaskStatus.CANCELLED.value}', cancelled_at = r.cancelled_at, "
            "cancel_reason = r.cancel_reason",
        )
        return
    tasks = [
        Task(id=pk, status=TaskStatus.CANCELLED, cancelled_at=now, cancel_reason=reason)
        for pk, reason in rows
    ]
    for batch in _chunks(tasks):
        Task.objects.bulk_update(batch, ["status", "cancelled_at", "cancel_reason"])


_UPDATE_TYPES = {
    "id": "bigint",
    "due_date": "date",
    "assignee_id": "bigint",
    "tier_id": "bigint",
    "contact_id": "bigint",
    "role": "text",
    "budget": "numeric(14, 2)",
    "title": "text",
}


def _update(rows: list[tuple]) -> None:
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy_update(
            _UPDATE_TYPES,
            (row[:-1] for row in rows),
            ", ".join(f"{name} = r.{name}" for name in _UPDATED_FIELDS),
        )
        return
    # Elsewhere bulk_update, grouped by the fields that changed (usually only the due date).
    groups: dict[tuple[str, ...], list[Task]] = defaultdict(list)
    for pk, *values, changed in rows:
        groups[changed].append(
            Task(id=pk, **{name: values[_UPDATED_FIELDS.index(name)] for name in changed})
        )
    for fields, tasks in groups.items():
        for batch in _chunks(tasks):
            Task.objects.bulk_update(batch, list(fields))


def _insert(rows: list[tuple], now: dt.datetime) -> None:
    """Insert new open policy tasks. On PostgreSQL through COPY: the first nightly run creates a
    few hundred thousand tasks, which INSERT … VALUES takes minutes over."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        for batch in _chunks(rows):
            Task.objects.bulk_create(
                [
                    Task(
                        **dict(zip(_CREATE_COLUMNS, row, strict=True)),
                        source=TaskSource.POLICY,
                        status=TaskStatus.OPEN,
                    )
                    for row in batch
                ]
            )
        return
    columns = (*_CREATE_COLUMNS, "status", "source", "notes", "cancel_reason", "created_at")
    extra = (TaskStatus.OPEN.value, TaskSource.POLICY.value, "", "", now)
    quote = connection.ops.quote_name
    names = ", ".join(quote(c) for c in columns)
    sql = f"COPY {quote(Task._meta.db_table)} ({names}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:  # psycopg 3
        for row in rows:
            copy.write_row((*row, *extra))


def _wants(
    ctx: _Context, acc: int, ep: Any, last: dict[str, dt.date], birthday_contacts,
    key_date_ids, mine: dict[str, tuple],
) -> dict[str, _Want]:  # fmt: skip
    """The policy tasks account ``acc`` should have open, by key."""
    wants: dict[str, _Want] = {}
    as_of, window_end, since = ctx.as_of, ctx.window_end, ctx.since
    contacts, key_dates = ctx.contacts, ctx.key_dates

    def tier_of(field: str) -> Tier | None:
        return ep.driver.get(field)

    def from_last(kind: str, field: str, step: Callable[[dt.date], dt.date]) -> dt.date | None:
        base = last.get(CADENCE_TOUCHPOINT[kind])
        if base is not None:
            return step(base)
        return entered(field)

    def entered(field: str) -> dt.date | None:
        """Due from the day the account entered the tier that asks (never after as_of)."""
        tier = tier_of(field)
        day = since.get((acc, tier.pk)) if tier is not None else None
        return min(day, as_of) if day is not None else None

    def add(key: str, kind: str, field: str, due, **extra) -> None:
        tier = tier_of(field)
        name = contacts[extra["contact_id"]].name if extra.get("contact_id") else ""
        group = _group_of(key)
        memo = (kind, tier.pk if tier else None, name, group)
        title = ctx.titles.get(memo)
        if title is None:
            title = ctx.titles[memo] = compose_title(
                kind=kind, tier=tier, contact_name=name, group=group
            )
        wants[key] = _Want(kind=kind, due=due, tier_id=memo[1], title=title, **extra)

    for kind, field in (("call", "call_every_days"), ("visit", "visit_every_days")):
        days = getattr(ep, field)
        if days:
            due = from_last(kind, field, lambda d, n=days: d + dt.timedelta(days=n))
            add(kind, RECURRING[kind], field, due)
    months = ep.banquet_every_months
    if months:
        host = ep.banquet_host_role or ""
        due = from_last("banquet", "banquet_every_months", lambda d: add_months(d, months))
        add(
            "banquet", TaskKind.BANQUET, "banquet_every_months", due,
            role=host, budget=ep.banquet_budget_per_table,
        )  # fmt: skip
    if ep.trip_budget_per_person is not None:
        due = from_last("trip", "trip_budget_per_person", lambda d: d + dt.timedelta(days=365))
        add("trip", TaskKind.TRIP, "trip_budget_per_person", due, budget=ep.trip_budget_per_person)
    for group in ep.groups:
        add(f"group:{group}", TaskKind.GROUP_INVITE, f"group:{group}", entered(f"group:{group}"))

    lead = dt.timedelta(days=ep.gift_lead_days or DEFAULT_GIFT_LEAD_DAYS)
    if ep.birthday_gift_value is not None:
        for cid in birthday_contacts:
            occurrence = next_occurrence(contacts[cid].birthday, as_of)
            if occurrence <= window_end:
                add(
                    f"birthday:{cid}:{occurrence.year}", TaskKind.BIRTHDAY_GIFT,
                    "birthday_gift_value", occurrence - lead,
                    contact_id=cid, budget=ep.birthday_gift_value,
                )  # fmt: skip
    if ep.anniversary_gift_value is not None:
        for kid in key_date_ids:
            cid, day = key_dates[kid]
            occurrence = next_occurrence(day, as_of)
            if occurrence <= window_end:
                add(
                    f"anniversary:{kid}:{occurrence.year}", TaskKind.ANNIVERSARY_GIFT,
                    "anniversary_gift_value", occurrence - lead,
                    contact_id=cid, budget=ep.anniversary_gift_value,
                )  # fmt: skip

    # An open gift task whose day has passed stays (overdue) while the privilege still holds.
    for key in mine:
        if key in wants:
            continue
        parts = key.split(":")
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            continue
        year = int(parts[2])
        if parts[0] == "birthday" and ep.birthday_gift_value is not None:
            c = contacts.get(int(parts[1]))
            if c and c.is_active and c.account_id == acc and c.birthday:
                add(
                    key, TaskKind.BIRTHDAY_GIFT, "birthday_gift_value",
                    occurrence_in(c.birthday, year) - lead,
                    contact_id=int(parts[1]), budget=ep.birthday_gift_value,
                )  # fmt: skip
        elif parts[0] == "anniversary" and ep.anniversary_gift_value is not None:
            kd = key_dates.get(int(parts[1]))
            c = contacts.get(kd[0]) if kd else None
            if kd and c and c.is_active and c.account_id == acc:
                add(
                    key, TaskKind.ANNIVERSARY_GIFT, "anniversary_gift_value",
                    occurrence_in(kd[1], year) - lead,
                    contact_id=kd[0], budget=ep.anniversary_gift_value,
                )  # fmt: skip
    return wants


def _cancel_reason(row, ep, tiers: dict[int, Tier], contacts, key_dates) -> str:
    """Why an open policy task is no longer asked for, in the site language."""
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
    what = _what(kind, _group_of(key))
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
