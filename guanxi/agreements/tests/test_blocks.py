"""MICE room blocks: pickup read from the ledger per stay night, the attrition owed after the
cut-off (hand-computed), the exposure before it, and the writes' rules and audit."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from guanxi.agreements.blocks import (
    block_position,
    pickup_by_night,
    room_block_create,
    room_block_delete,
    room_block_update,
)
from guanxi.agreements.models import PenaltyRule, RoomBlock, RoomBlockNight
from guanxi.agreements.tests.blocks_support import (
    FIRST_NIGHT,
    book,
    make_agreement,
    make_block,
    rooms_category,
)
from guanxi.core.dates import local_midnight
from guanxi.core.errors import InvalidInput, NotFound
from tests.support import make_account, make_transaction

AFTER = FIRST_NIGHT + dt.timedelta(days=10)
N1, N2, N3 = (FIRST_NIGHT + dt.timedelta(days=i) for i in range(3))


@pytest.fixture
def agreement(cast):
    return make_agreement(account=cast.account, owner=cast.alice)


def test_a_block_of_100_rooms_for_3_nights_short_of_its_80_percent_owes_18000(agreement, cast):
    """100 rooms × 3 nights, 80 % allowance, 75 % penalty at ¥600, 200 room nights picked up:
    (240 − 200) × 600 × 0.75 = ¥18,000."""
    block = make_block(agreement)
    for night, n in ((N1, 70), (N2, 70), (N3, 60)):
        book(cast.account, local_midnight(night) + dt.timedelta(hours=15), n)
    p = block_position(block, as_of=AFTER)
    assert (p.contracted, p.picked_up, p.allowance_nights) == (300, Decimal(200), Decimal(240))
    assert not p.before_cutoff and p.owed == Decimal("18000.00") and p.exposure is None
    assert [(n.night, n.contracted, n.picked_up) for n in p.nights] == [
        (N1, 100, Decimal(70)), (N2, 100, Decimal(70)), (N3, 100, Decimal(60))
    ]  # fmt: skip


def test_the_nights_start_and_end_at_local_midnight(agreement, cast):
    block = make_block(agreement)
    first, after_last = local_midnight(N1), local_midnight(N3 + dt.timedelta(days=1))
    book(cast.account, first - dt.timedelta(seconds=1), 5)  # the night before: not the block's
    book(cast.account, first, 7)  # the first instant of the first night
    book(cast.account, after_last - dt.timedelta(seconds=1), 11)  # the last instant of the last
    book(cast.account, after_last, 13)  # the morning after: not the block's
    assert pickup_by_night(block) == {N1: Decimal(7), N2: Decimal(0), N3: Decimal(11)}


def test_refunds_reduce_pickup_and_other_categories_or_lines_without_quantity_do_not_count(
    agreement, cast
):
    block = make_block(agreement)
    at = local_midnight(N2) + dt.timedelta(hours=20)
    book(cast.account, at, 90)
    book(cast.account, at, -10)  # a refund of ten room nights
    make_transaction(account=cast.account, when=at, amount="500", quantity=Decimal(40))  # F&B
    make_transaction(account=cast.account, when=at, amount="900", category=rooms_category())
    assert pickup_by_night(block)[N2] == Decimal(80)


def test_a_group_block_counts_its_covered_subsidiaries_not_a_sister(agreement, cast):
    block = make_block(agreement)
    child = make_account(owner=cast.alice, name="子公司", parent=cast.account)
    sister = make_account(owner=cast.alice, name="兄弟公司", parent=cast.account)
    agreement.covered_accounts.add(child)
    at = local_midnight(N1) + dt.timedelta(hours=18)
    book(cast.account, at, 50)
    book(child, at, 20)
    book(sister, at, 25)
    assert pickup_by_night(block)[N1] == Decimal(70)


def test_before_the_cutoff_the_exposure_and_its_projection_at_the_pace_so_far(agreement, cast):
    # Booking opened on the agreement's start (1 Jan); cut-off 21 April; as of 10 March the
    # block has picked up 60 room nights on the first night: 68 days of 110 gone.
    block = make_block(agreement, cutoff_on=dt.date(2026, 4, 21))
    book(cast.account, local_midnight(N1) + dt.timedelta(hours=9), 60)
    p = block_position(block, as_of=dt.date(2026, 3, 10))
    assert p.before_cutoff and p.owed is None
    assert p.exposure == Decimal((240 - 60) * 600 * 0.75).quantize(Decimal("0.01"))
    projected = min(Decimal(100), Decimal(60) * 110 / 68).quantize(Decimal("0.01"))
    assert p.projected_pickup == projected
    assert p.projected_exposure == ((240 - projected) * 450).quantize(Decimal("0.01"))
    assert p.at_stake == p.projected_exposure


def test_the_minimum_revenue_rule_owes_the_gap_to_the_minimum(agreement, cast):
    block = make_block(agreement, penalty_rule=PenaltyRule.MINIMUM_REVENUE,
                       minimum_revenue=Decimal(150_000))  # fmt: skip
    book(cast.account, local_midnight(N1) + dt.timedelta(hours=15), 200)  # capped at 100
    p = block_position(block, as_of=AFTER)
    assert p.owed == Decimal(150_000 - 100 * 600)


def test_create_update_and_delete_keep_the_rules_and_the_audit(agreement, cast):
    block = room_block_create(
        actor=cast.alice, agreement=agreement.pk, name="年会房间", group_rate=Decimal(520),
        cutoff_on=dt.date(2026, 4, 1), nights={N1: 40, N2: 40},
    )  # fmt: skip
    assert block.category.code == "rooms" and block.allowance_percent == 80
    assert block.history.first().history_user == cast.alice
    room_block_update(actor=cast.alice, block=block, nights=[(N2, 30), (N3, 20)])
    assert dict(block.nights.values_list("night", "rooms")) == {N2: 30, N3: 20}
    deleted = RoomBlockNight.history.filter(night=N1, history_type="-").get()
    assert deleted.history_user == cast.alice
    room_block_delete(actor=cast.alice, block=block.pk)
    assert not RoomBlock.objects.filter(pk=block.pk).exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"cutoff_on": N2}, "cutoff_on"),  # after the first night
        ({"penalty_rule": PenaltyRule.MINIMUM_REVENUE}, "minimum_revenue"),
        ({"nights": [(N1, 10), (N1, 20)]}, "nights"),
        ({"nights": {N1: -1}}, "nights"),
        ({"allowance_percent": Decimal(120)}, "allowance_percent"),
        ({"category": "nope"}, "category"),
    ],
)
def test_bad_blocks_are_refused_naming_the_field(agreement, cast, fields, field):
    data = {"name": "x", "group_rate": Decimal(500), "cutoff_on": dt.date(2026, 4, 1),
            "nights": {N1: 10}, **fields}  # fmt: skip
    with pytest.raises(InvalidInput) as caught:
        room_block_create(actor=cast.alice, agreement=agreement, **data)
    assert field in caught.value.field_errors()


def test_a_block_out_of_sight_is_not_found(agreement, cast):
    block = make_block(agreement)
    with pytest.raises(NotFound):
        room_block_update(actor=cast.charlie, block=block.pk, name="mine now")
    with pytest.raises(NotFound):
        room_block_create(actor=cast.charlie, agreement=agreement.pk, name="x",
                          group_rate=1, cutoff_on=N1)  # fmt: skip
