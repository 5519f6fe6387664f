"""Each account's tier per scheme: the list (why, since when, by the rules or set by hand, when
last checked), setting a tier by hand (手动设置) from the list or the 360° card, clearing it, and
re-evaluating now.

Customer data: it follows the account access rule (what a user may not see is a 404, before any
role check); only managers and admins set or clear a tier by hand — the rule is the service's
(`tiers.services.account_tier_override`), the page only offers the link to them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, QuerySet, Value
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.decorators import action, display

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.admin_mixins import is_manager, service_error_text, show_service_error
from guanxi.core.errors import ApplicationError
from guanxi.core.views import next_url
from guanxi.tiers.admin.reevaluate import reevaluate_view
from guanxi.tiers.admin.shared import (
    LIFECYCLE,
    TIERS,
    PurposeRelatedFilter,
    SchemeColumn,
    ScopedReadAdmin,
    badge_column,
    date_column,
    metrics_text,
    url_name,
)
from guanxi.tiers.forms import OverrideForm
from guanxi.tiers.models import AccountTier, TierScheme
from guanxi.tiers.selectors import checked_on, with_last_run
from guanxi.tiers.templatetags.tiers_tags import labelled
from guanxi.workspace import flows


class OverrideStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("source")
    parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: Any):
        return [("rules", _("by the rules")), ("override", _("set by hand"))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "override":
            return queryset.filter(override_tier__isnull=False)
        if self.value() == "rules":
            return queryset.filter(override_tier__isnull=True)
        return queryset


@admin.register(AccountTier)
class AccountTierAdmin(SchemeColumn, ScopedReadAdmin):
    purpose = TIERS
    list_display = ("account", "scheme", "tier_display", "since_display", "source_display",
                    "override_until_display", "checked_display", "override_link")  # fmt: skip
    list_select_related = ("account", "scheme", "tier", "computed_tier", "override_tier")
    # Latest moves first, read off an index: ordering 100,000 accounts' rows by scheme, tier rank
    # and account name took over a second. The tier column still sorts by rank on a click.
    ordering = ("-since", "-id")
    list_filter = (("scheme", PurposeRelatedFilter), ("tier", PurposeRelatedFilter),
                   OverrideStateFilter)  # fmt: skip
    search_fields = ("account__name", "account__code")
    readonly_fields = ("account", "scheme", "tier", "computed_tier", "since_display",
                       "metrics_display", "evaluated_on_display", "checked_display",
                       "override_tier", "override_reason", "override_until_display",
                       "override_by")  # fmt: skip
    fields = readonly_fields
    actions_detail = ("override", "clear_override")
    actions_list = ("reevaluate",)

    tier_display = badge_column("tier", gettext_lazy("tier"), ordering="tier__rank")
    since_display = date_column("since", gettext_lazy("in this tier since"), ordering="since")
    evaluated_on_display = date_column(
        "evaluated_on", gettext_lazy("evaluated on"), ordering="evaluated_on"
    )
    override_until_display = date_column(
        "override_until", gettext_lazy("override until"), ordering="override_until"
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        # A column sees only its row: what it needs of the viewer (may they set a tier by
        # hand?) and of the latest run (when was an unchanged row last checked?) is on the row.
        qs = super().get_queryset(request).filter(scheme__purpose=self.purpose)
        may_override = Value(is_manager(request), output_field=BooleanField())
        return with_last_run(qs).annotate(viewer_may_override=may_override)

    @display(description=gettext_lazy("source"))
    def source_display(self, obj: AccountTier) -> str:
        # Plain text, not an (upper-cased) label: the reason is a sentence.
        if obj.override_active(timezone.localdate()):
            return format_html(
                '<span class="text-amber-700 dark:text-amber-400" data-source="override">{}</span>',
                _("Set by hand: %(reason)s") % {"reason": obj.override_reason},
            )
        return format_html('<span data-source="rules">{}</span>', _("By the rules"))

    @display(description=gettext_lazy("metric values"))
    def metrics_display(self, obj: AccountTier) -> str:
        return metrics_text(obj.metrics)

    @display(description=gettext_lazy("last checked"), ordering="evaluated_on")
    def checked_display(self, obj: AccountTier) -> str:
        # The nightly run checks every row but writes only the changed ones: the latest run's
        # day is when an unchanged row was last checked.
        day = checked_on(obj, obj.last_run_on)
        return day.isoformat() if day else "—"

    @display(description="")
    def override_link(self, obj: AccountTier) -> str:
        if not obj.viewer_may_override:
            return ""
        url = reverse(url_name(self, "override"), args=(obj.pk,))
        return format_html('<a class="text-primary-600" href="{}">{}</a>', url, _("Set by hand"))

    def has_override_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        # A row the user cannot see is not found (404), whoever asks; only then does the role
        # matter (the service decides; this only hides what they could not do).
        if object_id is not None:
            self._row(request, object_id)
        return is_manager(request)

    def has_manage_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    @action(description=gettext_lazy("Re-evaluate tiers now"), icon="refresh",
            permissions=["manage"])  # fmt: skip
    def reevaluate(self, request: HttpRequest) -> HttpResponse:
        return reevaluate_view(self, request)

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "override-for/<int:account_id>/<int:scheme_id>/",
                view(self.override_for_view),
                name=url_name(self, "override_for").removeprefix("admin:"),
            ),
            *super().get_urls(),
        ]

    def _row(self, request: HttpRequest, object_id: str) -> AccountTier:
        row = (
            self.get_queryset(request).filter(pk=unquote(object_id)).first()
            if str(object_id).isdigit()
            else None
        )
        if row is None:
            raise Http404
        return row

    def _back(self, request: HttpRequest) -> str:
        return next_url(request, reverse(url_name(self, "changelist")))

    # --- set by hand, clear -----------------------------------------------------------------------

    @action(description=gettext_lazy("Set by hand"), icon="edit",
            permissions=["override"])  # fmt: skip
    def override(self, request: HttpRequest, object_id: str) -> HttpResponse:
        row = self._row(request, object_id)
        return self._override_page(request, row)

    def override_for_view(
        self, request: HttpRequest, account_id: int, scheme_id: int
    ) -> HttpResponse:
        """Set by hand from the 360° card, also for an account with no tier in the scheme yet
        (most accounts have no row in a monthly scheme)."""
        account = accounts_visible_to(request.user).filter(pk=account_id).first()
        scheme = TierScheme.objects.filter(pk=scheme_id, purpose=self.purpose).first()
        if account is None or scheme is None:
            raise Http404  # what the user cannot see is not found, before any role check
        if not is_manager(request):
            raise PermissionDenied
        row = AccountTier.objects.filter(account=account, scheme=scheme).select_related(
            "tier", "computed_tier", "override_tier"
        ).first() or AccountTier(account=account, scheme=scheme)
        return self._override_page(request, row)

    def _override_page(self, request: HttpRequest, row: AccountTier) -> HttpResponse:
        form = OverrideForm(
            request.POST or None,
            scheme=row.scheme,
            initial={"tier": row.override_tier_id or row.tier_id},
        )
        if request.method == "POST" and form.is_valid():
            try:
                # The account's calls, visits and gifts follow the new tier at once.
                flows.tier_set_by_hand(
                    account=row.account,
                    scheme=row.scheme,
                    tier=form.cleaned_data["tier"],
                    reason=form.cleaned_data["reason"],
                    until=form.cleaned_data["until"],
                    actor=request.user,
                )
            except ApplicationError as exc:
                show_service_error(form, exc)
            else:
                what = f"{row.account} · {form.cleaned_data['tier']}"
                messages.success(request, labelled(_("Set by hand"), what))
                return HttpResponseRedirect(self._back(request))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": labelled(_("Set by hand"), f"{row.account} · {row.scheme}"),
            "row": row,
            "form": form,
            "no_row": _("No stage in this set yet.")
            if self.purpose == LIFECYCLE
            else _("No tier in this scheme yet."),
            "today": timezone.localdate(),
            "next": next_url(request) or "",
            "back_url": self._back(request),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/tiers/accounttier/override.html", context)

    @action(description=gettext_lazy("Clear the override"), icon="undo",
            permissions=["override"])  # fmt: skip
    def clear_override(self, request: HttpRequest, object_id: str) -> HttpResponse:
        row = self._row(request, object_id)
        back = self._back(request)
        if request.method != "POST":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Clear the override"),
                "row": row,
                "lifecycle": self.purpose == LIFECYCLE,
                "next": next_url(request) or "",
                "back_url": back,
            }
            return TemplateResponse(request, "admin/tiers/accounttier/clear.html", context)
        try:
            cleared = flows.tier_by_hand_cleared(
                account=row.account, scheme=row.scheme, actor=request.user
            )
        except ApplicationError as exc:
            messages.error(request, service_error_text(exc))
            return HttpResponseRedirect(back)
        if cleared:
            messages.success(request, _("Override cleared; the rules decide again."))
        else:
            messages.info(request, _("There was no override to clear."))
        return HttpResponseRedirect(back)
