"""Writing the key accounts' rows (`keyaccounts`): buying centres, stage events, organisation
relationships and account plans with their competitors, goals, actions and reviews, bulk-inserted
with "created" audit rows where the model keeps history.

The planner guarantees what the services would check: reporting lines form a tree, each stage's
evidence is a touchpoint on that account involving the person, nothing is dated after `as_of`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from guanxi.core.models import User
from guanxi.demo import catalog
from guanxi.demo.bulk import bulk_insert, history_insert
from guanxi.demo.rows import KeyAccountsPlan, PlanRow
from guanxi.plans.models import AccountPlan, PlanAction, PlanCompetitor, PlanGoal, PlanReview
from guanxi.relationships.models import (
    AccountRelationship,
    BuyingCentreMember,
    RelationshipStageEvent,
)


@dataclass
class Ids:
    """The database ids of what is written already, by the rows' indexes."""

    accounts: list[int]  # by account idx
    contacts: list[int]  # by contact idx
    touchpoints: dict[int, int]  # by id() of the TouchpointRow
    users: dict[str, User]

    def user(self, username: str | None) -> int | None:
        return self.users[username].pk if username else None

    def contact(self, idx: int | None) -> int | None:
        return self.contacts[idx] if idx is not None else None


def write_key_accounts(ka: KeyAccountsPlan, *, ids: Ids, admin: User, now: dt.datetime) -> None:
    """Insert the key accounts' rows; accounts, contacts and touchpoints are in ``ids``."""
    _write_centres(ka, ids=ids, admin=admin, now=now)
    _write_plans(ka.plans, ids=ids, admin=admin, now=now)


def _write_centres(ka: KeyAccountsPlan, *, ids: Ids, admin: User, now: dt.datetime) -> None:
    """Buying-centre members, stage events and organisation relationships."""
    members = bulk_insert(
        BuyingCentreMember,
        [
            BuyingCentreMember(
                account_id=ids.accounts[s.account_idx],
                contact_id=ids.contacts[s.contact_idx],
                buying_roles=s.roles,
                stance=s.stance,
                influence=s.influence,
                reports_to_id=ids.contact(s.reports_to_idx),
                rising_star=s.rising_star,
                relationship_owner_id=ids.user(s.owner),
                notes=s.notes,
            )
            for s in ka.seats
        ],
    )
    history_insert(BuyingCentreMember, members, user=admin, date=now,
                   reason=catalog.CHANGE_REASON)  # fmt: skip
    bulk_insert(
        RelationshipStageEvent,
        [
            RelationshipStageEvent(
                account_id=ids.accounts[st.account_idx],
                contact_id=ids.contacts[st.contact_idx],
                stage=st.stage,
                reached_on=st.reached_on,
                evidence_id=ids.touchpoints[id(st.evidence)] if st.evidence is not None else None,
                note=st.note,
                recorded_by_id=ids.user(st.recorded_by),
            )
            for st in ka.stages
        ],
    )
    relationships = bulk_insert(
        AccountRelationship,
        [
            AccountRelationship(
                account_id=ids.accounts[r.account_idx],
                supplier_stage=r.supplier_stage,
                kotler_level=r.kotler_level,
                notes=r.notes,
            )
            for r in ka.relationships
        ],
    )
    history_insert(AccountRelationship, relationships, user=admin, date=now,
                   reason=catalog.CHANGE_REASON)  # fmt: skip


def _write_plans(rows: list[PlanRow], *, ids: Ids, admin: User, now: dt.datetime) -> None:
    """Account plans with their competitors, goals, actions (linked to their goals) and
    reviews."""
    plans = bulk_insert(
        AccountPlan,
        [
            AccountPlan(
                account_id=ids.accounts[p.account_idx],
                year=p.year,
                title=p.title,
                status=p.status,
                owner_id=ids.user(p.owner),
                challenges_macro=p.challenges_macro,
                challenges_business=p.challenges_business,
                challenges_suppliers=p.challenges_suppliers,
                challenges_competitors=p.challenges_competitors,
                challenges_customers=p.challenges_customers,
                customer_strategy=p.customer_strategy,
                decision_factors=p.decision_factors,
                strategy=p.strategy,
                wallet_size=p.wallet_size,
                review_cadence=p.review_cadence,
                created_by_id=ids.user(p.owner),
            )
            for p in rows
        ],
    )
    history_insert(AccountPlan, plans, user=admin, date=now, reason=catalog.CHANGE_REASON)
    written = list(zip(plans, rows, strict=True))
    bulk_insert(
        PlanCompetitor,
        [PlanCompetitor(plan_id=obj.pk, **vars(c)) for obj, p in written for c in p.competitors],
    )
    _write_goals_and_actions(written, ids=ids)
    bulk_insert(
        PlanReview,
        [
            PlanReview(
                plan_id=obj.pk,
                held_on=r.held_on,
                period=r.period,
                attendees=r.attendees,
                minutes=r.minutes,
                decisions=r.decisions,
                recorded_by_id=ids.user(r.recorded_by),
            )
            for obj, p in written
            for r in p.reviews
        ],
    )


def _write_goals_and_actions(written: list[tuple[AccountPlan, PlanRow]], *, ids: Ids) -> None:
    """The plans' goals, then their actions, each linked to the goal it serves."""
    goal_rows = [(obj, i, g) for obj, p in written for i, g in enumerate(p.goals)]
    goals = bulk_insert(
        PlanGoal,
        [
            PlanGoal(
                plan_id=obj.pk,
                description=g.description,
                measure=g.measure,
                target_value=g.target_value,
                target_stage=g.target_stage,
                contact_id=ids.contact(g.contact_idx),
                manual_value=g.manual_value,
                position=i,
            )
            for obj, i, g in goal_rows
        ],
    )
    goal_pk = {(obj.pk, i): goal.pk for (obj, i, _g), goal in zip(goal_rows, goals, strict=True)}
    bulk_insert(
        PlanAction,
        [
            PlanAction(
                plan_id=obj.pk,
                goal_id=goal_pk.get((obj.pk, a.goal)) if a.goal is not None else None,
                title=a.title,
                owner_id=ids.user(a.owner),
                due_on=a.due_on,
                status=a.status,
                done_on=a.done_on,
                notes=a.notes,
            )
            for obj, p in written
            for a in p.actions
        ],
    )
