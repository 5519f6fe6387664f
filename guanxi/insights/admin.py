"""Analysis runs: the list, and each run's model page (fitted parameters, holdout check, Pareto
curve, segments). Runs hold aggregates only, so every staff user may read them; starting a run
is for managers and admins."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from guanxi.core.admin_mixins import ShowsInterruptedRuns, is_manager, is_staff
from guanxi.core.errors import ApplicationError
from guanxi.core.selectors import estimated_count
from guanxi.insights.models import AnalysisRun, RunStatus, Segment
from guanxi.insights.selectors import latest_run, ordered_params
from guanxi.insights.wording import PERIODS, note_text, run_summary, trust_level
from guanxi.transactions.models import Transaction

# Param names as the literature writes them.
PARAM_LABELS = {"alpha": "α", "beta": "β", "gamma": "γ"}
SEGMENT_LABELS = dict(Segment.choices)


def _chart_options(*, legend: bool, x_title: str, y_title: str, percent: bool = False) -> str:
    axis = {"ticks": {"color": "#9ca3af"}, "grid": {"display": True, "tickWidth": 0}}
    options: dict[str, Any] = {
        "responsive": True,
        "maintainAspectRatio": False,
        "plugins": {"legend": {"display": legend, "align": "end", "labels": {"color": "#9ca3af"}}},
        "scales": {
            "x": {**axis, "title": {"display": True, "text": x_title, "color": "#9ca3af"}},
            "y": {
                **axis,
                "beginAtZero": True,
                "title": {"display": True, "text": y_title, "color": "#9ca3af"},
                **({"max": 100} if percent else {}),
            },
        },
    }
    return json.dumps(options, ensure_ascii=False)


def _round3(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def calibration_chart(run: AnalysisRun) -> tuple[str, str] | None:
    rows = run.calibration.get("rows")
    if not rows:
        return None
    data = {
        "labels": [str(r["bin"]) for r in rows],
        "datasets": [
            {
                "type": "bar",
                "label": _("Actual"),
                "data": [_round3(r["actual"]) for r in rows],
                "backgroundColor": "var(--color-primary-600)",
                "maxBarThickness": 24,
            },
            {
                "type": "line",
                "label": _("Predicted"),
                "data": [_round3(r["predicted"]) for r in rows],
                "borderColor": "#f59e0b",
                "backgroundColor": "#f59e0b",
                "borderWidth": 2,
                "pointRadius": 3,
            },
        ],
    }
    options = _chart_options(
        legend=True,
        x_title=_("Repeat purchases in the calibration period"),
        y_title=_("Mean repeat purchases in the holdout period"),
    )
    return json.dumps(data, ensure_ascii=False), options


def pareto_chart(run: AnalysisRun) -> tuple[str, str] | None:
    curve = run.pareto.get("curve")
    if not curve:
        return None
    data = {
        "labels": [f"{round(100 * x)}%" for x, _y in curve],
        "datasets": [
            {
                "label": _("Cumulative share of revenue"),
                "data": [round(100 * y, 2) for _x, y in curve],
                "borderColor": "var(--color-primary-600)",
                "backgroundColor": "var(--color-primary-600)",
                "borderWidth": 2,
                "pointRadius": 0,
                "fill": False,
            },
            {
                "label": _("Equal shares"),
                "data": [round(100 * x, 2) for x, _y in curve],
                "borderColor": "#9ca3af",
                "borderDash": [4, 4],
                "borderWidth": 1,
                "pointRadius": 0,
            },
        ],
    }
    options = _chart_options(
        legend=True,
        x_title=_("Share of accounts, largest first"),
        y_title=_("Cumulative share of revenue (%)"),
        percent=True,
    )
    return json.dumps(data, ensure_ascii=False), options


def _param_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    errors = report.get("standard_errors", {})
    params = report.get("params", {})
    return [
        {"name": PARAM_LABELS.get(k, k), "value": v, "se": errors.get(k)}
        for k, v in ordered_params(params)
    ]


def _error_note(report: dict | None) -> Any:
    """A model's reason for not being fitted: its note (code and parameters), or the plain
    English of runs stored before notes had codes."""
    report = report or {}
    return report.get("error_note") or report.get("error")


@admin.register(AnalysisRun)
class AnalysisRunAdmin(ShowsInterruptedRuns, ModelAdmin):
    list_display = ("id", "observation_end", "show_status", "n_accounts", "n_transactions",
                    "segments_top", "duration", "triggered_by", "started_at")  # fmt: skip
    list_display_links = ("id", "observation_end")
    list_filter = ("status",)
    date_hierarchy = "started_at"
    actions_list = ["start_run"]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # runs are started with the button or `guanxi analyze`, not typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    @display(
        description=gettext_lazy("status"),
        label={
            RunStatus.SUCCEEDED: "success",
            RunStatus.FAILED: "danger",
            RunStatus.RUNNING: "info",
            RunStatus.INTERRUPTED: "danger",
        },
    )
    def show_status(self, obj: AnalysisRun) -> tuple[str, str]:
        # (code, text): the code picks the colour in any language.
        return obj.status, obj.get_status_display()

    @display(description=gettext_lazy("largest segment"))
    def segments_top(self, obj: AnalysisRun) -> str:
        if not obj.segment_counts:
            return "—"
        name, count = max(obj.segment_counts.items(), key=lambda kv: kv[1])
        return f"{SEGMENT_LABELS.get(name, name)}: {count}"

    @display(description=gettext_lazy("duration (s)"), ordering="duration_seconds")
    def duration(self, obj: AnalysisRun) -> str:
        return "—" if obj.duration_seconds is None else f"{obj.duration_seconds:.1f}"

    def has_start_run_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)  # also hides the button from everyone else

    @action(
        description=gettext_lazy("Run the analysis now"),
        icon="play_arrow",
        permissions=["start_run"],
    )
    def start_run(self, request: HttpRequest) -> HttpResponse:
        if not is_manager(request):
            raise PermissionDenied
        if request.method != "POST":
            # Starting work takes a POST: a link or a prefetch must not start a run.
            context = {
                **self.admin_site.each_context(request),
                "opts": self.model._meta,
                "title": _("Run the analysis now"),
                "n_transactions": estimated_count(Transaction),
                "today": timezone.localdate(),
            }
            return TemplateResponse(request, "admin/insights/analysisrun/start.html", context)
        try:
            # deferred: polars and scipy, which every command would pay for (Django loads admin)
            from guanxi.insights.services import analysis_run

            run = analysis_run(actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(reverse("admin:insights_analysisrun_changelist"))
        messages.success(
            request,
            _("Analysis run #%(id)s scored %(n)s accounts.") % {"id": run.pk, "n": run.n_accounts},
        )
        return HttpResponseRedirect(reverse("admin:insights_analysisrun_change", args=(run.pk,)))

    def get_urls(self):
        urls = [
            path(
                "latest/",
                self.admin_site.admin_view(self.latest_view),
                name="insights_analysisrun_latest",
            ),
        ]
        return urls + super().get_urls()

    def latest_view(self, request: HttpRequest) -> HttpResponse:
        run = latest_run()
        if run is None:
            messages.info(
                request,
                _("No analysis has run yet. Start one here or with `guanxi analyze`."),
            )
            return HttpResponseRedirect(reverse("admin:insights_analysisrun_changelist"))
        return HttpResponseRedirect(reverse("admin:insights_analysisrun_change", args=(run.pk,)))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        """The model page replaces the (read-only) form."""
        if not is_staff(request):
            raise PermissionDenied
        run = (
            AnalysisRun.objects.filter(pk=unquote(object_id)).first()
            if object_id.isdigit()
            else None
        )
        if run is None:
            raise Http404
        calibration = calibration_chart(run)
        curve = pareto_chart(run)
        segments = [
            {"code": code, "label": SEGMENT_LABELS.get(code, code), "count": count}
            for code, count in sorted(run.segment_counts.items(), key=lambda kv: -kv[1])
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": run,
            "run": run,
            "title": _("Customer value model · run #%(id)s") % {"id": run.pk},
            "purchase_params": _param_rows(run.purchase_model),
            "spend_params": _param_rows(run.spend_model),
            "calibration_data": calibration[0] if calibration else None,
            "calibration_options": calibration[1] if calibration else None,
            "pareto_data": curve[0] if curve else None,
            "pareto_options": curve[1] if curve else None,
            "segments": segments,
            "summary": run_summary(run),
            "trust": trust_level(run),
            "warnings": [note_text(w) for w in run.warnings],
            "purchase_error": note_text(_error_note(run.purchase_model)),
            "spend_error": note_text(_error_note(run.spend_model)),
            "calibration_error": note_text(_error_note(run.calibration)),
            "period_unit": PERIODS.get(run.parameters.get("period"), run.parameters.get("period")),
            "accounts_url": reverse("admin:accounts_account_changelist"),
            "discount_percent": 100 * run.parameters.get("annual_discount_rate", 0),
            "pareto_top_percent": 100 * run.pareto.get("top_fraction", 0),
            "pareto_share_percent": 100 * run.pareto.get("top_share", 0),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/insights/analysisrun/model.html", context)
