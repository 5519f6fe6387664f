"""How a task reads: its title in the reader's language, the touchpoint its one-click button
logs, "3 days overdue" and "in 2 days"."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from guanxi.activities.models import Task, TaskKind
from guanxi.activities.policy import task_display_title
from guanxi.touchpoints.models import TouchpointKind

# The touchpoint a one-click button logs for each kind of task, and its label.
ONE_CLICK: dict[str, tuple[str, Any]] = {
    TaskKind.CALL: (TouchpointKind.CALL, gettext_lazy("Log call")),
    TaskKind.VISIT: (TouchpointKind.VISIT, gettext_lazy("Log visit")),
    TaskKind.BIRTHDAY_GIFT: (TouchpointKind.GIFT, gettext_lazy("Gift given")),
    TaskKind.ANNIVERSARY_GIFT: (TouchpointKind.GIFT, gettext_lazy("Gift given")),
    TaskKind.BANQUET: (TouchpointKind.BANQUET, gettext_lazy("Banquet held")),
    TaskKind.TRIP: (TouchpointKind.TRIP, gettext_lazy("Trip done")),
    TaskKind.GROUP_INVITE: (TouchpointKind.GROUP_INVITE, gettext_lazy("Invited")),
    TaskKind.FOLLOW_UP: (TouchpointKind.CALL, gettext_lazy("Log")),
}


# Touchpoints that usually cost money: their one-click form offers a cost field.
COSTLY = {TouchpointKind.GIFT, TouchpointKind.BANQUET, TouchpointKind.TRIP, TouchpointKind.EVENT}


def display_title(task: Task) -> str:
    """The task's title in the reader's language (policy tasks are composed again)."""

    return task_display_title(task)


def one_click_kind(task: Task) -> str:
    return ONE_CLICK.get(task.kind, (TouchpointKind.OTHER, ""))[0]


def overdue_words(days_overdue: int) -> str:
    if days_overdue > 0:
        return ngettext("%(n)s day overdue", "%(n)s days overdue", days_overdue) % {
            "n": days_overdue
        }
    if days_overdue == 0:
        return _("due today")
    return ngettext("due in %(n)s day", "due in %(n)s days", -days_overdue) % {"n": -days_overdue}


def in_days_words(days: int) -> str:
    if days == 0:
        return _("today")
    if days == 1:
        return _("tomorrow")
    return ngettext("in %(n)s day", "in %(n)s days", days) % {"n": days}
