"""The deal list and form. Every write goes through `pipeline.services`: a new deal through
`opportunity_create`, a change through `opportunity_update`, a stage chosen in the form through
`opportunity_move` (so the stage log, won and lost rules and the expected revenue never get
skipped), and each event line through the line services (the amount follows the lines). The
form runs the services' rules first (`check_rules`), so a broken rule is a field error."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    RangeDateFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.accounts.selectors import accounts_visible_to, users_who_see
from guanxi.accounts.services import assignable_owners
from guanxi.core.admin_mixins import (
    ColleagueDropdownFilter,
    ScopedTabularInline,
    ServiceRulesForm,
)
from guanxi.core.errors import InvalidInput
from guanxi.core.formatting import money
from guanxi.core.models import Role, User
from guanxi.imports.admin_rows import export_actions, row_import_page
from guanxi.pipeline import rules, services
from guanxi.pipeline.models import (
    ExpectedRevenue,
    Opportunity,
    OpportunityLine,
    Outcome,
    Stage,
    StageChange,
)
from guanxi.pipeline.selectors import (
    default_pipeline,
    expected_with_booked,
    first_open_stage,
    stage_times,
)

OUTCOME_COLOURS = {Outcome.OPEN: "info", Outcome.WON: "success", Outcome.LOST: "danger"}
#: What the form passes to opportunity_update (the stage and lines go their own way).
UPDATE_FIELDS = (
    "name", "opportunity_type", "amount", "amount_from_lines", "probability", "expected_close",
    "next_step", "next_step_on", "competitor", "source", "campaign", "notes", "event_start",
    "event_end", "attendees", "code",
)  # fmt: skip
CLOSE_FIELDS = ("closed_on", "lost_reason", "lost_note")


def amount_cell(value: Any) -> SafeString:
    """A list cell with the amount in whole yuan (¥95,516), right-aligned so the digits line
    up (the deal list and the sales targets)."""
    return format_html('<span class="block text-right tabular-nums" data-money>{}</span>',
                       money(value))  # fmt: skip


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    days, rest = divmod(int(seconds), 86400)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": rest // 3600}
    return _("%(h)s h %(m)s min") % {"h": rest // 3600, "m": rest % 3600 // 60}


SALES_PEOPLE = Q(is_active=True, is_staff=True, is_superuser=False) & ~Q(role=Role.ADMIN)


def owner_choices(actor: User, obj: Opportunity | None) -> QuerySet[User]:
    """Whom the owner drop-down offers (rules.resolve_owner's rule): whom the actor may assign
    accounts to, and on a deal also the account's owner and the current owner — of those, on a
    deal, only users who see its account. Sales people only: not a superuser or administrator
    who sells nothing (the demo's "admin" was offered), unless the deal is theirs already."""
    allowed = assignable_owners(actor, User.objects.filter(SALES_PEOPLE))
    if obj is None:
        return allowed.order_by("username")
    q = Q(pk__in=users_who_see(obj.account).values("pk")) & (
        Q(pk__in=allowed.values("pk")) | Q(pk__in=[actor.pk, obj.account.owner_id])
    )
    return User.objects.filter((q & SALES_PEOPLE) | Q(pk=obj.owner_id)).order_by("username")


class OpportunityForm(ServiceRulesForm):
    """Runs the services' rules on what was entered; the services then save it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "probability" in self.fields:
            self.fields["probability"].required = False  # empty: the stage's default
        if "stage" in self.fields and self.instance.pk is None:
            self.fields["stage"].required = False  # empty: the first open stage

    def _get_validation_exclusions(self) -> set[str]:
        # The close rules are the services' (check_closing names the field and says what to do).
        return {*super()._get_validation_exclusions(), "lost_reason", "closed_on"}

    def check_rules(self, obj: Opportunity) -> None:
        data, actor = self.cleaned_data, self.actor
        adding = obj._state.adding
        account = data.get("account") or (obj.account if obj.account_id else None)
        if account is None:
            return
        if not adding and "account" in self.changed_data and obj.outcome != Outcome.OPEN:
            raise InvalidInput(_("A won or lost deal stays with its account; reopen it to "
                                 "move it."), field="account")  # fmt: skip
        if adding or {"owner", "account"} & set(self.changed_data):
            keep = None if adding else self.initial.get("owner")
            rules.resolve_owner(actor=actor, account=account, owner=data.get("owner"), keep=keep)
        rules.resolve_contacts(account, data.get("contacts") or ())
        stage = data.get("stage") or first_open_stage(default_pipeline())
        rules.resolve_stage(stage, pipeline=None if adding else obj.pipeline)
        if not adding and stage.pk == self.initial.get("stage"):
            changed = {f: data.get(f) for f in CLOSE_FIELDS if f in self.changed_data}
            rules.check_closing_fields(obj.outcome, changed)
        if stage.outcome == Outcome.LOST and not data.get("lost_reason"):
            raise InvalidInput(_("Choose why the deal was lost."), field="lost_reason")
        rules.check_close_date(data.get("closed_on"))


class LineInline(ScopedTabularInline):
    model = OpportunityLine
    extra = 0
    tab = True
    fields = ("kind", "day", "category", "quantity", "unit_price", "description", "line_total")
    readonly_fields = ("line_total",)
    verbose_name_plural = gettext_lazy("Event lines")

    @display(description=gettext_lazy("total (CNY)"))
    def line_total(self, obj: OpportunityLine) -> str:
        if obj.pk is None:
            return "—"
        return f"{obj.total:,.2f}"


class ReadOnlyInline(ScopedTabularInline):
    extra = 0
    tab = True
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class StageLogInline(ReadOnlyInline):
    model = StageChange
    fields = ("from_stage", "to_stage", "changed_at", "actor", "time_in_stage")
    readonly_fields = fields
    ordering = ("changed_at", "id")
    verbose_name_plural = gettext_lazy("Stage log")

    @display(description=gettext_lazy("time in the stage left"))
    def time_in_stage(self, obj: StageChange) -> str:
        return duration_text(obj.seconds_in_from_stage)


class ExpectedRevenueInline(ReadOnlyInline):
    """What the won deal should bring by month and category, beside what the ledger then shows
    on the account (seed 000's 联动: did the meeting bring the rooms and the F&B?)."""

    model = ExpectedRevenue
    fields = ("month", "category", "amount", "booked")
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return expected_with_booked(super().get_queryset(request))

    @display(description=gettext_lazy("booked on the account"))
    def booked(self, obj: ExpectedRevenue) -> str:
        return money(obj.booked) if obj.booked is not None else "—"


def _deal_file_format():
    # deferred: the file format's module is the importer's, which loads polars
    from guanxi.pipeline.importer import OPPORTUNITIES, opportunity_export_rows

    return OPPORTUNITIES, opportunity_export_rows


@admin.register(Opportunity)
class OpportunityAdmin(ScopedModelAdmin):
    form = OpportunityForm
    actions = export_actions(_deal_file_format)
    list_display = ("name", "account", "opportunity_type", "stage_display", "amount_display",
                    "probability_display", "expected_close", "owner", "next_step_on")  # fmt: skip
    list_select_related = ("account", "stage", "owner")
    list_filter = (
        ("outcome", ChoicesDropdownFilter),
        ("stage", RelatedDropdownFilter),
        ("opportunity_type", ChoicesDropdownFilter),
        ("owner", ColleagueDropdownFilter),
        ("expected_close", RangeDateFilter),
    )
    search_fields = ("name", "code", "account__name", "account__code")
    search_help_text = gettext_lazy("Deal name, or the account's name or code")
    # Latest close first: the open deals (closing ahead) come before the years of closed ones.
    ordering = ("-expected_close", "-id")
    autocomplete_fields = ("account",)
    filter_horizontal = ()
    inlines = (LineInline, StageLogInline, ExpectedRevenueInline)
    # The predicted chance of winning beside the stage's, with its reasons (pipeline_odds).
    change_form_after_template = "admin/pipeline/opportunity/odds_after.html"
    readonly_fields = ("outcome", "stage_changed_at", "predicted_probability", "created_at",
                       "updated_at", "cycle_time")  # fmt: skip
    fieldsets = (
        (None, {"fields": (("account", "name"), ("opportunity_type", "owner"),
                           ("stage", "probability"), ("amount", "amount_from_lines"),
                           "expected_close", ("next_step", "next_step_on"), "contacts")}),
        (gettext_lazy("Event"), {"classes": ["tab"],
                                 "fields": (("event_start", "event_end"), "attendees")}),
        (gettext_lazy("Source and competition"), {"classes": ["tab"],
                                                  "fields": (("source", "campaign"),
                                                             "competitor", "notes")}),
        (gettext_lazy("Won or lost"), {"classes": ["tab"],
                                       "fields": ("outcome", "closed_on", "lost_reason",
                                                  "lost_note")}),
        (gettext_lazy("Record"), {"classes": ["tab"],
                                  "fields": ("code", "cycle_time", "stage_changed_at",
                                             "predicted_probability",
                                             ("created_at", "updated_at"))}),
    )  # fmt: skip

    @display(description=gettext_lazy("time in each stage"))
    def cycle_time(self, obj: Opportunity) -> str:
        if obj.pk is None:
            return "—"
        return format_html_join(
            " · ", '<span data-stage-time="{}">{}: {}</span>',
            ((t.stage.pk, t.stage, duration_text(t.seconds)) for t in stage_times(obj)),
        )  # fmt: skip

    @display(description=gettext_lazy("stage"), ordering="stage__position",
             label=OUTCOME_COLOURS)  # fmt: skip
    def stage_display(self, obj: Opportunity) -> tuple[str, str]:
        return obj.outcome, str(obj.stage)

    @display(description=gettext_lazy("amount"), ordering="amount")
    def amount_display(self, obj: Opportunity) -> SafeString:
        return amount_cell(obj.amount)

    @display(description=gettext_lazy("probability"), ordering="probability")
    def probability_display(self, obj: Opportunity) -> SafeString:
        return format_html('<span class="block text-right tabular-nums" data-percent>{}%</span>',
                           obj.probability)  # fmt: skip

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "owner":
            kwargs["queryset"] = User.objects.filter(SALES_PEOPLE)
        elif db_field.name == "stage":
            kwargs["queryset"] = Stage.objects.filter(active=True).select_related("pipeline")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        contacts = form.base_fields.get("contacts")
        if contacts is not None and obj is not None:
            contacts.queryset = obj.account.contacts.all()  # the account's people only
        elif contacts is not None:
            contacts.queryset = contacts.queryset.filter(
                account__in=accounts_visible_to(request.user)
            )
        owner = form.base_fields.get("owner")
        if owner is not None:
            owner.queryset = owner_choices(request.user, obj)
        stage = form.base_fields.get("stage")
        if stage is not None and obj is not None:
            stage.queryset = stage.queryset.filter(pipeline_id=obj.pipeline_id)
            stage.help_text = _("Choosing another stage moves the deal: the move is logged, "
                                "and a lost deal needs a lost reason.")  # fmt: skip
        return form

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("owner", request.user.pk)
        return initial

    # --- saving through the services ----------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Opportunity, form: Any, change: bool) -> None:
        data, actor = form.cleaned_data, request.user
        if not change:
            saved = services.opportunity_create(
                actor=actor, account=data["account"], name=data["name"],
                expected_close=data["expected_close"],
                opportunity_type=data["opportunity_type"], amount=data.get("amount") or 0,
                stage=data.get("stage"), owner=data.get("owner"),
                contacts=data.get("contacts") or (),
                **{f: data[f] for f in UPDATE_FIELDS + CLOSE_FIELDS
                   if f in data and f not in {"name", "opportunity_type", "amount",
                                              "expected_close"} and data[f] not in (None, "")},
            )  # fmt: skip
        else:
            saved = self._save_change(request, obj, form)
        obj.pk, obj._state.adding = saved.pk, False
        obj._state.db = saved._state.db

    def _save_change(self, request: HttpRequest, obj: Opportunity, form: Any) -> Opportunity:
        data, changed = form.cleaned_data, set(form.changed_data)
        stage_moved = "stage" in changed and data["stage"].pk != form.initial.get("stage")
        fields = {f: data[f] for f in UPDATE_FIELDS if f in changed}
        if data.get("amount_from_lines"):
            fields.pop("amount", None)  # the lines decide it
        if "probability" in fields and fields["probability"] is None:
            fields.pop("probability")
        if not stage_moved:
            fields.update({f: data[f] for f in CLOSE_FIELDS if f in changed})
        extra = {"account": data["account"]} if "account" in changed else {}
        if "owner" in changed:
            extra["owner"] = data["owner"]
        saved = services.opportunity_update(actor=request.user, opportunity=obj.pk,
                                            contacts=data.get("contacts") or (), **extra,
                                            **fields)  # fmt: skip
        if stage_moved:
            saved = services.opportunity_move(
                actor=request.user, opportunity=obj.pk, stage=data["stage"],
                lost_reason=data.get("lost_reason"), lost_note=data.get("lost_note") or "",
                closed_on=data.get("closed_on"),
                probability=data["probability"] if "probability" in changed else None,
            )  # fmt: skip
        return saved

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # Contacts were set by the service (no form.save_m2m); lines go through their services.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # What the change message reads (Django's formset.save() would set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.model is not OpportunityLine:
            return  # the stage log and expected revenue are read-only
        for line_form in formset.forms:
            deleting = formset._should_delete_form(line_form)
            if not line_form.has_changed() and not deleting:
                continue
            self._save_line(request, form.instance.pk, formset, line_form, deleting)

    def _save_line(self, request: HttpRequest, opportunity: int, formset: Any, line_form: Any,
                   deleting: bool) -> None:  # fmt: skip
        line, data = line_form.instance, line_form.cleaned_data
        values = {f: data.get(f) for f in ("kind", "day", "category", "quantity", "unit_price",
                                           "description")}  # fmt: skip
        values["description"] = values["description"] or ""
        if deleting:
            if line.pk is not None:
                services.opportunity_line_delete(actor=request.user, line=line.pk)
                formset.deleted_objects.append(line)
        elif line.pk is None:
            added = services.opportunity_line_add(actor=request.user, opportunity=opportunity,
                                                  **values)  # fmt: skip
            formset.new_objects.append(added)
        else:
            services.opportunity_line_update(actor=request.user, line=line.pk, **values)
            formset.changed_objects.append((line, line_form.changed_data))

    # --- deleting: open deals only, one by one through the service ---------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Won and lost deals are kept for the win/loss figures (the service refuses them too).
        if isinstance(obj, Opportunity) and obj.outcome != Outcome.OPEN:
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would skip the service's rule
        return actions

    def delete_model(self, request: HttpRequest, obj: Opportunity) -> None:
        services.opportunity_delete(actor=request.user, opportunity=obj.pk)

    # --- importing a file of deals -------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="pipeline_opportunity_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> TemplateResponse:
        # deferred: the importer loads polars, which only this page needs
        from guanxi.pipeline.importer import OPPORTUNITIES, opportunity_import

        if not self.has_add_permission(request):
            raise PermissionDenied
        return row_import_page(request, self, spec=OPPORTUNITIES, run=opportunity_import,
                               title=_("Import opportunities"))  # fmt: skip
