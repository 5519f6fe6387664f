"""Users, teams and API tokens. Users and teams are for admins; tokens for their owners."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Count, QuerySet
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter
from unfold.decorators import display
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from guanxi.core.admin_mixins import ShowsInterruptedRuns, is_admin, is_manager, is_staff
from guanxi.core.job_words import job_name, summary_words
from guanxi.core.models import ApiToken, JobRun, JobStatus, Team, User
from guanxi.core.services import api_token_create

# The home page is the team's workbench, not Django's "Site administration".
admin.site.index_title = _("Dashboard")


class AdminOnlyMixin:
    """Only admins (role admin) and superusers manage users and teams."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_admin(request)


class GuanxiUserCreationForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "first_name", "last_name", "email", "role", "team")


@admin.register(User)
class UserAdmin(AdminOnlyMixin, BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = GuanxiUserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ("username", "full_name", "role", "team", "email", "is_active", "last_login")
    list_filter = (
        ("role", ChoicesDropdownFilter),
        ("team", RelatedDropdownFilter),
        "is_active",
    )
    search_fields = ("username", "first_name", "last_name", "email")
    list_select_related = ("team",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Person"), {"fields": (("last_name", "first_name"), ("email", "phone"))}),
        (_("Role and team"), {"fields": (("role", "team"), ("is_active", "is_staff"))}),
        (_("Superuser"), {"fields": ("is_superuser",), "classes": ["collapse"]}),
        (_("Dates"), {"fields": (("last_login", "date_joined"),)}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "username",
                    ("last_name", "first_name"),
                    "email",
                    ("role", "team"),
                    "password1",
                    "password2",
                )
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined")

    @admin.display(description=pgettext_lazy("person", "name"))
    def full_name(self, obj: User) -> str:
        return obj.get_full_name() or "—"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        fields = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            return (*fields, "is_superuser")  # only a superuser makes superusers
        return fields

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not change:
            obj.is_staff = True  # every Guanxi user works in this UI; roles limit what they see
        super().save_model(request, obj, form, change)


@admin.register(Team)
class TeamAdmin(AdminOnlyMixin, ModelAdmin):
    list_display = ("name", "description", "member_count", "created_at")
    search_fields = ("name",)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(n_members=Count("members"))

    @admin.display(description=_("members"), ordering="n_members")
    def member_count(self, obj: Team) -> int:
        return obj.n_members


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """Everyone manages their own tokens; admins see all. The key is shown once, on creation."""

    list_display = ("name", "user", "key_hint", "created_at", "last_used_at", "expires_at")
    list_select_related = ("user",)
    search_fields = ("name", "user__username")
    readonly_fields = ("key_hint", "created_at", "last_used_at")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        return qs if is_admin(request) else qs.filter(user_id=request.user.pk)

    def get_fields(self, request: HttpRequest, obj: Any = None):
        if obj is None:
            return ("name", "user", "expires_at") if is_admin(request) else ("name", "expires_at")
        return ("name", "user", "key_hint", "created_at", "last_used_at", "expires_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None):
        if obj is not None:
            return ("name", "user", "key_hint", "created_at", "last_used_at", "expires_at")
        return ()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_active=True)
            kwargs["initial"] = request.user.pk
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request) and (
            obj is None or is_admin(request) or obj.user_id == request.user.pk
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return is_staff(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a token is revoked and re-created, never edited

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self.has_view_permission(request, obj)

    def _get_obj_does_not_exist_redirect(self, request: HttpRequest, opts: Any, object_id: str):
        raise Http404

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        owner = obj.user if is_admin(request) and obj.user_id else request.user
        token, key = api_token_create(user=owner, name=obj.name, expires_at=obj.expires_at)
        obj.pk = token.pk
        obj.user = token.user
        obj.key_hash, obj.key_hint, obj.created_at = (
            token.key_hash,
            token.key_hint,
            token.created_at,
        )
        messages.warning(
            request,
            _("Your new API key (copy it now, it will not be shown again): %(key)s") % {"key": key},
        )


class JobNameFilter(admin.SimpleListFilter):
    """The jobs that have run (names are code, not choices: list what is there)."""

    title = _("job")
    parameter_name = "name"

    def lookups(self, request: HttpRequest, model_admin: Any):
        names = JobRun.objects.order_by("name").values_list("name", flat=True).distinct()
        return [(n, job_name(n)) for n in names]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        return queryset.filter(name=self.value()) if self.value() else queryset


@admin.register(JobRun)
class JobRunAdmin(ShowsInterruptedRuns, ModelAdmin):
    """What the background jobs did, read-only: managers and admins look here when the nightly
    run failed (the dashboard links here), so the error and its traceback are on the page."""

    list_display = ("job", "show_status", "started_at", "duration", "attempt", "summary_short",
                    "error_short")  # fmt: skip
    list_filter = (("status", ChoicesDropdownFilter), JobNameFilter)
    search_fields = ("name", "error")
    date_hierarchy = "started_at"
    fields = ("job", "status", "attempt", "started_at", "finished_at", "duration",
              "summary_in_words", "error")  # fmt: skip
    readonly_fields = fields

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_manager(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # jobs record themselves

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of what ran is not edited away

    @display(
        description=_("status"),
        ordering="status",
        label={
            JobStatus.SUCCEEDED: "success",
            JobStatus.FAILED: "danger",
            JobStatus.RETRYING: "warning",
            JobStatus.RUNNING: "info",
            JobStatus.INTERRUPTED: "danger",
        },
    )
    def show_status(self, obj: JobRun) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @display(description=_("duration (s)"))
    def duration(self, obj: JobRun) -> str:
        seconds = obj.duration_seconds
        return "—" if seconds is None else f"{seconds:.1f}"

    @display(description=_("job"), ordering="name")
    def job(self, obj: JobRun) -> str:
        return job_name(obj.name)

    @display(description=_("summary"))
    def summary_short(self, obj: JobRun) -> str:
        text = summary_words(obj.summary, flat=True)
        return (text[:120] + "…" if len(text) > 120 else text) or "—"

    @display(description=_("summary"))
    def summary_in_words(self, obj: JobRun) -> str:
        return summary_words(obj.summary) or "—"

    @display(description=_("error"))
    def error_short(self, obj: JobRun) -> str:
        first = obj.error.splitlines()[0] if obj.error else ""
        return (first[:120] + "…" if len(first) > 120 else first) or "—"
