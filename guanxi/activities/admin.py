"""Tasks (待办) and touchpoints (客户接触点) in the admin, plus the Today and compliance pages.

Both lists are scoped to the accounts the user may see (`ScopedModelAdmin`). Touchpoints are
saved through `touchpoint_log`, so logging one from the form completes its task and schedules
the next, exactly as the one-click buttons on Today and the API do.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import display

from guanxi.accounts.admin_base import ScopedModelAdmin, ScopedQuerysetMixin, visible_contacts
from guanxi.activities import views
from guanxi.activities.display import display_title, one_click_kind
from guanxi.activities.forms import (
    CancelForm,
    MarkDoneForm,
    TouchpointForm,
    follow_account,
    limit_to_account,
)
from guanxi.activities.models import Task, TaskSource, TaskStatus
from guanxi.activities.policy import task_role_label
from guanxi.activities.selectors import (
    fulfilled_task,
    policy_tasks_due,
    sop_outcome,
    tasks_for,
)
from guanxi.activities.services import task_cancel, task_reschedule
from guanxi.core.admin_mixins import (
    ColleagueDropdownFilter,
    LocalDateRangeFilter,
    RoleAccessMixin,
    is_manager,
    service_error_text,
)
from guanxi.core.errors import ApplicationError
from guanxi.touchpoints.models import Touchpoint
from guanxi.workspace import flows


class OverdueFilter(admin.SimpleListFilter):
    title = gettext_lazy("due")
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [
            ("overdue", gettext_lazy("Overdue")),
            ("today", gettext_lazy("Due today")),
            ("week", gettext_lazy("Next 7 days")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        today = timezone.localdate()
        open_ = queryset.filter(status=TaskStatus.OPEN)
        if self.value() == "overdue":
            return open_.filter(due_date__lt=today)
        if self.value() == "today":
            return open_.filter(due_date=today)
        if self.value() == "week":
            return open_.filter(due_date__gt=today, due_date__lte=today + dt.timedelta(days=7))
        return queryset


class SopOutcomeFilter(admin.SimpleListFilter):
    """The policy tasks due this month by how they stand (on time, late, overdue and open): the
    list behind each part of the dashboard's SOP compliance chart (`activities.selectors.
    compliance`'s own conditions). Links pair it with ``status__exact=all``."""

    title = gettext_lazy("SOP compliance this month")
    parameter_name = "sop"
    CHOICES = ("on_time", "late", "open_overdue")

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        labels = (gettext_lazy("On time"), gettext_lazy("Late"),
                  gettext_lazy("Overdue, still open"))  # fmt: skip
        return list(zip(self.CHOICES, labels, strict=True))

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() not in self.CHOICES:
            return queryset
        today = timezone.localdate()
        due = policy_tasks_due(queryset, today.replace(day=1), today)
        return due.filter(sop_outcome(self.value(), today))


class TaskStatusFilter(DropdownFilter):
    """Status, open by default: the list is a to-do list; "all" shows the closed ones too.
    Keeps the ``status__exact`` parameter of the field filter it replaces (links use it)."""

    title = gettext_lazy("status")
    parameter_name = "status__exact"
    all_option = None  # "all" is an explicit choice: no parameter means open
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [(self.ALL, gettext_lazy("All")), *TaskStatus.choices]

    def value(self) -> str:
        value = super().value()
        valid = {self.ALL, *TaskStatus.values}
        return value if value in valid else TaskStatus.OPEN

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


class MineFilter(admin.SimpleListFilter):
    title = gettext_lazy("assignee")
    parameter_name = "mine"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("1", gettext_lazy("Mine")), ("0", gettext_lazy("Others'"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "1":
            return queryset.filter(assignee=request.user)
        if self.value() == "0":
            return queryset.exclude(assignee=request.user)
        return queryset


@admin.register(Task)
class TaskAdmin(ScopedQuerysetMixin, RoleAccessMixin, ModelAdmin):
    """Tasks keep no simple-history table (their status, completion and cancel reason are the
    record), so this is ScopedModelAdmin without the history mixins; the admin's own log and
    history page still apply, scoped like the rest."""

    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    list_display = ("due_display", "title_display", "account_link", "kind", "assignee",
                    "status_display", "tier", "source")  # fmt: skip
    list_display_links = ("title_display",)
    list_select_related = ("account", "assignee", "tier", "contact")
    list_filter = (
        TaskStatusFilter,
        ("kind", ChoicesDropdownFilter),
        OverdueFilter,
        MineFilter,
        ("assignee", ColleagueDropdownFilter),
        ("source", ChoicesDropdownFilter),
        SopOutcomeFilter,
    )
    search_fields = ("title", "account__name", "account__code")
    ordering = ("due_date", "id")
    actions = ["mark_done", "cancel_tasks"]
    readonly_fields = ("account", "assignee", "kind", "source", "tier", "key", "contact",
                       "role_display", "budget", "status", "completed_at", "cancelled_at",
                       "cancel_reason", "created_at")  # fmt: skip
    fields = ("title", "due_date", "notes", *readonly_fields)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        # Policy tasks come from the policy engine; follow-ups from a touchpoint or the API.
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Cancel with a reason instead, so compliance keeps the record.
        return is_manager(request) and super().has_delete_permission(request, obj)

    @display(description=gettext_lazy("due"), ordering="due_date")
    def due_display(self, obj: Task) -> str:
        overdue = obj.status == TaskStatus.OPEN and obj.due_date < timezone.localdate()
        if overdue:
            return format_html('<span class="text-red-600 font-medium">{}</span>', obj.due_date)
        return str(obj.due_date)

    @display(description=pgettext_lazy("heading", "title"), ordering="title")
    def title_display(self, obj: Task) -> str:
        return display_title(obj)  # policy tasks in the reader's language

    @display(description=gettext_lazy("to be done by"))
    def role_display(self, obj: Task) -> str:
        return task_role_label(obj) or "—"

    @display(description=gettext_lazy("account"), ordering="account__name")
    def account_link(self, obj: Task) -> str:
        url = reverse("admin:accounts_account_view_360", args=(obj.account_id,))
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, obj.account.name)

    @display(
        description=gettext_lazy("status"),
        label={TaskStatus.OPEN: "info", TaskStatus.DONE: "success", TaskStatus.CANCELLED: "danger"},
    )
    def status_display(self, obj: Task) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(self.readonly_fields)
        if obj is not None and (obj.source != TaskSource.MANUAL or obj.status != TaskStatus.OPEN):
            # Policy tasks follow the tier's cadence from the last touchpoint; closed ones are
            # history. Neither is moved or renamed by hand.
            fields = (*fields, "title_display", "due_date")
        return fields

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(self.fields)
        if obj is not None and "title_display" in self.get_readonly_fields(request, obj):
            # A read-only title is shown in the reader's language (policy titles are stored in
            # the site language).
            fields = tuple("title_display" if f == "title" else f for f in fields)
        return fields

    def render_change_form(self, request: HttpRequest, context: dict, add: bool = False,
                           change: bool = False, form_url: str = "", obj: Any = None):  # fmt: skip
        if obj is not None and obj.source != TaskSource.MANUAL:
            # The page heading and breadcrumb print the task (its stored, site-language title):
            # show a copy titled in the reader's language; the saved row keeps its title.
            shown = copy.copy(obj)
            shown.title = display_title(obj)
            context = {**context, "original": shown, "subtitle": str(shown)}
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request: HttpRequest, obj: Task, form: Any, change: bool) -> None:
        if change and "due_date" in form.changed_data:
            task_reschedule(task=Task.objects.get(pk=obj.pk), due_date=obj.due_date,
                            actor=request.user)  # fmt: skip
        super().save_model(request, obj, form, change)

    # --- actions ------------------------------------------------------------------------------

    @admin.action(description=gettext_lazy("Mark done (logs a touchpoint)"))
    def mark_done(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = MarkDoneForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return self._ask(request, queryset, form, _("Mark done"), "mark_done")
        done = 0
        for task in queryset.filter(status=TaskStatus.OPEN).select_related("account"):
            kind = form.cleaned_data["kind"] or one_click_kind(task)
            try:
                flows.touchpoint_logged(account=task.account, kind=kind,
                                        occurred_at=timezone.now(), actor=request.user,
                                        task=task)  # fmt: skip
                done += 1
            except ApplicationError as exc:
                messages.error(request, f"{display_title(task)}: {service_error_text(exc)}")
        if done:
            messages.success(request, _("%(n)s task(s) done, touchpoints logged.") % {"n": done})
        return None

    @admin.action(description=gettext_lazy("Cancel, with a reason"))
    def cancel_tasks(self, request: HttpRequest, queryset: QuerySet) -> HttpResponse | None:
        form = CancelForm(request.POST if "apply" in request.POST else None)
        if not form.is_bound or not form.is_valid():
            return self._ask(request, queryset, form, _("Cancel tasks"), "cancel_tasks")
        n = 0
        for task in queryset.filter(status=TaskStatus.OPEN):
            try:
                task_cancel(task=task, reason=form.cleaned_data["reason"], actor=request.user)
                n += 1
            except ApplicationError as exc:
                messages.error(request, f"{display_title(task)}: {service_error_text(exc)}")
        if n:
            messages.success(request, _("%(n)s task(s) cancelled.") % {"n": n})
        return None

    def _ask(self, request: HttpRequest, queryset: QuerySet, form: Any, title: str,
             action: str) -> HttpResponse:  # fmt: skip
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            "form": form,
            "tasks": [
                {"task": t, "title": display_title(t)}
                for t in queryset.select_related("account", "contact", "tier")[:200]
            ],
            "action": action,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "select_across": request.POST.get("select_across", "0"),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/activities/task/action_form.html", context)

    # --- pages --------------------------------------------------------------------------------

    def get_urls(self):
        def wrap(view):
            def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                return view(request, self, *args, **kwargs)

            return self.admin_site.admin_view(page)

        urls = [
            path("today/", wrap(views.today_view), name="activities_task_today"),
            path(
                "today/<str:name>/",
                wrap(views.today_section_view),
                name="activities_task_today_section",
            ),  # fmt: skip
            path("compliance/", wrap(views.compliance_view), name="activities_task_compliance"),
            path(
                "calendar/reset/",
                wrap(views.calendar_reset_view),
                name="activities_task_calendar_reset",
            ),  # fmt: skip
            path("<str:task_id>/log/", wrap(views.task_log_view), name="activities_task_log"),
        ]
        return urls + super().get_urls()


@admin.register(Touchpoint)
class TouchpointAdmin(ScopedModelAdmin):
    form = TouchpointForm
    list_display = ("occurred_at", "account", "kind", "subject", "cost", "by", "task_display")
    list_select_related = (
        "account", "logged_by", "fulfilled_task", "fulfilled_task__contact",
        "fulfilled_task__tier",
    )  # fmt: skip
    list_filter = (
        ("kind", ChoicesDropdownFilter),
        ("occurred_at", LocalDateRangeFilter),
        ("logged_by", ColleagueDropdownFilter),
    )
    search_fields = ("subject", "notes", "account__name", "account__code")
    # No date drill-down (a DISTINCT over every touchpoint's month): the date range filter does it.
    autocomplete_fields = ()
    filter_horizontal = ()

    @display(description=gettext_lazy("by"), ordering="logged_by__username")
    def by(self, obj: Touchpoint) -> str:
        # Chinese names must not wrap one character per line in a narrow column.
        return format_html('<span class="whitespace-nowrap">{}</span>', obj.logged_by or "—")

    @display(description=gettext_lazy("fulfils task"))
    def task_display(self, obj: Touchpoint) -> str:
        task = fulfilled_task(obj)
        if task is None:
            return "—"
        return f"{display_title(task)} · {task.due_date.isoformat()}"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A touchpoint completed a task and counts as cost to serve: only managers remove one.
        return is_manager(request) and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None:
            # What happened, with whom and for which task is fixed once logged; notes can grow.
            return ("account", "kind", "occurred_at", "task_display", "logged_by", "created_at")
        return ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        fields = ["account", "kind", "occurred_at", "contacts", "subject", "notes", "cost"]
        if obj is not None:
            return [*fields, "task_display", "logged_by", "created_at"]
        return [*fields, "task"]

    def _account_id(self, request: HttpRequest, obj: Any) -> int | None:
        if obj is not None:
            return obj.account_id
        raw = request.POST.get("account") or request.GET.get("account")
        try:
            return int(raw) if raw else None
        except ValueError:
            return None

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        account_id = self._account_id(request, obj)
        tasks = self.get_task_queryset(request, account_id)
        contacts = visible_contacts(request.user)

        follow = reverse("admin:touchpoints_touchpoint_add") if obj is None else ""

        class ScopedForm(form):
            def __init__(self, *args: Any, **kw: Any) -> None:
                super().__init__(*args, **kw)
                limit_to_account(self, account_id, contacts, tasks)
                if follow:
                    follow_account(self, follow)

        return ScopedForm

    def get_task_queryset(self, request: HttpRequest, account_id: int | None = None) -> QuerySet:
        """Open tasks the touchpoint may fulfil: every visible open task of the chosen account,
        or, before an account is chosen, the user's own open tasks (not a whole company's)."""

        if account_id:
            return tasks_for(request.user, assignee=None, account_id=account_id)
        return tasks_for(request.user, assignee=True)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("occurred_at", timezone.now())
        return initial

    def save_model(self, request: HttpRequest, obj: Touchpoint, form: Any, change: bool) -> None:
        if change:
            super().save_model(request, obj, form, change)
            return

        data = form.cleaned_data
        logged = flows.touchpoint_logged(
            account=data["account"],
            kind=data["kind"],
            occurred_at=data["occurred_at"],
            actor=request.user,
            contacts=list(data.get("contacts") or ()),
            subject=data.get("subject") or "",
            notes=data.get("notes") or "",
            cost=data.get("cost"),
            task=data.get("task"),
        )
        # The admin goes on with `obj` (message, redirect): make it the row just logged.
        obj.pk = logged.pk
        obj._state.adding = False
        obj._logged = logged

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        if change:
            super().save_related(request, form, formsets, change)
            flows.touchpoint_saved(touchpoint=form.instance)
        # New touchpoints: touchpoint_log already linked the contacts.

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ApplicationError as exc:
            # A rule the form could not see (e.g. the task closed meanwhile): say so.
            messages.error(request, service_error_text(exc))
            return HttpResponseRedirect(request.get_full_path())

    def response_add(self, request: HttpRequest, obj: Touchpoint, post_url_continue=None):
        target = request.GET.get("next", "")
        logged = getattr(obj, "_logged", obj)
        done = fulfilled_task(logged)
        if done is not None:
            messages.success(request, views.logged_message(done, logged))
            # One message is enough: ours names the task done and the next one due.
            request._touchpoint_message_sent = True
        if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            if done is None:
                messages.success(request, _("Touchpoint logged: %(tp)s") % {"tp": logged})
            return HttpResponseRedirect(target)
        return super().response_add(request, obj, post_url_continue)

    def message_user(self, request: HttpRequest, message: Any, level: int = messages.INFO,
                     *args: Any, **kwargs: Any) -> None:  # fmt: skip
        if level == messages.SUCCESS and getattr(request, "_touchpoint_message_sent", False):
            return  # the admin's "was added successfully" after our own message
        super().message_user(request, message, level, *args, **kwargs)
