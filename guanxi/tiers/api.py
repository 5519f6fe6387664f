"""/api/tiers: tier schemes and lifecycle stage sets with readable rules, an account's tiers,
lifecycle stages and history, overrides (of tiers and of lifecycle stages alike)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema

from guanxi.accounts.services import account_for_actor
from guanxi.core.errors import ApplicationError
from guanxi.core.schemas import MAX_ID, Day, InputSchema
from guanxi.tiers.models import AccountTier, SchemePurpose, Tier, TierChange, TierScheme
from guanxi.tiers.selectors import (
    account_tier_history,
    account_tiers,
    checked_on,
    last_run_on,
    rules_for_scheme,
)
from guanxi.tiers.services import override_permission_check
from guanxi.tiers.standing import account_lifecycle
from guanxi.tiers.templatetags.tiers_tags import (
    change_author,
    change_why,
    rule_summary,
    stage_reason,
)
from guanxi.workspace import flows

router = Router(tags=["tiers"])


class ConditionOut(Schema):
    metric: str
    min: Decimal | None
    max: Decimal | None
    values: list[str]


class TierOut(Schema):
    code: str
    name: str
    name_en: str
    description: str = Field(description="in Chinese")
    description_en: str = Field(description="in English (empty when none was written)")
    rank: int
    colour: str
    rule: str
    conditions: list[ConditionOut]


class SchemeOut(Schema):
    code: str
    purpose: str = Field(description="tiers, or lifecycle for a lifecycle stage set")
    name: str
    name_en: str
    description: str = Field(description="in Chinese")
    description_en: str = Field(description="in English (empty when none was written)")
    is_active: bool
    tiers: list[TierOut] = Field(
        description="in rank order (rank 1 is checked first); for a lifecycle set, the stages, "
        "whose lifecycle order is the reverse"
    )


class TierRef(Schema):
    code: str
    name: str
    name_en: str
    rank: int


class OverrideOut(Schema):
    tier: TierRef
    reason: str
    until: dt.date | None
    by: str | None
    active: bool


class AccountTierOut(Schema):
    scheme: str
    tier: TierRef | None
    computed_tier: TierRef | None
    since: dt.date | None
    evaluated_on: dt.date | None = Field(description="when the row last changed")
    checked_on: dt.date | None = Field(
        description="when the rules last checked the row (the latest tiering run that evaluated "
        "the scheme; a run writes nothing for an unchanged row)"
    )
    metrics: dict[str, Any]
    override: OverrideOut | None


class TierChangeOut(Schema):
    scheme: str
    from_tier: TierRef | None
    to_tier: TierRef | None
    direction: str | None = Field(description="up, down, or null for new/lost/same")
    effective_on: dt.date
    reason: str
    note: str
    metrics: dict[str, Any]
    changed_by: str | None


class AccountTiersOut(Schema):
    account_id: int
    tiers: list[AccountTierOut]
    history: list[TierChangeOut]
    lifecycle: list[AccountTierOut] = Field(
        default_factory=list,
        description="the account's stage per active lifecycle stage set (details and history: "
        "GET /api/tiers/accounts/{id}/lifecycle)",
    )


class StageOut(Schema):
    code: str
    name: str
    name_en: str
    rank: int
    colour: str
    rule: str
    current: bool


class StageChangeOut(TierChangeOut):
    why: str = Field(description="the figures that decided, in words (or the override's note)")
    by: str = Field(description="the person, or the tiering run that made the move")


class AccountLifecycleSetOut(Schema):
    set: str = Field(description="lifecycle stage set code")
    name: str
    name_en: str
    stages: list[StageOut] = Field(description="in lifecycle order: first stage first")
    stage: TierRef | None = Field(description="the stage in force (override or rules)")
    computed_stage: TierRef | None = Field(description="the stage the rules give")
    since: dt.date | None
    evaluated_on: dt.date | None = Field(description="when the row last changed")
    checked_on: dt.date | None = Field(
        description="when the rules last checked the stage (the latest tiering run)"
    )
    reason: str = Field(description="why, in words: the stage's rule and the deciding figures")
    metrics: dict[str, Any]
    override: OverrideOut | None
    history: list[StageChangeOut] = Field(description="stage changes, newest first")


class AccountLifecycleOut(Schema):
    account_id: int
    sets: list[AccountLifecycleSetOut]


class OverrideIn(InputSchema):
    scheme: str = Field(
        ..., min_length=1, max_length=40, description="tier scheme or lifecycle stage set code"
    )
    tier: str = Field(
        ..., min_length=1, max_length=40, description="tier (or stage) code in that scheme"
    )
    reason: str = Field(..., max_length=300)
    until: Day | None = None


def _ref(tier: Tier | None) -> dict | None:
    if tier is None:
        return None
    return {"code": tier.code, "name": tier.name, "name_en": tier.name_en, "rank": tier.rank}


def _account_tier(row: AccountTier, last_run: dt.date | None = None) -> dict:
    override = None
    if row.override_tier_id is not None:
        override = {
            "tier": _ref(row.override_tier),
            "reason": row.override_reason,
            "until": row.override_until,
            "by": row.override_by.get_username() if row.override_by else None,
            "active": row.override_active(timezone.localdate()),
        }
    return {
        "scheme": row.scheme.code,
        "tier": _ref(row.tier),
        "computed_tier": _ref(row.computed_tier),
        "since": row.since,
        "evaluated_on": row.evaluated_on,
        "checked_on": checked_on(row, last_run),
        "metrics": row.metrics or {},
        "override": override,
    }


def _change(change: TierChange) -> dict:
    up = change.is_upgrade
    return {
        "scheme": change.scheme.code,
        "from_tier": _ref(change.from_tier),
        "to_tier": _ref(change.to_tier),
        "direction": None if up is None else ("up" if up else "down"),
        "effective_on": change.effective_on,
        "reason": change.reason,
        "note": change.note,
        "metrics": change.metrics or {},
        "changed_by": change.changed_by.get_username() if change.changed_by else None,
    }


PURPOSE_QUERY = Query(
    SchemePurpose.TIERS, description="tiers (default) or lifecycle: lifecycle stage sets"
)


@router.get(
    "/schemes",
    response=list[SchemeOut],
    summary="Tier schemes (or lifecycle stage sets) with their tiers (stages) and rules",
)
def schemes(
    request: HttpRequest,
    purpose: SchemePurpose = PURPOSE_QUERY,
):
    out = []
    for scheme in TierScheme.objects.filter(purpose=purpose).order_by("code"):
        tiers, rule_list = rules_for_scheme(scheme)
        out.append(
            {
                "code": scheme.code,
                "purpose": scheme.purpose,
                "name": scheme.name,
                "name_en": scheme.name_en,
                "description": scheme.description,
                "description_en": scheme.description_en,
                "is_active": scheme.is_active,
                "tiers": [
                    {
                        "code": t.code,
                        "name": t.name,
                        "name_en": t.name_en,
                        "description": t.description,
                        "description_en": t.description_en,
                        "rank": t.rank,
                        "colour": t.colour,
                        "rule": rule_summary(conds),
                        "conditions": conds,
                    }
                    for t, conds in zip(tiers, rule_list, strict=True)
                ],
            }
        )
    return out


def _tiers_body(account) -> dict:
    last_run = last_run_on()
    lifecycle = account_tiers(account, purpose=SchemePurpose.LIFECYCLE.value)
    return {
        "account_id": account.pk,
        "tiers": [_account_tier(r, last_run) for r in account_tiers(account)],
        "history": [_change(c) for c in account_tier_history(account)],
        "lifecycle": [_account_tier(r, last_run) for r in lifecycle],
    }


def _lifecycle_body(account) -> dict:
    today = timezone.localdate()
    last_run = last_run_on()
    sets = []
    for life in account_lifecycle(account):
        row = life.row
        base = _account_tier(row, last_run) if row is not None else None
        stage = life.stage
        override = bool(row and row.override_active(today))
        reason = ""
        if row is not None:
            why = stage_reason(row.computed_tier if override else stage, row.metrics)
            reason = " — ".join(p for p in (why["rule"], why["text"]) if p)
        sets.append(
            {
                "set": life.stage_set.code,
                "name": life.stage_set.name,
                "name_en": life.stage_set.name_en,
                "stages": [
                    {
                        "code": s.code,
                        "name": s.name,
                        "name_en": s.name_en,
                        "rank": s.rank,
                        "colour": s.colour,
                        "rule": rule_summary(s.conditions.all()),
                        "current": stage is not None and s.pk == stage.pk,
                    }
                    for s in life.stages
                ],
                "stage": _ref(stage),
                "computed_stage": _ref(row.computed_tier) if row else None,
                "since": row.since if row else None,
                "evaluated_on": row.evaluated_on if row else None,
                "checked_on": base["checked_on"] if base else None,
                "reason": reason,
                "metrics": row.metrics if row else {},
                "override": base["override"] if base else None,
                "history": [
                    {
                        **_change(c),
                        "why": _why(c),
                        "by": change_author(c),
                    }
                    for c in life.history
                ],
            }
        )
    return {"account_id": account.pk, "sets": sets}


def _why(change: TierChange) -> str:
    return change_why(change)


@router.get(
    "/accounts/{account_id}/lifecycle",
    response=AccountLifecycleOut,
    summary="An account's lifecycle stage per active lifecycle stage set",
    description=(
        "For each active lifecycle stage set: the stages in lifecycle order with the current one "
        "marked, the stage in force and the one the rules give, since when, the reason in words "
        "(the stage's rule and the deciding figures), a manual override if any, and the stage "
        "changes (newest first: when, from → to, why, who or which run). Set or clear a stage by "
        "hand with POST /api/tiers/accounts/{id}/override and DELETE "
        "/api/tiers/accounts/{id}/override/{set code}, giving the set code as the scheme."
    ),
)
def account_lifecycle_get(request: HttpRequest, account_id: int = Path(..., ge=1, le=MAX_ID)):
    account = account_for_actor(actor=request.auth, account_id=account_id, field="id")
    return _lifecycle_body(account)


@router.get(
    "/accounts/{account_id}",
    response=AccountTiersOut,
    summary="An account's current tier per active scheme and its tier history, newest first",
)
def account_tiers_get(request: HttpRequest, account_id: int = Path(..., ge=1, le=MAX_ID)):
    account = account_for_actor(actor=request.auth, account_id=account_id, field="id")
    return _tiers_body(account)


def _scheme_and_tier(scheme_code: str, tier_code: str | None) -> tuple[TierScheme, Tier | None]:
    scheme = TierScheme.objects.filter(code=scheme_code).first()
    if scheme is None:
        raise ApplicationError(
            _("Unknown tier scheme '%(code)s'.") % {"code": scheme_code}, field="scheme"
        )
    if tier_code is None:
        return scheme, None
    tier = Tier.objects.filter(scheme=scheme, code=tier_code).first()
    if tier is None:
        raise ApplicationError(
            _("Scheme '%(scheme)s' has no tier '%(code)s'.")
            % {"scheme": scheme_code, "code": tier_code},
            field="tier",
        )
    return scheme, tier


@router.post(
    "/accounts/{account_id}/override",
    response=AccountTiersOut,
    summary="Put the account in a tier by hand (reason required; until a date or until cleared)",
    description=(
        "Works for tier schemes and lifecycle stage sets alike: give a lifecycle set's code as "
        "`scheme` and a stage code as `tier` to set the account's lifecycle stage by hand. "
        "Managers and admins only; the move is kept in the history with the reason."
    ),
)
def account_tier_override_post(
    request: HttpRequest, payload: OverrideIn, account_id: int = Path(..., ge=1, le=MAX_ID)
):
    account = account_for_actor(actor=request.auth, account_id=account_id, field="id")
    override_permission_check(actor=request.auth)  # a KAM hears "no" before "unknown scheme"
    scheme, tier = _scheme_and_tier(payload.scheme, payload.tier)
    # The service checks the reason and the end date; the policy tasks follow the new tier.
    flows.tier_set_by_hand(
        account=account,
        scheme=scheme,
        tier=tier,
        reason=payload.reason,
        until=payload.until,
        actor=request.auth,
    )
    return _tiers_body(account)


@router.delete(
    "/accounts/{account_id}/override/{scheme_code}",
    response=AccountTiersOut,
    summary="End an override now: the rules decide the tier again",
    description="`scheme_code` may be a tier scheme or a lifecycle stage set code.",
)
def account_tier_override_delete(
    request: HttpRequest, scheme_code: str, account_id: int = Path(..., ge=1, le=MAX_ID)
):
    account = account_for_actor(actor=request.auth, account_id=account_id, field="id")
    override_permission_check(actor=request.auth)
    scheme, _tier = _scheme_and_tier(scheme_code, None)
    flows.tier_by_hand_cleared(account=account, scheme=scheme, actor=request.auth)
    return _tiers_body(account)
