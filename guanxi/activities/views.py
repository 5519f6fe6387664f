"""Pages of the KAM's day. Thin: read through `today.py`/selectors, write through services.

The admin pages (Today, one-click log, calendar reset, compliance) are wired by `TaskAdmin.
get_urls` and receive the model admin; the calendar feed and the `/today/` shortcut are plain
URLs in `guanxi/activities/urls.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from guanxi.accounts.selectors import visible_to
from guanxi.activities.display import display_title
from guanxi.activities.forms import PERIODS, ComplianceForm, OneClickLogForm
from guanxi.activities.ics import (
    calendar_feed_ensure,
    calendar_feed_reset,
    feed_user,
    tasks_calendar,
)
from guanxi.activities.models import Task, TaskStatus
from guanxi.activities.selectors import agenda_subject, agenda_subjects, compliance, next_open_task
from guanxi.core.admin_mixins import service_error_text
from guanxi.core.dates import add_months
from guanxi.core.errors import ApplicationError
from guanxi.core.views import next_url
from guanxi.plans.selectors import actions_due_for
from guanxi.touchpoints.models import TouchpointKind
from guanxi.workspace import flows
from guanxi.workspace.search import quick_find
from guanxi.workspace.today import agenda, agenda_section

TODAY = "admin:activities_task_today"


def _admin_context(model_admin: Any, request: HttpRequest, title: str) -> dict[str, Any]:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
    }


# --- Today --------------------------------------------------------------------------------------


#: Each section of the day and its title, on Today and on the section's "show all" page.
SECTION_TITLES = {
    "due": gettext_lazy("Overdue and due today"),
    "upcoming": gettext_lazy("Next 7 days"),
    "neglected": gettext_lazy("No touchpoint beyond the cadence"),
    "plan_actions": gettext_lazy("Account plan actions"),
    "relationship_risks": gettext_lazy("Relationship risks"),
    "key_dates": gettext_lazy("Birthdays and anniversaries, next 7 days"),
    "tier_changes": gettext_lazy("Tier changes, last 7 days"),
    "large_deals": gettext_lazy("Large deals"),
    "stale_deals": gettext_lazy("Stale deals"),
    "deal_risks": gettext_lazy("Deals whose decision maker is at risk"),
    "renewals_at_risk": gettext_lazy("Renewals at risk"),
    "service_cases": gettext_lazy("Service cases"),
    "warning_lights": gettext_lazy("Warning lights"),
}
#: The deal alerts on Today and what each says when it is empty.
DEAL_SECTIONS = {
    "large_deals": gettext_lazy("No large open deals."),
    "stale_deals": gettext_lazy("Every open deal has moved or has a next step ahead."),
    "deal_risks": gettext_lazy("No open deal hangs on a decision maker at risk."),
}
#: Items on one page of a section's "show all" page.
SECTION_PAGE_SIZE = 50


def _subject(request: HttpRequest) -> Any:
    """Whose day: the viewer's, or (``?user=``) a member the viewer looks after."""
    if not request.GET.get("user"):
        return request.user
    subject = agenda_subject(request.user, request.GET["user"])
    if subject is None:
        raise Http404  # not a member this viewer may look after
    return subject


def _day_context(request: HttpRequest, model_admin: Any, title: str) -> dict[str, Any]:
    """What every row of the day needs (the one-click log forms and links come back here)."""
    return {
        **_admin_context(model_admin, request, title),
        "log_url": reverse("admin:touchpoints_touchpoint_add"),
        "today_url": request.get_full_path(),
        "touchpoint_kinds": TouchpointKind.choices,
    }


def _section_url(name: str, subject: Any, viewer: Any, page: int = 1) -> str:
    query = {} if subject.pk == viewer.pk else {"user": subject.pk}
    if page > 1:
        query["page"] = page
    url = reverse("admin:activities_task_today_section", args=(name,))
    return f"{url}?{urlencode(query)}" if query else url


def _heading(name: str, total: int) -> str:
    return _("%(section)s (%(count)s)") % {
        "section": SECTION_TITLES[name],
        "count": intcomma(total),
    }


#: A line's indentation and the blank lines after it, in the rendered HTML.
_INDENTATION = re.compile(rb"\n\s+")


def _without_indentation(response: HttpResponse) -> HttpResponse:
    """The page without its templates' indentation and blank lines: a third of Today's bytes
    (the admin's sidebar alone had 40 KB of them). Safe here: the day's pages hold no <pre> or
    <textarea> whose content keeps its whitespace, and every line break stays."""
    response.content = _INDENTATION.sub(b"\n", response.content)
    return response


def today_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    viewer = request.user
    subject = _subject(request)
    day = agenda(user=subject, actor=viewer)
    own = subject.pk == viewer.pk
    feed = calendar_feed_ensure(user=viewer) if own else None
    members = list(agenda_subjects(viewer)) if not own or _leads(viewer) else []
    text = request.GET.get("q", "").strip()
    # Plan actions past their day are overdue too: the "overdue and due today" count holds them.
    overdue_actions = visible_to(
        actions_due_for(subject, until=day.as_of - dt.timedelta(days=1)),
        viewer,
        prefix="plan__account__",
    ).count()
    context = {
        # Quick find: what the viewer may see, whoever's day is shown.
        "q": text,
        "found": quick_find(viewer, text) if text else None,
        **_day_context(request, model_admin, _("Today")),
        "agenda": day,
        "as_of": day.as_of,
        "subject": subject,
        "own": own,
        "members": members,
        "feed_url": request.build_absolute_uri(
            reverse("activities_calendar_feed", args=(feed.token,))
        )
        if feed
        else "",
        "log_link": reverse("admin:touchpoints_touchpoint_add")
        + "?"
        + urlencode({"next": request.get_full_path()}),
        "headings": {
            n: _heading(n, getattr(day, n).total + (overdue_actions if n == "due" else 0))
            for n in SECTION_TITLES
        },
        "overdue_plan_actions": overdue_actions,
        "show_all": {n: _section_url(n, subject, viewer) for n in SECTION_TITLES},
        "deal_sections": [
            (
                n,
                getattr(day, n),
                _heading(n, getattr(day, n).total),
                _section_url(n, subject, viewer),
                empty,
            )
            for n, empty in DEAL_SECTIONS.items()
        ],  # fmt: skip
    }
    # The header reads "Today", not the task list's "Tasks › Tasks" (which it takes from opts).
    context.pop("opts", None)
    context["content_title"] = _("Today")
    request.current_app = model_admin.admin_site.name
    response = TemplateResponse(request, "admin/activities/task/today.html", context)
    response.add_post_render_callback(_without_indentation)
    return response


def today_section_view(request: HttpRequest, model_admin: Any, name: str) -> HttpResponse:
    """Every item of one section of the day ("show all" under a capped section), a page at a
    time in the same priority order."""
    if name not in SECTION_TITLES:
        raise Http404
    viewer, subject = request.user, _subject(request)
    page = _page_number(request.GET.get("page"))
    size = SECTION_PAGE_SIZE
    section = agenda_section(name, user=subject, actor=viewer, offset=(page - 1) * size, limit=size)
    pages = max(1, -(-section.total // size))
    if page > pages:  # past the end (the list shrank, or a typed URL): the last page
        return HttpResponseRedirect(_section_url(name, subject, viewer, pages))
    context = {
        **_day_context(request, model_admin, str(SECTION_TITLES[name])),
        "name": name,
        "section": section,
        "heading": _heading(name, section.total),
        "subject": subject,
        "own": subject.pk == viewer.pk,
        "as_of": timezone.localdate(),
        "page": page,
        "pages": pages,
        "last": section.offset + len(section),
        "previous_url": _section_url(name, subject, viewer, page - 1) if page > 1 else "",
        "next_url": _section_url(name, subject, viewer, page + 1) if page < pages else "",
        "back_url": reverse(TODAY)
        + ("" if subject.pk == viewer.pk else "?" + urlencode({"user": subject.pk})),
    }
    request.current_app = model_admin.admin_site.name
    response = TemplateResponse(request, "admin/activities/task/today_section.html", context)
    response.add_post_render_callback(_without_indentation)
    return response


def _page_number(value: Any) -> int:
    """``?page=``: a positive number, else the first page (a bad value is no error here)."""
    try:
        return max(1, min(int(value), 1_000_000))
    except (TypeError, ValueError):
        return 1


def _leads(user: Any) -> bool:
    return bool(user.sees_all_accounts or user.leads_team)


def task_log_view(request: HttpRequest, model_admin: Any, task_id: str) -> HttpResponse:
    """One click: log the touchpoint that completes the task, then back to where it came from,
    naming the date the next one is due. A GET (a bookmarked or reloaded URL) logs nothing and
    goes to Today instead of a bare "405"."""

    if request.method != "POST":
        return HttpResponseRedirect(reverse(TODAY))
    back = next_url(request, reverse(TODAY))
    task = _visible_task(request, task_id)
    form = OneClickLogForm(request.POST)
    if not form.is_valid():
        first = next(iter(form.errors.values()))[0]
        messages.error(request, _("Nothing logged: %(error)s") % {"error": first})
        return HttpResponseRedirect(back)
    if task.status != TaskStatus.OPEN:
        messages.warning(
            request, _("“%(task)s” was already closed.") % {"task": display_title(task)}
        )
        return HttpResponseRedirect(back)
    data = form.cleaned_data
    try:
        touchpoint = flows.touchpoint_logged(
            account=task.account,
            kind=data["kind"],
            occurred_at=timezone.now(),
            actor=request.user,
            notes=data["notes"] or "",
            cost=data["cost"],
            task=task,
        )
    except ApplicationError as exc:
        messages.error(request, service_error_text(exc))
        return HttpResponseRedirect(back)
    messages.success(request, logged_message(task, touchpoint))
    return HttpResponseRedirect(back)


def logged_message(task: Task, touchpoint: Any) -> str:
    done = _("%(kind)s logged for %(account)s; “%(task)s” is done.") % {
        "kind": touchpoint.get_kind_display(),
        "account": task.account.name,
        "task": display_title(task),
    }
    upcoming = next_open_task(task)
    if upcoming is None:
        return done
    return (
        done
        + " "
        + _("Next: “%(task)s” due %(date)s.")
        % {
            "task": display_title(upcoming),
            "date": upcoming.due_date.isoformat(),
        }
    )


def _visible_task(request: HttpRequest, task_id: Any) -> Task:
    try:
        pk = int(task_id)
    except (TypeError, ValueError):
        raise Http404 from None
    task = (
        visible_to(Task.objects.all(), request.user, prefix="account__")
        .select_related("account", "contact", "tier")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404
    return task


@require_POST
def calendar_reset_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    calendar_feed_reset(user=request.user)
    messages.success(
        request, _("Your calendar feed has a new address; the old one no longer works.")
    )
    return HttpResponseRedirect(reverse(TODAY) + "#calendar-feed")


# --- Compliance ---------------------------------------------------------------------------------


def period_bounds(code: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """First and last day of the named period around `today`."""
    month = today.replace(day=1)
    if code == "last_month":
        end = month - dt.timedelta(days=1)
        return end.replace(day=1), end
    if code in ("quarter", "last_quarter"):
        start = month.replace(month=3 * ((today.month - 1) // 3) + 1)
        if code == "last_quarter":
            end = start - dt.timedelta(days=1)
            return end.replace(month=3 * ((end.month - 1) // 3) + 1, day=1), end
        return start, add_months(start, 3) - dt.timedelta(days=1)
    return month, add_months(month, 1) - dt.timedelta(days=1)


def compliance_view(request: HttpRequest, model_admin: Any) -> HttpResponse:
    form = ComplianceForm(request.GET or None)
    code = form.cleaned_data.get("period") if form.is_valid() else ""
    code = code or "this_month"
    start, end = period_bounds(code, timezone.localdate())
    report = compliance(actor=request.user, start=start, end=end)
    context = {
        **_admin_context(model_admin, request, _("SOP compliance")),
        "form": form,
        "period": code,
        "periods": PERIODS,
        "start": start,
        "end": end,
        "report": report,
        # A KAM's "team" row would only repeat their own numbers.
        "per_team": _leads(request.user),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/activities/task/compliance.html", context)


# --- Plain URLs ---------------------------------------------------------------------------------


@require_GET
def calendar_feed_view(request: HttpRequest, token: str) -> HttpResponse:
    user = feed_user(token)
    if user is None:
        raise Http404

    def account_url(task: Task) -> str:
        return request.build_absolute_uri(
            reverse("admin:accounts_account_view_360", args=(task.account_id,))
        )

    body = tasks_calendar(user, account_url=account_url)
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="guanxi-tasks.ics"'
    response["Cache-Control"] = "private, max-age=300"
    return response


def today_redirect(request: HttpRequest) -> HttpResponse:
    return HttpResponseRedirect(reverse(TODAY))
