"""The value model in plain words: warnings translated by their code, the run summary, and the
note on an account whose status and purchase data disagree."""

from __future__ import annotations

from types import SimpleNamespace

from django.utils import translation

from guanxi.analytics.notes import Note, note_of
from guanxi.insights.models import AnalysisRun, Segment
from guanxi.insights.wording import note_text, run_summary, status_disagreement, trust_level


def test_a_warning_is_worded_from_its_code_in_the_readers_language():
    note = note_of(Note("rfm_ties", "recency ('x') has ties", dimension="recency", used=[1, 2]))
    assert note["code"] == "rfm_ties" and note["message"].startswith("recency")
    with translation.override("zh-hans"):
        chinese = note_text(note)
    with translation.override("en"):
        english = note_text(note)
    assert "1, 2" in chinese and "最近一次购买" in chinese and "periods_since_last" not in chinese
    assert english.startswith("Many accounts share the same recency")
    with translation.override("zh-hans"):  # a model's own exception: general words
        assert "模型" in note_text(note_of(ValueError("Hessian is singular")))


def test_the_summary_says_how_far_to_trust_the_forecast():
    run = AnalysisRun(
        parameters={"period": "W"},
        pareto={"top_fraction": 0.2, "top_share": 0.7},
        segment_counts={"Lost": 3, "Champions": 7},
        calibration={"metrics": {"holdout_periods": 13, "predicted_total": 95,
                                 "actual_total": 100, "relative_error_percent": -5.0}},
    )  # fmt: skip
    assert trust_level(run) == "good"
    with translation.override("en"):
        lines = run_summary(run)
    assert lines[0] == "The top 20% of accounts bring 70% of revenue."
    assert lines[1].startswith("3 of 10 accounts (30%)")
    assert "one period = one week" in lines[2] and "planning" in lines[2]
    run.calibration = {"error": "too little data"}
    assert trust_level(run) == "unknown"


def score(segment: str, p_alive: float | None) -> SimpleNamespace:
    return SimpleNamespace(
        segment=segment, p_alive=p_alive, get_segment_display=lambda: Segment(segment).label
    )


def test_an_active_account_the_data_call_lost_gets_a_note():
    with translation.override("en"):
        note = status_disagreement("active", score(Segment.LOST, 0.01))
    assert "Lost customers" in note and "1%" in note
    assert status_disagreement("lost", score(Segment.LOST, 0.01)) == ""
    assert status_disagreement("active", score(Segment.LOST, 0.4)) == ""
    assert status_disagreement("active", score(Segment.CHAMPIONS, 0.01)) == ""
    assert status_disagreement("active", None) == ""
