"""The pure rule code: conditions, first match, the column path and scheme validation."""

from __future__ import annotations

import random
from decimal import Decimal as D

import pytest
from django.utils import translation

from guanxi.tiers.rules import (
    condition_holds,
    first_match,
    first_match_columns,
    to_columns,
    validate_scheme,
)


def c(metric, lo=None, hi=None, values=None):
    return {
        "metric": metric,
        "min": None if lo is None else D(str(lo)),
        "max": None if hi is None else D(str(hi)),
        "values": values or [],
    }


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_numeric_condition_is_min_inclusive_max_exclusive():
    cond = c("month_spend", 100, 200)
    assert not condition_holds(cond, D("99.99"))
    assert condition_holds(cond, D("100"))
    assert condition_holds(cond, 150.5)
    assert not condition_holds(cond, D("200"))
    assert not condition_holds(cond, None)


def test_choice_and_tag_conditions():
    assert condition_holds(c("abc_class", values=["A", "B"]), "B")
    assert not condition_holds(c("abc_class", values=["A"]), "C")
    assert not condition_holds(c("abc_class", values=["A"]), None)
    tags = c("tag", values=["VIP", "政府"])
    assert condition_holds(tags, frozenset({"政府", "other"}))
    assert not condition_holds(tags, frozenset({"other"}))
    assert not condition_holds(tags, frozenset())


def test_first_match_takes_the_first_tier_in_rank_order():
    rules = [
        [c("month_visits", 6), c("month_spend", 5000)],
        [c("month_visits", 6)],
        [c("month_spend", 1000)],
        [],
    ]
    assert first_match(rules, {"month_visits": 7, "month_spend": D("6000")}) == 0
    assert first_match(rules, {"month_visits": 7, "month_spend": D("4000")}) == 1
    assert first_match(rules, {"month_visits": 1, "month_spend": D("4000")}) == 2
    assert first_match(rules, {"month_visits": 1, "month_spend": D("10")}) == 3
    assert first_match(rules[:3], {"month_visits": 1, "month_spend": D("10")}) is None
    # no data for a metric → its condition is false
    assert first_match(rules[:3], {"month_visits": None, "month_spend": None}) is None


def _random_rows(n, seed=1):
    rng = random.Random(seed)
    rows = []
    for _ in range(n):
        rows.append(
            {
                "month_visits": rng.randint(0, 9),
                "month_spend": D(rng.randint(0, 800000)) / 100,
                "month_per_head": None if rng.random() < 0.2 else D(rng.randint(0, 15000)) / 100,
                "abc_class": rng.choice(["A", "B", "C", None]),
                "tag": frozenset(rng.sample(["VIP", "gov", "new"], rng.randint(0, 2))),
            }
        )
    return rows


RULES = [
    [c("month_visits", 6), c("month_spend", 5000), c("month_per_head", 80)],
    [c("month_visits", 6), c("month_spend", 4500), c("month_per_head", 60)],
    [c("month_visits", 4), c("month_spend", 3000), c("abc_class", values=["A", "B"])],
    [c("month_visits", 4), c("month_spend", 2500), c("tag", values=["VIP"])],
    [c("month_visits", 2), c("month_spend", 1500, 1600.5), c("month_per_head", 50)],
    [c("month_spend", 1000)],
]


def test_the_column_path_agrees_with_first_match():
    rows = _random_rows(3000)
    metrics = {"month_visits", "month_spend", "month_per_head", "abc_class", "tag"}
    got = first_match_columns(RULES, to_columns(rows, metrics), len(rows))
    want = [first_match(RULES, row) for row in rows]
    assert [None if i < 0 else int(i) for i in got] == want
    assert len(set(want)) > 4  # the sample exercises most tiers


def test_the_column_path_handles_100k_accounts():
    # How fast is benchmarks/nightly_tiering.py's question (~0.3 s here): a timed assertion
    # failed whenever the machine was busy.
    rows = _random_rows(100_000, seed=2)
    metrics = {"month_visits", "month_spend", "month_per_head", "abc_class", "tag"}
    columns = to_columns(rows, metrics)
    assert len(first_match_columns(RULES, columns, len(rows))) == len(rows)


def test_a_valid_scheme_has_no_messages():
    assert validate_scheme(RULES, list("ABCDEF")) == []


def test_no_tiers():
    assert validate_scheme([], []) == ["The scheme has no tiers."]


def test_unknown_metric():
    (msg,) = validate_scheme([[c("shoe_size", 40)]], ["A"])
    assert msg == "Tier 'A': unknown metric 'shoe_size'."


def test_min_not_below_max():
    (msg,) = validate_scheme([[c("month_spend", 500, 500)], []], ["A", "B"])
    assert "Tier 'A'" in msg and "lower bound" in msg and "Spend in the month" in msg


def test_numeric_condition_without_bounds():
    (msg,) = validate_scheme([[c("month_spend")], []], ["A", "B"])
    assert "needs a lower or an upper bound" in msg


def test_non_numeric_bounds():
    (msg,) = validate_scheme([[{"metric": "month_spend", "min": "lots"}], []], ["A", "B"])
    assert "must be numbers" in msg


def test_metric_twice_in_one_tier_overlaps():
    (msg,) = validate_scheme([[c("month_spend", 100), c("month_spend", None, 500)], []], ["A", "B"])
    assert "Tier 'A'" in msg and "overlapping conditions" in msg


def test_choice_metric_needs_values():
    (msg,) = validate_scheme([[c("abc_class")], []], ["A", "B"])
    assert "'ABC class' needs at least one value" in msg


def test_choice_values_must_be_valid():
    (msg,) = validate_scheme([[c("abc_class", values=["A", "Z"])], []], ["A", "B"])
    assert "Z is not a valid value for 'ABC class'" in msg
    (msg,) = validate_scheme([[c("rfm_segment", values=["Champs"])], []], ["A", "B"])
    assert "Champs" in msg
    assert validate_scheme([[c("tag", values=["VIP"])], []], ["A", "B"]) == []
    (msg,) = validate_scheme([[c("tag", values=["VIP"])], []], ["A", "B"], tags=["gov"])
    assert "VIP is not a valid value for 'Tag'" in msg


def test_empty_tier_only_last():
    messages = validate_scheme([[], [c("month_spend", 100)]], ["A", "B"])
    assert any("Tier 'A' has no conditions" in m and "empty tier" in m for m in messages)


def test_unreachable_tier_is_named_with_the_tier_that_covers_it():
    rules = [[c("month_visits", 4)], [c("month_visits", 6), c("month_spend", 1000)]]
    (msg,) = validate_scheme(rules, ["A", "B"])
    assert msg == (
        "Tier 'B' can never be reached (unreachable): every account that meets 'B' meets 'A' first."
    )


def test_reachable_when_not_covered():
    # B is looser on visits than A: accounts with 4–5 visits reach it.
    assert validate_scheme([[c("month_visits", 6)], [c("month_visits", 4)]], ["A", "B"]) == []
    # B constrains a metric A also constrains, but A also needs spend: B reachable.
    rules = [[c("month_visits", 4), c("month_spend", 100)], [c("month_visits", 6)]]
    assert validate_scheme(rules, ["A", "B"]) == []
    # value subsets
    rules = [[c("abc_class", values=["A", "B"])], [c("abc_class", values=["A"])]]
    assert "unreachable" in validate_scheme(rules, ["X", "Y"])[0]
    rules = [[c("abc_class", values=["A"])], [c("abc_class", values=["A", "B"])]]
    assert validate_scheme(rules, ["X", "Y"]) == []
    # intervals
    rules = [[c("month_spend", 100, 1000)], [c("month_spend", 200, 900)]]
    assert "unreachable" in validate_scheme(rules, ["X", "Y"])[0]
    rules = [[c("month_spend", 100, 1000)], [c("month_spend", 200, 1900)]]
    assert validate_scheme(rules, ["X", "Y"]) == []
