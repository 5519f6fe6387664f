"""What every admin page shares: roles decide who may use a page (staff, managers, admins),
history is read-only and scoped, service rules show as form errors, and two generic filters.

Which rows of customer data a user sees is the account access rule: `guanxi.accounts.admin_base.
ScopedModelAdmin`, one floor up.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.validators import EMPTY_VALUES
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, StackedInline, TabularInline
from unfold.contrib.filters.admin import RangeDateFilter, RelatedDropdownFilter
from unfold.utils import parse_date_str

from guanxi.core import leases
from guanxi.core.dates import local_midnight
from guanxi.core.errors import ApplicationError, InvalidInput


class ShowsInterruptedRuns:
    """For the list and page of runs (`core.models.LeasedRun`): runs whose process is gone are
    marked interrupted before they are shown, never "running" for ever."""

    model: Any

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        leases.reap(self.model)
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any):
        leases.reap(self.model)
        return super().change_view(request, object_id, *args, **kwargs)  # type: ignore[misc]


def is_staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(is_staff(request) and (user.is_superuser or getattr(user, "role", "") == "admin"))


def is_manager(request: HttpRequest) -> bool:
    """Managers, admins and superusers: the roles that see every account."""
    return bool(is_staff(request) and request.user.sees_all_accounts)


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
            show_service_error(self, exc)


def show_service_error(form: forms.BaseForm, exc: ApplicationError) -> None:
    """Put a service's refusal on the form: on each field it names, or, for a field the form
    does not show (a rule about something the user cannot edit here), on the whole form."""
    messages = exc.field_errors() if isinstance(exc, InvalidInput) else {exc.field: [exc.message]}
    for field, texts in messages.items():
        for text in texts:
            form.add_error(field if field in form.fields else None, str(text))


#: The box of an add form that saves a record like others on file all the same.
SAVE_ANYWAY = "save_anyway"


def show_lookalikes(form: forms.BaseForm, exc: ApplicationError, url_name: str) -> None:
    """A look-alike refusal (`duplicates.services.*_entry_check`: a Conflict whose
    ``extra["candidates"]`` lists what is on file) as an error of the field it names (the
    name), with a link to each match the user may see; the form's ``save_anyway`` box, shown
    from now on (`SaveAnywayMixin`), lets them save all the same. On the field, not the whole
    form: unfold counts a form-wide error twice in the tab's error badge."""
    items = []
    for match in exc.extra.get("candidates", []):
        if match["id"] is None:
            items.append(format_html("<li>{}</li>", _("one you cannot see, owned by %(owner)s")
                                     % {"owner": match["owner"]}))  # fmt: skip
        else:
            url = reverse(url_name, args=(match["id"],))
            items.append(format_html('<li><a href="{}" data-lookalike="{}">{}</a> ({} · {})</li>',
                                     url, match["id"], match["name"], match["score"],
                                     match["reasons"]))  # fmt: skip
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, format_html("{}<ul>{}</ul>", exc.message, mark_safe("".join(items))))
    form.lookalikes_listed = True


def save_anyway_offered(form: forms.BaseForm) -> bool:
    """Whether the add form shows its "save anyway" box: once it has listed look-alikes, or
    when the box was ticked (the user is still deciding), never on a blank form."""
    if SAVE_ANYWAY not in form.fields:
        return False
    return getattr(form, "lookalikes_listed", False) or bool(form.data.get(SAVE_ANYWAY))


class SaveAnywayMixin:
    """For a model admin whose add form has a ``save_anyway`` box (a form field left out of
    the fieldsets, so a blank form does not show it): the box joins the first fieldset when
    the page is drawn after the form listed look-alikes (`save_anyway_offered`)."""

    def render_change_form(self, request: HttpRequest, context: dict[str, Any], add: bool = False,
                           change: bool = False, form_url: str = "", obj: Any = None):  # fmt: skip
        adminform = context.get("adminform")
        if add and adminform is not None and save_anyway_offered(adminform.form):
            (title, options), *rest = adminform.fieldsets
            fields = (*options["fields"], SAVE_ANYWAY)
            adminform.fieldsets = [(title, {**options, "fields": fields}), *rest]
        return super().render_change_form(request, context, add, change, form_url, obj)


def service_error_text(exc: ApplicationError) -> str:
    """A service's refusal as one readable line (for a message on a page without a form)."""
    if isinstance(exc, InvalidInput) and exc.errors:
        return "; ".join(str(m) for texts in exc.errors.values() for m in texts)
    return str(exc.message)


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

    def rows(self, request: HttpRequest, model_admin: Any) -> QuerySet:
        """The rows whose related objects are offered: the list's own, by default."""
        return model_admin.get_queryset(request)

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any):
        pk_qs = (
            self.rows(request, model_admin)
            .order_by()
            .distinct()
            .values_list(f"{self.field_path}__pk", flat=True)
        )
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(
            include_blank=False, limit_choices_to={"pk__in": pk_qs}, ordering=ordering
        )


class ColleagueDropdownFilter(RelatedDropdownFilter):
    """Dropdown of the people a list's rows may belong to (assignee, logged by): every active
    user for a manager, the viewer's team (and the viewer) for everyone else. Read from the
    small user table: a DISTINCT over every visible task or touchpoint took longer than the
    page itself at 100,000 accounts."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any):
        viewer = request.user
        if viewer.sees_all_accounts:
            limit = Q(is_active=True)
        elif viewer.team_id is not None:
            limit = Q(is_active=True, team_id=viewer.team_id) | Q(pk=viewer.pk)
        else:
            limit = Q(pk=viewer.pk)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to=limit, ordering=ordering)


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
            # Local midnights as bounds (the local calendar day, as __date would compare) keep
            # the field's index usable: __date converts every row before comparing.
            if lookup == "gte":
                filters[f"{self.parameter_name}__gte"] = local_midnight(day)
            else:
                filters[f"{self.parameter_name}__lt"] = local_midnight(day + dt.timedelta(days=1))
        return queryset.filter(**filters)


def choices_once(field: Any) -> None:
    """Read a model choice field's options once for a whole formset: each inline row's copy of
    the field would query them again (one query per row and field). The options become plain
    (value, label) pairs; the field still validates against its queryset."""
    if field is not None:
        field.choices = [(getattr(value, "value", value), label) for value, label in field.choices]
