"""The shared admin base: roles decide who may use a page, the account access rule decides which
rows they see.

Every customer-data admin (accounts, contacts, profile facts, related people, key dates,
transactions, payments) derives from `ScopedModelAdmin`, so lists, object pages, search,
autocomplete, history and bulk actions all go through `guanxi.accounts.selectors.visible_to`.
An object outside the user's set is a 404, never a 403: we do not reveal that it exists.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.validators import EMPTY_VALUES
from django.db import models
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.contrib.filters.admin import RangeDateFilter, RelatedDropdownFilter
from unfold.utils import parse_date_str
from unfold.widgets import UnfoldAdminTextareaWidget

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_visible_to, visible_to
from guanxi.contacts.models import Contact
from guanxi.core.errors import ApplicationError
from guanxi.imports.admin_actions import export_as_csv, export_as_xlsx

#: Every customer-data list exports the selected (visible) rows in the import format.
EXPORT_ACTIONS: list[Any] = [export_as_csv, export_as_xlsx]


def is_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(is_staff(request) and (user.is_superuser or getattr(user, "role", "") == "admin"))


def is_manager(request: HttpRequest) -> bool:
    """Managers, admins and superusers: the roles that see every account."""
    return bool(is_staff(request) and request.user.sees_all_accounts)


def visible_contacts(user: Any) -> QuerySet[Contact]:
    return visible_to(Contact.objects.all(), user, prefix="account__")


class RoleAccessMixin:
    """Any active staff user may use the page, whatever their Django model permissions:
    roles and the account rule, not per-model permissions, drive access."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request) and (obj is None or self.object_is_visible(request, obj))

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def object_is_visible(self, request: HttpRequest, obj: Any) -> bool:
        return True


class ConfigAccessMixin:
    """Configuration every staff user may read and only managers and admins may change
    (product categories, tier schemes, tiers)."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_manager(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)


class ScopedQuerysetMixin:
    """Rows, foreign-key choices and object pages limited to the visible accounts."""

    #: How rows of this model reach their account ("" for Account itself).
    account_path: str = "account__"

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return visible_to(super().get_queryset(request), request.user, prefix=self.account_path)

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


class ServiceRulesForm(forms.ModelForm):
    """An admin form that runs the services' business rules on the built object, so the admin
    and the API share one rule and a broken rule shows as a field error, not a 500."""

    actor: Any = None

    def check_rules(self, obj: Any) -> None:
        """Call the services' checks; they raise ApplicationError naming the field."""

    def _post_clean(self) -> None:
        super()._post_clean()  # builds self.instance and runs the model's own validation
        if self._errors:
            return
        try:
            self.check_rules(self.instance)
        except ApplicationError as exc:
            # A rule about a field the user cannot edit here is reported for the whole form.
            self.add_error(exc.field if exc.field in self.fields else None, str(exc.message))


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


class HistoryScopeMixin:
    """simple-history's pages, scoped: its history view falls back to the latest historical
    record when the live object is not in get_queryset, which would leak invisible objects."""

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        # Reverting would bypass services and audit actors; history is read-only here.
        return True

    def _require_visible(self, request: HttpRequest, object_id: str) -> None:
        if not self.object_is_visible(request, unquote(object_id)):
            raise Http404

    def history_view(self, request: HttpRequest, object_id: str, extra_context=None):
        self._require_visible(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request: HttpRequest, historical_records: Any, *args: Any):
        super().set_history_delta_changes(request, historical_records, *args)
        for record in historical_records:
            # Admin and service saves give no reason; show a blank cell, not "None".
            if record.history_change_reason is None:
                record.history_change_reason = ""

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context=None
    ) -> HttpResponse:
        self._require_visible(request, object_id)
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


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


class StaffModelAdmin(RoleAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    """Unscoped data every staff user may read (tags, product categories)."""


class ScopedTabularInline(TabularInline):
    """Inline rows belong to an object already checked by its admin page."""

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request)


class ScopedStackedInline(StackedInline):
    has_view_permission = ScopedTabularInline.has_view_permission
    has_add_permission = ScopedTabularInline.has_add_permission
    has_change_permission = ScopedTabularInline.has_change_permission
    has_delete_permission = ScopedTabularInline.has_delete_permission


class RelatedOnlyDropdownFilter(RelatedDropdownFilter):
    """Dropdown of only the related objects that occur in the user's visible rows."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any):
        pk_qs = (
            model_admin.get_queryset(request)
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": pk_qs}, ordering=ordering
        )


class LocalDateRangeFilter(RangeDateFilter):
    """Two plain dates (no times) on a date-time field, inclusive by local date: unfold's own
    filter compares the field with midnight of the last day, which drops that whole day."""

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet | None:
        filters = {}
        for suffix, lookup in (("_from", "gte"), ("_to", "lte")):
            value = self.used_parameters.get(f"{self.parameter_name}{suffix}")
            if value in EMPTY_VALUES or not isinstance(value, str):
                continue
            day = parse_date_str(value)
            if day is None:
                return None  # an unreadable date: Django shows its invalid-filter notice
            # __date converts to the current time zone first, so this is the local calendar day.
            filters[f"{self.parameter_name}__date__{lookup}"] = day
        return queryset.filter(**filters)
