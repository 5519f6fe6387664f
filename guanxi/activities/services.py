"""Writes of tasks, and logging a touchpoint as a KAM does: logging one completes the task it
fulfils and re-plans the account's policy tasks at once, so the next visit is on the list before
the KAM leaves the page. Policy tasks themselves are created by `guanxi.activities.policy`.

Bad input raises InvalidInput naming the field (a form shows it on that field, the API answers
422); an account or task the user may not see raises NotFound (404).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_is_visible
from guanxi.accounts.services import check_account_visible
from guanxi.activities.models import COMPLETES, Task, TaskKind, TaskSource, TaskStatus
from guanxi.activities.policy import SyncResult, policy_tasks_sync
from guanxi.contacts.models import Contact
from guanxi.core.errors import InvalidInput
from guanxi.core.models import User
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from guanxi.touchpoints.services import touchpoint_check, touchpoint_create

__all__ = [
    "SyncResult",
    "policy_tasks_follow",
    "policy_tasks_sync",
    "task_cancel",
    "task_complete",
    "task_create",
    "task_reschedule",
    "touchpoint_log",
]

# The touchpoint a policy task stands for, when it is ticked off without one.
NATURAL_TOUCHPOINT = {
    TaskKind.CALL: TouchpointKind.CALL,
    TaskKind.VISIT: TouchpointKind.VISIT,
    TaskKind.BIRTHDAY_GIFT: TouchpointKind.GIFT,
    TaskKind.ANNIVERSARY_GIFT: TouchpointKind.GIFT,
    TaskKind.BANQUET: TouchpointKind.BANQUET,
    TaskKind.TRIP: TouchpointKind.TRIP,
    TaskKind.GROUP_INVITE: TouchpointKind.GROUP_INVITE,
}


def _open_task(actor: User, task: Task) -> None:
    check_account_visible(actor=actor, account=task.account)
    if task.status != TaskStatus.OPEN:
        raise InvalidInput(
            errors={
                "task": _("This task is already %(status)s.")
                % {"status": task.get_status_display()}
            }
        )


def _resync(account_id: int) -> None:
    policy_tasks_sync(account_ids=[account_id])


def policy_tasks_follow(*, account_id: int) -> None:
    """After the account's tier changed outside a tiering run (set or cleared by hand): once the
    transaction commits, bring its policy tasks in line with the new tier (the next call or visit
    follows the new cadence) instead of at the nightly run. The follow-up of every write that
    moves a tier: `workspace.flows.tier_set_by_hand`, or a service above activities."""
    transaction.on_commit(lambda: policy_tasks_sync(account_ids=[account_id]))


@transaction.atomic
def touchpoint_log(
    *,
    account: Account,
    kind: str,
    occurred_at: dt.datetime,
    actor: User,
    contacts: Iterable[Contact | int] = (),
    subject: str = "",
    notes: str = "",
    cost: Decimal | str | None = None,
    task: Task | None = None,
) -> Touchpoint:
    """Record that something happened with a customer.

    Completes ``task`` when given (it must be open, on this account and of a kind this
    touchpoint completes), else the earliest-due open task on the account that this kind
    completes (a gift logged for a contact completes that contact's gift task; follow-ups only
    when passed explicitly). Then re-plans the account's policy tasks: cadence runs from the
    last real touchpoint, so the next call or visit is due from this one.
    """
    draft = touchpoint_check(
        account=account,
        kind=kind,
        occurred_at=occurred_at,
        actor=actor,
        contacts=contacts,
        subject=subject,
        notes=notes,
        cost=cost,
    )
    if task is not None:
        if task.account_id != account.pk:
            raise InvalidInput(errors={"task": _("The task belongs to another account.")})
        _open_task(actor, task)
        if kind not in COMPLETES.get(task.kind, set()):
            raise InvalidInput(
                errors={
                    "task": _("A %(touchpoint)s does not complete a “%(task)s” task.")
                    % {
                        "touchpoint": TouchpointKind(kind).label,
                        "task": TaskKind(task.kind).label,
                    }
                }
            )
    else:
        task = _task_completed_by(account, kind, draft.contact_ids)

    touchpoint = touchpoint_create(draft=draft, actor=actor)
    if task is not None:
        task.status = TaskStatus.DONE
        # When it really happened: a call logged the next morning still counts on its day.
        task.completed_at = draft.occurred_at
        task.touchpoint = touchpoint
        task.save(update_fields=["status", "completed_at", "touchpoint"])
    _resync(account.pk)
    return touchpoint


def _task_completed_by(account: Account, kind: str, contact_ids: list[int]) -> Task | None:
    task_kinds = [
        task_kind
        for task_kind, kinds in COMPLETES.items()
        if kind in kinds and task_kind != TaskKind.FOLLOW_UP
    ]
    candidates = Task.objects.filter(
        account=account, status=TaskStatus.OPEN, kind__in=task_kinds
    ).order_by("due_date", "id")
    if contact_ids:
        # A gift for Mr Wang completes Mr Wang's birthday task, not his colleague's.
        for task in candidates:
            if task.contact_id is None or task.contact_id in contact_ids:
                return task
        return None
    return candidates.first()


@transaction.atomic
def task_create(
    *,
    account: Account,
    assignee: User,
    kind: str,
    title: str,
    due_date: dt.date,
    actor: User,
    notes: str = "",
    contact: Contact | None = None,
    source: str = TaskSource.MANUAL,
    key: str = "",
) -> Task:
    """A task added by hand (a follow-up, a call promised in a meeting …), or by the system
    for a reason of its own: ``source`` says which (`TaskSource`) and ``key`` holds what its
    title is composed of in the reader's language (`policy.system_title`)."""
    check_account_visible(actor=actor, account=account)
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if kind not in TaskKind.values:
        errors["kind"] = _("Choose what kind of task this is.")
    if not title:
        errors["title"] = _("Say what needs doing.")
    elif len(title) > 200:
        errors["title"] = _("Keep the title under 200 characters.")
    if not isinstance(due_date, dt.date) or isinstance(due_date, dt.datetime):
        errors["due_date"] = _("Enter the day it is due.")
    if assignee is None or not assignee.is_active or not account_is_visible(assignee, account):
        errors["assignee"] = _("Choose someone who works on this account.")
    if contact is not None and contact.account_id != account.pk:
        errors["contact"] = _("Choose a contact of this account.")
    if errors:
        raise InvalidInput(errors=errors)
    return Task.objects.create(
        account=account,
        assignee=assignee,
        kind=kind,
        title=title,
        due_date=due_date,
        notes=notes,
        contact=contact,
        source=source,
        key=key,
    )


@transaction.atomic
def task_complete(*, task: Task, actor: User, touchpoint: Touchpoint | None = None) -> Task:
    """Tick a task off. With ``touchpoint``, that touchpoint is what fulfilled it. A policy task
    ticked off without one logs its touchpoint now (a call task → a call), because cadence is
    measured from touchpoints, not from tasks."""
    _open_task(actor, task)
    if touchpoint is None and task.source == TaskSource.POLICY and task.kind in NATURAL_TOUCHPOINT:
        touchpoint_log(
            account=task.account,
            kind=NATURAL_TOUCHPOINT[task.kind],
            occurred_at=timezone.now(),
            actor=actor,
            contacts=[task.contact_id] if task.contact_id else (),
            subject=task.title,
            task=task,
        )
        task.refresh_from_db()
        return task
    if touchpoint is not None:
        if touchpoint.account_id != task.account_id:
            raise InvalidInput(errors={"touchpoint": _("The touchpoint is on another account.")})
        if touchpoint.kind not in COMPLETES.get(task.kind, set()):
            raise InvalidInput(
                errors={"touchpoint": _("This kind of touchpoint does not complete this task.")}
            )
        if Task.objects.filter(touchpoint=touchpoint).exclude(pk=task.pk).exists():
            raise InvalidInput(
                errors={"touchpoint": _("The touchpoint already fulfils another task.")}
            )
        task.touchpoint = touchpoint
    task.status = TaskStatus.DONE
    task.completed_at = touchpoint.occurred_at if touchpoint is not None else timezone.now()
    task.save(update_fields=["status", "completed_at", "touchpoint"])
    if task.source == TaskSource.POLICY:
        _resync(task.account_id)
    return task


@transaction.atomic
def task_cancel(*, task: Task, actor: User, reason: str) -> Task:
    """Cancel an open task; the reason is required and kept. A cancelled birthday, anniversary
    or group task is not offered again; a cancelled call, visit, banquet or trip task comes back
    at the next nightly run while the tier's policy still asks for it."""
    _open_task(actor, task)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(errors={"reason": _("Say why the task is cancelled.")})
    if len(reason) > 300:
        raise InvalidInput(errors={"reason": _("Keep the reason under 300 characters.")})
    task.status = TaskStatus.CANCELLED
    task.cancelled_at = timezone.now()
    task.cancel_reason = reason
    task.save(update_fields=["status", "cancelled_at", "cancel_reason"])
    return task


@transaction.atomic
def task_reschedule(*, task: Task, due_date: dt.date, actor: User) -> Task:
    """Move a task added by hand to another day. Policy tasks follow the tier's cadence from the
    last touchpoint, so they cannot be moved by hand."""
    _open_task(actor, task)
    if task.source == TaskSource.POLICY:
        raise InvalidInput(
            errors={
                "due_date": _(
                    "This task follows the tier's policy; log the touchpoint or change the "
                    "tier instead of moving it."
                )
            }
        )
    if not isinstance(due_date, dt.date) or isinstance(due_date, dt.datetime):
        raise InvalidInput(errors={"due_date": _("Enter the day it is due.")})
    if due_date < timezone.localdate():
        raise InvalidInput(errors={"due_date": _("Choose today or a later day.")})
    task.due_date = due_date
    task.save(update_fields=["due_date"])
    return task
