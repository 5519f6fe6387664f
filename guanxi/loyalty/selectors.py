"""Reads of the warning lights, the loyalty cells and the referrals, with the access rule
(`accounts.selectors.visible_to`): a light on an account out of sight is not found."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.core.dates import add_months
from guanxi.core.errors import NotFound
from guanxi.core.models import User
from guanxi.core.selectors import filter_given
from guanxi.loyalty.models import (
    AccountLight,
    AccountLoyalty,
    AttitudeSource,
    LightColour,
    LightStatus,
    LoyaltyCell,
    Referral,
    ReferralAsk,
)


def lights_visible_to(actor: User | None) -> QuerySet[AccountLight]:
    return visible_to(AccountLight.objects.all(), actor, prefix="account__").select_related(
        "account", "account__owner", "rule", "feedback_by", "countermeasure_by"
    )


def lit_lights_visible_to(actor: User | None) -> QuerySet[AccountLight]:
    """The lights lit now (not cleared), red first, newest first."""
    return (
        lights_visible_to(actor)
        .filter(cleared_at__isnull=True)
        # "red" sorts after "yellow": descending; cleared_at (all empty here) lets the index
        # light_list_order serve the order
        .order_by("cleared_at", "colour", "-raised_at", "-id")
    )


@dataclass(frozen=True)
class LightFilters:
    colour: str | None = None
    status: str | None = None
    rule: str | None = None  # the rule's code
    account_id: int | None = None
    owner_id: int | None = None
    lit: bool | None = True  # True: lit now; False: cleared; None: both


def light_list(*, actor: User | None, filters: LightFilters) -> QuerySet[AccountLight]:
    qs = lights_visible_to(actor)
    if filters.lit is not None:
        qs = qs.filter(cleared_at__isnull=filters.lit)
    if filters.colour:
        qs = qs.filter(colour=filters.colour)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.rule:
        qs = qs.filter(rule__code=filters.rule)
    if filters.account_id:
        qs = qs.filter(account_id=filters.account_id)
    if filters.owner_id:
        qs = qs.filter(account__owner_id=filters.owner_id)
    return qs.order_by("cleared_at", "colour", "-raised_at", "-id")


def light_get(*, actor: User | None, light_id: int) -> AccountLight:
    light = lights_visible_to(actor).filter(pk=light_id).first()
    if light is None:
        raise NotFound(_("Warning light %(id)s not found.") % {"id": light_id}, field="light_id")
    return light


def account_lights(account_id: int, *, include_cleared: int = 5) -> list[AccountLight]:
    """An account's lit lights, then its last few cleared ones (for the 360° page; the caller
    has checked the account)."""
    # One query: every lit light, and the newest cleared ones (numbered among the cleared).
    cleared_nth = Window(
        RowNumber(),
        partition_by=[Case(When(cleared_at__isnull=True, then=Value(1)), default=Value(0))],
        order_by=[F("cleared_at").desc(nulls_last=True), F("id").desc()],
    )
    rows = list(
        AccountLight.objects.filter(account_id=account_id)
        .select_related("rule", "feedback_by", "countermeasure_by")
        .annotate(cleared_nth=cleared_nth)
        .filter(Q(cleared_at__isnull=True) | Q(cleared_nth__lte=include_cleared))
    )
    lit = [r for r in rows if r.cleared_at is None]
    lit.sort(key=lambda r: r.raised_at, reverse=True)
    lit.sort(key=lambda r: r.colour)
    cleared = sorted((r for r in rows if r.cleared_at is not None),
                     key=lambda r: (r.cleared_at, r.pk), reverse=True)  # fmt: skip
    return lit + cleared


def lit_colours(account_ids: list[int]) -> dict[int, str]:
    """Account id → the worst colour lit on it (red over yellow), for lists."""
    rows = (
        AccountLight.objects.filter(account_id__in=account_ids, cleared_at__isnull=True)
        .values_list("account_id", "colour")
        .order_by()
    )
    out: dict[int, str] = {}
    for account_id, colour in rows:
        if out.get(account_id) != LightColour.RED:
            out[account_id] = colour
    return out


def lights_for_kam(user: User, *, limit: int = 20) -> list[AccountLight]:
    """The lit lights on the accounts ``user`` owns that still wait for them (open or
    acknowledged), red first: Today's section."""
    return list(
        AccountLight.objects.filter(
            account__owner=user,
            cleared_at__isnull=True,
            status__in=[LightStatus.OPEN, LightStatus.ACKNOWLEDGED],
        )
        .select_related("account", "rule")
        .order_by("colour", "-raised_at", "-id")[:limit]
    )


def light_counts(actor: User | None) -> dict[str, int]:
    """Lit lights by colour among the accounts the actor sees."""
    row = (
        visible_to(AccountLight.objects.filter(cleared_at__isnull=True), actor, prefix="account__")
        .order_by()
        .aggregate(
            red=Count("id", filter=Q(colour=LightColour.RED)),
            yellow=Count("id", filter=Q(colour=LightColour.YELLOW)),
        )
    )
    return {"red": row["red"] or 0, "yellow": row["yellow"] or 0}


# --- Loyalty matrix --------------------------------------------------------------------------


def loyalty_counts(actor: User | None) -> dict[str, int]:
    """Accounts per loyalty cell (and "no survey yet") among the accounts the actor sees."""
    rows = (
        visible_to(AccountLoyalty.objects.all(), actor, prefix="account__")
        .values_list("cell")
        .annotate(n=Count("account_id"))
        .order_by()
    )
    counts = {cell: 0 for cell in LoyaltyCell.values}
    counts.update({cell: n for cell, n in rows})
    return counts


def loyalty_accounts(*, actor: User | None, cell: str) -> QuerySet[AccountLoyalty]:
    if cell not in LoyaltyCell.values:
        raise NotFound(_("Loyalty cell '%(cell)s' not found.") % {"cell": cell}, field="cell")
    return (
        visible_to(AccountLoyalty.objects.filter(cell=cell), actor, prefix="account__")
        .select_related("account", "account__owner")
        .order_by("account__name", "account_id")
    )


def account_loyalty(account_id: int) -> AccountLoyalty | None:
    return AccountLoyalty.objects.filter(account_id=account_id).first()


# --- Referrals -------------------------------------------------------------------------------


def with_referral_value(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    """Each referral with its ``value``: the referred account's revenue to date, from its
    ledger rollup (one row per account; 0 for a lead not yet an account)."""
    value = Coalesce(
        F("referred_account__ledger_rollup__revenue_lifetime"),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=16, decimal_places=2),
    )
    return referrals.annotate(value=value)


def referrals_visible_to(actor: User | None) -> QuerySet[Referral]:
    """Referrals whose referring account the actor sees, each with its ``value``."""
    return with_referral_value(
        visible_to(Referral.objects.all(), actor, prefix="referrer_account__").select_related(
            "referrer_account",
            "referrer_account__owner",
            "referrer_contact",
            "referred_account",
            "referred_lead",
        )
    )


def referral_get(*, actor: User | None, referral_id: int) -> Referral:
    referral = referrals_visible_to(actor).filter(pk=referral_id).first()
    if referral is None:
        raise NotFound(_("Referral %(id)s not found.") % {"id": referral_id}, field="referral_id")
    return referral


@dataclass(frozen=True)
class ReferralFilters:
    """The referral page's and the API's filters: the referring account's KAM or team, and the
    days the referrals were made (both ends included)."""

    owner_id: int | None = None
    team_id: int | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    referrer_account_id: int | None = None


REFERRAL_LOOKUPS = {
    "owner_id": "referrer_account__owner_id",
    "team_id": "referrer_account__team_id",
    "since": "referred_on__gte",
    "until": "referred_on__lte",
    "referrer_account_id": "referrer_account_id",
}


def referral_list(*, actor: User | None, filters: ReferralFilters) -> QuerySet[Referral]:
    """The referrals the actor sees (by the referring account), filtered, newest first."""
    qs = filter_given(referrals_visible_to(actor), filters, REFERRAL_LOOKUPS)
    return qs.order_by("-referred_on", "-id")


def referral_totals(referrals: QuerySet[Referral]) -> dict[str, object]:
    """How many referrals, how many became accounts, and their value (one aggregate over the
    referrals and the referred accounts' rollups)."""
    row = referrals.order_by().aggregate(
        n=Count("id"), accounts=Count("referred_account_id"), total=Sum("value")
    )
    return {"referrals": row["n"], "accounts": row["accounts"], "value": row["total"] or 0}


#: An NPS answer from this score is a promoter's (the referral asks use the same).
PROMOTER_FROM = 9


def promoters_without_referral(
    *, actor: User | None, as_of: dt.date, filters: ReferralFilters
) -> QuerySet[AccountLoyalty]:
    """The accounts the actor sees whose latest NPS (stored by the nightly matrix, within a
    year) is a promoter's and that have referred nobody within the referral-ask months, each
    with its latest referral ask (``asked_on``, ``ask_task_id``): whom to ask, and who was."""
    since = add_months(as_of, -settings.GUANXI_REFERRAL_ASK_MONTHS)
    qs = visible_to(
        AccountLoyalty.objects.filter(
            attitude_source=AttitudeSource.NPS,
            attitude_value__gte=PROMOTER_FROM,
            attitude_on__gt=as_of - dt.timedelta(days=365),
        ),
        actor,
        prefix="account__",
    )
    qs = filter_given(qs, filters, {"owner_id": "account__owner_id", "team_id": "account__team_id"})
    referred = Referral.objects.filter(
        referrer_account_id=OuterRef("account_id"), referred_on__gt=since
    )
    asks = ReferralAsk.objects.filter(account_id=OuterRef("account_id")).order_by(
        "-asked_on", "-id"
    )
    return (
        qs.filter(~Exists(referred))
        .annotate(
            asked_on=Subquery(asks.values("asked_on")[:1]),
            ask_task_id=Subquery(asks.values("task_id")[:1]),
        )
        .select_related("account", "account__owner")
        .order_by(F("asked_on").asc(nulls_first=True), "-attitude_on", "account_id")
    )
