"""The home page (UNFOLD["DASHBOARD_CALLBACK"]): figures and charts over the user's visible
accounts. The role decides which charts come first (a director the whole book, a team lead the
team's pipeline and SOP, a KAM their warning lights and accounts); the access rule decides whose
figures they are.

Every figure that groups many rows is the viewer's scope's stored snapshot
(`workspace.snapshots.dashboard_figures`: stored by the nightly run, shown "as of" its day);
the coming birthdays too (finding them scans every contact's birthday: 175 ms for a director at
100,000 contacts). Live on each request is only the nightly failure notice; the page reads the
stored row, then names and links by id (the accounts, contacts, tiers, stages and categories
shown), so it costs the same few queries whatever the book's size."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from guanxi.core import leases
from guanxi.core.models import JobRun, JobStatus, User
from guanxi.workspace.admin_charts import Chart, core_charts
from guanxi.workspace.admin_plans_ahead import ahead_charts
from guanxi.workspace.admin_sections import as_json, section_charts
from guanxi.workspace.selectors import stored_birthdays, stored_summary
from guanxi.workspace.snapshots import dashboard_figures

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


def charts_for(actor: User, data: dict[str, Any]) -> list[Chart]:
    """Every chart of ``actor``'s dashboard from their figures, in their role's order."""
    charts = core_charts(data) | section_charts(data) | ahead_charts(data)
    return [charts[key] for key in ORDER[role_of(actor)]]


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    if not (request.user.is_authenticated and request.user.is_active):
        return context
    today = timezone.localdate()
    data = dashboard_figures(request.user, today=today)
    summary = stored_summary(request.user, data["summary"])
    charts = charts_for(request.user, data)
    context.update(
        {
            "dashboard": summary,
            "birthdays": stored_birthdays(request.user, data["birthdays"], today),
            "today": today,
            "as_of": dt.date.fromisoformat(data["as_of"]),
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
