"""The case pages (客诉与服务请求): the list with its filters, and the case's page with the
life-cycle's buttons, the LSPCAS checklist, the timeline and solutions from the knowledge base.

A case is opened through `services.case_open` (its SLA policy and due times) and changed through
`case_update` / `case_compensation_set`; status moves and checklist ticks are small POSTs to the
services, so the audit history and the timeline name who did what. Categories, SLA policies and
solutions are in `admin_config` (managers edit them)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.loader import render_to_string
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter
from unfold.decorators import display

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.core.admin_mixins import ServiceRulesForm, service_error_text
from guanxi.core.errors import ApplicationError
from guanxi.service import admin_config, selectors, services, sla  # noqa: F401 (registers)
from guanxi.service.admin_filters import BreachedFilter, DueFilter, TierFilter
from guanxi.service.models import Case, CaseStatus
from guanxi.service.services import MOVES

#: What the page may change after opening (status and SLA move only by the buttons and the job).
EDITABLE = ("subject", "description", "category", "severity", "channel", "contact", "owner",
            "root_cause", "resolution")  # fmt: skip


class CaseForm(ServiceRulesForm):
    class Meta:
        model = Case
        fields = "__all__"

    def check_rules(self, obj: Case) -> None:
        if obj.account_id is None:
            return
        services.check_links(
            account=obj.account,
            contact=obj.contact,
            transaction=obj.transaction,
            owner=obj.owner if obj.owner_id else None,
        )


#: The buttons of the life-cycle name the action, not the status it leads to ("Reopen", not
#: "Reopened"); moving to "in progress" starts the work from a new case, resumes it otherwise.
MOVE_ACTIONS = {
    CaseStatus.ACKNOWLEDGED: pgettext_lazy("case move", "Acknowledge"),
    CaseStatus.IN_PROGRESS: pgettext_lazy("case move", "Resume handling"),
    CaseStatus.WAITING: pgettext_lazy("case move", "Wait on the customer"),
    CaseStatus.RESOLVED: pgettext_lazy("case move", "Resolve"),
    CaseStatus.CLOSED: pgettext_lazy("case move", "Close"),
    CaseStatus.REOPENED: pgettext_lazy("case move", "Reopen"),
}
START_ACTION = pgettext_lazy("case move", "Start handling")


def move_buttons(case: Case) -> list[tuple[str, str]]:
    """The moves the case's status allows, each as (target status, the action's label)."""
    starting = case.status in (CaseStatus.NEW, CaseStatus.ACKNOWLEDGED)
    return [
        (m, str(START_ACTION if starting and m == CaseStatus.IN_PROGRESS else MOVE_ACTIONS[m]))
        for m in MOVES[case.status]
    ]


def _sla_badge(breached: bool) -> str:
    """A green "on time" or red "late" badge (unfold's label), marked ``data-sla``.

    Rendered here: unfold draws ``@display(label=…)`` only in lists, and a read-only field of
    the form showed the bare tuple ("('ok', 'On time')")."""
    key, kind = ("late", "danger") if breached else ("ok", "success")
    text = pgettext_lazy("sla", "Late") if breached else pgettext_lazy("sla", "On time")
    badge = render_to_string("unfold/helpers/label.html", {"type": kind, "text": text})
    return format_html('<span data-sla="{}">{}</span>', key, badge)  # the template's safe HTML


@admin.register(Case)
class CaseAdmin(ScopedModelAdmin):
    form = CaseForm
    # Compact enough for a 1024 px screen without scrolling sideways: the subject and the
    # account cut to one line (the whole text on hover); kind, severity and the escalation
    # under the subject; the due time without the year. The opening time is the list's order
    # and the form's; escalation level and severity are filters too.
    list_display = ("number", "subject_display", "account_display", "status_badge", "owner",
                    "due_display", "sla")  # fmt: skip
    list_display_links = ("number", "subject_display")
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("kind", ChoicesDropdownFilter),
        BreachedFilter,
        DueFilter,
        ("owner", RelatedDropdownFilter),
        TierFilter,
        ("category", RelatedDropdownFilter),
        ("severity", ChoicesDropdownFilter),
        "escalation_level",
    )
    search_fields = ("subject", "account__name", "account__code")
    search_help_text = _("Case number, subject or the account's name or code")
    autocomplete_fields = ("account", "contact")
    raw_id_fields = ("transaction",)
    list_select_related = ("account", "owner")
    change_form_outer_after_template = "admin/service/case/after.html"

    def get_search_results(self, request: HttpRequest, queryset: Any, search_term: str):
        """A number (or #number) is a case number, matched exactly: "261" is case #261, not
        every case whose account code holds 261. Without such a case, the usual search."""
        number = search_term.strip().removeprefix("#")
        if number.isdigit():
            exact = queryset.filter(pk=int(number))
            if exact.exists():
                return exact, False
        return super().get_search_results(request, queryset, search_term)

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        opening = (("account", "contact"), ("kind", "channel"), ("category", "severity"),
                   "subject", "description", ("transaction", "owner"))  # fmt: skip
        if obj is None:
            return [(None, {"fields": opening})]
        return [
            (None, {"fields": opening}),
            (
                _("Outcome"),
                {"fields": ("root_cause", "resolution", ("compensation_cost", "rating"), "survey")},
            ),
            (
                _("SLA"),
                {
                    "classes": ["tab"],
                    "fields": (
                        ("status", "sla_policy"),
                        ("opened_at", "first_responded_at"),
                        ("first_response_due_at", "first_response_sla"),
                        ("resolution_due_at", "resolution_sla"),
                        ("resolved_at", "closed_at"),
                        ("escalation_level", "escalated_to", "escalated_at"),
                    ),
                },
            ),
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is None:
            return ()
        editable = {*EDITABLE, "compensation_cost"}
        names = [f.name for f in Case._meta.fields if f.name not in editable]
        return (*names, "first_response_sla", "resolution_sla")

    # On time is green and late red: the bare booleans drew "not late" as a red cross.
    @display(description=_("first response SLA"))
    def first_response_sla(self, obj: Case) -> str:
        return _sla_badge(obj.first_response_breached)

    @display(description=_("resolution SLA"))
    def resolution_sla(self, obj: Case) -> str:
        return _sla_badge(obj.resolution_breached)

    @display(description=_("subject"), ordering="subject")
    def subject_display(self, obj: Case) -> str:
        about = [obj.get_kind_display(), obj.get_severity_display()]
        if obj.escalation_level:
            about.append(f"↑ {obj.get_escalation_level_display()}")
        return format_html(
            '<span class="block truncate" style="max-width: 10rem" title="{}" data-subject>{}'
            '</span><span class="block text-xs text-font-subtle-light '
            'dark:text-font-subtle-dark" data-escalation="{}">{}</span>',
            obj.subject, obj.subject, obj.escalation_level, " · ".join(str(a) for a in about),
        )  # fmt: skip

    @display(description=_("account"), ordering="account__name")
    def account_display(self, obj: Case) -> str:
        name = obj.account.name
        return format_html(
            '<span class="block truncate" style="max-width: 8rem" title="{}">{}</span>', name, name
        )

    @display(description=_("resolution due"), ordering="resolution_due_at")
    def due_display(self, obj: Case) -> str:
        if obj.resolution_due_at is None:
            return "—"
        local = timezone.localtime(obj.resolution_due_at)
        this_year = local.year == timezone.localdate().year
        return format_html(
            '<span class="whitespace-nowrap" title="{}">{}</span>',
            f"{local:%Y-%m-%d %H:%M}", f"{local:%m-%d %H:%M}" if this_year else f"{local:%Y-%m-%d}",
        )  # fmt: skip

    @display(description=_("No."), ordering="id")
    def number(self, obj: Case) -> str:
        return f"#{obj.pk}"

    @display(
        description=_("status"),
        ordering="status",
        label={
            CaseStatus.NEW: "danger",
            CaseStatus.REOPENED: "danger",
            CaseStatus.ACKNOWLEDGED: "warning",
            CaseStatus.IN_PROGRESS: "info",
            CaseStatus.WAITING: "info",
            CaseStatus.RESOLVED: "success",
            CaseStatus.CLOSED: "success",
        },
    )
    def status_badge(self, obj: Case) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @display(description=_("SLA"), label={"late": "danger", "ok": "success"})
    def sla(self, obj: Case) -> tuple[str, str] | str:
        if sla.is_late(obj, timezone.now()):
            return "late", str(_("Breached"))
        return "ok", str(_("Within SLA"))

    def save_model(self, request: HttpRequest, obj: Case, form: Any, change: bool) -> None:
        if not change:
            data = form.cleaned_data
            case = services.case_open(
                actor=request.user, account=data["account"], kind=data["kind"],
                subject=data["subject"], description=data.get("description") or "",
                contact=data.get("contact"), channel=data["channel"],
                category=data.get("category"), severity=data["severity"],
                transaction=data.get("transaction"), owner=data.get("owner"),
            )  # fmt: skip
            obj.pk = case.pk
            obj._state.adding = False
            return
        changed = {name: form.cleaned_data[name] for name in EDITABLE if name in form.changed_data}
        if changed:
            services.case_update(actor=request.user, case=obj.pk, **changed)
        if "compensation_cost" in form.changed_data:
            services.case_compensation_set(
                actor=request.user, case=obj.pk, amount=form.cleaned_data["compensation_cost"]
            )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is None and "owner" in form.base_fields:
            form.base_fields["owner"].required = False
            form.base_fields["owner"].help_text = _("Empty: the account's KAM.")
        if "opened_at" in form.base_fields:
            form.base_fields["opened_at"].required = False
        return form

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None):  # fmt: skip
        extra_context = extra_context or {}
        case = self.get_object(request, unquote(object_id))
        if case is not None:
            extra_context.update(
                case_moves=move_buttons(case),
                case_checklist=selectors.checklist(case),
                case_steps_open=case.status != CaseStatus.CLOSED,
                case_timeline=selectors.timeline(case),
                case_solutions=selectors.suggested_solutions(case),
                rating_choices=range(1, 6),
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_urls(self):
        custom = [
            path("<path:object_id>/move/", self.admin_site.admin_view(self.move_view),
                 name="service_case_move"),
            path("<path:object_id>/step/", self.admin_site.admin_view(self.step_view),
                 name="service_case_step"),
        ]  # fmt: skip
        return custom + super().get_urls()

    def _posted_case(self, request: HttpRequest, object_id: str) -> Case:
        case = self.get_object(request, unquote(object_id))
        if case is None or not self.has_change_permission(request, case):
            raise Http404
        return case

    def move_view(self, request: HttpRequest, object_id: str):
        """A button of the life-cycle: the service moves the case (or says why not)."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._posted_case(request, object_id)
        post = request.POST
        rating = post.get("rating") or None
        try:
            services.case_transition(
                actor=request.user,
                case=case.pk,
                to=post.get("to", ""),
                note=post.get("note", "").strip(),
                resolution=post.get("resolution") if "resolution" in post else None,
                root_cause=post.get("root_cause") if "root_cause" in post else None,
                rating=int(rating) if rating and rating.isdigit() else None,
            )
        except ApplicationError as exc:
            messages.error(request, service_error_text(exc))
        else:
            messages.success(request, _("The case has moved on."))
        return HttpResponseRedirect(reverse("admin:service_case_change", args=(case.pk,)))

    def step_view(self, request: HttpRequest, object_id: str):
        """Tick or untick an LSPCAS step."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        case = self._posted_case(request, object_id)
        try:
            services.case_step_mark(
                actor=request.user,
                case=case.pk,
                step=request.POST.get("step", ""),
                done=request.POST.get("done", "1") == "1",
                note=request.POST.get("note", "")[:300],
            )
        except ApplicationError as exc:
            messages.error(request, service_error_text(exc))
        return HttpResponseRedirect(reverse("admin:service_case_change", args=(case.pk,)))
