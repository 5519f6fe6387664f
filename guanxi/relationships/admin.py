"""Buying centre (决策链) pages: the seats across the visible accounts, the stages reached, the
organisation relationship, the risk rules, and each account's relationship map.

Every write goes through the services (`buying_centre_member_set` / `_remove`,
`relationship_stage_record`, `account_relationship_set`), whose rules the forms run first, so a
broken rule is a message on the form, never a 500. Seats, stages and organisation relationships
follow the account access rule (what a user may not see is a 404); the risk rules are
configuration: managers edit them, staff read them.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import BooleanRadioFilter, ChoicesDropdownFilter, DropdownFilter
from unfold.decorators import display

from guanxi.accounts.admin_base import ScopedModelAdmin, ScopedQuerysetMixin
from guanxi.accounts.selectors import account_is_visible
from guanxi.core.admin_mixins import ConfigAccessMixin, RoleAccessMixin, is_manager
from guanxi.core.errors import ApplicationError
from guanxi.core.views import next_url
from guanxi.relationships import views
from guanxi.relationships.forms import (
    AccountRelationshipForm,
    BuyingCentreMemberForm,
    RelationshipRulesForm,
    RelationshipStageEventForm,
)
from guanxi.relationships.health import health_refresh_all
from guanxi.relationships.map_card import role_mark
from guanxi.relationships.models import (
    AccountRelationship,
    BuyingCentreMember,
    BuyingRole,
    RelationshipRules,
    RelationshipStage,
    RelationshipStageEvent,
    StanceToUs,
)
from guanxi.relationships.risks import role_words
from guanxi.relationships.services import (
    account_relationship_set,
    buying_centre_member_remove,
    buying_centre_member_set,
    relationship_stage_record,
    relationship_stages_delete,
)
from guanxi.touchpoints.models import Touchpoint

STANCE_LABEL = {
    StanceToUs.CHAMPION: "success",
    StanceToUs.SUPPORTER: "success",
    StanceToUs.NEUTRAL: "info",
    StanceToUs.SCEPTIC: "warning",
    StanceToUs.OPPONENT: "danger",
}


def _account_id_from(request: HttpRequest, obj: Any) -> int | None:
    """The account the form is for: the object's, else the one posted or preset in the URL,
    if the user may see it (the choices list its people)."""
    if obj is not None:
        return obj.account_id
    pk = _account_pk(request.POST.get("account") or request.GET.get("account"))
    return pk if pk is not None and account_is_visible(request.user, pk) else None


def _account_pk(raw: Any) -> int | None:
    """An account id from the query string or the POST: digits in the id column's range."""
    raw = str(raw or "")
    return int(raw) if raw.isdigit() and int(raw) < 2**31 else None


def _form_for_account(form: type, account_id: int | None) -> type:
    class ForAccount(form):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("account_id", account_id)
            super().__init__(*args, **kwargs)

    return ForAccount


class ServiceErrorsMixin:
    """A rule the form could not see (the data changed meanwhile) is a message, not a 500."""

    def changeform_view(self, request: HttpRequest, object_id=None, form_url="",
                        extra_context=None):  # fmt: skip
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(request.get_full_path())

    def response_add(self, request: HttpRequest, obj: Any, post_url_continue=None):
        target = next_url(request)
        if target and "_continue" not in request.POST and "_addanother" not in request.POST:
            messages.success(request, _("“%(obj)s” saved.") % {"obj": obj})
            return HttpResponseRedirect(target)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request: HttpRequest, obj: Any):
        target = next_url(request)
        if target and "_continue" not in request.POST:
            messages.success(request, _("“%(obj)s” saved.") % {"obj": obj})
            return HttpResponseRedirect(target)
        return super().response_change(request, obj)

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any):
        target = next_url(request)
        if target:
            messages.success(request, _("“%(obj)s” removed.") % {"obj": obj_display})
            return HttpResponseRedirect(target)
        return super().response_delete(request, obj_display, obj_id)


class AccountFirstMixin:
    """The add page in two steps: without a visible ``?account=`` it asks for the account alone
    and reloads itself with ``?account=<id>`` (the other query parameters kept), because the
    form's lists (people, owners, evidence) hold that account's choices. A POST, valid or not,
    keeps the posted account's lists; changing the account on step 2 reloads the page."""

    choose_account_template = "admin/relationships/choose_account.html"
    change_form_outer_after_template = "admin/relationships/_account_reload.html"

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context=None):
        if request.method != "POST" and _account_id_from(request, None) is None:
            return self.choose_account_view(request)
        return super().add_view(request, form_url, extra_context)

    def choose_account_view(self, request: HttpRequest) -> TemplateResponse:
        if not self.has_add_permission(request):
            raise PermissionDenied
        field = self.formfield_for_foreignkey(self.model._meta.get_field("account"), request)
        field.error_messages["invalid_choice"] = _("Choose one of the accounts you can see.")
        chooser = type("ChooseAccountForm", (forms.Form,), {"account": field})
        raw = request.GET.get("account")
        # A bad id is asked for again; one that is not even a number is shown as none.
        form = chooser({"account": _account_pk(raw) or 0}) if raw else chooser()
        opts = self.model._meta
        context = {
            **self.admin_site.each_context(request),
            "title": _("Add %s") % opts.verbose_name,
            "subtitle": None,
            "opts": opts,
            "form": form,
            "field": form["account"],
            "media": self.media + form.media,
            "keep": [(k, v) for k, v in request.GET.items() if k != "account"],
            "is_popup": IS_POPUP_VAR in request.GET,
            "has_view_permission": self.has_view_permission(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.choose_account_template, context)


# --- buying centre --------------------------------------------------------------------------------


class BuyingRoleFilter(DropdownFilter):
    title = gettext_lazy("buying role")
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: Any):
        return BuyingRole.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in BuyingRole.values:
            # The roles are a JSON list of codes: match the quoted code in its text.
            return queryset.filter(buying_roles__icontains=f'"{value}"')
        return queryset


def _latest_stage(field: str) -> Subquery:
    return Subquery(
        RelationshipStageEvent.objects.filter(
            account_id=OuterRef("account_id"), contact_id=OuterRef("contact_id")
        )
        .order_by("-reached_on", "-id")
        .values(field)[:1]
    )


def _last_touch() -> Subquery:
    through = Touchpoint.contacts.through
    return Subquery(
        through.objects.filter(contact_id=OuterRef("contact_id"))
        .values("contact_id")
        .annotate(last=Max("touchpoint__occurred_at"))
        .values("last")[:1]
    )


@admin.register(BuyingCentreMember)
class BuyingCentreMemberAdmin(AccountFirstMixin, ServiceErrorsMixin, ScopedModelAdmin):
    form = BuyingCentreMemberForm
    list_display = ("person", "account_link", "roles_display", "attitude_display",
                    "influence", "stage_display", "last_touch_display", "owner_display",
                    "map_link")  # fmt: skip
    list_display_links = ("person",)
    list_select_related = ("contact", "contact__account", "account", "account__owner",
                           "relationship_owner")  # fmt: skip
    list_filter = (
        BuyingRoleFilter,
        ("stance", ChoicesDropdownFilter),
        ("rising_star", BooleanRadioFilter),
    )
    search_fields = ("contact__name", "contact__title", "account__name", "account__code")
    search_help_text = gettext_lazy("Name or title of the person, name or code of the account")
    autocomplete_fields = ("account", "contact")
    ordering = ("account__name", "-influence", "contact__name")
    fields = ("account", "contact", "buying_roles", ("stance", "influence"), "reports_to",
              "rising_star", "relationship_owner", "notes")  # fmt: skip

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return (
            super()
            .get_queryset(request)
            .annotate(
                stage_now=_latest_stage("stage"),
                stage_on=_latest_stage("reached_on"),
                last_touch=_last_touch(),
            )
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A seat stays with its account and person; remove it and add another to move it.
        return ("account", "contact") if obj is not None else ()

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return _form_for_account(form, _account_id_from(request, obj))

    # --- columns ------------------------------------------------------------------------------

    @display(description=gettext_lazy("person"), ordering="contact__name")
    def person(self, obj: BuyingCentreMember) -> str:
        star = " ★" if obj.rising_star else ""
        left = " ({})".format(_("left")) if not obj.contact.is_active else ""
        title = f" · {obj.contact.title}" if obj.contact.title else ""
        org = ""
        if obj.contact.account_id != obj.account_id:
            org = f" · {obj.contact.account.name}"
        return f"{obj.contact.name}{star}{left}{title}{org}"

    @display(description=gettext_lazy("account"), ordering="account__name")
    def account_link(self, obj: BuyingCentreMember) -> str:
        url = reverse("admin:accounts_account_view_360", args=(obj.account_id,))
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, obj.account.name)

    @display(description=gettext_lazy("buying roles"))
    def roles_display(self, obj: BuyingCentreMember) -> str:
        roles = [r for r in BuyingRole.values if r in (obj.buying_roles or [])]
        if not roles:
            return "—"
        return format_html_join(
            " ",
            '<span title="{}" class="inline-block border border-base-300 rounded px-1 '
            'text-xs">{}</span>',
            ((BuyingRole(r).label, role_mark(r)) for r in roles),
        )

    @display(description=gettext_lazy("attitude"), ordering="stance", label=STANCE_LABEL)
    def attitude_display(self, obj: BuyingCentreMember) -> tuple[str, str]:
        return obj.stance, obj.get_stance_display()

    @display(description=gettext_lazy("relationship stage"), ordering="stage_now")
    def stage_display(self, obj: BuyingCentreMember) -> str:
        stage = getattr(obj, "stage_now", None)
        if not stage:
            return "—"
        label = RelationshipStage(stage).label
        on = getattr(obj, "stage_on", None)
        return f"{label} ({on:%Y-%m-%d})" if on else str(label)

    @display(description=gettext_lazy("last touch"), ordering="last_touch")
    def last_touch_display(self, obj: BuyingCentreMember) -> str:
        return views.days_ago(getattr(obj, "last_touch", None), timezone.localdate())

    @display(description=gettext_lazy("our owner"))
    def owner_display(self, obj: BuyingCentreMember) -> str:
        owner = obj.relationship_owner or obj.account.owner
        return format_html('<span class="whitespace-nowrap">{}</span>', owner or "—")

    @display(description="")
    def map_link(self, obj: BuyingCentreMember) -> str:
        url = reverse("admin:relationships_buyingcentremember_map", args=(obj.account_id,))
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, _("Map"))

    # --- writes through the services ------------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: BuyingCentreMember, form: Any,
                   change: bool) -> None:  # fmt: skip
        saved = buying_centre_member_set(
            account=obj.account,
            contact=obj.contact,
            actor=request.user,
            buying_roles=obj.buying_roles or [],
            stance=obj.stance,
            influence=obj.influence,
            reports_to=obj.reports_to,
            rising_star=obj.rising_star,
            relationship_owner=obj.relationship_owner,
            notes=obj.notes,
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: BuyingCentreMember) -> None:
        buying_centre_member_remove(account=obj.account, contact=obj.contact, actor=request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for seat in queryset.select_related("account", "contact"):
            buying_centre_member_remove(account=seat.account, contact=seat.contact,
                                        actor=request.user)  # fmt: skip

    # --- the map pages --------------------------------------------------------------------------

    def get_urls(self):
        def wrap(view):
            def page(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                return view(request, self, *args, **kwargs)

            return self.admin_site.admin_view(page)

        return [
            path("map/<int:account_id>/", wrap(views.map_view),
                 name="relationships_buyingcentremember_map"),
            path("map/<int:account_id>/svg/", wrap(views.map_svg_view),
                 name="relationships_buyingcentremember_map_svg"),
        ] + super().get_urls()  # fmt: skip


# --- stages reached -------------------------------------------------------------------------------


@admin.register(RelationshipStageEvent)
class RelationshipStageEventAdmin(AccountFirstMixin, ServiceErrorsMixin, ScopedQuerysetMixin,
                                  RoleAccessMixin, ModelAdmin):  # fmt: skip
    """Stages reached are a record: added through `relationship_stage_record`, then read-only
    (a wrong one is deleted and recorded again). No simple-history table: the rows are the
    history."""

    form = RelationshipStageEventForm
    list_display = ("contact", "account", "stage", "reached_on", "evidence_display",
                    "recorded_by")  # fmt: skip
    list_select_related = ("contact", "account", "evidence", "recorded_by")
    list_filter = (("stage", ChoicesDropdownFilter),)
    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    search_fields = ("contact__name", "account__name", "account__code", "note")
    autocomplete_fields = ("account",)
    date_hierarchy = "reached_on"
    ordering = ("-reached_on", "-id")
    fields = ("account", "contact", "stage", "reached_on", "evidence", "note")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        if obj is not None:
            return (*self.fields, "recorded_by", "recorded_at")
        return ()

    def get_fields(self, request: HttpRequest, obj: Any = None):
        if obj is not None:
            return (*self.fields, "recorded_by", "recorded_at")
        return self.fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("reached_on", timezone.localdate())
        return initial

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            return form
        return _form_for_account(form, _account_id_from(request, obj))

    @display(description=gettext_lazy("evidence (touchpoint)"))
    def evidence_display(self, obj: RelationshipStageEvent) -> str:
        tp = obj.evidence
        if tp is None:
            return "—"
        url = reverse("admin:touchpoints_touchpoint_change", args=(tp.pk,))
        text = f"{timezone.localtime(tp.occurred_at):%Y-%m-%d} · {tp.get_kind_display()}"
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, text)

    def save_model(self, request: HttpRequest, obj: RelationshipStageEvent, form: Any,
                   change: bool) -> None:  # fmt: skip
        saved = relationship_stage_record(
            account=obj.account,
            contact=obj.contact,
            stage=obj.stage,
            actor=request.user,
            reached_on=obj.reached_on,
            evidence=obj.evidence,
            note=obj.note,
        )
        obj.pk = saved.pk
        obj._state.adding = False

    def delete_model(self, request: HttpRequest, obj: RelationshipStageEvent) -> None:
        relationship_stages_delete(events=[obj])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        relationship_stages_delete(events=list(queryset))


# --- organisation relationship --------------------------------------------------------------------


@admin.register(AccountRelationship)
class AccountRelationshipAdmin(ServiceErrorsMixin, ScopedModelAdmin):
    form = AccountRelationshipForm
    list_display = ("account", "supplier_stage", "kotler_level", "updated_at", "map_link")
    list_select_related = ("account",)
    list_filter = (("supplier_stage", ChoicesDropdownFilter),
                   ("kotler_level", ChoicesDropdownFilter))  # fmt: skip
    search_fields = ("account__name", "account__code")
    autocomplete_fields = ("account",)
    fields = ("account", "supplier_stage", "kotler_level", "notes")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("account",) if obj is not None else ()

    @display(description="")
    def map_link(self, obj: AccountRelationship) -> str:
        url = reverse("admin:relationships_buyingcentremember_map", args=(obj.account_id,))
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, _("Map"))

    def save_model(self, request: HttpRequest, obj: AccountRelationship, form: Any,
                   change: bool) -> None:  # fmt: skip
        saved = account_relationship_set(
            account=obj.account,
            actor=request.user,
            supplier_stage=obj.supplier_stage,
            kotler_level=obj.kotler_level,
            notes=obj.notes,
        )
        obj.pk = saved.pk
        obj._state.adding = False


# --- risk rules (configuration) -------------------------------------------------------------------


@admin.register(RelationshipRules)
class RelationshipRulesAdmin(ConfigAccessMixin, ModelAdmin):
    """One row: managers edit it, staff read it; the list opens the row."""

    form = RelationshipRulesForm
    fields = ("required_roles", "current_within_days", "champion_inactive_days",
              "decision_maker_stage")  # fmt: skip
    warn_unsaved_form = True

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return is_manager(request) and not RelationshipRules.objects.exists()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_fields(request, obj))
        if self.has_change_permission(request, obj):
            return fields
        # Read-only (staff): the roles in words, not the stored JSON list.
        return tuple("required_roles_display" if f == "required_roles" else f for f in fields)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        readonly = tuple(super().get_readonly_fields(request, obj))
        if self.has_change_permission(request, obj):
            return readonly
        return (*readonly, "required_roles_display")

    @display(description=gettext_lazy("decision roles to cover"))
    def required_roles_display(self, obj: RelationshipRules) -> str:
        return _(", ").join(role_words(r) for r in obj.required_roles or []) or "—"

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: RelationshipRules, form: Any,
                   change: bool) -> None:  # fmt: skip
        super().save_model(request, obj, form, change)
        health_refresh_all()  # every stored score and risk follows the new thresholds

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        if not self.has_view_permission(request):
            return super().changelist_view(request, extra_context)  # Django's 403
        row = RelationshipRules.current()
        return HttpResponseRedirect(
            reverse("admin:relationships_relationshiprules_change", args=(row.pk,))
        )
