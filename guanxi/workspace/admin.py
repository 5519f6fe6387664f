"""Customer archive (客户档案): the account list, the account form and the 360° page.

They stand on the top floor because they put every app beside the account: value (insights),
tiers and lifecycle stages, relationship risks, account plans, tasks.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.contrib.filters.forms import DropdownForm
from unfold.decorators import action, display

from guanxi.accounts import services
from guanxi.accounts.admin_base import EXPORT_ACTIONS, ScopedModelAdmin
from guanxi.accounts.admin_filters import UnsetFieldFilter
from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_history, seen_by, staff_users, visible_to
from guanxi.assessments.admin_filters import QualityBandFilter, WillingnessBandFilter
from guanxi.contacts.models import Contact
from guanxi.core.admin_mixins import (
    SaveAnywayMixin,
    ScopedTabularInline,
    ServiceRulesForm,
    is_staff,
    show_lookalikes,
)
from guanxi.core.errors import Conflict
from guanxi.core.formatting import list_separator, money
from guanxi.core.services import preference_set
from guanxi.core.views import next_url
from guanxi.duplicates.services import account_entry_check, account_lookalikes_queue
from guanxi.insights.admin_filters import (
    SEGMENT_COLOURS,
    AbcClassFilter,
    ClvRangeFilter,
    PAliveFilter,
    SegmentFilter,
)
from guanxi.insights.models import Segment
from guanxi.insights.selectors import (
    account_score_history,
    latest_change,
    latest_run,
    with_latest_scores,
)
from guanxi.loyalty.admin_filters import LightColourFilter, LoyaltyCellFilter
from guanxi.merging.selectors import merged_into
from guanxi.relationships.admin_filters import CoverageFilter, RelationshipRiskFilter
from guanxi.tiers.admin_filters import (
    AccountTierFilter,
    LifecycleStageFilter,
    lifecycle_badges,
    tier_badges,
    with_active_tiers,
    with_lifecycle_stages,
)
from guanxi.transactions.selectors import ZERO, AccountRollup, account_rollup, with_revenue
from guanxi.workspace import flows
from guanxi.workspace.admin_360 import revenue_chart
from guanxi.workspace.admin_list import (
    COLUMNS,
    COLUMNS_KEY,
    DEFAULT_COLUMNS,
    NullsLast,
    ProvinceFilter,
    ScoredFirstPaginator,
    VisibleRelatedDropdownFilter,
    chosen_columns,
    column_choices,
    filters_url,
    lazy_filters,
)
from guanxi.workspace.search import accounts_matching
from guanxi.workspace.selectors import account_360, account_360_queryset


def _list_url_without_order(request: HttpRequest) -> str:
    query = request.GET.copy()
    query.pop("o", None)
    query.pop("p", None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


class AccountAdminForm(ServiceRulesForm):
    """Owner and team follow the same rule as the API (accounts/services.py); a new account
    that looks like one on file is saved only with "save anyway" ticked (duplicates)."""

    # Shown once look-alikes are listed (core.admin_mixins.SaveAnywayMixin).
    save_anyway = forms.BooleanField(
        label=_("Save anyway: it is none of the accounts listed above"),
        help_text=_(
            "The new account and the ones listed go to the duplicates review queue, where a "
            "manager decides whether they are one customer."
        ),
        required=False,
    )

    def check_rules(self, account: Account) -> None:
        adding = account._state.adding
        if adding and not self.cleaned_data.get("save_anyway"):
            try:
                account_entry_check(
                    actor=self.actor, name=account.name, credit_code=account.credit_code,
                    phone=account.phone, city=account.city, address=account.address,
                )  # fmt: skip
            except Conflict as exc:
                show_lookalikes(self, exc, "admin:accounts_account_change")
        if adding:
            account.owner, account.team = services.default_owner_and_team(
                actor=self.actor,
                owner=account.owner if account.owner_id else None,
                team=account.team,
            )
        if adding or "owner" in self.changed_data:
            services.check_owner_assignment(actor=self.actor, owner=account.owner)
        if account.team is not None and (adding or "team" in self.changed_data):
            services.check_team_assignment(actor=self.actor, team=account.team, owner=account.owner)


class ContactInline(ScopedTabularInline):
    model = Contact
    fields = ("code", "name", "title", "mobile", "email", "is_primary", "is_active")
    extra = 0
    show_change_link = True
    tab = True
    verbose_name_plural = _("contacts")


@admin.register(Account)
class AccountAdmin(SaveAnywayMixin, ScopedModelAdmin):
    account_path = ""
    form = AccountAdminForm
    # Every column a user may choose (admin_list.COLUMNS); `get_list_display` shows the name and
    # the user's choice. Every column costs ~500 bytes of markup per row
    # (see change_list_results.html).
    list_display = ("name_link", *COLUMNS.values())
    list_fullwidth = True
    # The name opens the 360° page; the form is its "Edit account" button and the row's labelled
    # "edit" link (name_link), not the whole row.
    list_display_links = None
    list_before_template = "admin/accounts/account/column_chooser.html"
    list_filter_sheet = True  # a sheet at every width: the panel is loaded on demand
    list_select_related = ("owner", "team")
    list_filter = (
        ("account_type", ChoicesDropdownFilter),
        ("status", ChoicesDropdownFilter),
        ("kind", ChoicesDropdownFilter),
        ("industry", ChoicesDropdownFilter),
        ("enterprise_nature", ChoicesDropdownFilter),
        ("scale", ChoicesDropdownFilter),
        ("credit_rating", ChoicesDropdownFilter),
        ProvinceFilter,
        ("owner", VisibleRelatedDropdownFilter),
        ("team", VisibleRelatedDropdownFilter),
        ("tags", VisibleRelatedDropdownFilter),
        AccountTierFilter,
        LifecycleStageFilter,
        RelationshipRiskFilter,
        CoverageFilter,
        LightColourFilter,
        LoyaltyCellFilter,
        WillingnessBandFilter,
        QualityBandFilter,
        UnsetFieldFilter,
        SegmentFilter,
        AbcClassFilter,
        PAliveFilter,
        ClvRangeFilter,
    )
    search_fields = ("name", "code", "short_name", "english_name", "contacts__name")
    search_help_text = _(
        "Name, code, short or English name, credit code, pinyin or initials, or a contact's "
        "name or mobile"
    )
    autocomplete_fields = ("parent", "tags")
    readonly_fields = ("subsidiaries_display", "created_at", "updated_at")
    inlines = (ContactInline,)
    actions = EXPORT_ACTIONS
    actions_detail = ("view_360", "send_survey", "merge_with")
    fieldsets = (
        (None, {"fields": (("code", "name"), ("short_name", "english_name"), "credit_code")}),
        (
            _("Profile"),
            {
                "classes": ["tab"],
                "fields": (
                    ("kind", "organisation_form"),
                    ("province", "city"),
                    "address",
                    ("phone", "website"),
                    "customer_since",
                    "organisation_structure",
                    "notes",
                ),
            },
        ),
        (
            _("Classification"),
            {
                "classes": ["tab"],
                "fields": (
                    ("account_type", "status"),
                    ("industry", "enterprise_nature"),
                    "scale",
                    "tags",
                ),
            },
        ),
        (
            _("Relationship & ownership"),
            {
                "classes": ["tab"],
                "fields": (
                    ("owner", "team"),
                    "co_owners",
                    "parent",
                    "subsidiaries_display",
                    "attitude",
                ),
            },
        ),
        (
            _("Commercial terms"),
            {
                "classes": ["tab"],
                "fields": (
                    ("credit_rating", "annual_sales"),
                    "price_system",
                    "sales_policy",
                ),
            },
        ),
        (
            _("Record"),
            {"classes": ["tab"], "fields": (("created_at", "updated_at"),)},
        ),
    )

    # --- list ---------------------------------------------------------------------------------

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        request._guanxi_changelist = True  # annotate revenue only where it is shown
        request._guanxi_columns = chosen_columns(request.user)
        lazy = lazy_filters(request)
        extra_context = {
            **(extra_context or {}),
            "lazy_filters": lazy,
            "filters_url": filters_url(request) if lazy else "",
            "column_choices": column_choices(self, request._guanxi_columns),
            "columns_url": reverse("admin:accounts_account_columns"),
            # Back to the list as it is, but not sorted by a column number the choice may move.
            "columns_next": _list_url_without_order(request),
        }
        return super().changelist_view(request, extra_context)

    @property
    def media(self) -> forms.Media:
        media = super().media
        request = getattr(self, "request", None)  # set by unfold's changelist_view
        if getattr(request, "_guanxi_lazy_filters", False):
            # The panel comes later (admin_list.lazy_filters), its dropdowns searchable like
            # unfold's others (select2): the script is on the page when the panel arrives.
            media += forms.Media(DropdownForm.Media)
        return media

    def get_list_filter(self, request: HttpRequest) -> Any:
        # The plain list (searched, sorted, paged) renders no filter panel: its 20 dropdowns
        # come when "Filters" is clicked (admin_list.lazy_filters).
        if getattr(request, "_guanxi_lazy_filters", False):
            return ()
        return super().get_list_filter(request)

    def get_list_display(self, request: HttpRequest) -> tuple[str, ...]:
        chosen = getattr(request, "_guanxi_columns", None) or chosen_columns(request.user)
        return ("name_link", *(COLUMNS[key] for key in chosen))

    def get_ordering(self, request: HttpRequest) -> Any:
        if getattr(request, "_guanxi_changelist", False):
            # Most valuable first (CLV, unscored last): the ScoredFirstPaginator's fast path.
            return (NullsLast("score_clv").desc(), "-pk")
        return super().get_ordering(request)

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        qs = super().get_queryset(request)
        if getattr(request, "_guanxi_360", False):
            return account_360_queryset(qs, today=timezone.localdate())
        if getattr(request, "_guanxi_changelist", False):
            # The latest run once per request (the list asks for its queryset several times).
            if not hasattr(request, "_guanxi_run"):
                request._guanxi_run = latest_run()
            qs = with_latest_scores(with_revenue(qs), run=request._guanxi_run)
            chosen = getattr(request, "_guanxi_columns", ())
            if "tiers" in chosen:
                qs = with_active_tiers(qs)
            if "lifecycle" in chosen:
                qs = with_lifecycle_stages(qs)
        return qs

    def get_urls(self) -> list:
        columns = path(
            "columns/",
            self.admin_site.admin_view(self.columns_view),
            name="accounts_account_columns",
        )
        return [columns, *super().get_urls()]

    def columns_view(self, request: HttpRequest) -> HttpResponse:
        """Remember the columns the user ticked (POST), then back to the list as it was. A GET
        (a bookmarked or reloaded address) changes nothing and goes to the list."""
        if not is_staff(request):
            raise Http404
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:accounts_account_changelist"))
        keys = DEFAULT_COLUMNS if request.POST.get("reset") else request.POST.getlist("column")
        preference_set(actor=request.user, key=COLUMNS_KEY, value=[k for k in keys if k in COLUMNS])
        back = next_url(request, reverse("admin:accounts_account_changelist"))
        return HttpResponseRedirect(back)

    def get_paginator(self, request: HttpRequest, queryset: QuerySet, per_page: int,
                      orphans: int = 0, allow_empty_first_page: bool = True) -> Any:  # fmt: skip
        return ScoredFirstPaginator(queryset, per_page, orphans, allow_empty_first_page)

    def get_search_results(self, request: HttpRequest, queryset: QuerySet, search_term: str):
        # An id subquery per word instead of Django's join on contacts (and the DISTINCT it
        # needs): see workspace.search.accounts_matching.
        return accounts_matching(queryset, search_term), False

    @display(description=_("tiers"))
    def tiers_display(self, obj: Account) -> str:
        return tier_badges(obj)

    @display(description=_("lifecycle stage"))
    def lifecycle_display(self, obj: Account) -> str:
        return lifecycle_badges(obj)

    @display(description=_("name"), ordering="name")
    def name_link(self, obj: Account) -> str:
        return format_html(
            '<a href="{}" class="font-medium text-primary-600" data-open-360>{}</a> '
            '<a href="{}" class="text-xs text-font-subtle-light dark:text-font-subtle-dark" '
            "data-edit>{}</a>",
            reverse("admin:accounts_account_view_360", args=(obj.pk,)),
            obj.name,
            reverse("admin:accounts_account_change", args=(obj.pk,)),
            pgettext("account list", "edit"),
        )

    @display(description=_("revenue, last 12 months"), ordering="revenue_12m")
    def revenue_12m_display(self, obj: Account) -> str:
        return money(getattr(obj, "revenue_12m", None))

    @display(description=_("last transaction"), ordering="last_transaction_at")
    def last_transaction_display(self, obj: Account) -> str:
        value = getattr(obj, "last_transaction_at", None)
        return timezone.localtime(value).date().isoformat() if value else "—"

    @display(description=_("RFM segment"), label=SEGMENT_COLOURS)
    def segment_display(self, obj: Account) -> Any:
        code = getattr(obj, "score_segment", None)
        # (code, text): the code picks the colour, the translated name is shown.
        return (code, Segment(code).label) if code in Segment.values else "—"

    @display(description=_("ABC"), ordering=NullsLast("score_abc_class"))
    def abc_display(self, obj: Account) -> str:
        return getattr(obj, "score_abc_class", None) or "—"

    @display(description=_("CLV"), ordering=NullsLast("score_clv"))
    def clv_display(self, obj: Account) -> str:
        return money(getattr(obj, "score_clv", None))

    @display(description=_("P(alive)"), ordering=NullsLast("score_p_alive"))
    def p_alive_display(self, obj: Account) -> str:
        value = getattr(obj, "score_p_alive", None)
        return "—" if value is None else f"{value:.0%}"

    # --- form ---------------------------------------------------------------------------------

    @display(description=_("subsidiaries"))
    def subsidiaries_display(self, obj: Account) -> str:
        if obj.pk is None:
            return "—"
        # get_form stamped the viewer on the object: list only subsidiaries they may open.
        subs = visible_to(Account.objects.filter(parent=obj), getattr(obj, "_viewer", None))
        subs = list(subs.order_by("name"))
        if not subs:
            return "—"
        return format_html_join(
            list_separator(),
            '<a href="{}">{}</a>',
            ((reverse("admin:accounts_account_change", args=(s.pk,)), s.name) for s in subs),
        )

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        if obj is not None:
            obj._viewer = request.user
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        # Fields the ownership rule (accounts/services.py) would refuse are not offered.
        if not services.may_choose_owner(request.user):
            fields = (*fields, "owner")
        if not services.may_choose_team(request.user):
            fields = (*fields, "team")
        return fields

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "owner":
            kwargs["queryset"] = services.assignable_owners(request.user, staff_users())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "co_owners":
            kwargs["queryset"] = staff_users()
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request: HttpRequest, obj: Account, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "owner" in form.changed_data:
            flows.owner_followed(account_ids=[obj.pk])  # the new owner's Today has it now
        # Saved although it looks like others: a manager sees the pairs now, not tomorrow.
        anyway = not change and form.cleaned_data.get("save_anyway")
        if anyway and account_lookalikes_queue(account=obj):
            messages.info(request, _(
                "The account and the ones it looks like are in the duplicates review queue "
                "now, for a manager to decide whether they are one customer."
            ))  # fmt: skip

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("owner", request.user.pk)
        if request.user.team_id:
            initial.setdefault("team", request.user.team_id)
        return initial

    @action(description=_("Send a survey"), url_path="send-survey", icon="qr_code_2")
    def send_survey(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The survey link's add page with this account chosen (its URL and QR code follow)."""
        account = self.get_object(request, unquote(object_id))
        if account is None or not is_staff(request):
            raise Http404
        add = reverse("admin:surveys_surveyinvitation_add")
        return HttpResponseRedirect(f"{add}?account={account.pk}")

    @action(description=_("Merge with…"), url_path="merge-with", icon="merge")
    def merge_with(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """Pick the duplicate, then the merge page (C14; team leads and managers)."""
        return HttpResponseRedirect(reverse("merge_accounts_pick", args=(int(unquote(object_id)),)))

    # --- 360° page ----------------------------------------------------------------------------

    def _merged_away_360(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """An account merged into another lives on in the survivor: its old 360° address (a
        bookmark, a link in a note) opens the survivor's, saying so; anything else is a 404."""
        try:
            record_id = int(unquote(object_id))
        except ValueError:
            raise Http404 from None
        survivor = merged_into("account", record_id) if is_staff(request) else None
        if survivor is None or not self.object_is_visible(request, survivor):
            raise Http404
        messages.info(request, _("That account was merged into this one."))
        return HttpResponseRedirect(reverse("admin:accounts_account_view_360", args=(survivor,)))

    @action(description=_("360° view"), url_path="360", icon="donut_large")
    def view_360(self, request: HttpRequest, object_id: str) -> HttpResponse:
        request._guanxi_360 = True  # the account with the page's figures (get_queryset)
        account = self.get_object(request, unquote(object_id))
        if account is None or not is_staff(request):
            return self._merged_away_360(request, object_id)
        # Read through visible_to for this user: the cards and the buttons ask no more.
        seen_by(account, request.user)
        request.__dict__.setdefault("_guanxi_visible", {})[
            (self.model._meta.label, str(account.pk))
        ] = True
        data = account_360(account)
        rollup = (
            account_rollup(account, actor=request.user)
            if account.has_subsidiaries
            else AccountRollup(subsidiaries=[], descendant_count=0, revenue_year=ZERO,
                               revenue_lifetime=ZERO, transaction_count=0)
        )  # fmt: skip
        chart_data, chart_options = revenue_chart(data)
        visible_parent = (
            account.parent
            if account.parent_id and self.object_is_visible(request, account.parent_id)
            else None
        )
        scores = account_score_history(account)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": account,
            "score": scores[-1] if scores else None,
            "score_change": latest_change(scores),
            "score_history": list(reversed(scores[-6:])),
            "title": _("360° view: %(name)s") % {"name": account.name},
            "subtitle": account.code,
            "data": data,
            "rollup": rollup,
            "history": account_history(account),
            "chart_data": chart_data,
            "chart_options": chart_options,
            "visible_parent": visible_parent,
            "co_owners": list(account.co_owners.all()),
            "tags": list(account.tags.all()),
            "has_change_permission": self.has_change_permission(request, account),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/accounts/account/account_360.html", context)
