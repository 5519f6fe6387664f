"""The room blocks' pages: a block with its nights (an inline), its pickup by night and its
attrition above the form (`admin/agreements/_room_blocks.html`); the list filtered to one
agreement by `?agreement__id__exact=ID` (the agreement's page links there). Every save goes
through `agreements.blocks` (the same rules and audit as the API).

`RoomBlockInline` lists an agreement's blocks on the agreement's own page (read-only, a link to
each block's page): the agreement admin adds it to its `inlines`.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from unfold.decorators import display

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.agreements import blocks
from guanxi.agreements.models import RoomBlock, RoomBlockNight
from guanxi.agreements.selectors import agreements_visible_to
from guanxi.core.admin_mixins import ScopedTabularInline, ServiceRulesForm, service_error_text
from guanxi.core.errors import ApplicationError
from guanxi.imports.admin_rows import row_import_page


class RoomBlockForm(ServiceRulesForm):
    class Meta:
        model = RoomBlock
        fields = "__all__"

    def check_rules(self, obj: RoomBlock) -> None:
        blocks.room_block_check(obj, {})


class NightFormSet(BaseInlineFormSet):
    """The nights checked against the block's cut-off, as the service checks them."""

    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        try:
            blocks.room_block_check(self.instance, nights_of(self))
        except ApplicationError as exc:
            raise ValidationError(service_error_text(exc)) from None


def nights_of(formset: Any) -> dict:
    """{night: rooms} of the rows kept in the formset."""
    found = {}
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None) or {}
        if data.get("night") and not data.get("DELETE"):
            found[data["night"]] = data.get("rooms") or 0
    return found


class NightInline(ScopedTabularInline):
    model = RoomBlockNight
    formset = NightFormSet
    extra = 1
    fields = ("night", "rooms")
    ordering = ("night",)
    verbose_name_plural = gettext_lazy("Rooms contracted per night")


class RoomBlockInline(ScopedTabularInline):
    """An agreement's blocks on its page, each a link to the block's own page."""

    model = RoomBlock
    extra = 0
    tab = True
    can_delete = False
    fields = ("block_link", "cutoff_on", "group_rate", "allowance_percent", "penalty_rule")
    readonly_fields = fields
    verbose_name_plural = gettext_lazy("Room blocks")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=gettext_lazy("room block"))
    def block_link(self, obj: RoomBlock) -> str:
        url = reverse("admin:agreements_roomblock_change", args=[obj.pk])
        return format_html('<a href="{}" data-block-link="{}">{}</a>', url, obj.pk, obj.name)


def _agreement_file_format_import(request: HttpRequest, model_admin: Any) -> TemplateResponse:
    # deferred: the importer loads polars, which only this page needs
    from guanxi.agreements.importer import AGREEMENTS, agreement_import

    return row_import_page(
        request, model_admin, spec=AGREEMENTS, run=agreement_import,
        title=_("Import agreements"),
        flagged_text=lambda result: ngettext(
            "%(n)s agreement on file was updated.", "%(n)s agreements on file were updated.",
            result.flagged,
        ) % {"n": result.flagged},
    )  # fmt: skip


class AgreementImportMixin:
    """The page that imports agreements with their commitments, rebate brackets and block
    nights from one workbook (`agreements.importer`), at ``import/`` of the admin it joins,
    named ``agreements_import``."""

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="agreements_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        return _agreement_file_format_import(request, self)


@admin.register(RoomBlock)
class RoomBlockAdmin(ScopedModelAdmin):
    account_path = "agreement__account__"
    form = RoomBlockForm
    inlines = (NightInline,)
    list_display = ("name", "agreement", "cutoff_on", "group_rate", "allowance_percent",
                    "penalty_rule")  # fmt: skip
    list_select_related = ("agreement", "agreement__account")
    list_filter = (("cutoff_on", admin.DateFieldListFilter),)
    search_fields = ("name", "agreement__name", "agreement__reference", "agreement__account__name")
    autocomplete_fields = ()
    raw_id_fields = ("agreement",)
    change_form_before_template = "admin/agreements/roomblock/_position.html"
    fieldsets = (
        (None, {"fields": ("agreement", "name", "category", ("group_rate", "cutoff_on"))}),
        (
            gettext_lazy("Attrition"),
            {"fields": (("allowance_percent", "penalty_rule"),
                        ("penalty_percent", "minimum_revenue"), "notes")},
        ),
    )  # fmt: skip

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # one by one through the service
        return actions

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "agreement":
            kwargs["queryset"] = agreements_visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("category", RoomBlock._meta.get_field("category").get_default())
        return initial

    def render_change_form(self, request: HttpRequest, context: dict, add: bool = False,
                           change: bool = False, form_url: str = "", obj: Any = None):  # fmt: skip
        if obj is not None and obj.pk:
            context["room_blocks"] = [blocks.block_position(obj)]
        return super().render_change_form(request, context, add, change, form_url, obj)

    # --- saving through the services ----------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: RoomBlock, form: Any, change: bool) -> None:
        data = {f: form.cleaned_data[f] for f in blocks.BLOCK_FIELDS if f in form.cleaned_data}
        if change:
            saved = blocks.room_block_update(actor=request.user, block=obj.pk, **data)
        else:
            agreement = form.cleaned_data["agreement"]
            saved = blocks.room_block_create(actor=request.user, agreement=agreement, **data)
        obj.pk, obj._state.adding = saved.pk, False
        obj._state.db = saved._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        for formset in formsets:
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            if formset.model is RoomBlockNight and formset.has_changed():
                blocks.room_block_update(
                    actor=request.user, block=form.instance.pk, nights=nights_of(formset)
                )

    def delete_model(self, request: HttpRequest, obj: RoomBlock) -> None:
        blocks.room_block_delete(actor=request.user, block=obj.pk)
