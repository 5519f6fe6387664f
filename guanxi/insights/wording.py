"""The value model in plain words: its warnings and reasons translated by their code (the
analytics write English notes with a code and parameters, `analytics.notes`), and a summary of
what a run says about the customer base and how far to trust it."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from guanxi.core.formatting import join_words
from guanxi.insights.models import AnalysisRun, Segment

DIMENSIONS = {
    "recency": pgettext_lazy("rfm", "recency (time since the last purchase)"),
    "frequency": pgettext_lazy("rfm", "frequency (repeat purchases)"),
    "monetary": pgettext_lazy("rfm", "monetary value (spend per purchase)"),
}
PERIODS = {"D": gettext_lazy("day"), "W": gettext_lazy("week"), "M": gettext_lazy("month")}
# Holdout error in per cent (absolute) up to which the model's forecast is called good, fair.
TRUST_GOOD, TRUST_FAIR = 10.0, 25.0
AT_RISK = (Segment.AT_RISK, Segment.CANT_LOSE, Segment.HIBERNATING, Segment.LOST)


def note_text(note: Any) -> str:
    """A stored warning or reason in the reader's language. A note with an unknown code (a
    model's own exception) says so in general words; the English detail stays in the run."""
    if not note:
        return ""
    if isinstance(note, str):  # runs stored before notes had codes
        return _("The model reported a technical problem (details in English in the run).")
    code, p = note.get("code"), note.get("params", {})
    used = ", ".join(str(s) for s in p.get("used", []))
    dimension = DIMENSIONS.get(p.get("dimension"), p.get("dimension"))
    texts = {
        "rfm_few_values": lambda: (
            _(
                "The accounts differ little in %(dimension)s (only %(distinct)s different values "
                "for %(bins)s score bands), so only the scores %(used)s are given."
            )
            % {
                "dimension": dimension,
                "distinct": p.get("distinct"),
                "bins": p.get("bins"),
                "used": used,
            }
        ),  # fmt: skip
        "rfm_ties": lambda: (
            _(
                "Many accounts share the same %(dimension)s, so some score bands stay empty: only "
                "the scores %(used)s are given."
            )
            % {"dimension": dimension, "used": used}
        ),
        "spend_observed": lambda: _(
            "Expected spend per purchase is each account's own average so far: the spend model "
            "could not be used on this data."
        ),
        "spend_few_repeat": lambda: _(
            "The spend model needs at least two accounts that bought more than once."
        ),
        "spend_no_mean": lambda: _(
            "Spend per purchase varies too much (a few very large bills) for the spend model to "
            "give a reliable average."
        ),
    }
    if code in texts:
        return texts[code]()
    return _("The model could not be fitted on this data (technical detail in English below).")


def trust_level(run: AnalysisRun) -> str:
    """ "good", "fair", "weak" or "unknown": how close the holdout forecast came."""
    error = (run.calibration or {}).get("metrics", {}).get("relative_error_percent")
    if error is None:
        return "unknown"
    if abs(error) <= TRUST_GOOD:
        return "good"
    return "fair" if abs(error) <= TRUST_FAIR else "weak"


def run_summary(run: AnalysisRun) -> list[str]:
    """What the run says, in a few sentences a director reads first: how concentrated revenue
    is, how many accounts are slipping away, and how far to trust the forecast."""
    lines: list[str] = []
    pareto = run.pareto or {}
    if pareto.get("top_share") is not None:
        lines.append(
            _("The top %(top).0f%% of accounts bring %(share).0f%% of revenue.")
            % {"top": 100 * pareto["top_fraction"], "share": 100 * pareto["top_share"]}
        )
    counts = run.segment_counts or {}
    total = sum(counts.values())
    if total:
        slipping = sum(counts.get(str(code), 0) for code in AT_RISK)
        labels = join_words([str(code.label) for code in AT_RISK])
        lines.append(
            _("%(n)s of %(total)s accounts (%(share).0f%%) are slipping away or lost (%(labels)s).")
            % {"n": slipping, "total": total, "share": 100 * slipping / total, "labels": labels}
        )
    metrics = (run.calibration or {}).get("metrics", {})
    unit = PERIODS.get((run.parameters or {}).get("period"), _("period"))
    trust = trust_level(run)
    if trust != "unknown":
        words = {
            "good": _("its forecasts can be used for planning."),
            "fair": _("use its forecasts as a rough guide."),
            "weak": _("do not rely on its forecasts for single accounts."),
        }
        lines.append(
            _(
                "Tested on the last %(n)s periods (one period = one %(unit)s), which it was not "
                "fitted on, the model predicted %(pred).0f repeat purchases where %(act).0f "
                "happened (%(err)+.0f%%): %(verdict)s"
            )
            % {
                "n": metrics.get("holdout_periods"),
                "unit": unit,
                "pred": metrics.get("predicted_total") or 0,
                "act": metrics.get("actual_total") or 0,
                "err": metrics.get("relative_error_percent") or 0,
                "verdict": words[trust],
            }
        )
    else:
        lines.append(_("The model's forecast could not be tested on this data: trust it little."))
    return lines


# An account its people call active while the purchase data say it has gone: the 360° page says
# so beside the status (the status stays the team's call, recorded with who changed it).
GONE_SEGMENTS = (Segment.LOST, Segment.HIBERNATING)
GONE_P_ALIVE = 0.10


def status_disagreement(status: str, score: Any) -> str:
    """Why the account's status and its latest score disagree, or "" when they do not."""
    if score is None or status != "active" or score.segment not in GONE_SEGMENTS:
        return ""
    if score.p_alive is None or score.p_alive >= GONE_P_ALIVE:
        return ""
    return _(
        "The purchase data disagree: RFM segment %(segment)s, probability still active "
        "%(p_alive).0f%%. The status is set by the team: if the account has gone, change it to "
        "dormant or lost; if it is still active, log the latest contact."
    ) % {"segment": score.get_segment_display(), "p_alive": 100 * score.p_alive}
