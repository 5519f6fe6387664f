"""Deal odds for managers: the trainings (a read-only list) and the calibration page — the
newest model's holdout Brier score against "always the base rate", the reliability table and
the base rate, or why there is no model yet."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import display

from guanxi.core.admin_mixins import is_manager
from guanxi.pipeline.models import OddsModel, OddsStatus
from guanxi.pipeline.odds import latest_odds_attempt, latest_odds_model, status_message
from guanxi.pipeline.odds_words import FEATURE_LABELS


def calibration_context(record: OddsModel | None) -> dict[str, Any]:
    """What the calibration page shows of one training (percentages for people)."""
    if record is None or record.brier_score is None:
        return {"record": record, "bins": None}
    baseline = record.baseline_brier_score or 0
    return {
        "record": record,
        "base_rate_percent": 100 * (record.base_rate or 0),
        "ratio": record.brier_score / baseline if baseline else None,
        "bins": [
            {
                **b,
                "low": 100 * b["low"],
                "high": 100 * b["high"],
                "predicted": 100 * b["predicted"],
                "observed": 100 * b["observed"],
            }
            for b in record.reliability
        ],  # fmt: skip
        "features": [str(FEATURE_LABELS.get(f, f)) for f in record.model.get("feature_names", [])],
    }


@admin.register(OddsModel)
class OddsModelAdmin(ModelAdmin):
    list_display = ("trained_at", "status", "n_deals", "n_won", "n_lost", "show_brier",
                    "n_predicted", "duration")  # fmt: skip
    list_filter = ("status",)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return is_manager(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return is_manager(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # trained by the nightly chain

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=gettext_lazy("holdout Brier score"), ordering="brier_score")
    def show_brier(self, obj: OddsModel) -> str:
        return "—" if obj.brier_score is None else f"{obj.brier_score:.3f}"

    @display(description=gettext_lazy("duration (s)"), ordering="duration_seconds")
    def duration(self, obj: OddsModel) -> str:
        return "—" if obj.duration_seconds is None else f"{obj.duration_seconds:.1f}"

    def get_urls(self):
        urls = [
            path(
                "calibration/",
                self.admin_site.admin_view(self.calibration_view),
                name="pipeline_oddsmodel_calibration",
            ),
        ]
        return urls + super().get_urls()

    def _render(self, request: HttpRequest, record: OddsModel | None, **extra: Any) -> HttpResponse:
        if not is_manager(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Deal odds: calibration"),
            **calibration_context(record),
            **extra,
            "notice_message": status_message(extra["notice"]) if extra.get("notice") else "",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/pipeline/oddsmodel/calibration.html", context)

    def calibration_view(self, request: HttpRequest) -> HttpResponse:
        attempt = latest_odds_attempt()
        record = latest_odds_model()
        # A newer attempt that found too few deals says why no newer model exists.
        notice = attempt if attempt is not None and attempt != record else None
        return self._render(request, record, notice=notice)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context=None
    ) -> HttpResponse:
        """One training's calibration page replaces the (read-only) form."""
        if not is_manager(request):
            raise PermissionDenied
        record = (
            OddsModel.objects.filter(pk=unquote(object_id)).first() if object_id.isdigit() else None
        )
        if record is None:
            raise Http404
        if record.status == OddsStatus.INSUFFICIENT:
            return self._render(request, None, notice=record)
        return self._render(request, record, notice=None)
