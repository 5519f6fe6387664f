import datetime as dt
from collections import defaultdict

import numpy as np
import polars as pl
import pytest

from guanxi.analytics import summarize
from guanxi.analytics import summary as summary_module

UTC = dt.UTC


def _log() -> pl.DataFrame:
    # 2024-01-01 is a Monday.
    return pl.DataFrame(
        {
            "cust": ["A", "A", "A", "A", "B"],
            "at": [
                dt.datetime(2024, 1, 1, 9),
                dt.datetime(2024, 1, 1, 18),  # same day: merged with the purchase above
                dt.datetime(2024, 1, 5, 12),
                dt.datetime(2024, 1, 10, 8),
                dt.datetime(2024, 1, 20, 15),
            ],
            "amount": [10.0, 5.0, 20.0, 30.0, 7.0],
            "cost": [4.0, 2.0, 8.0, 12.0, 3.0],
        }
    )


def _row(out: pl.DataFrame, customer: str) -> dict:
    return out.filter(pl.col("cust") == customer).to_dicts()[0]


def test_daily_summary_merges_same_day_purchases_and_excludes_first_from_monetary():
    out = summarize(
        _log(),
        customer_col="cust",
        time_col="at",
        amount_col="amount",
        cost_col="cost",
        observation_end=dt.datetime(2024, 1, 31),
    )
    assert out.height == 2
    a = _row(out, "A")
    assert (a["frequency"], a["recency"], a["T"]) == (2, 9.0, 30.0)
    assert a["monetary"] == pytest.approx(25.0)  # (20 + 30) / 2; the first day's 15 is left out
    assert a["total_revenue"] == pytest.approx(65.0)
    assert a["total_cost"] == pytest.approx(26.0)
    assert a["margin"] == pytest.approx(39.0)
    b = _row(out, "B")
    assert (b["frequency"], b["recency"], b["T"], b["monetary"]) == (0, 0.0, 11.0, 0.0)


def test_weekly_periods_start_on_monday():
    log = pl.DataFrame(
        {
            "cust": ["A", "A", "A"],
            "at": [dt.date(2024, 1, 1), dt.date(2024, 1, 7), dt.date(2024, 1, 8)],  # Mon, Sun, Mon
            "amount": [1.0, 2.0, 4.0],
        }
    )
    out = summarize(log, customer_col="cust", time_col="at", amount_col="amount", period="W")
    a = _row(out, "A")
    assert (a["frequency"], a["recency"], a["T"], a["monetary"]) == (1, 1.0, 1.0, 4.0)


def test_weekly_and_monthly_summaries():
    end = dt.datetime(2024, 3, 31)
    weekly = summarize(
        _log(),
        customer_col="cust",
        time_col="at",
        amount_col="amount",
        period="W",
        observation_end=end,
    )
    a = _row(weekly, "A")
    # Weeks of Jan 1 (15 + 20 on Jan 5) and Jan 8 (30); Mar 31 is a Sunday, week 12.
    assert (a["frequency"], a["recency"], a["T"], a["monetary"]) == (1, 1.0, 12.0, 30.0)
    monthly = summarize(
        _log(),
        customer_col="cust",
        time_col="at",
        amount_col="amount",
        period="M",
        observation_end=end,
    )
    a = _row(monthly, "A")
    assert (a["frequency"], a["recency"], a["T"], a["monetary"]) == (0, 0.0, 2.0, 0.0)
    assert a["total_revenue"] == pytest.approx(65.0)


def test_without_cost_column_cost_and_margin_are_null():
    out = summarize(_log(), customer_col="cust", time_col="at", amount_col="amount")
    assert out["total_cost"].null_count() == 2
    assert out["margin"].null_count() == 2
    # observation_end defaults to the last transaction (Jan 20).
    assert _row(out, "A")["T"] == 19.0


def test_calibration_and_holdout_split():
    out = summarize(
        _log(),
        customer_col="cust",
        time_col="at",
        amount_col="amount",
        calibration_end=dt.datetime(2024, 1, 7),
        observation_end=dt.datetime(2024, 1, 31),
    )
    # B first bought in the holdout window, so it has no calibration summary.
    assert out["cust"].to_list() == ["A"]
    a = out.to_dicts()[0]
    assert (a["frequency"], a["recency"], a["T"], a["monetary"]) == (1, 4.0, 6.0, 20.0)
    assert a["total_revenue"] == pytest.approx(35.0)
    assert (a["frequency_holdout"], a["monetary_holdout"], a["duration_holdout"]) == (1, 30.0, 24.0)


def test_transactions_after_observation_end_are_ignored():
    out = summarize(
        _log(),
        customer_col="cust",
        time_col="at",
        amount_col="amount",
        observation_end=dt.datetime(2024, 1, 6),
    )
    assert out["cust"].to_list() == ["A"]
    assert _row(out, "A")["total_revenue"] == pytest.approx(35.0)


def test_timezone_aware_timestamps_use_local_dates():
    shanghai = dt.timezone(dt.timedelta(hours=8))
    log = pl.DataFrame(
        {
            "cust": [1, 1],
            # 23:00 and 01:00 the next day in Shanghai: two different local days.
            "at": [
                dt.datetime(2024, 1, 1, 23, tzinfo=shanghai),
                dt.datetime(2024, 1, 2, 1, tzinfo=shanghai),
            ],
            "amount": [1.0, 2.0],
        }
    ).with_columns(pl.col("at").dt.convert_time_zone("Asia/Shanghai"))
    out = summarize(log, customer_col="cust", time_col="at", amount_col="amount")
    assert out.to_dicts()[0]["frequency"] == 1


def test_aware_bounds_in_another_zone_are_converted_to_the_column_zone():
    log = pl.DataFrame(
        {
            "cust": [1, 1],
            "at": [dt.datetime(2024, 1, 1, 2, tzinfo=UTC), dt.datetime(2024, 1, 3, 2, tzinfo=UTC)],
            "amount": [1.0, 2.0],
        }
    ).with_columns(pl.col("at").dt.convert_time_zone("Asia/Shanghai"))
    # 2024-01-10 20:00 UTC is 2024-01-11 04:00 in Shanghai: day 10 after the first purchase.
    for end in (dt.datetime(2024, 1, 10, 20, tzinfo=UTC), "2024-01-10T20:00:00+00:00"):
        out = summarize(log, **KW, observation_end=end)
        assert out.to_dicts()[0]["T"] == 10.0
    # The calibration bound is converted too: 2024-01-02 20:00 UTC is Jan 3 04:00 local, before
    # the second purchase (Jan 3 10:00 local), which therefore falls in the holdout.
    out = summarize(
        log,
        **KW,
        calibration_end=dt.datetime(2024, 1, 2, 20, tzinfo=UTC),
        observation_end=dt.datetime(2024, 1, 10, 20, tzinfo=UTC),
    )
    row = out.to_dicts()[0]
    assert (row["frequency"], row["frequency_holdout"], row["T"]) == (0, 1, 2.0)


def test_mapping_input_is_accepted():
    out = summarize(
        {"c": ["x", "x"], "t": ["2024-01-01", "2024-01-03"], "v": [1, 2]},
        customer_col="c",
        time_col="t",
        amount_col="v",
    )
    assert out.to_dicts()[0]["recency"] == 2.0


def test_matches_a_direct_implementation_of_the_definitions_on_random_data():
    rng = np.random.default_rng(7)
    n = 3000
    start = dt.datetime(2023, 1, 1)
    cust = rng.integers(0, 200, n)
    hours = rng.integers(0, 24 * 400, n)
    amount = rng.gamma(2.0, 50.0, n).round(2)
    times = [start + dt.timedelta(hours=int(h)) for h in hours]
    end = dt.datetime(2024, 2, 10)
    out = summarize(
        pl.DataFrame({"c": cust, "t": times, "v": amount}),
        customer_col="c",
        time_col="t",
        amount_col="v",
        period="W",
        observation_end=end,
    )
    spend: dict[int, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for c, t, v in zip(cust, times, amount, strict=True):
        week = (t.date() - dt.date(2022, 12, 26)).days // 7  # weeks counted from a Monday
        if t <= end:
            spend[int(c)][week] += float(v)
    end_week = (end.date() - dt.date(2022, 12, 26)).days // 7
    got = {row["c"]: row for row in out.to_dicts()}
    assert set(got) == set(spend)
    for c, weeks in spend.items():
        ordered = sorted(weeks)
        repeat = [weeks[w] for w in ordered[1:]]
        row = got[c]
        assert row["frequency"] == len(ordered) - 1
        assert row["recency"] == ordered[-1] - ordered[0]
        assert row["T"] == end_week - ordered[0]
        assert row["monetary"] == pytest.approx(sum(repeat) / len(repeat) if repeat else 0.0)
        assert row["total_revenue"] == pytest.approx(sum(weeks.values()))


@pytest.mark.parametrize("ids", ["int", "str"])
@pytest.mark.parametrize("calibration_end", [None, dt.datetime(2023, 11, 1)])
def test_large_inputs_summarised_by_customer_group_give_the_same_result(
    monkeypatch, ids, calibration_end
):
    # Above _CHUNK_ROWS transactions, customers are summarised in hash groups to bound memory.
    rng = np.random.default_rng(11)
    n = 4000
    cust = rng.integers(0, 300, n)
    frame = pl.DataFrame(
        {
            "c": cust if ids == "int" else [f"C{c:04d}" for c in cust],
            "t": [dt.datetime(2023, 1, 1) + dt.timedelta(hours=int(h))
                  for h in rng.integers(0, 24 * 400, n)],
            "v": rng.gamma(2.0, 50.0, n).round(2),
            "k": rng.gamma(2.0, 20.0, n).round(2),
        }
    )  # fmt: skip
    kw = {
        "customer_col": "c",
        "time_col": "t",
        "amount_col": "v",
        "cost_col": "k",
        "calibration_end": calibration_end,
    }
    whole = summarize(frame, **kw)
    monkeypatch.setattr(summary_module, "_CHUNK_ROWS", 700)
    grouped = summarize(frame, **kw)
    assert grouped["c"].to_list() == whole["c"].to_list()  # sorted by customer either way
    for col in whole.columns:
        if whole.schema[col] == pl.Float64:
            np.testing.assert_allclose(grouped[col].to_numpy(), whole[col].to_numpy(), rtol=1e-12)
        else:
            assert grouped[col].to_list() == whole[col].to_list(), col


KW = {"customer_col": "cust", "time_col": "at", "amount_col": "amount"}


@pytest.mark.parametrize(
    ("mutate", "kwargs", "message"),
    [
        (lambda df: df.drop("amount"), {}, "Missing column(s): amount"),
        (lambda df: df.clear(), {}, "empty"),
        (lambda df: df.with_columns(pl.lit(-1.0).alias("amount")), {}, "negative"),
        (
            lambda df: df.with_columns(pl.lit(None, dtype=pl.Datetime).alias("at")),
            {},
            "empty timestamp",
        ),
        (lambda df: df, {"period": "Q"}, "period must be one of"),
        (lambda df: df, {"observation_end": dt.datetime(2023, 12, 1)}, "before the first"),
        (lambda df: df, {"calibration_end": dt.datetime(2023, 12, 1)}, "calibration_end"),
        (
            lambda df: df,
            {
                "calibration_end": dt.datetime(2024, 2, 1),
                "observation_end": dt.datetime(2024, 1, 31),
            },
            "calibration_end",
        ),
        (
            lambda df: df,
            {"observation_end": dt.datetime(2024, 1, 31, tzinfo=UTC)},
            "timezone-aware but the transaction timestamps are timezone-naive",
        ),
        (lambda df: df.with_columns(pl.lit("x").alias("amount")), {}, "must be numeric"),
    ],
)
def test_bad_input_is_rejected_with_a_clear_message(mutate, kwargs, message):
    with pytest.raises(ValueError, match=None) as info:
        summarize(mutate(_log()), **KW, **kwargs)
    assert message in str(info.value)


def test_mixed_naive_and_aware_timestamps_are_rejected():
    data = {
        "cust": ["A", "A"],
        "at": [dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 2, tzinfo=UTC)],
        "amount": [1.0, 2.0],
    }
    with pytest.raises(ValueError, match="mixes timezone-naive and timezone-aware"):
        summarize(data, **KW)


def test_unparseable_time_strings_are_rejected():
    data = {"cust": ["A"], "at": ["not a date"], "amount": [1.0]}
    with pytest.raises(ValueError, match="not timestamps"):
        summarize(data, **KW)
