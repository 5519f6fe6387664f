import datetime as dt
from collections import defaultdict

import numpy as np
import polars as pl
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

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


def _reference(rows, period, end, cal=None):
    """The definitions computed row by row in Python: {customer: summary dict}."""

    def index(t):
        day = t.date().toordinal()  # 0001-01-01, day 1, was a Monday
        return {"D": day, "W": (day - 1) // 7, "M": t.year * 12 + t.month}[period]

    window_end = end if cal is None else cal
    spend: dict = defaultdict(lambda: defaultdict(float))
    held: dict = defaultdict(lambda: defaultdict(float))
    revenue: dict = defaultdict(float)
    for c, t, v in rows:
        if t <= window_end:
            spend[c][index(t)] += v
            revenue[c] += v
        elif t <= end:
            held[c][index(t)] += v
    out = {}
    for c, periods in spend.items():
        ordered = sorted(periods)
        repeat = [periods[p] for p in ordered[1:]]
        out[c] = {
            "frequency": len(ordered) - 1,
            "recency": float(ordered[-1] - ordered[0]),
            "T": float(index(window_end) - ordered[0]),
            "monetary": sum(repeat) / len(repeat) if repeat else 0.0,
            "total_revenue": revenue[c],
        }
        if cal is not None:
            h = held.get(c, {})
            out[c]["frequency_holdout"] = len(h)
            out[c]["monetary_holdout"] = sum(h.values()) / len(h) if h else 0.0
            out[c]["duration_holdout"] = float(index(end) - index(cal))
    return out


def _assert_matches_reference(out, rows, period, end, cal=None):
    expected = _reference(rows, period, end, cal)
    assert out["c"].to_list() == sorted(expected)
    for row in out.to_dicts():
        want = expected[row["c"]]
        for key, value in want.items():
            assert row[key] == pytest.approx(value, rel=1e-12, abs=1e-9), (row["c"], key)


_moments = st.datetimes(min_value=dt.datetime(1969, 11, 1), max_value=dt.datetime(1970, 3, 1))


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    rows=st.lists(
        st.tuples(st.integers(0, 6), _moments, st.integers(0, 500).map(lambda cents: cents / 100)),
        min_size=1,
        max_size=40,
    ),
    period=st.sampled_from(["D", "W", "M"]),
    unit=st.sampled_from(["ns", "us", "ms"]),
    end_shift=st.timedeltas(min_value=dt.timedelta(days=-20), max_value=dt.timedelta(days=60)),
    cal_at=st.one_of(st.none(), st.floats(0.0, 0.99)),
)
def test_random_logs_match_the_definitions(rows, period, unit, end_shift, cal_at):
    # Spans the 1970 epoch: day numbers come from floor division of the raw timestamps.
    first = min(t for _, t, _ in rows)
    end = max(t for _, t, _ in rows) + end_shift
    assume(end >= first)
    cal = None if cal_at is None else first + (end - first) * cal_at
    assume(cal is None or cal < end)
    frame = pl.DataFrame(
        {"c": [r[0] for r in rows], "t": [r[1] for r in rows], "v": [r[2] for r in rows]}
    ).with_columns(pl.col("t").cast(pl.Datetime(unit)))
    if unit == "ms":  # the reference sees what the column holds
        rows = [(c, t.replace(microsecond=t.microsecond // 1000 * 1000), v) for c, t, v in rows]
    out = summarize(
        frame,
        customer_col="c",
        time_col="t",
        amount_col="v",
        period=period,
        observation_end=end,
        calibration_end=cal,
    )
    _assert_matches_reference(out, rows, period, end, cal)


_ID_KINDS = {
    # Monotone maps of 0..299, so the summaries come out in the same customer order.
    "dense int": lambda c: pl.Series(c, dtype=pl.Int64),
    "int32 from 1000": lambda c: pl.Series(c + 1000, dtype=pl.Int32),
    "negative int": lambda c: pl.Series(c - 150, dtype=pl.Int64),
    "int from 10**12": lambda c: pl.Series(c + 10**12, dtype=pl.Int64),
    "uint64 sparse": lambda c: pl.Series(c * 10**15, dtype=pl.UInt64),  # ranked, not slotted
    "float": lambda c: pl.Series(c / 7, dtype=pl.Float64),
    "string": lambda c: pl.Series([f"C{x:04d}" for x in c]),
}


@pytest.mark.parametrize("kind", sorted(_ID_KINDS))
@pytest.mark.parametrize("calibration_end", [None, dt.datetime(2023, 11, 1)])
def test_every_kind_of_customer_id_gives_the_same_summary(kind, calibration_end):
    # Compact integer ids index arrays directly, sparse numeric ids are ranked and other ids are
    # coded through a join: three code paths that must agree.
    rng = np.random.default_rng(11)
    n = 4000
    cust = rng.integers(0, 300, n)
    base = pl.DataFrame(
        {
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
        "observation_end": dt.datetime(2024, 1, 20),  # some transactions come after it
    }
    ids = _ID_KINDS[kind](cust)
    reference = summarize(base.with_columns(c=pl.Series(cust)), **kw)
    out = summarize(base.with_columns(c=ids), **kw)
    assert out.schema["c"] == ids.dtype
    assert out["c"].to_list() == _ID_KINDS[kind](reference["c"].to_numpy()).to_list()
    assert out.drop("c").equals(reference.drop("c"))
    rows = list(zip(cust.tolist(), base["t"].to_list(), base["v"].to_list(), strict=True))
    _assert_matches_reference(reference, rows, "D", kw["observation_end"], calibration_end)


def test_string_ids_sharing_a_hash_code_are_told_apart(monkeypatch):
    # String ids are coded by ranking a hash of them; a collision (forced here by merging codes
    # pairwise) must be detected and the ids coded exactly instead.
    real = summary_module._dense_ranks

    def colliding(values):
        merged = real(values)[0] // 2
        first_row = np.full(int(merged.max()) + 1, merged.size)
        np.minimum.at(first_row, merged, np.arange(merged.size))
        return merged, first_row

    rng = np.random.default_rng(5)
    cust = rng.integers(0, 50, 500)
    frame = pl.DataFrame(
        {
            "c": [f"C{x:03d}" for x in cust],
            "t": [dt.datetime(2024, 1, 1) + dt.timedelta(hours=int(h))
                  for h in rng.integers(0, 24 * 90, 500)],
            "v": rng.gamma(2.0, 50.0, 500).round(2),
        }
    )  # fmt: skip
    kw = {"customer_col": "c", "time_col": "t", "amount_col": "v"}
    expected = summarize(frame, **kw)
    monkeypatch.setattr(summary_module, "_dense_ranks", colliding)
    assert summarize(frame, **kw).equals(expected)
    rows = list(zip(frame["c"], frame["t"], frame["v"], strict=True))
    _assert_matches_reference(expected, rows, "D", max(frame["t"]))


def test_cost_column_may_be_the_amount_column():
    out = summarize(_log(), **KW, cost_col="amount")
    assert out["margin"].to_list() == [0.0, 0.0]


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
