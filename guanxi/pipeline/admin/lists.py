"""The pipeline's lists kept as data — pipelines with their stages, lost reasons — which every
staff user may read and managers change, and sales targets: managers set any, a team lead those
of the team's KAMs (`pipeline.targets`), each saved through `sales_target_set`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.decorators import display

from guanxi.core.admin_mixins import (
    ConfigAccessMixin,
    HistoryScopeMixin,
    ScopedTabularInline,
    ServiceRulesForm,
    is_manager,
    is_staff,
)
from guanxi.core.errors import Conflict, InvalidInput, PermissionDenied
from guanxi.core.models import Role, Team, User
from guanxi.pipeline import targets
from guanxi.pipeline.admin.opportunity import amount_cell
from guanxi.pipeline.models import LostReason, Pipeline, SalesTarget, Stage
from guanxi.pipeline.stage_rollup import stage_rollup_rebuild


class StageInline(ScopedTabularInline):
    model = Stage
    extra = 0
    fields = ("name", "builtin", "position", "probability", "outcome", "stale_after_days",
              "active")  # fmt: skip
    readonly_fields = ("builtin",)
    ordering_field = "position"
    hide_ordering_field = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)


@admin.register(Pipeline)
class PipelineAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = ("__str__", "builtin", "is_default", "active", "position")
    fields = ("name", "builtin", "is_default", "position", "active")
    readonly_fields = ("builtin",)
    inlines = (StageInline,)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        super().save_formset(request, form, formset, change)
        # The stage log's rollups hold "went on to a later stage" and "furthest stage
        # reached" by the stages' order and outcomes: a change of either rewrites them.
        if formset.model is Stage and any(
            {"position", "outcome"} & set(fields) for _stage, fields in formset.changed_objects
        ):
            stage_rollup_rebuild()


@admin.register(LostReason)
class LostReasonAdmin(ConfigAccessMixin, ModelAdmin):
    list_display = ("__str__", "builtin", "active", "position")
    fields = ("name", "builtin", "position", "active")
    readonly_fields = ("builtin",)
    ordering = ("position", "id")


class SalesTargetForm(ServiceRulesForm):
    def validate_unique(self) -> None:
        # One target per subject and period: a new one for a taken period updates it
        # (sales_target_set); a changed one that clashes is refused in check_rules.
        pass

    def check_rules(self, target: SalesTarget) -> None:
        data = self.cleaned_data
        user, team = data.get("user"), data.get("team")
        if (user is None) == (team is None):
            raise InvalidInput(_("Set a target for a person or for a team."), field="user")
        if not targets.may_set_target(self.actor, user=user, team=team):
            raise PermissionDenied(_("Only managers set targets; a team lead sets them for the "
                                     "KAMs of the team."),
                                   field="user" if user is not None else "team")  # fmt: skip
        if data.get("starts_on") and data.get("period"):
            targets.check_period_start(data["period"], data["starts_on"])
            clash = SalesTarget.objects.filter(period=data["period"], starts_on=data["starts_on"],
                                               user=user, team=team)  # fmt: skip
            if target.pk is not None and clash.exclude(pk=target.pk).exists():
                raise Conflict(_("There is already a target for them in that period."),
                               field="starts_on")  # fmt: skip


@admin.register(SalesTarget)
class SalesTargetAdmin(HistoryScopeMixin, SimpleHistoryAdmin, ModelAdmin):
    form = SalesTargetForm
    list_display = ("__str__", "user", "team", "period", "starts_on", "amount_display")
    list_filter = (("period", ChoicesDropdownFilter),)
    list_select_related = ("user", "team")
    fields = ("user", "team", "period", "starts_on", "amount")
    ordering = ("-starts_on", "id")

    @display(description=gettext_lazy("target"), ordering="amount")
    def amount_display(self, obj: SalesTarget) -> SafeString:
        return amount_cell(obj.amount)

    def _sets_targets(self, request: HttpRequest) -> bool:
        return is_staff(request) and (is_manager(request) or request.user.leads_team)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._sets_targets(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._sets_targets(request) and (obj is None or self.object_is_visible(request, obj))

    has_add_permission = _sets_targets  # type: ignore[assignment]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def object_is_visible(self, request: HttpRequest, obj: Any) -> bool:
        pk = getattr(obj, "pk", obj)
        return self.get_queryset(request).filter(pk=pk).exists()

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return targets.targets_settable_by(request.user).select_related("user", "team")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        user, team = form.base_fields.get("user"), form.base_fields.get("team")
        if user is not None and not request.user.sees_all_accounts:
            user.queryset = User.objects.filter(
                is_active=True, team_id=request.user.team_id, role=Role.KAM
            )
        if team is not None and not request.user.sees_all_accounts:
            team.queryset = Team.objects.none()
        return form

    def save_model(self, request: HttpRequest, obj: SalesTarget, form: Any, change: bool) -> None:
        data = form.cleaned_data
        saved = targets.sales_target_set(
            actor=request.user, amount=data["amount"], starts_on=data["starts_on"],
            period=data["period"], user=data.get("user"), team=data.get("team"),
            target=SalesTarget.objects.get(pk=obj.pk) if change else None,
        )  # fmt: skip
        obj.pk, obj._state.adding, obj._state.db = saved.pk, False, saved._state.db

    def delete_model(self, request: HttpRequest, obj: SalesTarget) -> None:
        targets.sales_target_delete(actor=request.user, target=obj.pk)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions
