import polars as pl
import pytest

from guanxi.analytics import pareto


def test_cumulative_shares_and_abc_classes_on_a_hand_computed_example():
    result = pareto({"a": 50, "b": 30, "c": 10, "d": 6, "e": 4})
    table = result.table
    assert table["customer_id"].to_list() == ["a", "b", "c", "d", "e"]
    assert table["rank"].to_list() == [1, 2, 3, 4, 5]
    assert table["share"].to_list() == pytest.approx([0.5, 0.3, 0.1, 0.06, 0.04])
    assert table["cum_share"].to_list() == pytest.approx([0.5, 0.8, 0.9, 0.96, 1.0])
    # Before b: 50% < 80% -> A; before c: 80% -> B; before d: 90% -> B; before e: 96% -> C.
    assert table["abc_class"].to_list() == ["A", "A", "B", "B", "C"]
    assert result.total == 100.0
    assert result.top_share == pytest.approx(0.5)  # top 20% of 5 customers = a


def test_the_customer_who_crosses_the_cutoff_is_class_a():
    # big alone crosses 80%, so it is A; before small 90% (< 95%) is held -> B.
    assert pareto({"big": 90, "small": 10}).table["abc_class"].to_list() == ["A", "B"]
    # With 96% held before small it falls past the B cut-off.
    assert pareto({"big": 96, "small": 4}).table["abc_class"].to_list() == ["A", "C"]


def test_configurable_cutoffs():
    values = {"a": 50, "b": 30, "c": 10, "d": 6, "e": 4}
    classes = pareto(values, cutoffs=(0.5, 0.85)).table["abc_class"].to_list()
    # Before: a 0, b .5, c .8, d .9, e .96.
    assert classes == ["A", "B", "B", "C", "C"]


@pytest.mark.parametrize(
    "cutoffs", [(0.95, 0.8), (0.0, 0.5), (0.8, 1.2), (0.8, 0.8), (0.8,), "ab", None]
)
def test_invalid_cutoffs_are_rejected(cutoffs):
    with pytest.raises(ValueError, match="cutoffs"):
        pareto({"a": 1.0}, cutoffs=cutoffs)


def test_gini_of_equal_values_is_zero():
    assert pareto({c: 7.0 for c in "abcd"}).gini == pytest.approx(0.0)


@pytest.mark.parametrize("n", [2, 5, 10])
def test_gini_when_one_customer_has_everything_is_n_minus_one_over_n(n):
    values = {f"c{i}": 0.0 for i in range(n - 1)} | {"whale": 100.0}
    result = pareto(values)
    assert result.gini == pytest.approx((n - 1) / n)


def test_gini_on_a_hand_computed_example():
    # Ascending 4, 6, 10, 30, 50 with weights -4, -2, 0, 2, 4: (-16 - 12 + 60 + 200) / (5 * 100).
    assert pareto({"a": 50, "b": 30, "c": 10, "d": 6, "e": 4}).gini == pytest.approx(0.464)


def test_top_20_percent_share_with_ten_customers_is_the_top_two():
    values = {f"c{i}": float(v) for i, v in enumerate([40, 20, 10, 8, 6, 5, 4, 3, 2, 2])}
    assert pareto(values).top_share == pytest.approx(0.6)
    # Configurable fraction, interpolated on the Lorenz curve: top 15% = c0 + half of c1.
    assert pareto(values, top_fraction=0.15).top_share == pytest.approx(0.5)


def test_ties_are_ordered_by_customer_id_and_share_a_class():
    values = {"z": 40.0, "b": 20.0, "a": 20.0, "y": 20.0}
    table = pareto(values).table
    assert table["customer_id"].to_list() == ["z", "a", "b", "y"]
    # Before the tied group 40% is held, so all three are A although "y" ends at 100%.
    assert table["abc_class"].to_list() == ["A", "A", "A", "A"]
    shuffled = pareto(dict(reversed(list(values.items())))).table
    assert shuffled.equals(table)


def test_tie_group_straddling_a_cutoff_gets_one_class():
    values = {"a": 85.0, "b": 5.0, "c": 5.0, "d": 5.0}
    assert pareto(values).table["abc_class"].to_list() == ["A", "B", "B", "B"]


def test_dataframe_input_with_named_columns():
    df = pl.DataFrame({"cust": [1, 2, 3], "margin": [10.0, 30.0, 60.0]})
    result = pareto(df, customer_col="cust", value_col="margin")
    assert result.table["cust"].to_list() == [3, 2, 1]
    assert result.table.columns == ["cust", "margin", "rank", "share", "cum_share", "abc_class"]


def test_negative_profits_are_rejected_unless_clipped():
    values = {"a": 80.0, "b": 20.0, "loss": -30.0}
    with pytest.raises(ValueError, match=r"1 negative value.*clip_negative=True"):
        pareto(values)
    result = pareto(values, clip_negative=True)
    assert result.n_clipped == 1
    assert result.total == 100.0
    table = result.table
    assert table["customer_id"].to_list() == ["a", "b", "loss"]
    # The original value is kept; only shares and Gini count it as 0.
    assert table["revenue"].to_list() == [80.0, 20.0, -30.0]
    assert table["share"].to_list() == pytest.approx([0.8, 0.2, 0.0])


def test_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="the data is empty"):
        pareto({})
    with pytest.raises(ValueError, match=r"Missing column\(s\): revenue"):
        pareto(pl.DataFrame({"customer_id": ["a"], "profit": [1.0]}))
    with pytest.raises(ValueError, match="positive total"):
        pareto({"a": 0.0, "b": 0.0})
    with pytest.raises(ValueError, match="empty value"):
        pareto(pl.DataFrame({"customer_id": ["a", "b"], "revenue": [1.0, None]}))
    with pytest.raises(ValueError, match="NaN or infinite"):
        pareto({"a": float("nan"), "b": 1.0})
    with pytest.raises(ValueError, match="repeats customers"):
        pareto(pl.DataFrame({"customer_id": ["a", "a"], "revenue": [1.0, 2.0]}))
    with pytest.raises(ValueError, match="must be numeric"):
        pareto({"a": "x"})
    with pytest.raises(ValueError, match="top_fraction"):
        pareto({"a": 1.0}, top_fraction=0)
    with pytest.raises(TypeError, match="polars DataFrame or a mapping"):
        pareto([1, 2, 3])
