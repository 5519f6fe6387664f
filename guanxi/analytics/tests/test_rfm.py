import datetime as dt
from itertools import product

import polars as pl
import pytest

from guanxi.analytics import DEFAULT_SEGMENT_RULES, rfm, summarize, with_rfm_recency
from guanxi.analytics.rfm import _segment_of

SEGMENTS = {
    "Champions",
    "Loyal",
    "Potential loyalist",
    "New",
    "Promising",
    "Need attention",
    "About to sleep",
    "At risk",
    "Can't lose them",
    "Hibernating",
    "Lost",
}


def _ten() -> dict:
    # Ten customers, all values distinct: each quintile holds exactly two customers.
    return {
        "customer_id": [f"c{i}" for i in range(10)],
        "recency_days": [float(d) for d in range(10)],  # c0 bought most recently
        "frequency": list(range(10)),
        "monetary": [float(10 * (9 - i)) for i in range(10)],
    }


def _row(result, customer: str) -> dict:
    return result.table.filter(pl.col("customer_id") == customer).to_dicts()[0]


def test_quintile_scores_with_distinct_values_give_two_customers_per_bin():
    result = rfm(_ten())
    table = result.table.sort("customer_id")
    # Lower recency is better, so the most recent buyers get R=5.
    assert table["r_score"].to_list() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert table["f_score"].to_list() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5]
    assert table["m_score"].to_list() == [5, 5, 4, 4, 3, 3, 2, 2, 1, 1]
    assert _row(result, "c0")["rfm_cell"] == "515"
    assert _row(result, "c9")["rfm_cell"] == "151"
    assert result.bins_used == {"recency": 5, "frequency": 5, "monetary": 5}
    assert result.warnings == []


def test_equal_values_always_get_the_same_score():
    data = {
        "customer_id": list("abcdefgh"),
        "recency_days": [1.0, 1.0, 1.0, 5.0, 5.0, 9.0, 9.0, 9.0],
        "frequency": [0, 0, 0, 0, 0, 1, 2, 2],
        "monetary": [10.0, 10.0, 20.0, 20.0, 30.0, 30.0, 40.0, 50.0],
    }
    table = rfm(data).table
    for col, score in (
        ("recency_days", "r_score"),
        ("frequency", "f_score"),
        ("monetary", "m_score"),
    ):
        per_value = table.group_by(col).agg(pl.col(score).n_unique().alias("n"))
        assert per_value["n"].max() == 1
    # The worst value always scores 1: the five one-time buyers share F=1.
    assert table.filter(pl.col("frequency") == 0)["f_score"].unique().to_list() == [1]
    # 1 + floor(5 * middle / n): frequency 1 sits at position 5 of 8 -> 4; frequency 2 is the
    # best value and scores 5 (its first position, 6 of 8, used to leave it at 4).
    assert table.filter(pl.col("frequency") == 1)["f_score"].unique().to_list() == [4]
    assert table.filter(pl.col("frequency") == 2)["f_score"].unique().to_list() == [5]


def test_a_large_group_sharing_the_best_recency_scores_5_and_all_five_scores_occur():
    # 300 accounts as the demo has them: 84 bought in the last period (recency 0), the others
    # spread over 216 earlier periods. Scoring ties by their first position gave R counts
    # 61/61/94/84/0: nobody ever had R=5.
    recency = [0.0] * 84 + [float(d) for d in range(1, 217)]
    data = {
        "customer_id": [f"c{i}" for i in range(300)],
        "recency_days": recency,
        "frequency": list(range(300)),
        "monetary": [float(i) for i in range(300)],
    }
    table = rfm(data).table
    counts = dict(table.group_by("r_score").len().iter_rows())
    assert sorted(counts) == [1, 2, 3, 4, 5]
    assert counts[5] == 84
    assert table.filter(pl.col("recency_days") == 0)["r_score"].unique().to_list() == [5]
    assert table.filter(pl.col("recency_days") == 216)["r_score"].unique().to_list() == [1]


def test_a_tie_group_spanning_two_bins_lands_where_its_middle_is():
    # Ten customers, frequency 1 shared by positions 2..6: middle 4 -> 1 + floor(5 * 4 / 10) = 3
    # (its first position alone gave 2); positions 7..8: middle 7.5 -> 4.
    data = _ten()
    data["frequency"] = [0, 0, 1, 1, 1, 1, 1, 2, 2, 3]
    table = rfm(data).table.sort("customer_id")
    assert table["f_score"].to_list() == [1, 1, 3, 3, 3, 3, 3, 4, 4, 5]


def test_scores_do_not_depend_on_row_order():
    data = pl.DataFrame(_ten()).with_columns(pl.col("frequency") // 3)
    forward = rfm(data).table.sort("customer_id")
    backward = rfm(data.reverse()).table.sort("customer_id")
    assert forward.equals(backward)


def test_fewer_distinct_values_than_bins_is_reported():
    data = _ten()
    data["frequency"] = [0] * 5 + [1] * 5
    data["monetary"] = [7.0] * 10
    result = rfm(data)
    assert result.bins_used == {"recency": 5, "frequency": 2, "monetary": 1}
    assert len(result.warnings) == 2
    assert "frequency" in result.warnings[0] and "only 2 distinct" in result.warnings[0]
    assert "scores used are [1, 5]" in result.warnings[0]
    assert "monetary" in result.warnings[1] and "scores used are [1]" in result.warnings[1]


def test_ties_that_leave_scores_unused_are_reported_even_with_enough_distinct_values():
    data = _ten()
    data["frequency"] = [0] * 6 + [1, 2, 3, 4]
    result = rfm(data)
    assert result.bins_used["frequency"] == 3
    assert result.warnings == [
        "frequency ('frequency') has ties that leave scores unused: scores used are [1, 4, 5]."
    ]


def test_every_one_of_the_125_cells_gets_exactly_one_of_the_11_segments():
    seen = set()
    for r, f, m in product(range(1, 6), repeat=3):
        matches = [
            name
            for name, (r_lo, r_hi), (fm_lo, fm_hi) in DEFAULT_SEGMENT_RULES
            if r_lo <= r <= r_hi and fm_lo <= (f + m) / 2 <= fm_hi
        ]
        assert matches, f"cell {r}{f}{m} has no segment"
        segment = _segment_of(DEFAULT_SEGMENT_RULES, r, (f + m) / 2)
        assert segment == matches[0]  # first match wins
        seen.add(segment)
    assert seen == SEGMENTS


@pytest.mark.parametrize(
    ("cell", "segment"),
    [
        ("555", "Champions"),
        ("445", "Champions"),
        ("155", "Can't lose them"),
        ("255", "At risk"),
        ("133", "At risk"),
        ("333", "Need attention"),
        ("355", "Loyal"),
        ("533", "Loyal"),
        ("522", "Potential loyalist"),
        ("511", "New"),
        ("411", "Promising"),
        ("322", "About to sleep"),
        ("122", "Hibernating"),
        ("111", "Lost"),
        ("212", "Lost"),
    ],
)
def test_default_grid_names_the_published_cells(cell, segment):
    r, f, m = (int(c) for c in cell)
    assert _segment_of(DEFAULT_SEGMENT_RULES, r, (f + m) / 2) == segment


def test_segment_column_comes_from_the_cell():
    table = rfm(_ten()).table
    assert _row_from(table, "c0")["segment"] == "Loyal"  # cell 515: R5, FM 3
    assert _row_from(table, "c9")["segment"] == "At risk"  # cell 151: R1, FM 3
    assert set(table["segment"]) <= SEGMENTS
    assert table["segment"].null_count() == 0


def _row_from(table: pl.DataFrame, customer: str) -> dict:
    return table.filter(pl.col("customer_id") == customer).to_dicts()[0]


def test_custom_rule_table_first_match_wins():
    rules = [("Recent", (4, 5), (1, 5)), ("Everyone", (1, 5), (1, 5))]
    table = rfm(_ten(), rules=rules).table
    assert table.filter(pl.col("r_score") >= 4)["segment"].unique().to_list() == ["Recent"]
    assert table.filter(pl.col("r_score") < 4)["segment"].unique().to_list() == ["Everyone"]


def test_rule_table_that_leaves_cells_uncovered_is_rejected():
    with pytest.raises(ValueError, match=r"leave 75 RFM cell\(s\) without a segment"):
        rfm(_ten(), rules=[("Recent", (4, 5), (1, 5))])
    with pytest.raises(ValueError, match="low end is above its high end"):
        rfm(_ten(), rules=[("Bad", (5, 1), (1, 5))])
    with pytest.raises(ValueError, match="must be"):
        rfm(_ten(), rules=[("Bad", 3)])
    with pytest.raises(ValueError, match="rules is empty"):
        rfm(_ten(), rules=[])


def test_works_on_summarize_output_with_recency_since_last_purchase():
    log = pl.DataFrame(
        {
            "cust": ["A", "A", "B", "C", "C", "C"],
            "at": [
                dt.date(2024, 1, 1),
                dt.date(2024, 1, 10),
                dt.date(2024, 1, 20),
                dt.date(2024, 1, 2),
                dt.date(2024, 1, 3),
                dt.date(2024, 1, 30),
            ],
            "amount": [10.0, 20.0, 5.0, 1.0, 2.0, 3.0],
        }
    )
    summary = summarize(
        log, customer_col="cust", time_col="at", amount_col="amount", observation_end="2024-01-31"
    )
    with pytest.raises(ValueError, match="with_rfm_recency"):
        rfm(summary, customer_col="cust")
    prepared = with_rfm_recency(summary)
    # recency_days = T - recency: A last bought on Jan 10 -> 21 days before Jan 31.
    assert prepared.sort("cust")["recency_days"].to_list() == [21.0, 11.0, 1.0]
    result = rfm(prepared, customer_col="cust", monetary_col="total_revenue")
    table = result.table.sort("cust")
    # The best of three scores 5, the worst 1, the middle one 1 + floor(5 * 1 / 3) = 2.
    assert table["r_score"].to_list() == [1, 2, 5]
    assert table["f_score"].to_list() == [2, 1, 5]
    assert table["m_score"].to_list() == [5, 1, 2]


def test_with_rfm_recency_rejects_recency_after_T():
    with pytest.raises(ValueError, match="recency greater than T"):
        with_rfm_recency(pl.DataFrame({"recency": [5.0], "T": [3.0]}))
    with pytest.raises(ValueError, match="Missing column"):
        with_rfm_recency(pl.DataFrame({"recency": [5.0]}))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"frequency": [-1] + list(range(1, 10))}, r"'frequency' has 1 negative value"),
        ({"recency_days": [-2.0] + [1.0] * 9}, r"'recency_days' has 1 negative value"),
        ({"monetary": [None] + [1.0] * 9}, r"'monetary' has 1 empty value"),
        ({"monetary": [float("nan")] + [1.0] * 9}, r"'monetary' has NaN"),
        ({"frequency": ["x"] * 10}, r"'frequency' must be numeric"),
        ({"customer_id": ["c0"] * 10}, "repeats customers"),
    ],
)
def test_bad_values_raise_clear_errors(change, message):
    data = _ten() | change
    with pytest.raises(ValueError, match=message):
        rfm(data)


def test_missing_columns_and_empty_data_raise_clear_errors():
    data = _ten()
    del data["monetary"]
    with pytest.raises(ValueError, match=r"Missing column\(s\): monetary"):
        rfm(data)
    empty = pl.DataFrame(
        schema={
            "customer_id": pl.String,
            "recency_days": pl.Float64,
            "frequency": pl.Int64,
            "monetary": pl.Float64,
        }
    )
    with pytest.raises(ValueError, match="the data is empty"):
        rfm(empty)
