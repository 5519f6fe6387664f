"""The base of every admin page of customer data: the account access rule decides which rows a
user sees.

Every customer-data admin (accounts, contacts, profile facts, related people, key dates,
transactions, payments, touchpoints, tasks …) derives from `ScopedModelAdmin`, so lists, object
pages, search, autocomplete, history and bulk actions all go through
`guanxi.accounts.selectors.visible_to`. An object outside the user's set is a 404, never a 403:
we do not reveal that it exists. The role rules every page shares are in `core.admin_mixins`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminTextareaWidget

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_visible_to, visible_to
from guanxi.contacts.models import Contact
from guanxi.core.admin_mixins import HistoryScopeMixin, RoleAccessMixin, ServiceRulesForm
from guanxi.imports.exports import export_queryset, kind_for_model


def visible_contacts(actor: Any) -> QuerySet[Contact]:
    return visible_to(Contact.objects.all(), actor, prefix="account__")


@admin.action(description=_("Export selected as CSV (import format)"))
def export_as_csv(modeladmin: admin.ModelAdmin, request: HttpRequest,
                  queryset: QuerySet) -> HttpResponse:  # fmt: skip
    """The selected rows in the import format. The queryset Django passes is the changelist's,
    already limited by get_queryset's access rule; it is used as is."""
    return export_queryset(kind_for_model(queryset.model), queryset, "csv")


@admin.action(description=_("Export selected as Excel (import format)"))
def export_as_xlsx(modeladmin: admin.ModelAdmin, request: HttpRequest,
                   queryset: QuerySet) -> HttpResponse:  # fmt: skip
    return export_queryset(kind_for_model(queryset.model), queryset, "xlsx")


#: Every customer-data list exports the selected (visible) rows in the import format.
EXPORT_ACTIONS: list[Any] = [export_as_csv, export_as_xlsx]


class ScopedQuerysetMixin:
    """Rows, foreign-key choices and object pages limited to the visible accounts."""

    #: How rows of this model reach their account ("" for Account itself).
    account_path: str = "account__"
    #: The visible ids as a list (see visible_to's as_list): for long lists sorted by time,
    #: where a KAM's newest rows are a walk down the time index, not a join of every row.
    visible_as_list: bool = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return visible_to(
            super().get_queryset(request),
            request.user,
            prefix=self.account_path,
            as_list=self.visible_as_list,
        )

    def object_is_visible(self, request: HttpRequest, obj: Any) -> bool:
        # Unfold passes the object id (a string) for detail actions, Django passes the object.
        pk = obj.pk if isinstance(obj, Model) else obj
        if pk is None:  # an object being added
            return True
        cache = request.__dict__.setdefault("_guanxi_visible", {})
        key = (self.model._meta.label, str(pk))
        if key not in cache:
            try:
                cache[key] = self.get_queryset(request).filter(pk=unquote(str(pk))).exists()
            except (ValueError, TypeError):
                cache[key] = False
        return cache[key]

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any, object_id: str):
        # Django redirects to the index with "doesn't exist"; we answer 404 for missing and
        # invisible alike so nobody learns which accounts exist.
        raise Http404

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        related = db_field.related_model
        if related is Account and "queryset" not in kwargs:
            kwargs["queryset"] = accounts_visible_to(request.user)
        elif related is Contact and "queryset" not in kwargs:
            kwargs["queryset"] = visible_contacts(request.user).select_related("account")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            keep_current_choices(form, obj)
        if issubclass(form, ServiceRulesForm):
            # modelform_factory made a fresh class for this request: safe to stamp the actor.
            form.actor = request.user
        return form


def keep_current_choices(form: type[forms.BaseForm], obj: Model) -> None:
    """An existing link to an account the user cannot see (a subsidiary's parent owned by
    another team) stays valid on re-save; it just cannot be newly chosen."""
    for name, field in form.base_fields.items():
        if not isinstance(field, forms.ModelChoiceField) or isinstance(
            field, forms.ModelMultipleChoiceField
        ):
            continue
        current = getattr(obj, f"{name}_id", None)
        if current is not None and field.queryset.model in (Account, Contact):
            field.queryset = field.queryset | field.queryset.model._default_manager.filter(
                pk=current
            )


class ScopedModelAdmin(
    HistoryScopeMixin, ScopedQuerysetMixin, RoleAccessMixin, SimpleHistoryAdmin, ModelAdmin
):
    """Base for every admin of customer data."""

    formfield_overrides = {
        # Notes and policies are a few lines; the admin's default 10-row boxes swamp the form.
        models.TextField: {"widget": UnfoldAdminTextareaWidget(attrs={"rows": 3})},
        # A website typed as "example.com" means https (Django 6's default, chosen now).
        models.URLField: {"assume_scheme": "https"},
    }
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False  # the count over a large visible set is wasted work
    warn_unsaved_form = True
