"""The rules of account plans (一企一策), each held once: the services check them before they
write, and the admin forms run them on the object they built, so a broken rule is the same
field error in the API and on the page.

Each `check_*` raises ApplicationError (or a kind of it) naming the field at fault.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import account_is_visible
from guanxi.accounts.services import assignable_owners
from guanxi.core.errors import ApplicationError, Conflict
from guanxi.core.models import User
from guanxi.plans.measures import NUMERIC_MEASURES, PERCENT_MEASURES, STAGE_CHOICES
from guanxi.plans.models import (
    AccountPlan,
    ActionStatus,
    GoalMeasure,
    PlanAction,
    PlanGoal,
    PlanReview,
    PlanStatus,
    ReviewCadence,
)
from guanxi.relationships.models import BuyingCentreMember


def check_plan_owner(*, plan: AccountPlan, owner: User | None, actor: User | None) -> None:
    """The owner of a plan: an active user who can see the account, and one the actor may name
    (themselves, the account's owner, or whom they may assign accounts to)."""
    if owner is None:
        raise ApplicationError(_("Choose the plan owner."), field="owner")
    if not owner.is_active:
        raise ApplicationError(_("%(user)s is not an active user.") % {"user": owner},
                               field="owner")  # fmt: skip
    if not account_is_visible(owner, plan.account_id):
        raise ApplicationError(
            _("%(user)s cannot see the account %(account)s, so cannot own its plan.")
            % {"user": owner, "account": plan.account},
            field="owner",
        )
    if actor is None or owner.pk in {actor.pk, plan.account.owner_id}:
        return
    if not assignable_owners(actor).filter(pk=owner.pk).exists():
        raise ApplicationError(
            _("You may make only yourself or the account's owner the plan owner."), field="owner"
        )


def check_plan(plan: AccountPlan) -> None:
    """One plan per account and year; a wallet size is not negative."""
    if plan.account_id and plan.year:
        clash = AccountPlan.objects.filter(account_id=plan.account_id, year=plan.year)
        if plan.pk:
            clash = clash.exclude(pk=plan.pk)
        existing = clash.first()
        if existing is not None:
            raise Conflict(
                _("%(account)s already has a plan for %(year)s: “%(plan)s” (plan %(id)s).")
                % {"account": plan.account, "year": plan.year, "plan": existing,
                   "id": existing.pk},
                field="year",
            )  # fmt: skip
    if plan.wallet_size is not None and plan.wallet_size < 0:
        raise ApplicationError(_("The wallet size cannot be negative."), field="wallet_size")
    if plan.status not in PlanStatus.values:
        raise ApplicationError(_("Unknown plan status: %(s)s.") % {"s": plan.status},
                               field="status")  # fmt: skip
    if plan.review_cadence not in ReviewCadence.values:
        raise ApplicationError(_("Unknown review cadence: %(s)s.") % {"s": plan.review_cadence},
                               field="review_cadence")  # fmt: skip
    if plan.pk and plan.wallet_size is None:
        shared = plan.goals.filter(measure=GoalMeasure.SHARE_OF_WALLET).first()
        if shared is not None:
            raise ApplicationError(
                _("The goal “%(goal)s” is measured by share of wallet: keep the wallet size.")
                % {"goal": shared},
                field="wallet_size",
            )


def typed_number(value: Any, field: str) -> Decimal | None:
    """A number as typed (text, int or Decimal), or None for nothing typed; anything else is an
    error on `field`."""
    if value is None or value == "":
        return None
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ApplicationError(_("Not a number: %(v)s.") % {"v": value}, field=field) from None
    if not number.is_finite():
        raise ApplicationError(_("Not a number: %(v)s.") % {"v": value}, field=field)
    return number


def check_goal(goal: PlanGoal, *, plan: AccountPlan | None = None) -> None:
    """What each measure needs: a number to reach, or a stage of the right kind (with the person
    for a relationship stage); share of wallet needs the plan's wallet size. Fields the measure
    does not use are cleared."""
    plan = plan or goal.plan
    measure = goal.measure
    if measure not in GoalMeasure.values:
        raise ApplicationError(_("Unknown measure: %(m)s.") % {"m": measure}, field="measure")
    if not (goal.description or "").strip():
        raise ApplicationError(_("Describe the goal."), field="description")
    goal.target_value = typed_number(goal.target_value, "target_value")
    goal.manual_value = typed_number(goal.manual_value, "manual_value")
    if measure in NUMERIC_MEASURES:
        if goal.target_value is None:
            raise ApplicationError(
                _("A goal measured by “%(m)s” needs a target value.")
                % {"m": GoalMeasure(measure).label},
                field="target_value",
            )
        if goal.target_value < 0:
            raise ApplicationError(_("The target cannot be negative."), field="target_value")
        if measure == GoalMeasure.COVERAGE and goal.target_value > 100:
            raise ApplicationError(_("The coverage score is out of 100: the target is at most "
                                     "100."), field="target_value")  # fmt: skip
        if measure in PERCENT_MEASURES and goal.target_value > 100:
            raise ApplicationError(_("The target is a percentage: at most 100."),
                                   field="target_value")  # fmt: skip
        if measure in (GoalMeasure.TRANSACTIONS, GoalMeasure.STRATEGIC_AGREEMENTS) and (
            goal.target_value != int(goal.target_value)
        ):
            raise ApplicationError(_("The number of purchases is a whole number."),
                                   field="target_value")  # fmt: skip
        if measure == GoalMeasure.SHARE_OF_WALLET and not plan.wallet_size:
            raise ApplicationError(
                _("Share of wallet needs the plan's wallet size (their yearly spend on what we "
                  "sell): enter it on the plan first."),
                field="measure",
            )  # fmt: skip
        goal.target_stage = ""
        goal.contact = None
    else:
        choices = STAGE_CHOICES[measure]
        if goal.target_stage not in choices.values:
            raise ApplicationError(
                _("Choose the stage to reach, one of: %(choices)s.")
                % {"choices": ", ".join(str(label) for label in choices.labels)},
                field="target_stage",
            )
        goal.target_value = None
        if measure == GoalMeasure.CONTACT_STAGE:
            contact = goal.contact
            if contact is None:
                raise ApplicationError(_("Choose the person the relationship stage is with."),
                                       field="contact")  # fmt: skip
            if (
                contact.account_id != plan.account_id
                and not BuyingCentreMember.objects.filter(
                    account_id=plan.account_id, contact_id=contact.pk
                ).exists()
            ):
                raise ApplicationError(
                    _("%(name)s is neither a contact of %(account)s nor on its buying centre.")
                    % {"name": contact.name, "account": plan.account},
                    field="contact",
                )
        else:
            goal.contact = None
    if measure != GoalMeasure.MANUAL:
        goal.manual_value = None


def check_action_owner(*, plan: AccountPlan, owner: User | None) -> None:
    """Someone owns each action, and can see the account: an action nobody can open is
    never done."""
    if owner is None:
        raise ApplicationError(_("Choose who owns the action."), field="owner")
    if not owner.is_active or not account_is_visible(owner, plan.account_id):
        raise ApplicationError(
            _("%(user)s cannot see the account %(account)s, so cannot own its actions.")
            % {"user": owner, "account": plan.account},
            field="owner",
        )


def check_action(
    action: PlanAction, *, plan: AccountPlan | None = None, check_owner: bool = True
) -> None:
    """The owner sees the account; the goal is one of this plan's; a done action has the day it
    was done, not in the future; open and cancelled actions have none.

    `check_owner=False` when the owner is not being set or changed: an owner who has since lost
    sight of the account (moved team, account handed over) must not block completing the
    action or any other change to it."""
    plan = plan or action.plan
    if not (action.title or "").strip():
        raise ApplicationError(_("Say what the action is."), field="title")
    if check_owner or not action.owner_id:
        check_action_owner(plan=plan, owner=action.owner if action.owner_id else None)
    if action.due_on is None:
        raise ApplicationError(_("Give the action a due date."), field="due_on")
    if action.goal_id is not None and action.goal.plan_id != plan.pk:
        raise ApplicationError(_("The goal belongs to another plan."), field="goal")
    if action.status not in ActionStatus.values:
        raise ApplicationError(_("Unknown action status: %(s)s.") % {"s": action.status},
                               field="status")  # fmt: skip
    if action.status == ActionStatus.DONE:
        if action.done_on is None:
            raise ApplicationError(_("A done action needs the day it was done."),
                                   field="done_on")  # fmt: skip
        if action.done_on > timezone.localdate():
            raise ApplicationError(_("The day an action was done cannot be in the future."),
                                   field="done_on")  # fmt: skip
    else:
        action.done_on = None


def check_review(review: PlanReview) -> None:
    """A review has the day it was held, not in the future: minutes record what was said."""
    if review.held_on is None:
        raise ApplicationError(_("Give the day the review was held."), field="held_on")
    if review.held_on > timezone.localdate():
        raise ApplicationError(_("A review cannot be recorded before it is held: %(day)s is in "
                                 "the future.") % {"day": review.held_on.isoformat()},
                               field="held_on")  # fmt: skip


def plan_year(year: Any) -> int:
    """The year a plan is for, as a whole number in the years a plan may cover."""
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ApplicationError(_("Not a year: %(y)s.") % {"y": year}, field="year") from None
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("The plan year is between 2000 and 2100."), field="year")
    return year
