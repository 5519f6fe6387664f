"""Next year's plan (一企一策 rolls over each year): started from this year's as a draft that
carries over the analysis, the strategies, the competitors and the goals, with the open actions
due next year moved to it. The admin's "Create next year's plan" and the API call it."""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.core.errors import ApplicationError
from guanxi.core.models import User
from guanxi.core.services import save_as
from guanxi.plans.models import (
    AccountPlan,
    ActionStatus,
    PlanAction,
    PlanCompetitor,
    PlanGoal,
    PlanStatus,
)
from guanxi.plans.rules import check_goal, check_plan_owner
from guanxi.plans.services import COMPETITOR_FIELDS, plan_for_actor

CARRIED_OVER_FIELDS = (
    "challenges_macro", "challenges_business", "challenges_suppliers", "challenges_competitors",
    "challenges_customers", "customer_strategy", "decision_factors", "strategy", "wallet_size",
    "review_cadence",
)  # fmt: skip
COMPETITOR_COPY_FIELDS = ("name", *sorted(COMPETITOR_FIELDS))


@dataclasses.dataclass
class RollOver:
    """What `plan_roll_over` did: the next year's plan, and what it carried over."""

    plan: AccountPlan
    created: bool
    goals: int = 0
    competitors: int = 0
    actions_moved: int = 0
    #: Open actions due in the old year: they stay on the old plan (finish or cancel them there).
    actions_left: list[PlanAction] = dataclasses.field(default_factory=list)
    #: Goals not carried over because they no longer fit (e.g. the person left the account).
    goals_skipped: list[str] = dataclasses.field(default_factory=list)

    def message(self) -> str:
        """What happened, in a sentence or three of the active language."""
        words = {"year": self.plan.year, "account": self.plan.account.name}
        if not self.created:
            return _("%(account)s already has a plan for %(year)s: opened it, nothing was "
                     "carried over.") % words  # fmt: skip
        parts = [
            _("Started the %(year)s plan for %(account)s as a draft. Carried over: the situation "
              "analysis, their strategy, how they decide, our strategy, the wallet size and the "
              "review cadence.") % words,
            ngettext("%(n)s competitor carried over.", "%(n)s competitors carried over.",
                     self.competitors)
            % {"n": self.competitors},
            ngettext(
                "%(n)s goal with the same measure and target: adjust the targets for the new "
                "year.",
                "%(n)s goals with the same measures and targets: adjust the targets for the new "
                "year.",
                self.goals,
            ) % {"n": self.goals},
            ngettext(
                "%(n)s open action due in %(year)s moved to the new plan.",
                "%(n)s open actions due in %(year)s moved to the new plan.",
                self.actions_moved,
            ) % {"n": self.actions_moved, "year": self.plan.year},
        ]  # fmt: skip
        if self.goals_skipped:
            listed = "; ".join(self.goals_skipped)
            parts.append(_("Not carried over: %(goals)s.") % {"goals": listed})
        if self.actions_left:
            titles = "; ".join(f"{a.title} ({a.due_on.isoformat()})" for a in self.actions_left)
            parts.append(
                ngettext(
                    "%(n)s open action due in %(old)s stays on the %(old)s plan (finish or "
                    "cancel it there): %(titles)s.",
                    "%(n)s open actions due in %(old)s stay on the %(old)s plan (finish or "
                    "cancel them there): %(titles)s.",
                    len(self.actions_left),
                ) % {"n": len(self.actions_left), "old": self.plan.year - 1, "titles": titles}
            )  # fmt: skip
        parts.append(_("Reviews start afresh."))
        return " ".join(str(p) for p in parts)


def _next_title(title: str, year: int) -> str:
    old = str(year)
    return title.replace(old, str(year + 1)) if old in title else title


@transaction.atomic
def plan_roll_over(*, plan: AccountPlan | int, actor: User) -> RollOver:
    """Next year's plan for the plan's account: open it if it exists; otherwise start it as a
    draft carrying over the situation analysis, their strategy, how they decide, our strategy,
    the wallet size, the review cadence, the competitors and the goals (same measures and
    targets, for the user to adjust; typed-in values start empty). Open actions due in the new
    year move to it (with their goal's copy); open actions due in the old year stay where they
    are and are listed. Reviews are not carried over."""
    plan = plan_for_actor(actor=actor, plan=plan, field="plan")
    year = plan.year + 1
    if year > 2100:
        raise ApplicationError(_("The plan year is between 2000 and 2100."), field="year")
    existing = AccountPlan.objects.filter(account_id=plan.account_id, year=year).first()
    if existing is not None:
        return RollOver(plan=existing, created=False)
    result = RollOver(plan=_next_plan(plan, actor), created=True)
    _copy_competitors(plan, result)
    goal_map = _copy_goals(plan, result)
    _move_open_actions(plan, result, goal_map)
    return result


def _next_plan(plan: AccountPlan, actor: User) -> AccountPlan:
    """Next year's plan as a draft, with this year's analysis and strategies; its owner stays
    unless they can no longer hold it (left, or lost sight of the account): then it is `user`."""
    owner = plan.owner
    try:
        check_plan_owner(plan=plan, owner=owner, actor=actor)
    except ApplicationError:
        owner = actor
    new = AccountPlan(
        account=plan.account,
        year=plan.year + 1,
        title=_next_title(plan.title, plan.year),
        status=PlanStatus.DRAFT,
        owner=owner,
        created_by=actor,
    )
    for name in CARRIED_OVER_FIELDS:
        setattr(new, name, getattr(plan, name))
    return save_as(new, actor=actor, validate_unique=False)


def _copy_competitors(plan: AccountPlan, result: RollOver) -> None:
    """Every competitor, as analysed this year, onto the new plan."""
    for competitor in plan.competitors.order_by("id"):
        copy = PlanCompetitor(plan=result.plan)
        for name in COMPETITOR_COPY_FIELDS:
            setattr(copy, name, getattr(competitor, name))
        copy.save()
        result.competitors += 1


def _copy_goals(plan: AccountPlan, result: RollOver) -> dict[int, PlanGoal]:
    """Each goal with the same measure and target (typed-in values start empty); a goal the
    rules now refuse (the person left the account) is listed, not copied. Returns old goal id →
    its copy, for the actions that move."""
    goal_map: dict[int, PlanGoal] = {}
    for goal in plan.goals.select_related("contact").order_by("position", "id"):
        copy = PlanGoal(
            plan=result.plan,
            description=goal.description,
            measure=goal.measure,
            target_value=goal.target_value,
            target_stage=goal.target_stage,
            contact=goal.contact,
            position=goal.position,
        )
        try:
            check_goal(copy, plan=result.plan)
        except ApplicationError as exc:
            result.goals_skipped.append(f"{goal.description} ({exc.message})")
            continue
        copy.save()
        goal_map[goal.pk] = copy
        result.goals += 1
    return goal_map


def _move_open_actions(plan: AccountPlan, result: RollOver, goal_map: dict[int, PlanGoal]) -> None:
    """Open actions due in the new year move (with their goal's copy); those due in the old
    year stay on the old plan, to be finished or cancelled there, and are listed."""
    open_actions = plan.actions.filter(status=ActionStatus.OPEN).order_by("due_on", "id")
    for action in open_actions:
        if action.due_on.year >= result.plan.year:
            action.plan = result.plan
            action.goal = goal_map.get(action.goal_id) if action.goal_id else None
            action.save(update_fields=["plan", "goal"])
            result.actions_moved += 1
        else:
            result.actions_left.append(action)
