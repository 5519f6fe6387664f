"""Reads of analysis runs and account scores. Callers apply the account access rule first."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import F, FilteredRelation, Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.insights.models import (
    LATEST_ORDER,
    AccountScore,
    AnalysisRun,
    RunStatus,
    Segment,
)
from guanxi.insights.wording import note_text

# Score fields the account list shows, annotated as `score_<field>` from the latest run.
LIST_FIELDS = ("segment", "abc_class", "clv", "p_alive", "predictive_clp", "rfm_cell")
#: The account list's ABC filter value (``?abc_class=none``) for the accounts the latest run did
#: not score (no sales before it): the distribution report's "not scored" row links to it.
NOT_SCORED = "none"


def latest_run() -> AnalysisRun | None:
    """The newest run that succeeded: the one whose scores are "current"."""
    return AnalysisRun.objects.filter(status=RunStatus.SUCCEEDED).order_by(*LATEST_ORDER).first()


def with_latest_scores(accounts: QuerySet[Account], run: AnalysisRun | None = None) -> QuerySet:
    """``accounts`` annotated with ``score_<field>`` from ``run`` (default: the latest run).

    One LEFT JOIN on the run's score rows, so the list can filter and sort on them; accounts the
    run did not score (no transactions yet) get nulls.

    "The latest scores" are the rows of the latest run id, found through the (run, account)
    unique index: no flag or copy table to keep in step with the runs, and the cost does not
    grow with the runs before it, because older runs lose their rows (`services.scores_prune`)
    and each run refreshes the planner statistics (the stale ones made this join take seconds).
    """
    run = run if run is not None else latest_run()
    run_id = run.pk if run is not None else None
    qs = accounts.annotate(
        latest_score=FilteredRelation("scores", condition=Q(scores__run_id=run_id))
    )
    return qs.annotate(**{f"score_{f}": F(f"latest_score__{f}") for f in LIST_FIELDS})


def account_score_history(account: Account, *, limit: int = 24) -> list[AccountScore]:
    """The account's scores from its last ``limit`` successful runs, oldest first."""
    scores = (
        AccountScore.objects.filter(account=account, run__status=RunStatus.SUCCEEDED)
        .select_related("run")
        .order_by("-run__observation_end", "-run_id")[:limit]
    )
    return list(reversed(scores))


@dataclass(frozen=True)
class ScoreChange:
    """What moved between an account's two latest scores (for the 360° page)."""

    segment_from: str
    segment_to: str
    abc_from: str
    abc_to: str


def latest_change(history: list[AccountScore]) -> ScoreChange | None:
    if len(history) < 2:
        return None
    before, after = history[-2], history[-1]
    if before.segment == after.segment and before.abc_class == after.abc_class:
        return None
    return ScoreChange(
        segment_from=before.get_segment_display(),
        segment_to=after.get_segment_display(),
        abc_from=before.abc_class,
        abc_to=after.abc_class,
    )


def runs_recent(limit: int = 20) -> QuerySet[AnalysisRun]:
    return AnalysisRun.objects.order_by("-started_at", "-id")[:limit]


def run_get(run_id: Any) -> AnalysisRun | None:
    return AnalysisRun.objects.filter(pk=run_id).first()


# Parameters in the literature's order (PostgreSQL's jsonb does not keep the saved order).
PARAM_ORDER = ("r", "alpha", "a", "b", "s", "beta", "p", "q", "gamma")


def ordered_params(params: dict[str, float]) -> list[tuple[str, float]]:
    rank = {name: i for i, name in enumerate(PARAM_ORDER)}
    return sorted(params.items(), key=lambda kv: rank.get(kv[0], len(rank)))


def run_describe(run: AnalysisRun) -> str:
    """A few lines for the terminal: what the run scored and what the models found."""
    lines = [
        _("Analysis run #%(id)s (data up to %(date)s): %(status)s")
        % {"id": run.pk, "date": run.observation_end, "status": run.get_status_display()}
    ]
    if run.status == RunStatus.FAILED:
        lines.append(run.error)
        return "\n".join(lines)
    lines.append(
        _("%(accounts)s accounts scored from %(txns)s transactions in %(seconds).1f s.")
        % {
            "accounts": run.n_accounts,
            "txns": run.n_transactions,
            "seconds": run.duration_seconds or 0,
        }
    )
    for label, report in (
        (_("Purchase model"), run.purchase_model),
        (_("Spend model"), run.spend_model),
    ):
        if report.get("params"):
            params = ", ".join(f"{k}={v:.4g}" for k, v in ordered_params(report["params"]))
            note = "" if report.get("converged", True) else " " + _("(did not fully converge)")
            lines.append(
                f"{label} {report['name']}: {params}; LL={report['log_likelihood']:.1f}{note}"
            )
        else:
            lines.append(f"{label}: {report.get('error', '')}")
    metrics = run.calibration.get("metrics")
    if metrics and metrics.get("predicted_total") is not None:
        error = metrics.get("relative_error_percent")
        lines.append(
            _(
                "Holdout check: predicted %(pred).0f vs actual %(act).0f repeat purchases "
                "in the last %(periods)s periods (%(err)s)."
            )
            % {
                "pred": metrics["predicted_total"],
                "act": metrics["actual_total"],
                "periods": metrics["holdout_periods"],
                "err": "—" if error is None else f"{error:+.1f}%",
            }
        )
    elif run.calibration.get("error"):
        lines.append(_("Holdout check skipped: %(reason)s") % {"reason": run.calibration["error"]})
    if run.pareto:
        lines.append(
            _("Top %(top).0f%% of accounts bring %(share).0f%% of revenue; Gini %(gini).2f.")
            % {
                "top": 100 * run.pareto["top_fraction"],
                "share": 100 * run.pareto["top_share"],
                "gini": run.pareto["gini"],
            }
        )
        lines.append(
            _("ABC classes: %(classes)s")
            % {"classes": ", ".join(f"{k} {v}" for k, v in run.pareto["classes"].items())}
        )
    labels = dict(Segment.choices)
    lines.append(
        _("Segments: %(segments)s")
        % {"segments": ", ".join(f"{labels.get(k, k)} {v}" for k, v in run.segment_counts.items())}
    )
    lines.extend(note_text(w) for w in run.warnings)
    return "\n".join(lines)
