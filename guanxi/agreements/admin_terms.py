"""Volume commitments and rebate schedules in the admin. Commitments are rows on the agreement's
page (`CommitmentInline`); a rebate schedule has its own page with its brackets as rows
(`RebateScheduleAdmin`), listed on the agreement's page (`RebateScheduleInline`, read-only, a
link to each and one to add another). Every save goes through `agreements.terms`, whose rules
the forms run first, so overlapping brackets, a rate out of range or a period outside the
agreement is a form error and nothing is saved.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.decorators import display

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.agreements import terms
from guanxi.agreements.models import RebateBracket, RebateSchedule, VolumeCommitment
from guanxi.agreements.selectors import agreements_visible_to
from guanxi.agreements.services import CLOSED
from guanxi.core.admin_mixins import ScopedTabularInline, ServiceRulesForm, service_error_text
from guanxi.core.errors import ApplicationError

COMMITMENT_FIELDS = ("categories", "basis", "unit", "committed", "starts_on", "ends_on", "notes")


class CommitmentForm(ServiceRulesForm):
    def check_rules(self, obj: VolumeCommitment) -> None:
        terms.commitment_validate(obj, obj.agreement)


class OpenAgreementInline(ScopedTabularInline):
    """Rows of an agreement that a closed agreement keeps as they are."""

    def _open(self, obj: Any) -> bool:
        return obj is None or obj.status not in CLOSED

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)


class CommitmentInline(OpenAgreementInline):
    model = VolumeCommitment
    form = CommitmentForm
    extra = 0
    tab = True
    fields = COMMITMENT_FIELDS
    verbose_name_plural = gettext_lazy("Volume commitments")


def save_commitments(request: HttpRequest, agreement: int, formset: Any) -> None:
    """Each changed row through `commitment_create` / `_update` / `_delete`."""
    actor = request.user
    for row in formset.forms:
        deleting = formset._should_delete_form(row)
        if not row.has_changed() and not deleting:
            continue
        item, data = row.instance, row.cleaned_data
        if deleting:
            if item.pk is not None:
                terms.commitment_delete(actor=actor, commitment=item.pk)
                formset.deleted_objects.append(item)
            continue
        values = {f: data.get(f) for f in COMMITMENT_FIELDS if f != "categories"}
        categories = data.get("categories") or ()
        if item.pk is None:
            formset.new_objects.append(terms.commitment_create(
                actor=actor, agreement=agreement, categories=categories, **values))  # fmt: skip
        else:
            changed = {f: values[f] for f in row.changed_data if f in values}
            cats = categories if "categories" in row.changed_data else None
            terms.commitment_update(actor=actor, commitment=item.pk, categories=cats, **changed)
            formset.changed_objects.append((item, row.changed_data))


class RebateScheduleInline(ScopedTabularInline):
    """An agreement's rebate schedules on its page, each a link to its own page."""

    model = RebateSchedule
    extra = 0
    tab = True
    can_delete = False
    fields = ("schedule_link", "basis", "method", "frequency", "starts_on", "ends_on")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Rebate schedules")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=gettext_lazy("rebate schedule"))
    def schedule_link(self, obj: RebateSchedule) -> str:
        url = reverse("admin:agreements_rebateschedule_change", args=[obj.pk])
        return format_html('<a class="text-primary-600" href="{}" data-schedule-link="{}">{}</a>',
                           url, obj.pk, obj.name or _("Rebate schedule"))  # fmt: skip


class RebateScheduleForm(ServiceRulesForm):
    class Meta:
        model = RebateSchedule
        fields = "__all__"

    def check_rules(self, obj: RebateSchedule) -> None:
        if obj.agreement_id is not None:
            terms.schedule_validate(obj, obj.agreement)


class BracketFormSet(BaseInlineFormSet):
    """The brackets checked as a ladder, as the service checks them."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        try:
            terms.brackets_check(brackets_of(self))
        except ApplicationError as exc:
            raise ValidationError(service_error_text(exc)) from None


def brackets_of(formset: Any) -> list[tuple[Any, Any]]:
    """(from volume, rate) of the rows kept in the formset."""
    found = []
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("from_value") is not None and not data.get("DELETE"):
            found.append((data["from_value"], data.get("rate") or 0))
    return found


class BracketForm(forms.ModelForm):
    def clean_rate(self) -> Any:
        rate = self.cleaned_data.get("rate")
        if rate is not None:
            try:
                terms.brackets_check([(0, rate)])
            except ApplicationError as exc:
                raise ValidationError(service_error_text(exc)) from None
        return rate


class BracketInline(ScopedTabularInline):
    model = RebateBracket
    form = BracketForm
    formset = BracketFormSet
    extra = 1
    fields = ("from_value", "rate")
    ordering = ("from_value",)
    verbose_name_plural = gettext_lazy("Brackets")


@admin.register(RebateSchedule)
class RebateScheduleAdmin(ScopedModelAdmin):
    account_path = "agreement__account__"
    form = RebateScheduleForm
    inlines = (BracketInline,)
    list_display = ("__str__", "agreement", "basis", "method", "frequency", "starts_on",
                    "ends_on")  # fmt: skip
    list_select_related = ("agreement", "agreement__account")
    search_fields = ("name", "agreement__name", "agreement__reference", "agreement__account__name")
    raw_id_fields = ("agreement",)
    fields = ("agreement", "name", ("basis", "method"), "categories", "frequency",
              ("starts_on", "ends_on"))  # fmt: skip

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one through the service
        return actions

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        return ("agreement",) if obj is not None else ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "agreement":
            kwargs["queryset"] = agreements_visible_to(request.user).exclude(status__in=CLOSED)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    # --- saving through the services ----------------------------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if isinstance(obj, RebateSchedule) and (
            obj.agreement.status in CLOSED or obj.settlements.exists()
        ):
            return False  # settled rebates and closed agreements are history
        return super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: RebateSchedule, form: Any, change: bool):
        """Saved with its brackets in save_related: one service call, one transaction."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        data, obj = form.cleaned_data, form.instance
        values = {f: data[f] for f in terms.SCHEDULE_FIELDS if f in data}
        brackets = None
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.model is RebateBracket and (not change or formset.has_changed()):
                brackets = brackets_of(formset)
        if change:
            cats = data.get("categories") if "categories" in form.changed_data else None
            changed = {f: v for f, v in values.items() if f in form.changed_data}
            saved = terms.schedule_update(actor=request.user, schedule=obj.pk, brackets=brackets,
                                          categories=cats, **changed)  # fmt: skip
        else:
            saved = terms.schedule_create(
                actor=request.user, agreement=data["agreement"], brackets=brackets or (),
                categories=data.get("categories") or (), **values,
            )  # fmt: skip
        obj.pk, obj._state.adding = saved.pk, False
        obj._state.db = saved._state.db

    def delete_model(self, request: HttpRequest, obj: RebateSchedule) -> None:
        terms.schedule_delete(actor=request.user, schedule=obj.pk)
