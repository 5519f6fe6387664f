"""`{% account_activity_card account user %}`: open tasks and recent touchpoints on the account
360° page, with a link to log a touchpoint."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from guanxi.accounts.selectors import account_is_visible
from guanxi.activities.display import display_title
from guanxi.activities.models import Task, TaskStatus
from guanxi.touchpoints.models import Touchpoint

register = template.Library()

RECENT_TOUCHPOINTS = 10


@register.inclusion_tag("admin/activities/account_activity_card.html", takes_context=True)
def account_activity_card(context: Any, account: Any, user: Any) -> dict[str, Any]:
    if not account_is_visible(user, account):
        # The 360° page checked already; a template reused elsewhere must not leak either.
        return {"visible": False}
    today = timezone.localdate()
    tasks = list(
        Task.objects.filter(account=account, status=TaskStatus.OPEN)
        .select_related("assignee", "tier", "contact")
        .order_by("due_date", "id")
    )
    for t in tasks:
        t.account = account  # the titles of system tasks name it: no query per task
    rows = [
        {"task": t, "title": display_title(t), "overdue": (today - t.due_date).days} for t in tasks
    ]
    touchpoints = list(
        Touchpoint.objects.filter(account=account)
        .select_related("logged_by")
        .prefetch_related("contacts")
        .order_by("-occurred_at", "-id")[:RECENT_TOUCHPOINTS]
    )
    request = context.get("request")
    back = request.get_full_path() if request is not None else ""
    log_url = (
        reverse("admin:touchpoints_touchpoint_add")
        + "?"
        + urlencode({"account": account.pk, **({"next": back} if back else {})})
    )
    return {
        "visible": True,
        "account": account,
        "tasks": rows,
        "touchpoints": touchpoints,
        "log_url": log_url,
        "tasks_url": reverse("admin:activities_task_changelist")
        + "?"
        + urlencode({"account__id__exact": account.pk}),
        "touchpoints_url": reverse("admin:touchpoints_touchpoint_changelist")
        + "?"
        + urlencode({"account__id__exact": account.pk}),
    }


@register.simple_tag
def last_touchpoint(account: Any) -> dict[str, Any] | None:
    """`{% last_touchpoint account as tp %}`: the latest touchpoint of the account, its local
    day and how many days ago (tp.touchpoint, tp.day, tp.days_ago), or None. The 360° page
    has already checked that the reader may see the account."""
    if hasattr(account, "last_touchpoint_id"):  # read with the account (the 360° page)
        tp = None
        if account.last_touchpoint_id is not None:
            tp = Touchpoint(pk=account.last_touchpoint_id, account_id=account.pk,
                            kind=account.last_touchpoint_kind,
                            occurred_at=account.last_touchpoint_at)  # fmt: skip
    else:
        tp = (
            Touchpoint.objects.filter(account=account)
            .only("id", "kind", "occurred_at", "account_id")
            .order_by("-occurred_at", "-id")
            .first()
        )
    if tp is None:
        return None
    day = timezone.localdate(tp.occurred_at)
    return {"touchpoint": tp, "day": day, "days_ago": (timezone.localdate() - day).days}
