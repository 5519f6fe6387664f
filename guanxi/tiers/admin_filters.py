"""Tier and lifecycle pieces of the account list (客户档案): a filter by scheme tier, a filter by
lifecycle stage, and compact columns of small colour badges, one per active tier scheme (or
lifecycle stage set) the account has a tier (stage) in.

The columns read prefetches (`with_active_tiers`, `with_lifecycle_stages`), so the list costs one
extra query per column for the whole page, never one per row. Tier pieces show tier schemes only;
lifecycle stage sets have their own.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from guanxi.tiers.models import AccountTier, SchemePurpose, Tier

ACTIVE_TIERS = "active_tiers"
LIFECYCLE_STAGES = "lifecycle_stages"
TIERS = SchemePurpose.TIERS.value
LIFECYCLE = SchemePurpose.LIFECYCLE.value
BADGE = (
    '<span class="inline-block whitespace-nowrap rounded-default px-1.5 py-0.5 text-[11px] '
    'font-semibold text-white" style="background-color: {}" title="{}" data-tier="{}">{}</span>'
)


def with_active_tiers(qs: QuerySet) -> QuerySet:
    """Prefetch each account's tiers in the active schemes into ``account.active_tiers``."""
    return qs.prefetch_related(_rows_prefetch(TIERS, ACTIVE_TIERS))


def with_lifecycle_stages(qs: QuerySet) -> QuerySet:
    """Prefetch each account's stages in the active lifecycle sets into
    ``account.lifecycle_stages`` (for `lifecycle_badges`)."""
    return qs.prefetch_related(_rows_prefetch(LIFECYCLE, LIFECYCLE_STAGES))


def _rows_prefetch(purpose: str, attr: str) -> Prefetch:
    rows = (
        AccountTier.objects.filter(
            scheme__is_active=True, scheme__purpose=purpose, tier__isnull=False
        )
        .select_related("tier", "scheme")
        .order_by("scheme__code")
    )
    return Prefetch("tiers", queryset=rows, to_attr=attr)


def _rows(account: Any, attr: str, purpose: str) -> list:
    rows = getattr(account, attr, None)
    if rows is None:  # not prefetched: one query for this account
        rows = list(
            AccountTier.objects.filter(
                account_id=account.pk,
                scheme__is_active=True,
                scheme__purpose=purpose,
                tier__isnull=False,
            )
            .select_related("tier", "scheme")
            .order_by("scheme__code")
        )
    return rows


def tier_badges(account: Any) -> str:
    rows = _rows(account, ACTIVE_TIERS, TIERS)
    if not rows:
        return "—"
    return format_html_join(
        " ",
        BADGE,
        ((r.tier.colour or "#6b7280", f"{r.scheme}: {r.tier}", r.tier.code, r.tier) for r in rows),
    )


def lifecycle_badges(account: Any) -> str:
    """The account's stage in each active lifecycle set, as small badges (title: set: stage)."""
    rows = _rows(account, LIFECYCLE_STAGES, LIFECYCLE)
    if not rows:
        return "—"
    return format_html_join(
        " ",
        STAGE_BADGE,
        ((r.tier.colour or "#6b7280", f"{r.scheme}: {r.tier}", r.tier.code, r.tier) for r in rows),
    )


STAGE_BADGE = (
    '<span class="inline-block whitespace-nowrap rounded-default px-1.5 py-0.5 text-[11px] '
    'font-semibold text-white" style="background-color: {}" title="{}" data-stage="{}">{}</span>'
)


class AccountTierFilter(DropdownFilter):
    """ "客户等级方案: A级品质客户": accounts currently in one tier of an active scheme."""

    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        tiers = Tier.objects.filter(scheme__is_active=True, scheme__purpose=TIERS).select_related(
            "scheme"
        )
        return [
            (str(t.pk), format_html("{}: {}", t.scheme, t))
            for t in tiers.order_by("scheme__code", "rank")
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value and str(value).isdigit():
            return queryset.filter(
                pk__in=AccountTier.objects.filter(
                    tier_id=int(value), scheme__purpose=self.purpose
                ).values("account_id")
            )
        return queryset

    purpose = TIERS


class LifecycleStageFilter(AccountTierFilter):
    """ "客户生命周期: 稳定期": accounts currently in one stage of an active lifecycle set (the
    stages listed in lifecycle order)."""

    title = _("lifecycle stage")
    parameter_name = "stage"
    purpose = LIFECYCLE

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        stages = Tier.objects.filter(
            scheme__is_active=True, scheme__purpose=LIFECYCLE
        ).select_related("scheme")
        return [
            (str(t.pk), format_html("{}: {}", t.scheme, t))
            for t in stages.order_by("scheme__code", "-rank")
        ]
