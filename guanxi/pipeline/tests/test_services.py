"""Opportunities: creating one, moving it through the stages (the stage log, won and lost
rules, the expected revenue) and who may do either (the account rule)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.core.errors import InvalidInput, NotFound, PermissionDenied
from guanxi.pipeline.models import ExpectedRevenue, Pipeline, Stage, StageChange
from guanxi.pipeline.selectors import opportunities_visible_to, opportunity_for_actor
from guanxi.pipeline.services import opportunity_create, opportunity_move
from guanxi.transactions.models import ProductCategory
from tests.support import make_account, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english", "clock")]


def create(cast, actor=None, **fields):
    fields.setdefault("account", cast.account)
    fields.setdefault("name", "Deal")
    fields.setdefault("expected_close", dt.date(2026, 9, 30))
    return opportunity_create(actor=actor or cast.alice, **fields)


def revenue(deal) -> list[tuple]:
    rows = ExpectedRevenue.objects.filter(opportunity=deal).order_by("month", "category_id")
    return [(r.month, r.category.code if r.category else None, r.amount) for r in rows]


def test_a_new_deal_starts_in_the_first_open_stage_with_its_probability(cast, deal, stages):
    assert (deal.stage, deal.pipeline, deal.outcome) == (
        stages["identify"], Pipeline.objects.get(is_default=True), "open")  # fmt: skip
    assert (deal.probability, deal.owner, deal.amount) == (10, cast.alice, Decimal("120000.00"))
    assert deal.closed_on is None and deal.stage_changed_at is not None
    log = list(deal.stage_changes.all())
    assert [(c.from_stage, c.to_stage, c.actor, c.seconds_in_from_stage) for c in log] == [
        (None, stages["identify"], cast.alice, None)]  # fmt: skip
    assert deal.history.first().history_user == cast.alice


def test_a_given_stage_and_probability_are_kept(cast, stages):
    deal = create(cast, stage=stages["propose"].pk, probability=55)
    assert (deal.stage, deal.probability) == (stages["propose"], 55)


def test_a_stage_of_another_pipeline_is_refused_on_move(cast, deal):
    other = Pipeline.objects.create(name="Banquets")
    foreign = Stage.objects.create(pipeline=other, name="Tasting", probability=30)
    with pytest.raises(InvalidInput) as exc:
        opportunity_move(actor=cast.alice, opportunity=deal, stage=foreign)
    assert exc.value.field == "stage"
    with pytest.raises(InvalidInput) as exc:
        opportunity_move(actor=cast.alice, opportunity=deal, stage=987654)
    assert exc.value.field == "stage"


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_an_outsider_can_neither_create_see_nor_move_a_deal(cast, deal, stages, who):
    user = getattr(cast, who)
    with pytest.raises(NotFound):
        create(cast, actor=user)
    with pytest.raises(NotFound):
        opportunity_move(actor=user, opportunity=deal, stage=stages["contact"])
    with pytest.raises(NotFound):
        opportunity_for_actor(user, deal.pk)
    assert not opportunities_visible_to(user).exists()
    assert StageChange.objects.filter(opportunity=deal).count() == 1


@pytest.mark.parametrize("who", ["alice", "lena", "mia"])
def test_who_sees_the_account_sees_and_moves_its_deals(cast, deal, stages, who):
    user = getattr(cast, who)
    assert opportunity_for_actor(user, deal.pk) == deal
    moved = opportunity_move(actor=user, opportunity=deal, stage=stages["contact"])
    assert moved.stage == stages["contact"]
    assert moved.stage_changes.last().actor == user
    assert moved.history.first().history_user == user


def test_the_owner_must_see_the_account_and_be_one_the_actor_may_name(cast):
    with pytest.raises(InvalidInput) as exc:
        create(cast, actor=cast.mia, owner=cast.charlie)
    assert exc.value.field == "owner"
    cast.account.co_owners.add(cast.bob)
    with pytest.raises(PermissionDenied) as exc:
        create(cast, owner=cast.bob)  # a KAM names only themselves or the account's owner
    assert exc.value.field == "owner"
    assert create(cast, actor=cast.lena, owner=cast.bob.pk).owner == cast.bob
    assert create(cast, actor=cast.bob, owner=cast.alice).owner == cast.alice


def test_contacts_must_belong_to_the_account(cast):
    mine = make_contact(account=cast.account)
    theirs = make_contact(account=cast.west_account)
    with pytest.raises(InvalidInput) as exc:
        create(cast, contacts=[mine.pk, theirs.pk])
    assert exc.value.field == "contacts"
    assert list(create(cast, contacts=[mine]).contacts.all()) == [mine]


def test_a_move_logs_the_time_spent_in_the_stage_left_and_resets_the_probability(
    cast, deal, stages, clock
):
    clock.shift(dt.timedelta(days=3, hours=2))
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["contact"])
    clock.shift(dt.timedelta(days=5))
    deal = opportunity_move(actor=cast.lena, opportunity=deal, stage=stages["negotiate"])
    log = [(c.from_stage.builtin if c.from_stage else None, c.to_stage.builtin,
            c.seconds_in_from_stage) for c in deal.stage_changes.all()]  # fmt: skip
    assert log == [
        (None, "identify", None),
        ("identify", "contact", (3 * 24 + 2) * 3600),
        ("contact", "negotiate", 5 * 24 * 3600),
    ]
    assert (deal.probability, deal.outcome) == (70, "open")
    # A move may name its own estimate.
    deal = opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["propose"],
                            probability=45)  # fmt: skip
    assert deal.probability == 45


def test_moving_to_the_current_stage_changes_nothing(cast, deal, stages):
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["identify"])
    assert deal.stage_changes.count() == 1


def test_a_won_deal_without_lines_expects_its_amount_in_the_expected_close_month(
    cast, deal, stages
):
    deal = opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"])
    assert (deal.outcome, deal.probability, deal.closed_on) == ("won", 100, dt.date(2026, 6, 15))
    assert revenue(deal) == [(dt.date(2026, 9, 1), None, Decimal("120000.00"))]


def test_a_won_deal_may_be_closed_on_a_given_day_but_not_a_future_one(cast, deal, stages):
    with pytest.raises(InvalidInput) as exc:
        opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"],
                         closed_on=dt.date(2026, 7, 1))  # fmt: skip
    assert exc.value.field == "closed_on"
    deal = opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"],
                            closed_on=dt.date(2026, 6, 1))  # fmt: skip
    assert deal.closed_on == dt.date(2026, 6, 1)


def test_the_expected_revenue_of_a_won_mice_deal_follows_its_lines(cast, stages):
    deal = create(
        cast,
        opportunity_type="mice",
        amount_from_lines=True,
        event_start=dt.date(2026, 10, 30),
        event_end=dt.date(2026, 11, 1),
        lines=[
            {"kind": "rooms", "day": dt.date(2026, 10, 30), "quantity": 50, "unit_price": "600"},
            {"kind": "rooms", "day": dt.date(2026, 10, 31), "quantity": 50, "unit_price": "600"},
            {"kind": "rooms", "day": dt.date(2026, 11, 1), "quantity": 20, "unit_price": "600"},
            {"kind": "fnb", "day": dt.date(2026, 10, 31), "quantity": 100, "unit_price": "150"},
            {"kind": "meeting_space", "quantity": 1, "unit_price": "20000", "category": "other"},
        ],
    )
    assert deal.amount == Decimal("107000.00")  # 120 × 600 + 100 × 150 + 20,000
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"])
    assert revenue(deal) == [
        (dt.date(2026, 10, 1), "rooms", Decimal("60000.00")),
        (dt.date(2026, 10, 1), "fnb", Decimal("15000.00")),
        (dt.date(2026, 10, 1), "other", Decimal("20000.00")),  # no day: the event's month
        (dt.date(2026, 11, 1), "rooms", Decimal("12000.00")),
    ]


def test_a_line_without_a_category_is_booked_under_its_kind(cast):
    deal = create(cast, lines=[{"kind": "meeting_space", "quantity": 1, "unit_price": 100}])
    assert deal.lines.get().category == ProductCategory.objects.get(code="meeting")
    assert deal.amount == 0  # not from the lines unless asked


def test_a_lost_deal_requires_a_reason(cast, deal, stages, price):
    with pytest.raises(InvalidInput) as exc:
        opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["lost"])
    assert exc.value.field == "lost_reason"
    deal.refresh_from_db()
    assert deal.outcome == "open" and deal.stage_changes.count() == 1
    deal = opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["lost"],
                            lost_reason=price.pk, lost_note="  20% dearer  ")  # fmt: skip
    assert (deal.outcome, deal.probability, deal.lost_reason, deal.lost_note, deal.closed_on) == (
        "lost", 0, price, "20% dearer", dt.date(2026, 6, 15))  # fmt: skip


def test_moving_back_from_won_clears_the_won_figures(cast, deal, stages):
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"])
    assert revenue(deal)
    deal = opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["negotiate"])
    deal.refresh_from_db()
    assert (deal.outcome, deal.closed_on, deal.probability) == ("open", None, 70)
    assert revenue(deal) == []


def test_moving_from_lost_to_won_clears_the_lost_fields(cast, deal, stages, price):
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["lost"], lost_reason=price,
                     lost_note="dear")  # fmt: skip
    deal = opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["won"])
    deal.refresh_from_db()
    assert (deal.outcome, deal.lost_reason, deal.lost_note) == ("won", None, "")
    assert revenue(deal) == [(dt.date(2026, 9, 1), None, Decimal("120000.00"))]
    deal = opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["lost"],
                            lost_reason=price)  # fmt: skip
    assert revenue(deal) == []


def test_a_deal_on_another_account_of_the_kam(cast):
    other = make_account(owner=cast.alice)
    deal = create(cast, account=other.pk)
    assert deal.account == other
