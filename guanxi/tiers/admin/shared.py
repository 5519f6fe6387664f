"""What the tier pages share: the purpose of a page (tiers or lifecycle stages), badges and
dates as every page shows them, column makers, the label map that lets a lifecycle page reuse a
tier page under stage words, the purpose filters and the read-only base of customer data.

A list column sees only its row (the admin is shared between requests): what it needs to know
of the viewer is annotated by the page's ``get_queryset(request)``, never kept aside.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter
from unfold.decorators import display

from guanxi.accounts.admin_base import ScopedQuerysetMixin
from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.admin_mixins import RoleAccessMixin
from guanxi.core.formatting import money
from guanxi.tiers.models import SchemePurpose, Tier, TierScheme
from guanxi.tiers.templatetags.tiers_tags import metric_name, metric_value

TIERS = SchemePurpose.TIERS.value
LIFECYCLE = SchemePurpose.LIFECYCLE.value

TIER_LABEL = '<span class="inline-block whitespace-nowrap rounded-default px-2 py-0.5 text-xs ' \
    'font-semibold text-white" style="background-color: {}">{}</span>'  # fmt: skip


def url_name(model_admin: Any, name: str) -> str:
    """The admin URL name ``name`` of this admin's model (tier admins are reused for the
    lifecycle proxies, whose URLs carry their own model name)."""
    opts = model_admin.model._meta
    return f"admin:{opts.app_label}_{opts.model_name}_{name}"


def tier_badge(tier: Tier | None) -> str:
    """A tier (a stage) as its coloured badge; "—" for none."""
    if tier is None:
        return "—"
    return format_html(TIER_LABEL, tier.colour or "#6b7280", str(tier))


def iso(day: dt.date | None) -> str:
    """A date as on every other page (2026-11-24), not the locale's long form."""
    return day.isoformat() if day else "—"


def iso_time(moment: dt.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def in_language(zh: str, en: str) -> str:
    """The text of the active language, for texts that are data (a preset's name), not msgids."""
    return en if (get_language() or "").startswith("en") else zh


def metrics_text(metrics: dict | None) -> str:
    """The figures the rules saw, in words ("visits in the month 6 · spend in the month ¥5,200")."""
    if not metrics:
        return "—"
    return " · ".join(f"{metric_name(m)} {metric_value(v, m)}" for m, v in sorted(metrics.items()))


def no_tier_text(purpose: str) -> str:
    """What an account without a tier (a stage) is called in a count."""
    return _("no stage") if purpose == LIFECYCLE else _("no tier")


def visible_accounts(request: HttpRequest) -> QuerySet[Account] | None:
    """None = all (no filter needed); else the accounts the viewer may see."""
    return None if request.user.sees_all_accounts else accounts_visible_to(request.user)


# --- columns ------------------------------------------------------------------------------------


def badge_column(field: str, label: Any, *, ordering: str | None = None) -> Callable:
    """A column showing the tier (stage) in ``field`` as its badge."""

    @display(description=label, ordering=ordering)
    def column(model_admin: Any, obj: Any) -> str:
        return tier_badge(getattr(obj, field))

    column.__name__ = f"{field}_display"
    return column


def date_column(field: str, label: Any, *, ordering: str | None = None) -> Callable:
    """A column showing the date in ``field`` as an ISO date."""

    @display(description=label, ordering=ordering)
    def column(model_admin: Any, obj: Any) -> str:
        return iso(getattr(obj, field))

    column.__name__ = f"{field}_display"
    return column


def relabelled(func: Callable, label: Any, *, ordering: str | None = None) -> Callable:
    """``func`` (a column or an action) under another label (and sort order): the same code,
    other words."""

    @functools.wraps(func)  # keeps the action's permissions, icon and the column's settings
    def worded(*args: Any, **kwargs: Any) -> Any:
        return func(*args, **kwargs)

    worded.short_description = label  # type: ignore[attr-defined]
    if ordering is not None:
        worded.admin_order_field = ordering  # type: ignore[attr-defined]
    return worded


class Relabel:
    """An admin that shows its parent's columns and actions in its own words: ``labels`` maps
    the name of an inherited column or action to its label here, ``orderings`` a column's name to
    its sort order here (the lifecycle pages: a tier is a stage, stages sort in lifecycle order)."""

    labels: ClassVar[dict[str, Any]] = {}
    orderings: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        labels = cls.__dict__.get("labels", {})
        orderings = cls.__dict__.get("orderings", {})
        for name in {*labels, *orderings}:
            func = getattr(cls, name)
            label = labels.get(name, getattr(func, "short_description", None))
            setattr(cls, name, relabelled(func, label, ordering=orderings.get(name)))


class SchemeColumn:
    """The row's scheme (a lifecycle page calls it the stage set)."""

    @display(description=gettext_lazy("scheme"), ordering="scheme__code")
    def scheme_display(self, obj: Any) -> str:
        return str(obj.scheme)


# --- filters ------------------------------------------------------------------------------------


class PurposeRelatedFilter(RelatedDropdownFilter):
    """A scheme or tier filter offering only the schemes (tiers) of the admin's purpose: tier
    pages never list lifecycle sets, and the other way round."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any):
        ordering = self.field_admin_ordering(field, request, model_admin)
        purpose = getattr(model_admin, "purpose", TIERS)
        limit = (
            {"purpose": purpose}
            if field.related_model is TierScheme
            else {"scheme__purpose": purpose}
        )
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)


class TitledPurposeFilter(PurposeRelatedFilter):
    """A purpose filter under a title of its own ("lifecycle stage set", not the field's
    "scheme"): Django sets the title from the field in __init__, so it is replaced after."""

    label: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.label is not None:
            self.title = self.label


class StageSetFilter(TitledPurposeFilter):
    label = gettext_lazy("lifecycle stage set")


class StageFilter(TitledPurposeFilter):
    label = gettext_lazy("stage")


class ToStageFilter(TitledPurposeFilter):
    label = gettext_lazy("new stage")


class SourceFilter(ChoicesDropdownFilter):
    """The change's reason (rules / set by hand / override ended), titled "source" on the
    lifecycle history, whose "why" column already says why."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.title = gettext_lazy("source")


# --- customer data, read-only -------------------------------------------------------------------


class ScopedReadAdmin(Relabel, ScopedQuerysetMixin, RoleAccessMixin, ModelAdmin):
    """Customer data shown read-only (written by the tiering run and the services), within the
    account access rule. ``list_title``: the list's title when it is not the model's name."""

    list_filter_submit = True
    list_per_page = 50
    show_full_result_count = False
    list_title: Any = None

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        if self.list_title is not None:
            extra_context = {**(extra_context or {}), "title": str(self.list_title)}
        return super().changelist_view(request, extra_context)


class SaleReviewAdmin(ScopedReadAdmin):
    """A queue of sales held for a manager's decision (the discount floor's reviews, the
    negotiated rates' off-rate reviews): the sale's columns, and the page titled in words."""

    #: review → the page's title (a subclass names its own).
    review_title: ClassVar[Callable[[Any], str]]
    # A night can flag tens of thousands: a KAM's newest from the queue's index, with the
    # visible ids as a list (the id subquery was joined row by row: 335 ms at 100k accounts).
    visible_as_list = True

    @display(description=gettext_lazy("transaction date"), ordering="transaction__occurred_at")
    def txn_date(self, obj: Any) -> str:
        return timezone.localtime(obj.transaction.occurred_at).strftime("%Y-%m-%d %H:%M")

    @display(description=gettext_lazy("category"))
    def category(self, obj: Any) -> str:
        return str(obj.transaction.category)

    @display(description=gettext_lazy("amount"), ordering="transaction__amount")
    def amount(self, obj: Any) -> str:
        return money(obj.transaction.amount, 2)

    def _review(self, request: HttpRequest, object_id: str) -> Any:
        if not str(object_id).isdigit():
            return None
        return self.get_queryset(request).filter(pk=unquote(object_id)).first()

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict | None = None):  # fmt: skip
        review = self._review(request, object_id)
        if review is not None:
            extra_context = {**(extra_context or {}), "title": type(self).review_title(review)}
        return super().change_view(request, object_id, form_url, extra_context)
