"""The home page (UNFOLD["DASHBOARD_CALLBACK"]): figures over the user's visible accounts."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from guanxi.contacts.selectors import upcoming_birthdays
from guanxi.core import leases
from guanxi.core.models import JobRun, JobStatus
from guanxi.workspace.selectors import dashboard_summary


def dashboard_callback(request: HttpRequest, context: dict[str, Any]) -> dict[str, Any]:
    if not (request.user.is_authenticated and request.user.is_active):
        return context
    today = timezone.localdate()
    summary = dashboard_summary(request.user, today=today)
    context.update(
        {
            "dashboard": summary,
            "birthdays": upcoming_birthdays(request.user, today=today, days=30),
            "today": today,
            "top_rows": _top_rows(summary.top_accounts),
            "nightly_failure": _nightly_failure(request.user),
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
