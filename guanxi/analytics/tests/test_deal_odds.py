import json
import math

import numpy as np
import pytest

from guanxi.analytics.base import NotFittedError
from guanxi.analytics.deal_odds import (
    MISSING,
    UNSEEN,
    DealOdds,
    _shapley,
    brier_score,
    reliability_table,
)

NAMES = ["decision_maker", "source", "amount"]


def crafted(n_each: int = 40) -> tuple[list[list], np.ndarray]:
    """Deals where a mapped decision maker always wins and source "cold" always loses; the
    rest win half the time."""
    rows, won = [], []
    for i in range(n_each):
        rows.append(["mapped", "web", 1000.0 + i])
        won.append(1)
        rows.append(["none", "cold", 2000.0 + i])
        won.append(0)
        rows.append(["none", "web", 3000.0 + i])
        won.append(i % 2)
    return rows, np.array(won)


def fitted() -> DealOdds:
    rows, won = crafted()
    return DealOdds(numeric=["amount"], n_bins=3).fit(rows, won, feature_names=NAMES)


def test_a_value_that_always_wins_pushes_the_odds_up_and_one_that_always_loses_down():
    model = fitted()
    base = model.base_rate_
    assert base == pytest.approx(0.5)
    winner, loser, neutral = model.predict_proba(
        [["mapped", "web", 1005.0], ["none", "cold", 2005.0], ["none", "web", 3005.0]]
    )
    assert winner > 0.8 > base
    assert loser < 0.2 < base
    assert loser < neutral < winner
    assert model.coef_["decision_maker"]["mapped"] > 0 > model.coef_["decision_maker"]["none"]
    assert model.coef_["source"]["cold"] < model.coef_["source"]["web"]


def test_explain_names_the_winning_feature_in_points_that_add_up_to_the_gap_to_base_rate():
    model = fitted()
    explanation = model.explain(["mapped", "web", 1005.0])
    by_feature = {c.feature: c for c in explanation.contributions}
    assert by_feature["decision_maker"].level == "mapped"
    assert by_feature["decision_maker"].points > 0.1
    assert explanation.contributions[0].feature in {"decision_maker", "amount"}
    total = sum(c.points for c in explanation.contributions)
    assert total == pytest.approx(explanation.probability - explanation.base_rate)
    assert explanation.probability == pytest.approx(
        model.predict_proba([["mapped", "web", 1005.0]])[0]
    )
    losing = {c.feature: c for c in model.explain(["none", "cold", 2005.0]).contributions}
    assert losing["source"].points < 0


def test_mean_prediction_on_training_deals_is_the_base_rate():
    rows, won = crafted()
    won[:7] = 0  # not balanced any more
    model = DealOdds(numeric=["amount"]).fit(rows, won, feature_names=NAMES)
    assert model.predict_proba(rows).mean() == pytest.approx(won.mean(), abs=1e-6)
    assert model.converged_


def test_unseen_and_missing_values_fall_back_to_no_effect_of_their_own():
    model = fitted()
    explanation = model.explain(["someone new", None, None])
    levels = {c.feature: c.level for c in explanation.contributions}
    assert levels == {"decision_maker": UNSEEN, "source": UNSEEN, "amount": UNSEEN}
    assert 0 < explanation.probability < 1
    rows, won = crafted()
    rows[0][1] = None
    with_missing = DealOdds().fit(rows, won, feature_names=NAMES)
    assert MISSING in with_missing.levels_["source"]


def test_stronger_penalty_pulls_towards_the_base_rate():
    rows, won = crafted()
    loose = DealOdds(alpha=0.1).fit(rows, won, feature_names=NAMES)
    tight = DealOdds(alpha=100.0).fit(rows, won, feature_names=NAMES)
    x = [["mapped", "web", 1005.0]]
    assert abs(tight.predict_proba(x)[0] - 0.5) < abs(loose.predict_proba(x)[0] - 0.5)


def test_round_trip_through_json_predicts_and_explains_the_same():
    model = fitted()
    stored = json.loads(json.dumps(model.to_dict()))
    again = DealOdds.from_dict(stored)
    rows, _ = crafted()
    np.testing.assert_allclose(again.predict_proba(rows), model.predict_proba(rows))
    assert again.explain(rows[0]) == model.explain(rows[0])
    with pytest.raises(ValueError, match="Not a stored DealOdds model"):
        DealOdds.from_dict({"params": {}})


def test_numeric_feature_is_binned_on_training_quantiles():
    model = fitted()
    assert len(model.bin_edges_["amount"]) == 2
    assert model.levels_["amount"] == ["0", "1", "2"]


def test_brier_score_on_a_hand_made_example():
    # (0.9−1)² + (0.2−0)² + (0.6−1)² + (0.5−0)² = 0.01 + 0.04 + 0.16 + 0.25 = 0.46; / 4
    assert brier_score([1, 0, 1, 0], [0.9, 0.2, 0.6, 0.5]) == pytest.approx(0.115)
    assert brier_score([True, False], [1.0, 0.0]) == 0.0


def test_reliability_table_on_a_hand_made_example():
    table = reliability_table([0, 0, 1, 1, 1], [0.05, 0.15, 0.12, 0.95, 1.0], n_bins=2)
    assert [(b.low, b.high, b.count) for b in table] == [(0.0, 0.5, 3), (0.5, 1.0, 2)]
    assert table[0].predicted == pytest.approx((0.05 + 0.15 + 0.12) / 3)
    assert table[0].observed == pytest.approx(1 / 3)
    assert table[1].predicted == pytest.approx(0.975)
    assert table[1].observed == 1.0
    ten = reliability_table([0, 1], [0.31, 0.39])
    assert [(b.low, b.count) for b in ten] == [(0.3, 2)]  # empty bins are left out


def test_shapley_points_match_a_hand_computed_two_feature_case():
    def sig(z):
        return 1 / (1 + math.exp(-z))

    start, d = -0.5, np.array([1.0, -2.0])
    expected_first = 0.5 * (sig(start + 1) - sig(start)) + 0.5 * (sig(start - 1) - sig(start - 2))
    points = _shapley(start, d)
    assert points[0] == pytest.approx(expected_first)
    assert points.sum() == pytest.approx(sig(start - 1) - sig(start))


def test_sampled_shapley_is_close_to_exact(monkeypatch):
    d = np.array([0.8, -0.3, 1.2, -1.5, 0.4])
    exact = _shapley(0.2, d)
    monkeypatch.setattr("guanxi.analytics.deal_odds.EXACT_SHAPLEY_MAX", 2)
    sampled = _shapley(0.2, d)
    np.testing.assert_allclose(sampled, exact, atol=0.01)
    assert sampled.sum() == pytest.approx(exact.sum())


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        ([["a"], ["b"]], [1, 1], "both won and lost"),
        ([["a"], ["b"]], [0, 0], "both won and lost"),
        ([["a"], ["b"]], [1, 2], "0 \\(lost\\) and 1 \\(won\\)"),
        ([["a"], ["b"]], [1], "y has 1 values, X has 2 rows"),
        (["a", "b"], [1, 0], "must be 2-D"),
        ([["a"], ["b", "c"]], [1, 0], "rows of equal length|must be 2-D"),
        ({"a": [1]}, [1], "not a mapping"),
    ],
)
def test_bad_training_input_is_refused_clearly(X, y, message):
    with pytest.raises(ValueError, match=message):
        DealOdds().fit(X, y)


def test_bad_parameters_and_columns_are_refused_clearly():
    rows, won = crafted()
    with pytest.raises(ValueError, match="alpha must be a positive number"):
        DealOdds(alpha=0).fit(rows, won, feature_names=NAMES)
    with pytest.raises(ValueError, match="numeric names unknown features: price"):
        DealOdds(numeric=["price"]).fit(rows, won, feature_names=NAMES)
    with pytest.raises(ValueError, match="feature_names has 2 names, X has 3 columns"):
        DealOdds().fit(rows, won, feature_names=NAMES[:2])
    with pytest.raises(ValueError, match="feature_names must be unique"):
        DealOdds().fit(rows, won, feature_names=["a", "a", "b"])
    rows[3][2] = "lots"
    with pytest.raises(ValueError, match="'amount' is numeric but row 3 holds 'lots'"):
        DealOdds(numeric=["amount"]).fit(rows, won, feature_names=NAMES)
    rows[3][2] = float("inf")
    with pytest.raises(ValueError, match="infinite value in row 3"):
        DealOdds(numeric=["amount"]).fit(rows, won, feature_names=NAMES)


def test_predicting_needs_a_fitted_model_and_the_right_width():
    with pytest.raises(NotFittedError, match="not fitted"):
        DealOdds().predict_proba([["a", "b", 1.0]])
    with pytest.raises(ValueError, match="X has 2 features, the model was fitted with 3"):
        fitted().predict_proba([["mapped", "web"]])


@pytest.mark.parametrize(
    ("y", "p", "message"),
    [
        ([1, 0], [0.5], "y has 2 values, X has 1 rows"),
        ([1], [1.5], "between 0 and 1"),
        ([1], [float("nan")], "between 0 and 1"),
        ([], [], "No outcomes"),
    ],
)
def test_calibration_inputs_are_checked(y, p, message):
    with pytest.raises(ValueError, match=message):
        brier_score(y, p)
    with pytest.raises(ValueError, match=message):
        reliability_table(y, p)


def test_fifty_thousand_deals_fit_in_few_newton_steps():
    rng = np.random.default_rng(7)
    n = 50_000
    mapped = rng.random(n) < 0.5
    kind = rng.choice(["mice", "banquet", "rate"], n)
    won = rng.random(n) < np.where(mapped, 0.7, 0.3)
    rows = np.column_stack([np.where(mapped, "yes", "no"), kind]).tolist()
    model = DealOdds().fit(rows, won, feature_names=["mapped", "kind"])
    assert model.converged_ and model.n_iter_ <= 10
    assert model.predict_proba([["yes", "mice"]])[0] == pytest.approx(0.7, abs=0.02)
