"""/api/activities/today: the KAM's day (今日工作) as the Today page shows it, section by
section (`workspace.today.agenda`): the top items of each section with its total, and one
section a page at a time."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from guanxi.activities.api import TaskOut
from guanxi.activities.selectors import agenda_subject
from guanxi.core.errors import NotFound
from guanxi.core.schemas import MAX_ID, MAX_PAGE_SIZE, InputSchema
from guanxi.workspace.search import quick_find
from guanxi.workspace.today import agenda, agenda_section

router = Router(tags=["activities"])


# The Today shapes carry a "Today" prefix: ninja names an OpenAPI component after its class, and
# contacts' KeyDateOut and tiers' TierChangeOut are other shapes (the OpenAPI showed theirs here).


class AgendaTaskOut(Schema):
    task: TaskOut
    days_overdue: int = Field(..., description="> 0 overdue, 0 due today, < 0 not due yet")
    reason: str
    log_kind: str


class TodayKeyDateOut(Schema):
    day: dt.date = Field(..., description="This year's date of the birthday or anniversary")
    days_until: int
    contact: int
    contact_name: str
    account: int
    account_name: str
    is_birthday: bool
    reason: str


class TodayTierChangeOut(Schema):
    account: int
    account_name: str
    effective_on: dt.date
    from_tier: str | None = Field(..., description="The tier's name; null: no tier before")
    to_tier: str | None = Field(..., description="The tier's name; null: no tier now")
    direction: str = Field(
        ..., description="up, down, new (first tier), lost (no tier now) or changed"
    )
    upgrade: bool | None = Field(..., description="True up, False down or lost, None otherwise")
    reason: str


class TodayNeglectedOut(Schema):
    account: int
    account_name: str
    cadence_days: int
    days_since: int | None = Field(..., description="null: no touchpoint yet")
    days_beyond: int
    reason: str


class AgendaRiskOut(Schema):
    code: str = Field(..., description="uncovered_role, single_contact, single_owner, …")
    message: str = Field(..., description="A full sentence in the language of the request")
    contact_ids: list[int]


class TodayRelationshipRiskOut(Schema):
    account: int
    account_name: str
    score: int | None = Field(..., description="Coverage score 0–100")
    risks: list[AgendaRiskOut]
    reason: str


class TodayDealOut(Schema):
    opportunity: int
    name: str
    account: int
    account_name: str
    stage: int
    amount: Decimal
    expected_close: dt.date
    next_step_on: dt.date | None
    risks: list[AgendaRiskOut] = Field(..., description="Decision-maker risks (deal_risks only)")
    reason: str


class TodayRenewalRiskOut(Schema):
    agreement: int
    agreement_name: str
    account: int
    account_name: str
    ends_on: dt.date
    score: int = Field(..., description="Renewal risk 0–100 (scored nightly)")
    level: str = Field(..., description="high or medium")
    terms: list[str] = Field(..., description="The score's terms in words, heaviest first")
    reason: str


class TodayPlanActionOut(Schema):
    action: int
    title: str
    plan: int
    account: int
    account_name: str
    goal: str | None = Field(..., description="The plan goal it serves; null: none")
    due_on: dt.date
    days_overdue: int = Field(..., description="> 0 overdue, 0 due today, < 0 not due yet")


class TodayServiceCaseOut(Schema):
    case: int
    subject: str
    account: int
    account_name: str
    kind: str = Field(..., description="complaint or request")
    severity: str
    status: str
    due_at: dt.datetime | None = Field(..., description="First response or resolution due")
    escalated_to_you: bool = Field(..., description="False: your own case")
    late: bool = Field(..., description="An SLA is already breached")
    reason: str


class TodayWarningLightOut(Schema):
    light: int
    account: int
    account_name: str
    colour: str = Field(..., description="red or yellow")
    rule: str
    raised_at: dt.datetime
    status: str = Field(..., description="open or acknowledged")
    reason: str


class TodayTotalsOut(Schema):
    """How many items each section holds in all (the lists show the first `limit`)."""

    due: int
    upcoming: int
    key_dates: int
    tier_changes: int
    neglected: int
    relationship_risks: int
    large_deals: int
    stale_deals: int
    deal_risks: int
    renewals_at_risk: int
    plan_actions: int
    service_cases: int
    warning_lights: int


class AgendaOut(Schema):
    user: int
    as_of: dt.date
    limit: int = Field(..., description="The most items each list holds")
    totals: TodayTotalsOut
    due: list[AgendaTaskOut]
    upcoming: list[AgendaTaskOut]
    key_dates: list[TodayKeyDateOut]
    tier_changes: list[TodayTierChangeOut]
    neglected: list[TodayNeglectedOut]
    relationship_risks: list[TodayRelationshipRiskOut] = Field(
        ...,
        description="Your accounts whose buying centre has relationship risks, most important "
        "first",
    )
    large_deals: list[TodayDealOut] = Field(
        ...,
        description="Your open deals over GUANXI_LARGE_DEAL or the account's 90th percentile; "
        "for a team lead or manager, the deals they oversee over GUANXI_LARGE_DEAL",
    )
    stale_deals: list[TodayDealOut] = Field(
        ..., description="Next step date passed, or no move and no next step for the stage's days"
    )
    deal_risks: list[TodayDealOut] = Field(
        ...,
        description="Your open deals (a team lead's or manager's: the deals they oversee) whose "
        "decision maker carries a relationship risk",
    )
    renewals_at_risk: list[TodayRenewalRiskOut] = Field(
        ...,
        description="Agreements you own ending within the renewal window with a high or medium "
        "renewal risk",
    )
    plan_actions: list[TodayPlanActionOut] = Field(
        ..., description="Your open account-plan actions due within 7 days or overdue"
    )
    service_cases: list[TodayServiceCaseOut] = Field(
        ..., description="Open service cases you own, and cases escalated to you"
    )
    warning_lights: list[TodayWarningLightOut] = Field(
        ..., description="Red and yellow lights on your accounts waiting for your feedback"
    )


class AgendaQuery(InputSchema):
    user: int | None = Field(None, ge=1, le=MAX_ID, description="A team member (leads only)")
    limit: int | None = Field(
        None,
        ge=1,
        le=MAX_PAGE_SIZE,
        description="Items per list, the top ones by priority (default: the site's Today limit)",
    )


class AgendaPageQuery(InputSchema):
    user: int | None = Field(None, ge=1, le=MAX_ID, description="A team member (leads only)")
    limit: int = Field(settings.GUANXI_API_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)
    offset: int = Field(0, ge=0, le=MAX_ID)


class AgendaTasksPage(Schema):
    count: int = Field(..., description="Items in the section in all")
    items: list[AgendaTaskOut]


class TodayKeyDatesPage(Schema):
    count: int
    items: list[TodayKeyDateOut]


class TodayTierChangesPage(Schema):
    count: int
    items: list[TodayTierChangeOut]


class TodayNeglectedPage(Schema):
    count: int
    items: list[TodayNeglectedOut]


class TodayRelationshipRisksPage(Schema):
    count: int
    items: list[TodayRelationshipRiskOut]


class TodayDealsPage(Schema):
    count: int
    items: list[TodayDealOut]


class TodayRenewalRisksPage(Schema):
    count: int
    items: list[TodayRenewalRiskOut]


class TodayPlanActionsPage(Schema):
    count: int
    items: list[TodayPlanActionOut]


class TodayServiceCasesPage(Schema):
    count: int
    items: list[TodayServiceCaseOut]


class TodayWarningLightsPage(Schema):
    count: int
    items: list[TodayWarningLightOut]


# --- Rows ---------------------------------------------------------------------------------------


def _task_row(item: Any) -> dict:
    # The item's title was composed once for the day; TaskOut shows it instead of composing it
    # again (see TaskOut.resolve_title).
    item.task.title_shown = item.title
    return {
        "task": item.task,
        "days_overdue": item.days_overdue,
        "reason": item.reason,
        "log_kind": item.log_kind,
    }


def _key_date_row(k: Any) -> dict:
    return {
        "day": k.day,
        "days_until": k.days_until,
        "contact": k.contact.pk,
        "contact_name": k.contact.name,
        "account": k.account.pk,
        "account_name": k.account.name,
        "is_birthday": k.is_birthday,
        "reason": k.reason,
    }


def _tier_change_row(c: Any) -> dict:
    return {
        "account": c.account.pk,
        "account_name": c.account.name,
        "effective_on": c.change.effective_on,
        "from_tier": str(c.change.from_tier) if c.change.from_tier_id else None,
        "to_tier": str(c.change.to_tier) if c.change.to_tier_id else None,
        "direction": c.direction,
        "upgrade": c.upgrade,
        "reason": c.reason,
    }


def _neglected_row(n: Any) -> dict:
    return {
        "account": n.account.pk,
        "account_name": n.account.name,
        "cadence_days": n.cadence_days,
        "days_since": n.days_since,
        "days_beyond": n.days_beyond,
        "reason": n.reason,
    }


def _risk_row(r: Any) -> dict:
    return {
        "account": r.account.pk,
        "account_name": r.account.name,
        "score": r.health.score,
        "risks": _risks(r.risks),
        "reason": r.reason,
    }


def _risks(risks: list) -> list[dict]:
    return [{"code": k.code, "message": k.message, "contact_ids": k.contact_ids} for k in risks]


def _deal_row(d: Any) -> dict:
    deal = d.deal
    return {
        "opportunity": deal.pk,
        "name": deal.name,
        "account": d.account.pk,
        "account_name": d.account.name,
        "stage": deal.stage_id,
        "amount": deal.amount,
        "expected_close": deal.expected_close,
        "next_step_on": deal.next_step_on,
        "risks": _risks(d.risks),
        "reason": d.reason,
    }


def _renewal_row(r: Any) -> dict:
    return {
        "agreement": r.agreement.pk,
        "agreement_name": r.agreement.name,
        "account": r.account.pk,
        "account_name": r.account.name,
        "ends_on": r.agreement.ends_on,
        "score": r.risk.score,
        "level": r.risk.level,
        "terms": r.terms,
        "reason": r.reason,
    }


def _plan_action_row(action: Any) -> dict:
    account = action.plan.account
    return {
        "action": action.pk,
        "title": action.title,
        "plan": action.plan_id,
        "account": account.pk,
        "account_name": account.name,
        "goal": str(action.goal) if action.goal_id else None,
        "due_on": action.due_on,
        "days_overdue": (timezone.localdate() - action.due_on).days,
    }


def _case_row(c: Any) -> dict:
    case = c.case
    return {
        "case": case.pk,
        "subject": case.subject,
        "account": c.account.pk,
        "account_name": c.account.name,
        "kind": case.kind,
        "severity": case.severity,
        "status": case.status,
        "due_at": c.due_at,
        "escalated_to_you": c.escalated_to_user,
        "late": c.late,
        "reason": c.reason,
    }


def _light_row(item: Any) -> dict:
    light = item.light
    return {
        "light": light.pk,
        "account": item.account.pk,
        "account_name": item.account.name,
        "colour": light.colour,
        "rule": str(light.rule),
        "raised_at": light.raised_at,
        "status": light.status,
        "reason": item.reason,
    }


#: The sections the API shows and how one item of each reads.
ROWS = {
    "due": _task_row,
    "upcoming": _task_row,
    "key_dates": _key_date_row,
    "tier_changes": _tier_change_row,
    "neglected": _neglected_row,
    "relationship_risks": _risk_row,
    "large_deals": _deal_row,
    "stale_deals": _deal_row,
    "deal_risks": _deal_row,
    "renewals_at_risk": _renewal_row,
    "plan_actions": _plan_action_row,
    "service_cases": _case_row,
    "warning_lights": _light_row,
}


def _subject(request: HttpRequest, user_id: int | None) -> Any:
    if user_id is None or user_id == request.auth.pk:
        return request.auth
    subject = agenda_subject(request.auth, user_id)
    if subject is None:
        raise NotFound(_("User %(id)s not found.") % {"id": user_id}, field="user")
    return subject


@router.get(
    "/today",
    response=AgendaOut,
    summary="Your day: due tasks, key dates, tier changes, relationship risks",
    description=(
        "Each list holds the top `limit` items by priority (tier, then CLV, then urgency); "
        "`totals` says how many each section holds in all, and `/today/{section}` pages "
        "through one section. Changed: the lists used to hold every item (thousands for a "
        "large book) and there was no `limit` or `totals`; pass `limit` (up to 500) for more "
        "per list, or page through `/today/{section}`."
    ),
)
def today(request: HttpRequest, query: Query[AgendaQuery]):
    subject = _subject(request, query.user)
    limit = query.limit or settings.GUANXI_TODAY_LIMIT
    day = agenda(user=subject, actor=request.auth, limit=limit)
    return {
        "user": day.user.pk,
        "as_of": day.as_of,
        "limit": limit,
        "totals": {name: getattr(day, name).total for name in ROWS},
        **{name: [row(i) for i in getattr(day, name)] for name, row in ROWS.items()},
    }


def _section_page(request: HttpRequest, name: str, query: AgendaPageQuery) -> dict:
    subject = _subject(request, query.user)
    section = agenda_section(
        name, user=subject, actor=request.auth, offset=query.offset, limit=query.limit
    )
    return {"count": section.total, "items": [ROWS[name](i) for i in section]}


#: Each section's page: its response shape and what the summary says it holds.
_SECTION_PAGES = {
    "due": (AgendaTasksPage, "overdue and due today"),
    "upcoming": (AgendaTasksPage, "next 7 days"),
    "key_dates": (TodayKeyDatesPage, "key dates"),
    "tier_changes": (TodayTierChangesPage, "tier changes"),
    "neglected": (TodayNeglectedPage, "beyond the cadence"),
    "relationship_risks": (TodayRelationshipRisksPage, "relationship risks"),
    "plan_actions": (TodayPlanActionsPage, "account-plan actions due"),
    "large_deals": (TodayDealsPage, "large deals"),
    "stale_deals": (TodayDealsPage, "stale deals"),
    "deal_risks": (TodayDealsPage, "deals whose decision maker is at risk"),
    "renewals_at_risk": (TodayRenewalRisksPage, "agreements at risk of not being renewed"),
    "service_cases": (TodayServiceCasesPage, "service cases, yours and escalated to you"),
    "warning_lights": (TodayWarningLightsPage, "warning lights waiting for your feedback"),
}


def _section_endpoint(name: str, response: type[Schema], holds: str) -> None:
    def handler(request: HttpRequest, query: Query[AgendaPageQuery]) -> dict:
        return _section_page(request, name, query)

    handler.__name__ = f"today_{name}"
    router.get(
        f"/today/{name}",
        response=response,
        summary=f"One section of your day in priority order, a page at a time: {holds}",
        # The ids the hand-written handlers had (generated clients keep their method names).
        operation_id=f"guanxi_activities_api_today_{name}",
    )(handler)


for _name, (_response, _holds) in _SECTION_PAGES.items():
    _section_endpoint(_name, _response, _holds)


# --- Quick find ---------------------------------------------------------------------------------


class QuickFindQuery(InputSchema):
    q: str = Field(
        ..., min_length=1, max_length=100,
        description="Words every hit holds: characters (traditional read as simplified), full "
        "pinyin (huacai), initials (hcyy), a code, a mobile's digits",
    )  # fmt: skip
    limit: int = Field(8, ge=1, le=50, description="The most hits per kind")


class FoundAccountOut(Schema):
    id: int
    code: str
    name: str
    owner: str


class FoundContactOut(Schema):
    id: int
    name: str
    account_id: int
    account_name: str


class QuickFindOut(Schema):
    q: str
    accounts: list[FoundAccountOut]
    contacts: list[FoundContactOut]


@router.get(
    "/today/find",
    response=QuickFindOut,
    summary="Quick find: accounts and contacts you may see, by characters, pinyin, initials or "
    "mobile",
    description="The first `limit` of each kind in pinyin order, as Today's quick find box.",
)
def today_find(request: HttpRequest, query: Query[QuickFindQuery]):
    found = quick_find(request.auth, query.q, limit=query.limit)
    return {
        "q": found.text,
        "accounts": [
            {"id": a.pk, "code": a.code, "name": a.name, "owner": str(a.owner)}
            for a in found.accounts
        ],
        "contacts": [
            {"id": c.pk, "name": c.name, "account_id": c.account_id, "account_name": c.account.name}
            for c in found.contacts
        ],
    }
