"""The ICS calendar feed (日历订阅) of a user's open tasks, for phones and Outlook.

The URL carries a secret token instead of a session: calendar apps cannot log in. Resetting the
token revokes every copy of the old URL at once.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from guanxi.activities.display import display_title
from guanxi.activities.models import CalendarFeed, Task
from guanxi.activities.policy import task_role_label
from guanxi.activities.selectors import open_tasks
from guanxi.core.models import User

PRODID = "-//Guanxi CRM//Tasks//ZH"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_feed_ensure(*, user: User) -> CalendarFeed:
    """The user's feed, created on first use."""
    feed = CalendarFeed.objects.filter(user=user).first()
    if feed is not None:
        return feed
    try:
        with transaction.atomic():
            return CalendarFeed.objects.create(user=user, token=_new_token())
    except IntegrityError:  # two tabs opened Today at once: the other one created it
        return CalendarFeed.objects.get(user=user)


@transaction.atomic
def calendar_feed_reset(*, user: User) -> CalendarFeed:
    """A new secret: the old URL stops working (404) immediately."""
    feed = CalendarFeed.objects.select_for_update().filter(user=user).first()
    if feed is None:
        return CalendarFeed.objects.create(user=user, token=_new_token())
    feed.token = _new_token()
    feed.save(update_fields=["token"])
    return feed


def feed_user(token: str) -> User | None:
    """The active user behind a token, or None (unknown token → 404)."""
    if not token or len(token) > 64:
        return None
    feed = CalendarFeed.objects.filter(token=token).select_related("user").first()
    if feed is None or not feed.user.is_active:
        return None
    return feed.user


def task_description(task: Task) -> str:
    """Account and reason, one per line."""
    lines = [_("Account: %(account)s (%(code)s)") % {
        "account": task.account.name, "code": task.account.code}]  # fmt: skip
    if task.tier_id:
        lines.append(_("Asked for by tier %(tier)s") % {"tier": task.tier})
    if task.contact_id:
        lines.append(_("Contact: %(name)s") % {"name": task.contact.name})
    if task.role:
        lines.append(_("To be done by: %(role)s") % {"role": task_role_label(task)})
    if task.budget is not None:
        lines.append(_("Budget: ¥%(budget)s") % {"budget": f"{task.budget:,.2f}"})
    if task.notes:
        lines.append(task.notes)
    return "\n".join(lines)


def tasks_calendar(user: User, *, account_url: Callable[[Task], str]) -> bytes:
    """The user's open tasks as all-day events. UIDs are stable per task, so a calendar app
    updates a rescheduled task in place instead of duplicating it."""
    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "guanxi"
    host = host.lstrip(".") if host not in ("*", "") else "guanxi"
    with translation.override(settings.LANGUAGE_CODE):
        cal = Calendar()
        cal.add("prodid", PRODID)
        cal.add("version", "2.0")
        cal.add("calscale", "GREGORIAN")
        cal.add("x-wr-calname", _("Guanxi tasks: %(user)s") % {"user": user})
        cal.add("x-wr-timezone", settings.TIME_ZONE)
        stamp = timezone.now()
        today = timezone.localdate()
        for task in open_tasks(user).order_by("due_date", "id"):
            # An overdue task moves to today: a phone's "today" view must still show it.
            day = max(task.due_date, today)
            summary = f"{display_title(task)} · {task.account.name}"
            if task.due_date < today:
                summary += " " + _("(overdue since %(date)s)") % {"date": task.due_date.isoformat()}
            event = Event()
            event.add("uid", f"task-{task.pk}@{host}")
            event.add("dtstamp", stamp)
            event.add("dtstart", day)
            event.add("dtend", day + dt.timedelta(days=1))
            event.add("summary", summary)
            event.add("description", task_description(task))
            event.add("url", account_url(task))
            event.add("categories", [task.get_kind_display()])
            event.add("transp", "TRANSPARENT")
            cal.add_component(event)
    return cal.to_ical()
