"""The demo data as plain Python rows: what the planners draw and the writer inserts.

Every planner fills these, none reads another planner's module for them, so the planners sit side
by side without importing each other. Rows point at each other by index (`idx`, `account_idx`,
`contact_idx`), never by database id: the ids exist only once the writer has inserted them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from guanxi.demo.scenarios import Pattern


def money(x: float) -> Decimal:
    """An amount in yuan with two decimal places, as the money fields store it."""
    return Decimal(f"{x:.2f}")


# --------------------------------------------------------------------------- organisations, people


@dataclass
class AccountRow:
    idx: int
    code: str
    name: str
    kind: str
    subkind: str  # which word lists and titles apply: government, soe, association…
    account_type: str
    pattern: Pattern
    annual: float  # target revenue per year at level 1
    province: str
    city: str
    short_name: str = ""
    english_name: str = ""
    organisation_form: str = ""
    industry: str = ""
    enterprise_nature: str = ""
    scale: str = ""
    address: str = ""
    website: str = ""
    phone: str = ""
    organisation_structure: str = ""
    credit_rating: str = ""
    annual_sales: Decimal | None = None
    price_system: str = ""
    sales_policy: str = ""
    attitude: str = ""
    customer_since: dt.date | None = None
    status: str = "active"
    parent_idx: int | None = None
    owner: str = ""
    team: int = 0
    co_owners: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    notes: str = ""
    domain: str = ""
    person_gender: str = ""
    churn_day: dt.date | None = None
    start_day: dt.date | None = None


@dataclass
class ContactRow:
    idx: int
    account_idx: int
    code: str
    name: str
    gender: str
    birthday: dt.date | None
    title: str
    department: str
    seniority: int
    nickname: str = ""
    english_name: str = ""
    mobile: str = ""
    phone: str = ""
    email: str = ""
    wechat: str = ""
    is_primary: bool = False
    is_active: bool = True
    notes: str = ""


@dataclass
class FactRow:
    contact_idx: int
    group: str
    key: str
    value: Any
    source: str
    recorded_by: str
    recorded_at: dt.datetime
    verified_by: str | None = None
    verified_at: dt.datetime | None = None


@dataclass
class RelatedRow:
    contact_idx: int
    relation: str
    name: str
    phone: str = ""
    birthday: dt.date | None = None
    notes: str = ""


@dataclass
class KeyDateRow:
    contact_idx: int
    kind: str
    date: dt.date
    label: str = ""


# --------------------------------------------------------------------------- money


@dataclass
class TxRow:
    account_idx: int
    contact_idx: int | None
    occurred_at: dt.datetime
    category: str
    amount: Decimal
    cost: Decimal
    head_count: int | None
    channel: str
    description: str
    bill: int = 0  # index of the bill (invoice) this row is paid by
    external_id: str = ""
    discount_rate: Decimal | None = None  # share of list price paid (0.85 = 8.5折)


@dataclass
class PaymentRow:
    account_idx: int
    received_at: dt.datetime
    amount: Decimal
    method: str
    reference: str
    notes: str = ""
    external_id: str = ""


# --------------------------------------------------------------------------- relations


@dataclass
class TouchpointRow:
    account_idx: int
    kind: str
    occurred_at: dt.datetime
    logged_by: str
    subject: str = ""
    notes: str = ""
    cost: Decimal | None = None
    contact_idx: int | None = None
    group: str = ""  # a group invitation: the policy task it fulfilled is recorded as done
    others: tuple[int, ...] = ()  # more contacts met at the same time (contact idx)


# --------------------------------------------------------------------------- key accounts


@dataclass
class SeatRow:
    account_idx: int
    contact_idx: int
    roles: list[str]
    stance: str = "neutral"
    influence: int = 3
    reports_to_idx: int | None = None
    rising_star: bool = False
    owner: str | None = None  # username of our relationship owner; None: the account's owner
    notes: str = ""
    seniority: int = 1  # for building the tree; not written


@dataclass
class StageRow:
    account_idx: int
    contact_idx: int
    stage: str
    reached_on: dt.date
    evidence: TouchpointRow | None
    note: str
    recorded_by: str


@dataclass
class OrgRow:
    account_idx: int
    supplier_stage: str
    kotler_level: str
    notes: str = ""


@dataclass
class CompetitorRow:
    name: str
    positioning: str
    market_strategy: str
    relationship_strategy: str
    relationship_means: str
    strongholds: str
    organisation: str
    share_estimate: int | None


@dataclass
class GoalRow:
    description: str
    measure: str
    target_value: Decimal | None = None
    target_stage: str = ""
    contact_idx: int | None = None
    manual_value: Decimal | None = None


@dataclass
class ActionRow:
    title: str
    owner: str
    due_on: dt.date
    status: str = "open"
    done_on: dt.date | None = None
    notes: str = ""
    goal: int | None = None  # position of its goal in PlanRow.goals


@dataclass
class ReviewRow:
    held_on: dt.date
    period: str
    attendees: str
    minutes: str
    decisions: str
    recorded_by: str


@dataclass
class PlanRow:
    account_idx: int
    year: int
    title: str
    owner: str
    challenges_macro: str
    challenges_business: str
    challenges_suppliers: str
    challenges_competitors: str
    challenges_customers: str
    customer_strategy: str
    decision_factors: str
    strategy: str
    wallet_size: Decimal | None
    review_cadence: str = "quarterly"
    status: str = "active"
    competitors: list[CompetitorRow] = field(default_factory=list)
    goals: list[GoalRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)


@dataclass
class KeyAccountsPlan:
    key_accounts: list[int] = field(default_factory=list)  # account idx, most valuable first
    group_idx: int | None = None
    stories: dict[str, int] = field(default_factory=dict)  # story → account idx
    seats: list[SeatRow] = field(default_factory=list)
    stages: list[StageRow] = field(default_factory=list)
    relationships: list[OrgRow] = field(default_factory=list)
    plans: list[PlanRow] = field(default_factory=list)

    def row_count(self) -> int:
        """The rows the writer reports progress on (plans count once, with their parts)."""
        return len(self.seats) + len(self.stages) + len(self.relationships) + len(self.plans)


# --------------------------------------------------------------------------- the whole plan


@dataclass
class DemoPlan:
    as_of: dt.date
    seed: int
    accounts: list[AccountRow]
    contacts: list[ContactRow]
    facts: list[FactRow]
    related: list[RelatedRow]
    key_dates: list[KeyDateRow]
    transactions: list[TxRow]
    payments: list[PaymentRow]
    touchpoints: list[TouchpointRow] = field(default_factory=list)
    key_accounts: KeyAccountsPlan | None = None
