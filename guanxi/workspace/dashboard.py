"""The home page (UNFOLD["DASHBOARD_CALLBACK"]): figures and charts over the user's visible
accounts. The role decides which charts come first (a director the whole book, a team lead the
team's pipeline and SOP, a KAM their warning lights and accounts); the access rule decides whose
figures they are."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from guanxi.contacts.selectors import upcoming_birthdays
from guanxi.core import leases
from guanxi.core.models import JobRun, JobStatus, User
from guanxi.workspace.admin_charts import Chart, core_charts
from guanxi.workspace.admin_plans_ahead import forecast_chart, pace_chart, renewals_chart
from guanxi.workspace.admin_sections import as_json, coverage_chart, section_charts
from guanxi.workspace.selectors import dashboard_summary
from guanxi.workspace.snapshots import dashboard_charts

#: The charts in the order each role sees them first.
ORDER = {
    "director": ("pyramid", "pareto", "categories", "migration", "cohorts", "rfm", "forecast",
                 "funnel", "renewals", "pace", "compliance", "coverage", "lights", "nps"),
    "team_lead": ("forecast", "funnel", "compliance", "lights", "coverage", "renewals", "pace",
                  "pyramid", "migration", "rfm", "categories", "pareto", "cohorts", "nps"),
    "kam": ("lights", "renewals", "pace", "coverage", "forecast", "rfm", "pyramid", "funnel",
            "categories", "migration", "nps", "compliance", "cohorts", "pareto"),
}  # fmt: skip


def role_of(actor: User) -> str:
    if actor.sees_all_accounts:
        return "director"
    return "team_lead" if actor.leads_team else "kam"


def charts_for(actor: User, today: Any) -> list[Chart]:
    """Every chart of ``actor``'s dashboard in their role's order."""
    data = dashboard_charts(actor, today=today)
    charts = core_charts(data) | section_charts(actor, today)
    charts["coverage"] = coverage_chart(actor, data.get("coverage"))
    ahead = (forecast_chart(actor, today), renewals_chart(actor, today), pace_chart(actor, today))
    charts |= {c.key: c for c in ahead}
    return [charts[key] for key in ORDER[role_of(actor)]]


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    if not (request.user.is_authenticated and request.user.is_active):
        return context
    today = timezone.localdate()
    summary = dashboard_summary(request.user, today=today)
    charts = charts_for(request.user, today)
    context.update(
        {
            "dashboard": summary,
            "birthdays": upcoming_birthdays(request.user, today=today, days=30),
            "today": today,
            "top_rows": _top_rows(summary.top_accounts),
            "nightly_failure": _nightly_failure(request.user),
            "charts": charts,
            "charts_json": {c.key: as_json(c) for c in charts},
            "chart_plugins": sorted({p for c in charts if not c.empty for p in c.plugins}),
            "dashboard_role": role_of(request.user),
        }
    )
    return context


def _nightly_failure(actor: Any) -> Any:
    """The last nightly run, if it failed for good or was interrupted (its process killed), for
    the people who can look into it (the background-jobs list is for managers and admins);
    else None."""

    if not getattr(actor, "sees_all_accounts", False):
        return None
    leases.reap(JobRun)  # a night whose process died shows as interrupted, not running
    last = (
        JobRun.objects.filter(name="nightly")
        .exclude(status=JobStatus.RUNNING)
        .order_by("-started_at", "-id")
        .first()
    )
    ended_badly = (JobStatus.FAILED, JobStatus.INTERRUPTED)
    return last if last is not None and last.status in ended_badly else None


def _top_rows(top: list) -> list[dict[str, Any]]:
    peak = max((total for _a, total in top), default=0) or 1
    return [
        {"account": account, "total": total, "pct": round(float(total) / float(peak) * 100, 1)}
        for account, total in top
    ]
