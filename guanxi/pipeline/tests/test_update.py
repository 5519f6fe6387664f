"""Changing a deal, its event lines and sales targets: each rule, and the audit history naming
who did it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.pipeline.models import ExpectedRevenue, Opportunity, OpportunityLine, SalesTarget
from guanxi.pipeline.services import (
    opportunity_delete,
    opportunity_line_add,
    opportunity_line_delete,
    opportunity_line_update,
    opportunity_move,
    opportunity_update,
)
from guanxi.pipeline.targets import sales_target_delete, sales_target_set
from tests.support import make_account, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


def test_an_update_changes_the_given_fields_and_names_the_actor(cast, deal):
    deal = opportunity_update(actor=cast.lena, opportunity=deal.pk, next_step="  Site visit ",
                              next_step_on=dt.date(2026, 6, 20), probability=35)  # fmt: skip
    deal.refresh_from_db()
    assert (deal.next_step, deal.next_step_on, deal.probability, deal.name) == (
        "Site visit", dt.date(2026, 6, 20), 35, "2026 年会")  # fmt: skip
    assert deal.history.first().history_user == cast.lena


def test_the_stage_is_never_changed_by_an_update(cast, deal, stages):
    with pytest.raises(InvalidInput) as exc:
        opportunity_update(actor=cast.alice, opportunity=deal, stage=stages["won"].pk)
    assert exc.value.field == "stage"


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_an_outsider_cannot_change_or_delete_a_deal_or_its_lines(cast, deal, who):
    user = getattr(cast, who)
    line = opportunity_line_add(actor=cast.alice, opportunity=deal, kind="rooms", quantity=1,
                                unit_price=1)  # fmt: skip
    for call in (
        lambda: opportunity_update(actor=user, opportunity=deal, name="x"),
        lambda: opportunity_delete(actor=user, opportunity=deal),
        lambda: opportunity_line_add(
            actor=user, opportunity=deal, kind="fnb", quantity=1, unit_price=1
        ),  # fmt: skip
        lambda: opportunity_line_update(actor=user, line=line, quantity=2),
        lambda: opportunity_line_delete(actor=user, line=line.pk),
    ):
        with pytest.raises(NotFound):
            call()
    assert Opportunity.objects.filter(pk=deal.pk).exists() and deal.lines.count() == 1


def test_the_account_changes_only_while_the_deal_is_open(cast, deal, stages):
    other = make_account(owner=cast.alice)
    contact = make_contact(account=cast.account)
    opportunity_update(actor=cast.alice, opportunity=deal, contacts=[contact.pk])
    with pytest.raises(InvalidInput) as exc:  # the contact is of the old account
        opportunity_update(actor=cast.alice, opportunity=deal, account=other.pk)
    assert exc.value.field == "contacts"
    deal = opportunity_update(actor=cast.alice, opportunity=deal, account=other.pk, contacts=[])
    assert deal.account == other
    with pytest.raises(NotFound):
        opportunity_update(actor=cast.alice, opportunity=deal, account=cast.west_account.pk)
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"])
    with pytest.raises(InvalidInput) as exc:
        opportunity_update(actor=cast.alice, opportunity=deal, account=cast.account.pk)
    assert exc.value.field == "account"


def test_the_owner_may_be_changed_only_within_the_ownership_rule(cast, deal):
    with pytest.raises(InvalidInput):
        opportunity_update(actor=cast.mia, opportunity=deal, owner=cast.charlie.pk)
    cast.account.co_owners.add(cast.bob)
    with pytest.raises(PermissionDenied):
        opportunity_update(actor=cast.alice, opportunity=deal, owner=cast.bob.pk)
    deal = opportunity_update(actor=cast.lena, opportunity=deal, owner=cast.bob.pk)
    assert deal.owner == cast.bob
    # The owner stays when someone else changes other fields.
    assert opportunity_update(actor=cast.alice, opportunity=deal, name="y").owner == cast.bob


def test_close_fields_go_with_the_outcome(cast, deal, stages, price):
    with pytest.raises(InvalidInput) as exc:
        opportunity_update(actor=cast.alice, opportunity=deal, lost_reason=price.pk)
    assert exc.value.field == "lost_reason"
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["lost"], lost_reason=price)
    with pytest.raises(InvalidInput) as exc:
        opportunity_update(actor=cast.alice, opportunity=deal, lost_reason=None)
    assert exc.value.field == "lost_reason"
    deal = opportunity_update(actor=cast.alice, opportunity=deal, closed_on=dt.date(2026, 6, 2),
                              lost_note="Budget moved")  # fmt: skip
    assert (deal.closed_on, deal.lost_note) == (dt.date(2026, 6, 2), "Budget moved")


def test_lines_recompute_the_amount_and_a_won_deals_expected_revenue(cast, deal, stages):
    deal = opportunity_update(actor=cast.alice, opportunity=deal, amount_from_lines=True)
    assert deal.amount == 0
    rooms = opportunity_line_add(actor=cast.alice, opportunity=deal, kind="rooms", quantity=40,
                                 unit_price="500", day=dt.date(2026, 9, 10))  # fmt: skip
    opportunity_line_add(actor=cast.alice, opportunity=deal, kind="fnb", quantity="80",
                         unit_price="120.50", day=dt.date(2026, 9, 10))  # fmt: skip
    deal.refresh_from_db()
    assert deal.amount == Decimal("29640.00")
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"])
    opportunity_line_update(actor=cast.lena, line=rooms.pk, quantity=50,
                            day=dt.date(2026, 10, 1))  # fmt: skip
    deal.refresh_from_db()
    assert deal.amount == Decimal("34640.00")
    assert deal.history.first().history_user == cast.lena
    rows = {(r.month, r.category.code): r.amount for r in ExpectedRevenue.objects.all()}
    assert rows == {(dt.date(2026, 9, 1), "fnb"): Decimal("9640.00"),
                    (dt.date(2026, 10, 1), "rooms"): Decimal("25000.00")}  # fmt: skip
    opportunity_line_delete(actor=cast.alice, line=rooms)
    deal.refresh_from_db()
    assert deal.amount == Decimal("9640.00")
    assert OpportunityLine.history.filter(id=rooms.pk).first().history_user == cast.alice
    with pytest.raises(InvalidInput) as exc:
        opportunity_update(actor=cast.alice, opportunity=deal, amount="1")
    assert exc.value.field == "amount"


def test_a_line_refuses_bad_numbers(cast, deal):
    with pytest.raises(InvalidInput) as exc:
        opportunity_line_add(actor=cast.alice, opportunity=deal, kind="rooms", quantity=-1,
                             unit_price=1)  # fmt: skip
    assert exc.value.field == "quantity"
    with pytest.raises(InvalidInput) as exc:
        opportunity_line_add(actor=cast.alice, opportunity=deal, kind="spa", quantity=1,
                             unit_price=1)  # fmt: skip
    assert exc.value.field == "kind"


def test_only_open_deals_are_deleted(cast, deal, stages):
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"])
    with pytest.raises(Conflict):
        opportunity_delete(actor=cast.alice, opportunity=deal)
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["propose"])
    opportunity_delete(actor=cast.alice, opportunity=deal.pk)
    assert not Opportunity.objects.filter(pk=deal.pk).exists()
    assert Opportunity.history.filter(id=deal.pk).first().history_user == cast.alice


def test_targets_are_set_by_managers_and_by_a_lead_for_the_teams_kams(cast):
    month = dt.date(2026, 7, 1)
    target = sales_target_set(actor=cast.mia, team=cast.east, amount="500000", starts_on=month)
    again = sales_target_set(actor=cast.mia, team=cast.east, amount="600000", starts_on=month)
    assert again.pk == target.pk and again.amount == Decimal("600000.00")
    assert again.history.first().history_user == cast.mia
    kam = sales_target_set(actor=cast.lena, user=cast.alice, amount=1000, starts_on=month)
    assert kam.user == cast.alice
    for actor, subject in ((cast.lena, {"team": cast.east}), (cast.lena, {"user": cast.charlie}),
                           (cast.alice, {"user": cast.alice})):  # fmt: skip
        with pytest.raises(PermissionDenied):
            sales_target_set(actor=actor, amount=1, starts_on=month, **subject)
    with pytest.raises(InvalidInput) as exc:
        sales_target_set(actor=cast.mia, user=cast.bob, amount=1, period="quarter",
                         starts_on=dt.date(2026, 8, 1))  # fmt: skip
    assert exc.value.field == "starts_on"
    with pytest.raises(NotFound):
        sales_target_delete(actor=cast.lena, target=target)
    sales_target_delete(actor=cast.lena, target=kam.pk)
    assert list(SalesTarget.objects.all()) == [target]
