"""Writes for account plans (一企一策): the plan, its competitors, goals, actions and reviews.

Access follows the accounts app: whoever may see the account may work its plan (KAMs their own
and co-owned accounts, leads their team's, managers all); what they cannot see is NotFound. The
plan owner is chosen as an account owner is (accounts/services.py): yourself, the account's
owner, or — for team leads and managers — anyone they may assign; either way someone who can see
the account. An action's owner must be able to see the account too.

The rules each write must keep are in `plans.rules` (the admin forms run them too); next year's
plan, started from this one, is `plans.roll_over`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_is_visible
from guanxi.accounts.services import account_for_actor
from guanxi.contacts.models import Contact
from guanxi.core.errors import ApplicationError, Conflict, NotFound
from guanxi.core.models import User
from guanxi.core.services import UNSET, check_fields, save_as, validated
from guanxi.plans.models import (
    AccountPlan,
    ActionStatus,
    GoalMeasure,
    PlanAction,
    PlanCompetitor,
    PlanGoal,
    PlanReview,
)
from guanxi.plans.rules import (
    check_action,
    check_goal,
    check_plan,
    check_plan_owner,
    check_review,
    plan_year,
    typed_number,
)
from guanxi.plans.selectors import plans_visible_to

PLAN_FIELDS = frozenset(
    {
        "title", "status", "challenges_macro", "challenges_business", "challenges_suppliers",
        "challenges_competitors", "challenges_customers", "customer_strategy",
        "decision_factors", "strategy", "wallet_size", "review_cadence",
    }
)  # fmt: skip
COMPETITOR_FIELDS = frozenset(
    {
        "positioning", "market_strategy", "relationship_strategy", "relationship_means",
        "strongholds", "organisation", "share_estimate",
    }
)  # fmt: skip


# --- Access -----------------------------------------------------------------------------------


def plan_for_actor(*, actor: User, plan: int | AccountPlan, field: str = "id") -> AccountPlan:
    """The plan if `user` may see its account; missing and invisible alike are NotFound."""
    pk = plan.pk if isinstance(plan, AccountPlan) else plan
    found = plans_visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Plan %(id)s not found.") % {"id": pk}, field=field)
    return found


def _require_plan(actor: User | None, plan: AccountPlan) -> None:
    if actor is not None and not account_is_visible(actor, plan.account_id):
        raise NotFound(_("Plan %(id)s not found.") % {"id": plan.pk}, field="plan")


# --- Plan -------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    account: Account | int,
    year: int,
    owner: User | None,
    actor: User,
    **fields: Any,
) -> AccountPlan:
    """Start an account's plan for a year (one per account and year)."""
    account = account_for_actor(actor=actor, account_id=account)
    check_fields(fields, PLAN_FIELDS)
    plan = AccountPlan(
        account=account, year=plan_year(year), owner=owner or actor, created_by=actor
    )
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.wallet_size = typed_number(plan.wallet_size, "wallet_size")
    check_plan_owner(plan=plan, owner=plan.owner, actor=actor)
    check_plan(plan)
    return save_as(plan, actor=actor, validate_unique=False)


@transaction.atomic
def plan_update(
    *, plan: AccountPlan, actor: User, owner: User | None = UNSET, year: int = UNSET, **fields: Any
) -> AccountPlan:
    """Change the given fields only."""
    plan = plan_for_actor(actor=actor, plan=plan)
    check_fields(fields, PLAN_FIELDS)
    if year is not UNSET:
        plan.year = plan_year(year)
    if owner is not UNSET and (owner is None or owner.pk != plan.owner_id):
        check_plan_owner(plan=plan, owner=owner, actor=actor)
        plan.owner = owner
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.wallet_size = typed_number(plan.wallet_size, "wallet_size")
    check_plan(plan)
    return save_as(plan, actor=actor, validate_unique=False)


@transaction.atomic
def plan_competitor_set(
    *,
    plan: AccountPlan,
    actor: User,
    name: str,
    competitor: PlanCompetitor | None = None,
    **fields: Any,
) -> PlanCompetitor:
    """Add a competitor to the plan, or update one (given, or found by name): the six questions
    of seed 004 and their share of the wallet."""
    _require_plan(actor, plan)
    check_fields(fields, COMPETITOR_FIELDS)
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Name the competitor."), field="name")
    if competitor is None:
        competitor = plan.competitors.filter(name__iexact=name).first() or PlanCompetitor(plan=plan)
    elif competitor.plan_id != plan.pk:
        raise NotFound(_("Competitor %(id)s not found.") % {"id": competitor.pk},
                       field="competitor")  # fmt: skip
    competitor.name = name
    for field, value in fields.items():
        setattr(competitor, field, value)
    share = competitor.share_estimate
    if share is not None and not 0 <= int(share) <= 100:
        raise ApplicationError(_("A share of the wallet is from 0 to 100%."),
                               field="share_estimate")  # fmt: skip
    validated(competitor)
    competitor.save()
    return competitor


# --- Goals ------------------------------------------------------------------------------------


def _contact(contact: Contact | int | None) -> Contact | None:
    if contact is None or isinstance(contact, Contact):
        return contact
    found = Contact.objects.filter(pk=contact).first()
    if found is None:
        raise NotFound(_("Contact %(id)s not found.") % {"id": contact}, field="contact")
    return found


@transaction.atomic
def goal_add(
    *,
    plan: AccountPlan,
    actor: User,
    description: str,
    measure: str = GoalMeasure.MANUAL,
    target_value: Decimal | None = None,
    target_stage: str = "",
    contact: Contact | int | None = None,
    manual_value: Decimal | None = None,
    position: int | None = None,
) -> PlanGoal:
    """Add a goal to the plan, last unless a position is given."""
    _require_plan(actor, plan)
    if position is None:
        last = plan.goals.order_by("-position").values_list("position", flat=True).first()
        position = 0 if last is None else last + 1
    goal = PlanGoal(
        plan=plan,
        description=(description or "").strip(),
        measure=measure,
        target_value=target_value,
        target_stage=target_stage or "",
        contact=_contact(contact),
        manual_value=manual_value,
        position=position,
    )
    check_goal(goal, plan=plan)
    validated(goal)
    goal.save()
    return goal


GOAL_FIELDS = frozenset(
    {"description", "measure", "target_value", "target_stage", "contact", "manual_value",
     "position"}
)  # fmt: skip


@transaction.atomic
def goal_update(*, goal: PlanGoal, actor: User, **fields: Any) -> PlanGoal:
    """Change the given fields of a goal, under the same rules as a new one."""
    _require_plan(actor, goal.plan)
    check_fields(fields, GOAL_FIELDS)
    for name, value in fields.items():
        if name == "contact":
            value = _contact(value)
        elif name == "target_stage":
            value = value or ""
        setattr(goal, name, value)
    check_goal(goal)
    validated(goal)
    goal.save()
    return goal


# --- Actions ----------------------------------------------------------------------------------


def _goal_of(plan: AccountPlan, goal: PlanGoal | int | None) -> PlanGoal | None:
    if goal is None:
        return None
    pk = goal.pk if isinstance(goal, PlanGoal) else goal
    found = plan.goals.filter(pk=pk).first()
    if found is None:
        raise ApplicationError(_("Goal %(id)s is not one of this plan's goals.") % {"id": pk},
                               field="goal")  # fmt: skip
    return found


@transaction.atomic
def action_create(
    *,
    plan: AccountPlan,
    actor: User,
    title: str,
    owner: User | None,
    due_on: dt.date,
    goal: PlanGoal | int | None = None,
    notes: str = "",
) -> PlanAction:
    """Add an open action to the plan, owned by `owner` (default: the user)."""
    _require_plan(actor, plan)
    action = PlanAction(
        plan=plan,
        goal=_goal_of(plan, goal),
        title=(title or "").strip(),
        owner=owner or actor,
        due_on=due_on,
        notes=notes or "",
    )
    check_action(action, plan=plan)
    validated(action)
    action.save()
    return action


ACTION_FIELDS = frozenset({"title", "owner", "due_on", "goal", "notes"})


@transaction.atomic
def action_update(*, action: PlanAction, actor: User, **fields: Any) -> PlanAction:
    """Change the given fields of an action; its owner is checked only when it changes."""
    _require_plan(actor, action.plan)
    check_fields(fields, ACTION_FIELDS)
    old_owner_id = action.owner_id
    for name, value in fields.items():
        if name == "goal":
            value = _goal_of(action.plan, value)
        setattr(action, name, value)
    check_action(action, check_owner=action.owner_id != old_owner_id)
    validated(action)
    action.save()
    return action


def _locked(action: PlanAction) -> PlanAction:
    return PlanAction.objects.select_for_update().select_related("plan__account").get(pk=action.pk)


@transaction.atomic
def action_complete(
    *, action: PlanAction, actor: User, done_on: dt.date | None = None
) -> PlanAction:
    """Mark an open action done (today unless another past day is given)."""
    _require_plan(actor, action.plan)
    action = _locked(action)
    if action.status == ActionStatus.CANCELLED:
        raise Conflict(_("“%(a)s” was cancelled: reopen it first.") % {"a": action},
                       field="status")  # fmt: skip
    action.status = ActionStatus.DONE
    action.done_on = done_on or timezone.localdate()
    check_action(action, check_owner=False)  # the owner is not changing
    action.save(update_fields=["status", "done_on"])
    return action


@transaction.atomic
def action_reopen(*, action: PlanAction, actor: User) -> PlanAction:
    """Open a done or cancelled action again (marked done by mistake, or back on)."""
    _require_plan(actor, action.plan)
    action = _locked(action)
    action.status = ActionStatus.OPEN
    action.done_on = None
    action.save(update_fields=["status", "done_on"])
    return action


@transaction.atomic
def action_cancel(*, action: PlanAction, actor: User, reason: str = "") -> PlanAction:
    """Cancel an open action; the reason, when given, is added to its notes."""
    _require_plan(actor, action.plan)
    action = _locked(action)
    if action.status == ActionStatus.DONE:
        raise Conflict(_("“%(a)s” is done: reopen it before cancelling.") % {"a": action},
                       field="status")  # fmt: skip
    action.status = ActionStatus.CANCELLED
    action.done_on = None
    reason = (reason or "").strip()
    if reason:
        line = _("Cancelled: %(reason)s") % {"reason": reason}
        action.notes = f"{action.notes}\n{line}".strip()
    action.save(update_fields=["status", "done_on", "notes"])
    return action


# --- Reviews ----------------------------------------------------------------------------------


@transaction.atomic
def review_record(
    *,
    plan: AccountPlan,
    actor: User,
    held_on: dt.date,
    period: str = "",
    attendees: str = "",
    minutes: str = "",
    decisions: str = "",
) -> PlanReview:
    """Keep a review meeting's minutes and decisions with the plan."""
    _require_plan(actor, plan)
    review = PlanReview(
        plan=plan,
        held_on=held_on,
        period=period or "",
        attendees=attendees or "",
        minutes=minutes or "",
        decisions=decisions or "",
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    check_review(review)
    validated(review)
    review.save()
    return review
