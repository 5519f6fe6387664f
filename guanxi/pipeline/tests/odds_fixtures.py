"""Builders for the deal-odds tests: a buying-centre seat, a deal moved through the stages,
and a history of closed deals where a mapped decision maker always won."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.pipeline.odds import MIN_DEALS
from guanxi.pipeline.services import opportunity_create, opportunity_move
from guanxi.relationships.models import BuyingCentreMember
from tests.support import make_account, make_contact


def seat(account, *, roles=("decision_maker",), stance="champion", name=None, owner=None):
    contact = make_contact(account=account, name=name)
    BuyingCentreMember.objects.create(
        account=account,
        contact=contact,
        buying_roles=list(roles),
        stance=stance,
        relationship_owner=owner,
    )
    return contact


def deal(cast, account, *, outcome=None, closed_on=dt.date(2026, 3, 1), via=(), **fields):
    """A deal on ``account``, moved through the stages named in ``via``, then won or lost."""
    opportunity = opportunity_create(
        actor=cast.alice,
        account=account,
        name="Deal",
        expected_close=dt.date(2026, 9, 30),
        opportunity_type=fields.pop("opportunity_type", "mice"),
        amount=fields.pop("amount", "50000"),
    )
    for stage in via:
        opportunity = opportunity_move(actor=cast.alice, opportunity=opportunity, stage=stage)
    if outcome is not None:
        opportunity = opportunity_move(
            actor=cast.alice,
            opportunity=opportunity,
            stage=outcome,
            closed_on=closed_on,
            lost_reason=fields.get("lost_reason"),
        )
    return opportunity


@pytest.fixture(name="history")
def history_fixture(cast, stages, price):
    """Accounts with a decision maker mapped won their deals; accounts without one lost."""
    for i in range(MIN_DEALS // 2 + 2):
        mapped = make_account(owner=cast.alice, name=f"Won {i}")
        seat(mapped)
        seat(mapped, roles=("user",), stance="supporter")
        deal(cast, mapped, outcome=stages["won"], via=[stages["contact"]])
        bare = make_account(owner=cast.alice, name=f"Lost {i}")
        deal(cast, bare, outcome=stages["lost"], via=[stages["contact"]], lost_reason=price)
