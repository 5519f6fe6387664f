"""The rows of the KAM's day (see `today.py`): each item with its account's standing and the
reason spelled out, a section (the items shown and the total), and the agenda of all sections.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.activities.models import Task
from guanxi.core.formatting import money
from guanxi.core.models import User

#: How far ahead Today looks for upcoming tasks, birthdays and anniversaries, and how far back
#: for tier changes.
WINDOW_DAYS = 7
NO_RANK = 10_000


# --- Rows ---------------------------------------------------------------------------------------


@dataclass
class Standing:
    """Why an account matters: its highest tier and its CLV."""

    tier: Any = None  # guanxi.tiers.models.Tier
    rank: int = NO_RANK
    clv: Decimal | None = None

    def words(self) -> list[str]:
        parts = []
        if self.tier is not None:
            parts.append(str(self.tier))
        if self.clv is not None:
            parts.append(_("CLV %(clv)s") % {"clv": money(self.clv)})
        return parts


def priority_key(standing: Standing, urgency: int) -> tuple:
    # Tier first, then CLV (unscored last), then urgency (more overdue first).
    clv = standing.clv
    return (standing.rank, clv is None, -(clv or 0), -urgency)


@dataclass
class TaskItem:
    task: Task
    title: str  # in the reader's language
    account: Account
    standing: Standing
    days_overdue: int  # > 0 overdue, 0 due today, < 0 not due yet
    reason: str
    log_kind: str
    log_label: str
    costly: bool

    @property
    def priority(self) -> tuple:
        return priority_key(self.standing, self.days_overdue)


@dataclass
class KeyDateItem:
    day: dt.date
    days_until: int
    contact: Any  # guanxi.contacts.models.Contact
    account: Account
    standing: Standing
    what: str  # "birthday" or the anniversary's label
    is_birthday: bool
    reason: str

    @property
    def priority(self) -> tuple:
        return priority_key(self.standing, -self.days_until)


@dataclass
class TierChangeItem:
    change: Any  # guanxi.tiers.models.TierChange
    account: Account
    standing: Standing
    direction: str  # "up", "down", "new" (first tier), "lost" (no tier now), or "changed"
    reason: str

    @property
    def upgrade(self) -> bool | None:
        """True up, False down or lost, None for a first assignment (not a move)."""
        return {"up": True, "down": False, "lost": False}.get(self.direction)

    @property
    def priority(self) -> tuple:
        return priority_key(self.standing, -(self.change.effective_on.toordinal()))


@dataclass
class NeglectedItem:
    account: Account
    standing: Standing
    cadence_days: int
    last_touchpoint_on: dt.date | None
    days_since: int | None  # None: no touchpoint recorded yet
    days_beyond: int
    reason: str

    @property
    def priority(self) -> tuple:
        return priority_key(self.standing, self.days_beyond)


@dataclass
class RelationshipRiskItem:
    """One of the user's accounts whose buying centre has relationship risks (see
    guanxi/relationships/risks.py), with the sentences that say what is thin."""

    account: Account
    standing: Standing
    health: Any  # guanxi.relationships.risks.RelationshipHealth
    reason: str

    @property
    def risks(self) -> list:
        return self.health.risks

    @property
    def priority(self) -> tuple:
        return priority_key(self.standing, len(self.health.risks))


@dataclass
class DealItem:
    """One of the user's open deals that needs a look (large, stale, or its decision maker at
    risk), with why in words; `risks` holds the decision-maker risks (relationships.risks)."""

    deal: Any  # guanxi.pipeline.models.Opportunity
    account: Account
    standing: Standing
    reason: str
    risks: list = field(default_factory=list)


@dataclass
class RenewalRiskItem:
    """An agreement the user owns that ends soon with a high or medium renewal risk (see
    guanxi/agreements/renewal.py), its terms in words, heaviest first."""

    risk: Any  # guanxi.agreements.models.RenewalRisk
    agreement: Any  # guanxi.agreements.models.Agreement
    account: Account
    standing: Standing
    terms: list[str]
    reason: str

    @property
    def priority(self) -> tuple:
        return priority_key(self.standing, self.risk.score)


class Section(list):
    """The items of one section that are shown (a window of the section in its order: the top
    N on Today, a page on its "show all" page) and how many the section holds in all."""

    def __init__(self, items: Any = (), *, total: int | None = None, offset: int = 0) -> None:
        super().__init__(items)
        self.total = len(self) if total is None else total
        self.offset = offset

    @property
    def more(self) -> int:
        """How many items come after the shown ones."""
        return max(self.total - self.offset - len(self), 0)


#: The sections of the day, in the order the page and the API name them.
SECTIONS = (
    "due",  # overdue and due today
    "upcoming",  # tasks due in the next WINDOW_DAYS days
    "key_dates",
    "tier_changes",
    "neglected",
    "relationship_risks",
    "plan_actions",  # plans.PlanAction, due in the window
    "large_deals",  # open deals over the threshold or the account's 90th percentile
    "stale_deals",  # next step passed, or no move and no next step for the stage's days
    "deal_risks",  # open deals whose decision maker carries a relationship risk
    "renewals_at_risk",  # agreements the user owns ending soon with a high or medium risk
    "service_cases",  # open cases the user owns, and cases escalated to them (service)
    "warning_lights",  # red and yellow lights on the user's accounts waiting for feedback
)


@dataclass
class Agenda:
    user: User
    as_of: dt.date
    due: Section = field(default_factory=Section)
    upcoming: Section = field(default_factory=Section)
    key_dates: Section = field(default_factory=Section)
    tier_changes: Section = field(default_factory=Section)
    neglected: Section = field(default_factory=Section)
    relationship_risks: Section = field(default_factory=Section)
    plan_actions: Section = field(default_factory=Section)
    large_deals: Section = field(default_factory=Section)
    stale_deals: Section = field(default_factory=Section)
    deal_risks: Section = field(default_factory=Section)
    renewals_at_risk: Section = field(default_factory=Section)
    service_cases: Section = field(default_factory=Section)
    warning_lights: Section = field(default_factory=Section)

    @property
    def is_empty(self) -> bool:
        return not any(getattr(self, name).total for name in SECTIONS)
