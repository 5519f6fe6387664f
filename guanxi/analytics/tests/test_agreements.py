"""The agreement maths, checked against figures worked out by hand (issue 14)."""

import pytest

from guanxi.analytics.agreements import (
    attrition,
    attrition_owed,
    bracket_reached,
    check_brackets,
    elapsed_share,
    model_projection,
    pace,
    rebate,
    rebate_by_bracket,
    run_rate_projection,
    settlement_due,
)

# 0–1M at 2 %, 1M–3M at 3 %, above 3M at 5 %
LOWS = [0, 1_000_000, 3_000_000]
RATES = [0.02, 0.03, 0.05]


def test_retroactive_pays_the_whole_volume_at_the_bracket_reached():
    assert rebate(2_500_000, LOWS, RATES, "retroactive") == pytest.approx(75_000)


def test_incremental_pays_each_slice_at_its_rate():
    # 1M × 2 % + 1.5M × 3 %
    assert rebate(2_500_000, LOWS, RATES, "incremental") == pytest.approx(65_000)


def test_the_top_bracket_is_open_ended():
    assert rebate(4_000_000, LOWS, RATES, "retroactive") == pytest.approx(200_000)
    # 20,000 + 60,000 + 1M × 5 %
    assert rebate(4_000_000, LOWS, RATES, "incremental") == pytest.approx(130_000)


def test_a_bracket_starts_at_its_lower_bound():
    assert bracket_reached(999_999.99, LOWS) == 0
    assert bracket_reached(1_000_000, LOWS) == 1
    assert rebate(1_000_000, LOWS, RATES, "retroactive") == pytest.approx(30_000)


def test_no_rebate_on_no_or_negative_volume():
    assert rebate(0, LOWS, RATES, "retroactive") == 0
    assert rebate(-5_000, LOWS, RATES, "incremental") == 0


def test_lines_by_bracket_add_up_to_the_rebate():
    for method, total in (("retroactive", 75_000), ("incremental", 65_000)):
        lines = rebate_by_bracket(2_500_000, LOWS, RATES, method)
        assert [line.reached for line in lines] == [False, True, False]
        assert sum(line.rebate for line in lines) == pytest.approx(total)
        assert lines[-1].high is None
    incremental = rebate_by_bracket(2_500_000, LOWS, RATES, "incremental")
    assert [line.volume for line in incremental] == [1_000_000, 1_500_000, 0]


def test_a_second_settlement_of_the_same_period_pays_only_the_difference():
    first = settlement_due(rebate(800_000, LOWS, RATES, "retroactive"), 0)  # Q1–Q2: 16,000
    second = settlement_due(rebate(2_500_000, LOWS, RATES, "retroactive"), first)
    assert first == pytest.approx(16_000)
    assert second == pytest.approx(59_000)
    assert first + second == pytest.approx(75_000)


@pytest.mark.parametrize(
    ("lows", "rates", "message"),
    [
        ([], [], "at least one bracket"),
        ([0, 10], [0.02], "same length"),
        ([5, 10], [0.02, 0.03], "start at 0"),
        ([0, 10, 10], [0.01, 0.02, 0.03], "rise strictly"),
        ([0, 10], [0.02, 3], "shares between 0 and 1"),
        ([0, float("nan")], [0.02, 0.03], "finite"),
        ([[0, 1]], [[0.1, 0.2]], "one-dimensional"),
        (["a"], [0.1], "must be numbers"),
    ],
)
def test_bad_brackets_are_refused_with_a_clear_message(lows, rates, message):
    with pytest.raises(ValueError, match=message):
        check_brackets(lows, rates)


def test_an_unknown_method_is_refused():
    with pytest.raises(ValueError, match="method must be one of"):
        rebate(10, LOWS, RATES, "cumulative")


def test_pace_and_run_rate():
    # Half the year gone (183 of 366 days), 40 % of 1M bought: pace 0.8, run-rate 800k.
    assert pace(400_000, 1_000_000, 183, 366) == pytest.approx(0.8)
    assert run_rate_projection(400_000, 183, 366) == pytest.approx(800_000)
    assert pace(0, 1_000_000, 0, 366) is None
    assert run_rate_projection(10, 0, 366) is None
    assert elapsed_share(400, 366) == 1.0
    with pytest.raises(ValueError, match="total_days must be positive"):
        pace(1, 1, 1, 0)


def test_model_projection_adds_the_expected_rest():
    # 100/day expected, 30 days left, the commitment counts half the spend
    assert model_projection(1_000, 100, 30, 0.5) == pytest.approx(2_500)


def test_attrition_of_the_issue_block():
    # 100 rooms × 3 nights, 80 % allowance, 75 % of ¥600, 200 picked up
    owed = attrition_owed([100, 100, 100], [70, 70, 60], 0.8, 0.75, 600)
    assert owed == pytest.approx(18_000)
    detail = attrition([100, 100, 100], [70, 70, 60], 0.8, 0.75, 600)
    assert (detail.contracted, detail.allowed, detail.picked_up) == (300, 240, 200)
    assert detail.nights_short == 40


def test_attrition_caps_each_night_at_its_block():
    # 150 on the first night do not fill the second
    assert attrition_owed([100, 100], [150, 50], 0.8, 0.75, 600) == pytest.approx(
        (160 - 150) * 600 * 0.75
    )


def test_no_attrition_above_the_allowance_and_minimum_revenue_when_larger():
    assert attrition_owed([100, 100, 100], [90, 90, 90], 0.8, 0.75, 600) == 0
    # 200 × 600 = 120k picked up; a 150k minimum revenue owes 30k > 18k
    assert attrition_owed([100] * 3, [70, 70, 60], 0.8, 0.75, 600, 150_000) == pytest.approx(30_000)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (([100, 100], [50], 0.8, 0.75, 600), "one value per night"),
        (([100], [-1], 0.8, 0.75, 600), "cannot be negative"),
        (([100], [50], 1.2, 0.75, 600), "allowance must be at most 1"),
        (([100], [50], 0.8, 0.75, -600), "group_rate must be at least 0"),
        (([100], [50], 0.8, "x", 600), "penalty_rate must be a number"),
    ],
)
def test_bad_attrition_input_is_refused(args, message):
    with pytest.raises(ValueError, match=message):
        attrition_owed(*args)
