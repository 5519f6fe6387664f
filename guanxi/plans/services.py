"""Writes for account plans (一企一策): the plan, its competitors, goals, actions and reviews.

Access follows the accounts app: whoever may see the account may work its plan (KAMs their own
and co-owned accounts, leads their team's, managers all); what they cannot see is NotFound. The
plan owner is chosen as an account owner is (accounts/services.py): yourself, the account's
owner, or — for team leads and managers — anyone they may assign; either way someone who can see
the account. An action's owner must be able to see the account too.

The `*_check` functions hold each rule once; the services and the admin forms both call them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_is_visible
from guanxi.accounts.services import account_for_actor, assignable_owners
from guanxi.contacts.models import Contact
from guanxi.core.errors import ApplicationError, Conflict, NotFound
from guanxi.core.models import User
from guanxi.core.services import UNSET, check_fields, save_as
from guanxi.plans.measures import NUMERIC_MEASURES, PERCENT_MEASURES, STAGE_CHOICES
from guanxi.plans.models import (
    AccountPlan,
    ActionStatus,
    GoalMeasure,
    PlanAction,
    PlanCompetitor,
    PlanGoal,
    PlanReview,
    PlanStatus,
    ReviewCadence,
)
from guanxi.plans.selectors import plans_visible_to
from guanxi.relationships.models import BuyingCentreMember

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


def plan_for_actor(*, user: User, plan: int | AccountPlan, field: str = "id") -> AccountPlan:
    """The plan if `user` may see its account; missing and invisible alike are NotFound."""
    pk = plan.pk if isinstance(plan, AccountPlan) else plan
    found = plans_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Plan %(id)s not found.") % {"id": pk}, field=field)
    return found


def _require_plan(user: User | None, plan: AccountPlan) -> None:
    if user is not None and not account_is_visible(user, plan.account_id):
        raise NotFound(_("Plan %(id)s not found.") % {"id": plan.pk}, field="plan")


def _today() -> dt.date:
    return timezone.localdate()


# --- Rules (shared with the admin forms) ------------------------------------------------------


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


def _decimal(value: Any, field: str) -> Decimal | None:
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
    goal.target_value = _decimal(goal.target_value, "target_value")
    goal.manual_value = _decimal(goal.manual_value, "manual_value")
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
        if measure == GoalMeasure.TRANSACTIONS and goal.target_value != int(goal.target_value):
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
        if action.done_on > _today():
            raise ApplicationError(_("The day an action was done cannot be in the future."),
                                   field="done_on")  # fmt: skip
    else:
        action.done_on = None


def check_review(review: PlanReview) -> None:
    if review.held_on is None:
        raise ApplicationError(_("Give the day the review was held."), field="held_on")
    if review.held_on > _today():
        raise ApplicationError(_("A review cannot be recorded before it is held: %(day)s is in "
                                 "the future.") % {"day": review.held_on.isoformat()},
                               field="held_on")  # fmt: skip


def _plan_year(year: Any) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ApplicationError(_("Not a year: %(y)s.") % {"y": year}, field="year") from None
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("The plan year is between 2000 and 2100."), field="year")
    return year


# --- Plan -------------------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    account: Account | int,
    year: int,
    owner: User | None,
    user: User,
    **fields: Any,
) -> AccountPlan:
    """Start an account's plan for a year (one per account and year)."""
    account = account_for_actor(actor=user, account_id=account)
    check_fields(fields, PLAN_FIELDS)
    plan = AccountPlan(account=account, year=_plan_year(year), owner=owner or user, created_by=user)
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.wallet_size = _decimal(plan.wallet_size, "wallet_size")
    check_plan_owner(plan=plan, owner=plan.owner, actor=user)
    check_plan(plan)
    return save_as(plan, actor=user, validate_unique=False)


@transaction.atomic
def plan_update(
    *, plan: AccountPlan, user: User, owner: User | None = UNSET, year: int = UNSET, **fields: Any
) -> AccountPlan:
    """Change the given fields only."""
    plan = plan_for_actor(user=user, plan=plan)
    check_fields(fields, PLAN_FIELDS)
    if year is not UNSET:
        plan.year = _plan_year(year)
    if owner is not UNSET and (owner is None or owner.pk != plan.owner_id):
        check_plan_owner(plan=plan, owner=owner, actor=user)
        plan.owner = owner
    for name, value in fields.items():
        setattr(plan, name, value)
    plan.wallet_size = _decimal(plan.wallet_size, "wallet_size")
    check_plan(plan)
    return save_as(plan, actor=user, validate_unique=False)


@transaction.atomic
def plan_competitor_set(
    *,
    plan: AccountPlan,
    user: User,
    name: str,
    competitor: PlanCompetitor | None = None,
    **fields: Any,
) -> PlanCompetitor:
    """Add a competitor to the plan, or update one (given, or found by name): the six questions
    of seed 004 and their share of the wallet."""
    _require_plan(user, plan)
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
    competitor.full_clean()
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
    user: User,
    description: str,
    measure: str = GoalMeasure.MANUAL,
    target_value: Decimal | None = None,
    target_stage: str = "",
    contact: Contact | int | None = None,
    manual_value: Decimal | None = None,
    position: int | None = None,
) -> PlanGoal:
    _require_plan(user, plan)
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
    goal.full_clean()
    goal.save()
    return goal


GOAL_FIELDS = frozenset(
    {"description", "measure", "target_value", "target_stage", "contact", "manual_value",
     "position"}
)  # fmt: skip


@transaction.atomic
def goal_update(*, goal: PlanGoal, user: User, **fields: Any) -> PlanGoal:
    _require_plan(user, goal.plan)
    check_fields(fields, GOAL_FIELDS)
    for name, value in fields.items():
        if name == "contact":
            value = _contact(value)
        elif name == "target_stage":
            value = value or ""
        setattr(goal, name, value)
    check_goal(goal)
    goal.full_clean()
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
    user: User,
    title: str,
    owner: User | None,
    due_on: dt.date,
    goal: PlanGoal | int | None = None,
    notes: str = "",
) -> PlanAction:
    _require_plan(user, plan)
    action = PlanAction(
        plan=plan,
        goal=_goal_of(plan, goal),
        title=(title or "").strip(),
        owner=owner or user,
        due_on=due_on,
        notes=notes or "",
    )
    check_action(action, plan=plan)
    action.full_clean()
    action.save()
    return action


ACTION_FIELDS = frozenset({"title", "owner", "due_on", "goal", "notes"})


@transaction.atomic
def action_update(*, action: PlanAction, user: User, **fields: Any) -> PlanAction:
    _require_plan(user, action.plan)
    check_fields(fields, ACTION_FIELDS)
    old_owner_id = action.owner_id
    for name, value in fields.items():
        if name == "goal":
            value = _goal_of(action.plan, value)
        setattr(action, name, value)
    check_action(action, check_owner=action.owner_id != old_owner_id)
    action.full_clean()
    action.save()
    return action


def _locked(action: PlanAction) -> PlanAction:
    return PlanAction.objects.select_for_update().select_related("plan__account").get(pk=action.pk)


@transaction.atomic
def action_complete(
    *, action: PlanAction, user: User, done_on: dt.date | None = None
) -> PlanAction:
    """Mark an open action done (today unless another past day is given)."""
    _require_plan(user, action.plan)
    action = _locked(action)
    if action.status == ActionStatus.CANCELLED:
        raise Conflict(_("“%(a)s” was cancelled: reopen it first.") % {"a": action},
                       field="status")  # fmt: skip
    action.status = ActionStatus.DONE
    action.done_on = done_on or _today()
    check_action(action, check_owner=False)  # the owner is not changing
    action.save(update_fields=["status", "done_on"])
    return action


@transaction.atomic
def action_reopen(*, action: PlanAction, user: User) -> PlanAction:
    _require_plan(user, action.plan)
    action = _locked(action)
    action.status = ActionStatus.OPEN
    action.done_on = None
    action.save(update_fields=["status", "done_on"])
    return action


@transaction.atomic
def action_cancel(*, action: PlanAction, user: User, reason: str = "") -> PlanAction:
    """Cancel an open action; the reason, when given, is added to its notes."""
    _require_plan(user, action.plan)
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
    user: User,
    held_on: dt.date,
    period: str = "",
    attendees: str = "",
    minutes: str = "",
    decisions: str = "",
) -> PlanReview:
    """Keep a review meeting's minutes and decisions with the plan."""
    _require_plan(user, plan)
    review = PlanReview(
        plan=plan,
        held_on=held_on,
        period=period or "",
        attendees=attendees or "",
        minutes=minutes or "",
        decisions=decisions or "",
        recorded_by=user if getattr(user, "pk", None) else None,
    )
    check_review(review)
    review.full_clean()
    review.save()
    return review


# --- Next year's plan -------------------------------------------------------------------------

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
def plan_roll_over(*, plan: AccountPlan | int, user: User) -> RollOver:
    """Next year's plan for the plan's account: open it if it exists; otherwise start it as a
    draft carrying over the situation analysis, their strategy, how they decide, our strategy,
    the wallet size, the review cadence, the competitors and the goals (same measures and
    targets, for the user to adjust; typed-in values start empty). Open actions due in the new
    year move to it (with their goal's copy); open actions due in the old year stay where they
    are and are listed. Reviews are not carried over."""
    plan = plan_for_actor(user=user, plan=plan, field="plan")
    year = plan.year + 1
    if year > 2100:
        raise ApplicationError(_("The plan year is between 2000 and 2100."), field="year")
    existing = AccountPlan.objects.filter(account_id=plan.account_id, year=year).first()
    if existing is not None:
        return RollOver(plan=existing, created=False)
    owner = plan.owner
    try:
        check_plan_owner(plan=plan, owner=owner, actor=user)
    except ApplicationError:
        owner = user  # the old owner can no longer hold it (left, or lost sight of the account)
    new = AccountPlan(
        account=plan.account,
        year=year,
        title=_next_title(plan.title, plan.year),
        status=PlanStatus.DRAFT,
        owner=owner,
        created_by=user,
    )
    for name in CARRIED_OVER_FIELDS:
        setattr(new, name, getattr(plan, name))
    new = save_as(new, actor=user, validate_unique=False)
    result = RollOver(plan=new, created=True)
    for competitor in plan.competitors.order_by("id"):
        copy = PlanCompetitor(plan=new)
        for name in COMPETITOR_COPY_FIELDS:
            setattr(copy, name, getattr(competitor, name))
        copy.save()
        result.competitors += 1
    goal_map: dict[int, PlanGoal] = {}
    for goal in plan.goals.select_related("contact").order_by("position", "id"):
        copy = PlanGoal(
            plan=new,
            description=goal.description,
            measure=goal.measure,
            target_value=goal.target_value,
            target_stage=goal.target_stage,
            contact=goal.contact,
            position=goal.position,
        )
        try:
            check_goal(copy, plan=new)
        except ApplicationError as exc:
            result.goals_skipped.append(f"{goal.description} ({exc.message})")
            continue
        copy.save()
        goal_map[goal.pk] = copy
        result.goals += 1
    open_actions = plan.actions.filter(status=ActionStatus.OPEN).order_by("due_on", "id")
    for action in open_actions:
        if action.due_on.year >= year:
            action.plan = new
            action.goal = goal_map.get(action.goal_id) if action.goal_id else None
            action.save(update_fields=["plan", "goal"])
            result.actions_moved += 1
        else:
            result.actions_left.append(action)
    return result
