"""Tier and lifecycle pieces of the account list (客户档案): a filter by scheme tier, a filter by
lifecycle stage, and compact columns of small colour badges, one per active tier scheme (or
lifecycle stage set) the account has a tier (stage) in.

The columns read prefetches (`with_active_tiers`, `with_lifecycle_stages`), so the list costs one
extra query per column for the whole page, never one per row. Tier pieces show tier schemes only;
lifecycle stage sets have their own. With more than one active lifecycle stage set, each stage
badge carries the short name of its set ("关系发展周期：退化期", "客户阶梯：拥护者", with the
translated separator), and the stage filter groups its options under each set.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from unfold.contrib.filters.admin import DropdownFilter

from guanxi.tiers.models import AccountTier, SchemePurpose, Tier, TierScheme
from guanxi.tiers.selectors import NO_TIER, no_tier_value
from guanxi.tiers.templatetags.tiers_tags import label_sep, labelled

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


LIFECYCLE_SET_COUNT = "active_lifecycle_sets"


def with_lifecycle_stages(qs: QuerySet) -> QuerySet:
    """Prefetch each account's stages in the active lifecycle sets into
    ``account.lifecycle_stages``, and the number of active sets into
    ``account.active_lifecycle_sets`` (an uncorrelated subquery in the same query), for
    `lifecycle_badges`."""
    n_sets = (
        TierScheme.objects.filter(is_active=True, purpose=LIFECYCLE)
        .order_by()
        .values("purpose")  # one group: the filter fixes the purpose
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.prefetch_related(_rows_prefetch(LIFECYCLE, LIFECYCLE_STAGES)).annotate(
        **{LIFECYCLE_SET_COUNT: Coalesce(Subquery(n_sets[:1]), 0)}
    )


# The part of a set's name before its bracketed or colon-led detail: "关系发展周期（考察期→…）" →
# "关系发展周期", "Customer ladder (prospect → …)" → "Customer ladder".
_SHORT_CUT = re.compile(r"\s*[（(：:].*$", re.DOTALL)


def short_set_name(scheme: TierScheme) -> str:
    """A short name for a lifecycle stage set, to label its stages where several sets show side
    by side: the (localised) name up to its first bracket or colon, else the code."""
    full = str(scheme)
    return _SHORT_CUT.sub("", full).strip() or full.strip() or scheme.code


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
        (
            (r.tier.colour or "#6b7280", labelled(r.scheme, r.tier), r.tier.code, r.tier)
            for r in rows
        ),
    )


def _active_set_count(account: Any) -> int:
    n = getattr(account, LIFECYCLE_SET_COUNT, None)
    if n is None:  # not annotated: one query for this account
        n = TierScheme.objects.filter(is_active=True, purpose=LIFECYCLE).count()
    return n


def lifecycle_badges(account: Any) -> str:
    """The account's stage in each active lifecycle set, as small badges (title: set: stage);
    with more than one active set, each badge is led by its set's short name."""
    rows = _rows(account, LIFECYCLE_STAGES, LIFECYCLE)
    if not rows:
        return "—"
    if _active_set_count(account) <= 1:
        return format_html_join(
            " ",
            STAGE_BADGE,
            (
                (r.tier.colour or "#6b7280", labelled(r.scheme, r.tier), r.tier.code, r.tier)
                for r in rows
            ),
        )
    sep = label_sep()
    return format_html_join(
        " ",
        LABELLED_STAGE_BADGE,
        (
            (
                r.scheme.code,
                short_set_name(r.scheme),
                sep,
                r.tier.colour or "#6b7280",
                labelled(r.scheme, r.tier),
                r.tier.code,
                r.tier,
            )
            for r in rows
        ),  # fmt: skip
    )


STAGE_BADGE = (
    '<span class="inline-block whitespace-nowrap rounded-default px-1.5 py-0.5 text-[11px] '
    'font-semibold text-white" style="background-color: {}" title="{}" data-stage="{}">{}</span>'
)
LABELLED_STAGE_BADGE = (
    '<span class="inline-flex items-center gap-1 whitespace-nowrap" data-set="{}">'
    '<span class="text-[11px] text-font-subtle-light dark:text-font-subtle-dark">{}{}</span>'
    + STAGE_BADGE
    + "</span>"
)


class AccountTierFilter(DropdownFilter):
    """ "客户等级方案：A级品质客户": accounts currently in one tier of an active scheme."""

    title = _("tier")
    parameter_name = "tier"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        tiers = list(
            Tier.objects.filter(scheme__is_active=True, scheme__purpose=TIERS)
            .select_related("scheme")
            .order_by("scheme__code", "rank")
        )
        schemes = {t.scheme_id: t.scheme for t in tiers}
        return [(str(t.pk), labelled(t.scheme, t)) for t in tiers] + [
            (no_tier_value(scheme), labelled(scheme, _("no tier"))) for scheme in schemes.values()
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = str(self.value() or "")
        if value.isdigit():
            return queryset.filter(
                pk__in=AccountTier.objects.filter(
                    tier_id=int(value), scheme__purpose=self.purpose
                ).values("account_id")
            )
        scheme_id = value.removeprefix(NO_TIER)
        if value.startswith(NO_TIER) and scheme_id.isdigit():
            # No tier in that scheme: no row, or a row whose rules gave none.
            return queryset.exclude(
                pk__in=AccountTier.objects.filter(
                    scheme_id=int(scheme_id), tier__isnull=False
                ).values("account_id")
            )
        return queryset

    purpose = TIERS


class LifecycleStageFilter(AccountTierFilter):
    """ "客户生命周期：稳定期": accounts currently in one stage of an active lifecycle set (the
    stages listed in lifecycle order)."""

    title = _("lifecycle stage")
    parameter_name = "stage"
    purpose = LIFECYCLE

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        """One option per stage, in lifecycle order per set: the stage's name alone with one
        active set; with several, `choices` groups them under each set's name (and a chosen
        stage reads "short set name: stage", with the translated separator)."""
        stages = list(
            Tier.objects.filter(scheme__is_active=True, scheme__purpose=LIFECYCLE)
            .select_related("scheme")
            .order_by("scheme__code", "-rank")
        )
        self.set_of: dict[str, TierScheme] = {str(t.pk): t.scheme for t in stages}
        if len({t.scheme_id for t in stages}) <= 1:
            return [(str(t.pk), str(t)) for t in stages]
        return [(str(t.pk), labelled(short_set_name(t.scheme), t)) for t in stages]

    def choices(self, changelist: Any):
        """The dropdown's options grouped per set (an <optgroup> headed by the set's name) when
        more than one set is active; facet counts, if asked for, still follow each option."""
        for item in super().choices(changelist):
            form = item.get("form")
            field = form.fields.get(self.parameter_name) if form is not None else None
            sets = getattr(self, "set_of", {})
            if field is not None and len({s.pk for s in sets.values()}) > 1:
                flat = list(field.choices)
                grouped: list = [c for c in flat if str(c[0]) not in sets]  # "All"
                groups: dict[int, tuple[str, list]] = {}
                for value, label in flat:
                    scheme = sets.get(str(value))
                    if scheme is None:
                        continue
                    groups.setdefault(scheme.pk, (str(scheme), []))[1].append((value, label))
                grouped += list(groups.values())
                field.choices = grouped
            yield item
