"""NPS, CSAT, SERVQUAL gaps and Cronbach's α on crafted answers."""

import numpy as np
import pytest

from guanxi.analytics.surveys import (
    cronbach_alpha,
    csat_summary,
    nps,
    nps_from_counts,
    nps_summary,
    servqual_gap,
)


def test_nps_is_promoters_less_detractors_in_points():
    # 3 promoters (9, 10, 10), 2 passives (7, 8), 5 detractors (0, 3, 5, 6, 6): 30 % − 50 %.
    scores = [9, 10, 10, 7, 8, 0, 3, 5, 6, 6]
    assert nps(scores) == pytest.approx(-20.0)
    summary = nps_summary(scores)
    assert (summary.promoters, summary.passives, summary.detractors) == (3, 2, 5)
    assert summary.answers == 10


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([10, 9, 10], 100.0),  # all promoters
        ([0, 6, 3], -100.0),  # all detractors
        ([7, 8, 7, 8], 0.0),  # passives only: 0, not None
        ([6, 7, 9], 0.0),  # the borders: 6 detracts, 7 is passive, 9 promotes
        ([8, 9], 50.0),
        ([9], 100.0),
    ],
)
def test_nps_edges(scores, expected):
    assert nps(scores) == pytest.approx(expected)


def test_no_answers_is_no_nps():
    assert nps([]) is None
    assert nps_from_counts(0, 0, 0) is None


def test_nps_from_counts_agrees():
    assert nps_from_counts(3, 2, 5) == pytest.approx(-20.0)


@pytest.mark.parametrize("bad", [[11], [-1], [7.5], [[9, 10]], ["x"], [np.nan]])
def test_nps_refuses_what_is_no_score(bad):
    with pytest.raises(ValueError, match="scores"):
        nps(bad)


def test_csat_mean_and_share_satisfied():
    summary = csat_summary([5, 4, 3, 2, 5])
    assert summary.mean == pytest.approx(3.8)
    assert summary.satisfied_pct == pytest.approx(60.0)
    assert summary.answers == 5
    assert csat_summary([]).mean is None
    with pytest.raises(ValueError):
        csat_summary([0])


def test_servqual_gap_is_perceived_less_expected():
    assert servqual_gap([7, 6, 5], [5, 6, 7]) == pytest.approx(0.0)
    assert servqual_gap([7, 7], [5, 6]) == pytest.approx(-1.5)  # falls short: negative
    assert servqual_gap([4], [6]) == pytest.approx(2.0)  # beats expectation: positive
    assert servqual_gap([], []) is None
    with pytest.raises(ValueError, match="pair"):
        servqual_gap([1, 2], [3])
    with pytest.raises(ValueError, match="perceived"):
        servqual_gap([1], [8])


def test_cronbach_alpha_known_values():
    # Two identical items: perfectly consistent, α = 1.
    assert cronbach_alpha([[1, 1], [2, 2], [3, 3], [5, 5]]) == pytest.approx(1.0)
    # Two items that move exactly against each other with equal spread: totals constant
    # → undefined.
    assert cronbach_alpha([[1, 3], [2, 2], [3, 1]]) is None
    # A worked example: 5 respondents × 3 items.
    table = np.array([[4, 5, 4], [3, 3, 4], [5, 5, 5], [2, 3, 2], [4, 4, 3]])
    item_var = table.var(axis=0, ddof=1).sum()  # 1.3 + 1.0 + 1.3 = 3.6
    total_var = table.sum(axis=1).var(ddof=1)  # totals 13, 10, 15, 7, 11 → 9.2
    assert item_var == pytest.approx(3.6)
    assert total_var == pytest.approx(9.2)
    assert cronbach_alpha(table) == pytest.approx(1.5 * (1 - 3.6 / 9.2))  # ≈ 0.913


def test_cronbach_alpha_can_be_negative_and_needs_two_by_two():
    # Items that disagree more than they agree give a negative α (a warning sign, not a bug).
    assert cronbach_alpha([[1, 4], [4, 2], [2, 5], [5, 1]]) < 0
    assert cronbach_alpha([[1, 2, 3]]) is None  # one respondent
    assert cronbach_alpha([[1], [2]]) is None  # one item
    with pytest.raises(ValueError, match="table"):
        cronbach_alpha([1, 2, 3])
