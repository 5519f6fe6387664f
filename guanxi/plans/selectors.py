"""Reads of account plans: which plans a user sees, a plan's progress with each goal's current
value read from the data, and the open plan actions due for a user.

Periods are local: a plan year runs from local midnight on 1 January (Asia/Shanghai by default),
so a purchase at 23:30 on 31 December counts for the year it was made in, wherever the server
clock is.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.accounts.selectors import visible_to
from guanxi.agreements.renewal import AccountFacts, account_agreement_facts
from guanxi.core.dates import add_months, local_midnight
from guanxi.core.formatting import money
from guanxi.core.models import User
from guanxi.core.selectors import ordered
from guanxi.plans.measures import MONEY_MEASURES, STAGE_CHOICES, STAGE_MEASURES
from guanxi.plans.models import (
    CADENCE_MONTHS,
    AccountPlan,
    ActionStatus,
    GoalMeasure,
    PlanAction,
    PlanGoal,
    PlanReview,
)
from guanxi.relationships.models import RelationshipStageEvent
from guanxi.relationships.risks import RelationshipHealth, relationship_health
from guanxi.relationships.selectors import BuyingCentre, buying_centre
from guanxi.transactions.models import Transaction
from guanxi.transactions.selectors import period_totals

ZERO = Decimal("0")
DUE_SOON_DAYS = 30


def plans_visible_to(actor: User | None) -> QuerySet[AccountPlan]:
    """Plans of the accounts `user` may see."""
    return visible_to(
        AccountPlan.objects.select_related("account", "owner"), actor, prefix="account__"
    )


def plan_list(
    *, actor: User | None, account: int | None = None, year: int | None = None,
    status: str | None = None,
) -> QuerySet[AccountPlan]:  # fmt: skip
    qs = plans_visible_to(actor)
    for lookup, value in (("account_id", account), ("year", year), ("status", status)):
        if value is not None and value != "":
            qs = qs.filter(**{lookup: value})
    return ordered(qs)


def actions_due_for(user: User | None, *, until: dt.date) -> QuerySet[PlanAction]:
    """Open plan actions owned by `user`, due on or before `until`, on accounts they may see."""
    if user is None or not getattr(user, "is_authenticated", False):
        return PlanAction.objects.none()
    return (
        visible_to(
            PlanAction.objects.filter(owner=user, status=ActionStatus.OPEN, due_on__lte=until),
            user,
            prefix="plan__account__",
        )
        .select_related("plan", "plan__account", "goal", "owner")
        .order_by("due_on", "id")
    )


# --- Progress -----------------------------------------------------------------------------------


@dataclass
class GoalProgress:
    goal: PlanGoal
    measure: str
    measure_label: str
    target: Any  # Decimal for numbers, a stage value for stages
    target_display: str
    current: Any  # Decimal, a stage value, or None when the data has none yet
    current_display: str
    percent: Decimal | None  # numbers: current / target, as % (not capped)
    reached: bool | None  # None: not known (no data yet)
    source: str  # where the current value came from, in words
    is_stage: bool = False

    @property
    def percent_display(self) -> str:
        """The progress as shown: "—" without data; a score (coverage) past its target shows
        100% (the ✓ says it is reached); money and counts may run past 100%."""
        if self.percent is None:
            return "—"
        shown = self.percent
        if self.measure == GoalMeasure.COVERAGE:
            shown = min(shown, Decimal(100))
        if shown > PERCENT_SHOWN_MAX:  # a tiny target (¥1) would print a 9-digit percentage
            return f">{PERCENT_SHOWN_MAX}%"
        return f"{shown}%"

    @property
    def bar_percent(self) -> int:
        """The progress bar's width, 0–100."""
        if self.is_stage:
            return 100 if self.reached else 0
        if self.percent is None:
            return 0
        return int(max(ZERO, min(Decimal(100), self.percent)))


@dataclass
class PlanProgress:
    plan: AccountPlan
    today: dt.date
    actions_total: int = 0  # cancelled ones not counted
    actions_open: int = 0
    actions_overdue: int = 0
    actions_due_soon: int = 0  # open, due today … today + 30 days
    actions_cancelled: int = 0
    # "Done of those due so far": the actions due by today plus those already done early
    # (cancelled ones not counted), and how many of them are done — so done ≤ due, always.
    # The list, the progress panel, the 360° card, the print page and the API all read these.
    actions_due: int = 0
    actions_done: int = 0
    goals: list[GoalProgress] = field(default_factory=list)
    last_review: PlanReview | None = None
    next_review: dt.date | None = None

    @property
    def goals_reached(self) -> int:
        return sum(1 for g in self.goals if g.reached)

    @property
    def next_review_overdue(self) -> bool:
        return self.next_review is not None and self.next_review < self.today

    @property
    def actions_done_percent(self) -> int:
        return round(100 * self.actions_done / self.actions_due) if self.actions_due else 0


def year_window(year: int, today: dt.date) -> tuple[dt.datetime, dt.datetime] | None:
    """[local 1 January, the end of today or of the year) — None for a year not begun."""
    start_day = dt.date(year, 1, 1)
    if today < start_day:
        return None
    end_day = min(today + dt.timedelta(days=1), dt.date(year + 1, 1, 1))
    return local_midnight(start_day), local_midnight(end_day)


@dataclass
class YearFigures:
    revenue: Decimal = ZERO
    margin: Decimal = ZERO
    purchases: int = 0
    costed: int = 0  # purchases whose cost is known (margin counts only those)
    first_day: dt.date | None = None
    last_day: dt.date | None = None


def year_figures(account_id: int, year: int, today: dt.date) -> YearFigures:
    """Revenue, gross margin (amount − cost, where the cost is known) and number of purchases of
    the account in `year`, up to and including `today` (local days)."""
    window = year_window(year, today)
    if window is None:
        return YearFigures()
    start, end = window
    totals = period_totals(
        Transaction.objects.filter(account_id=account_id),
        year=Q(occurred_at__gte=start, occurred_at__lt=end),
    )["year"]
    return YearFigures(
        revenue=totals.revenue,
        margin=totals.margin,
        purchases=totals.count,
        costed=totals.costed,
        first_day=dt.date(year, 1, 1),
        last_day=timezone.localdate(end - dt.timedelta(microseconds=1)),
    )


PERCENT_SHOWN_MAX = Decimal(999)


def _percent(current: Decimal | None, target: Decimal | None) -> Decimal | None:
    if current is None or target is None:
        return None
    if target == 0:
        return Decimal(100) if current >= 0 else ZERO
    return (Decimal(current) / Decimal(target) * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _number_display(measure: str, value: Decimal | None) -> str:
    if value is None:
        return "—"
    if measure in MONEY_MEASURES:
        return money(value)
    if measure == GoalMeasure.SHARE_OF_WALLET:
        return f"{Decimal(value).quantize(Decimal('0.1'), ROUND_HALF_UP).normalize():f}%"
    if measure == GoalMeasure.COMMITMENT_ATTAINED:
        return f"{Decimal(value).quantize(Decimal('0.1'), ROUND_HALF_UP).normalize():f}%"
    if measure == GoalMeasure.COVERAGE:  # a score out of 100, not a percentage
        return f"{Decimal(value).quantize(Decimal('1'), ROUND_HALF_UP):f}/100"
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{value:,.0f}"
    return f"{value.normalize():,f}"


def _stage_label(measure: str, value: str | None) -> str:
    if not value:
        return "—"
    return str(dict(STAGE_CHOICES[measure].choices).get(value, value))


def _stage_reached(measure: str, current: str | None, target: str) -> bool | None:
    if not current:
        return False
    order = list(STAGE_CHOICES[measure].values)
    if current not in order or target not in order:
        return None
    return order.index(current) >= order.index(target)


class _Data:
    """What a plan's goals read, loaded once and only when a goal needs it."""

    def __init__(self, plan: AccountPlan, today: dt.date):
        self.plan = plan
        self.today = today
        self._figures: YearFigures | None = None
        self._centre: BuyingCentre | None = None
        self._health: RelationshipHealth | None = None
        self._agreements: AccountFacts | None = None

    @property
    def figures(self) -> YearFigures:
        if self._figures is None:
            self._figures = year_figures(self.plan.account_id, self.plan.year, self.today)
        return self._figures

    @property
    def centre(self) -> BuyingCentre:
        if self._centre is None:
            self._centre = buying_centre(self.plan.account)
        return self._centre

    @property
    def health(self) -> RelationshipHealth:
        if self._health is None:
            self._health = relationship_health(self.centre, today=self.today)
        return self._health

    @property
    def agreements(self) -> AccountFacts:
        if self._agreements is None:
            self._agreements = account_agreement_facts(self.plan.account_id, as_of=self.today)
        return self._agreements

    def period_words(self) -> str:
        f = self.figures
        if f.first_day is None:
            return _("the plan year %(year)s has not begun") % {"year": self.plan.year}
        return _("%(start)s to %(end)s") % {
            "start": f.first_day.isoformat(),
            "end": f.last_day.isoformat(),
        }


def _in_sentence(stage: str) -> str:
    """A relationship stage's label inside a sentence ("trust", not "Trust")."""
    label = _stage_label(GoalMeasure.CONTACT_STAGE, stage)
    return label[:1].lower() + label[1:]


def _contact_stage(data: _Data, goal: PlanGoal) -> tuple[str | None, str]:
    seat = data.centre.seat(goal.contact_id) if goal.contact_id else None
    if seat is not None:
        stage, reached_on = seat.stage, seat.stage_reached_on
    else:  # a contact of the account not (yet) on the buying centre
        event = (
            RelationshipStageEvent.objects.filter(
                account_id=data.plan.account_id, contact_id=goal.contact_id
            )
            .order_by("-reached_on", "-id")
            .first()
        )
        stage, reached_on = (event.stage, event.reached_on) if event else (None, None)
    name = goal.contact.name if goal.contact_id else "—"
    words = {"name": name, "goal": _in_sentence(goal.target_stage)}
    if stage is None:
        return None, _(
            "Relationship map: no stage recorded with %(name)s yet; the goal is %(goal)s."
        ) % words
    words.update(stage=_in_sentence(stage), day=reached_on.isoformat())
    return stage, _(
        "Relationship map: %(name)s is at %(stage)s since %(day)s; the goal is %(goal)s."
    ) % words


def goal_progress(goal: PlanGoal, data: _Data) -> GoalProgress:
    """Where one goal stands: its current value, read from the data, against its target."""
    if goal.measure in STAGE_MEASURES:
        return _stage_progress(goal, data)
    return _number_progress(goal, data)


def _measure_label(measure: str) -> str:
    return str(GoalMeasure(measure).label) if measure in GoalMeasure.values else measure


def _stage_progress(goal: PlanGoal, data: _Data) -> GoalProgress:
    """A stage goal: the stage reached now (with a person, or the organisation's) against the
    stage to reach; reached or not, never a percentage."""
    measure, target = goal.measure, goal.target_stage
    if measure == GoalMeasure.CONTACT_STAGE:
        current, source = _contact_stage(data, goal)
    else:
        current, source = _organisation_stage(data, measure)
    return GoalProgress(
        goal=goal,
        measure=measure,
        measure_label=_measure_label(measure),
        target=target,
        target_display=_stage_label(measure, target),
        current=current,
        current_display=_stage_label(measure, current),
        percent=None,
        reached=_stage_reached(measure, current, target),
        source=source,
        is_stage=True,
    )


def _organisation_stage(data: _Data, measure: str) -> tuple[str | None, str]:
    """Our position as supplier, or the Kotler level, as the organisation relationship records
    it; and where that came from, in words."""
    rel = data.centre.relationship
    attr = "supplier_stage" if measure == GoalMeasure.SUPPLIER_STAGE else "kotler_level"
    current = getattr(rel, attr) if rel is not None else None
    source = (
        _("Organisation relationship, as recorded on %(day)s.")
        % {"day": timezone.localdate(rel.updated_at).isoformat()}
        if rel is not None
        else _("Organisation relationship: not recorded yet.")
    )
    return current, source


def _number_progress(goal: PlanGoal, data: _Data) -> GoalProgress:
    """A number goal: the current value against the target, as a percentage (not capped)."""
    measure, target = goal.measure, goal.target_value
    current, source = _current_number(goal, data)
    return GoalProgress(
        goal=goal,
        measure=measure,
        measure_label=_measure_label(measure),
        target=target,
        target_display=_number_display(measure, target),
        current=current,
        current_display=_number_display(measure, current),
        percent=_percent(current, target),
        reached=None if current is None or target is None else current >= target,
        source=source,
    )


def _current_number(goal: PlanGoal, data: _Data) -> tuple[Decimal | None, str]:
    """A number goal's current value, read from the plan year's transactions, the buying
    centre's coverage score or what was typed in; and where it came from, in words (the page
    shows it, so a KAM can check the figure)."""
    measure = goal.measure
    if measure == GoalMeasure.REVENUE:
        n = data.figures.purchases
        return data.figures.revenue, ngettext(
            "Transactions, %(period)s: %(n)s purchase.",
            "Transactions, %(period)s: %(n)s purchases.",
            n,
        ) % {"period": data.period_words(), "n": n}
    if measure == GoalMeasure.MARGIN:
        n = data.figures.costed
        return data.figures.margin, ngettext(
            "Transactions, %(period)s: amount − cost over the %(n)s purchase whose cost is known.",
            "Transactions, %(period)s: amount − cost over the %(n)s purchases whose cost is known.",
            n,
        ) % {"period": data.period_words(), "n": n}
    if measure == GoalMeasure.TRANSACTIONS:
        source = _("Transactions, %(period)s.") % {"period": data.period_words()}
        return Decimal(data.figures.purchases), source
    if measure == GoalMeasure.SHARE_OF_WALLET:
        wallet = data.plan.wallet_size
        if not wallet:
            return None, _("The plan has no wallet size yet.")
        return data.figures.revenue / wallet * 100, _(
            "Revenue %(revenue)s (transactions, %(period)s) ÷ wallet size %(wallet)s."
        ) % {
            "revenue": money(data.figures.revenue),
            "period": data.period_words(),
            "wallet": money(wallet),
        }
    if measure == GoalMeasure.COVERAGE:
        score = data.health.score
        if score is None:
            return None, _("No coverage score yet: the account has no buying centre.")
        return Decimal(score), _("Relationship coverage score of the buying centre.")
    if measure == GoalMeasure.STRATEGIC_AGREEMENTS:
        return Decimal(data.agreements.strategic), _(
            "Agreements: strategic agreements in force on %(day)s covering the account."
        ) % {"day": data.today.isoformat()}
    if measure == GoalMeasure.COMMITMENT_ATTAINED:
        pct = data.agreements.attained_pct
        if pct is None:
            return None, _("No volume commitment in an agreement in force covering the account.")
        return pct, _(
            "Agreements in force: the lowest share of a volume commitment attained so far."
        )
    current = goal.manual_value
    return current, _("Typed in.") if current is not None else _("Not typed in yet.")


def next_review_due(plan: AccountPlan, last_review: PlanReview | None) -> dt.date:
    """The last review plus the cadence, or the plan's start (1 January) plus the cadence."""
    months = CADENCE_MONTHS.get(plan.review_cadence, 3)
    base = last_review.held_on if last_review is not None else dt.date(plan.year, 1, 1)
    return add_months(base, months)


def plan_progress(
    plan: AccountPlan, *, today: dt.date | None = None, health: RelationshipHealth | None = None
) -> PlanProgress:
    """Actions done vs due, each goal's current value read from the data, the next review.
    ``health``: the account's stored relationship health (`relationships.health`), for the
    coverage goals, when the caller has it (the 360° page); else computed."""
    today = today or timezone.localdate()
    progress = PlanProgress(plan=plan, today=today)
    soon = today + dt.timedelta(days=DUE_SOON_DAYS)
    row = PlanAction.objects.filter(plan=plan).aggregate(
        total=Count("id", filter=~Q(status=ActionStatus.CANCELLED)),
        done=Count("id", filter=Q(status=ActionStatus.DONE)),  # early or not: all are "due"
        open=Count("id", filter=Q(status=ActionStatus.OPEN)),
        overdue=Count("id", filter=Q(status=ActionStatus.OPEN, due_on__lt=today)),
        soon=Count("id", filter=Q(status=ActionStatus.OPEN, due_on__gte=today, due_on__lte=soon)),
        cancelled=Count("id", filter=Q(status=ActionStatus.CANCELLED)),
        due=Count(
            "id",
            filter=~Q(status=ActionStatus.CANCELLED)
            & (Q(due_on__lte=today) | Q(status=ActionStatus.DONE)),
        ),
    )
    progress.actions_total = row["total"]
    progress.actions_done = row["done"]
    progress.actions_open = row["open"]
    progress.actions_overdue = row["overdue"]
    progress.actions_due_soon = row["soon"]
    progress.actions_cancelled = row["cancelled"]
    progress.actions_due = row["due"]
    data = _Data(plan, today)
    data._health = health
    goals = PlanGoal.objects.filter(plan=plan).select_related("contact").order_by("position", "id")
    progress.goals = [goal_progress(g, data) for g in goals]
    progress.last_review = plan.reviews.order_by("-held_on", "-id").first()
    progress.next_review = next_review_due(plan, progress.last_review)
    return progress


def with_last_review(queryset: QuerySet[AccountPlan]) -> QuerySet[AccountPlan]:
    return queryset.annotate(last_review_on=Max("reviews__held_on"))
