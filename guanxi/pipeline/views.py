"""The pipeline's report pages in the admin's look: the board (kanban, drag a card to move the
deal), the funnel, the forecast against targets and win/loss. Thin: read through
`pipeline.reports` / `pipeline.forecast`, write through `pipeline.services.opportunity_move`.

Plain URLs (`guanxi/pipeline/urls.py`, under /pipeline/) wrapped by `admin.site.admin_view`, so
they need a signed-in staff user like every admin page and render inside the admin's frame.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from unfold.widgets import UnfoldAdminIntegerFieldWidget, UnfoldAdminTextInputWidget

from guanxi.core.admin_mixins import service_error_text
from guanxi.core.errors import ApplicationError
from guanxi.core.formatting import money
from guanxi.core.views import next_url
from guanxi.pipeline.forecast import COMPANY, KAM, TEAM, Cell, Row, forecast, forecast_subjects
from guanxi.pipeline.models import LostReason, Opportunity, OpportunityType, Outcome, Stage
from guanxi.pipeline.reports import BOARD_CAP, board, default_period, funnel, win_loss
from guanxi.pipeline.services import opportunity_move

BOARD = "pipeline_board"
#: Above this many rows the forecast table folds the KAMs' rows (pick a team or a KAM to see
#: them; the API lists them all).
TABLE_ROWS = 15

#: The report pages, in the order of their tabs.
PAGES = (
    ("board", "pipeline_board", gettext_lazy("Board")),
    ("funnel", "pipeline_funnel", gettext_lazy("Funnel")),
    ("forecast", "pipeline_forecast", gettext_lazy("Forecast")),
    ("win_loss", "pipeline_win_loss", gettext_lazy("Win/loss")),
)


# The admin's look (plain inputs show without a border); the browser's own date picker.
DATE = UnfoldAdminTextInputWidget(attrs={"type": "date"})


class ReportFilters(forms.Form):
    """The filters of every report page; each page shows the ones it uses. A bad value shows
    as an error beside the field and is ignored (the page shows its defaults)."""

    owner = forms.TypedChoiceField(
        label=gettext_lazy("Key account manager"), coerce=int, required=False, empty_value=None
    )
    team = forms.TypedChoiceField(
        label=gettext_lazy("Team"), coerce=int, required=False, empty_value=None
    )
    opportunity_type = forms.ChoiceField(label=gettext_lazy("Type"), required=False)
    start = forms.DateField(label=gettext_lazy("From"), required=False, widget=DATE)
    end = forms.DateField(label=gettext_lazy("To"), required=False, widget=DATE)
    months = forms.IntegerField(
        label=gettext_lazy("Months"),
        min_value=1,
        max_value=12,
        required=False,
        widget=UnfoldAdminIntegerFieldWidget,
    )

    def __init__(self, data: Any, *, actor: Any) -> None:
        super().__init__(data)
        users, teams = forecast_subjects(actor)
        everyone = [("", _("Everyone in sight"))]
        self.fields["owner"].choices = everyone + [(u.pk, str(u)) for u in users]
        self.fields["team"].choices = [("", _("All teams"))] + [(t.pk, str(t)) for t in teams]
        self.fields["opportunity_type"].choices = [("", _("All types")), *OpportunityType.choices]

    def value(self, name: str) -> Any:
        """The field's value if it was given and valid, else None."""
        return getattr(self, "cleaned_data", {}).get(name)


def _filters(request: HttpRequest) -> ReportFilters:
    form = ReportFilters(request.GET or None, actor=request.user)
    form.is_valid()  # fills cleaned_data with the good values, errors for the others
    return form


def _render(request: HttpRequest, template: str, page: str, title: str, **context: Any):
    site = admin.site
    request.current_app = site.name
    tabs = [(key, reverse(name), label) for key, name, label in PAGES]
    base = {**site.each_context(request), "title": title, "page": page, "tabs": tabs}
    return TemplateResponse(request, template, {**base, **context})


def _changelist(**query: Any) -> str:
    """The opportunity list filtered like a board column ("show all"); "" before that list
    exists."""
    try:
        url = reverse("admin:pipeline_opportunity_changelist")
    except NoReverseMatch:
        return ""
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{url}?{urlencode(query)}" if query else url


# --- The board ----------------------------------------------------------------------------------


def board_view(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    owner, kind = form.value("owner"), form.value("opportunity_type") or ""
    data = board(request.user, owner=owner, opportunity_type=kind, cap=BOARD_CAP)
    for column in data.columns:
        for deal in column.cards:  # one string a card: 150 cards' filters cost more than it
            day = deal.closed_on or deal.expected_close
            deal.meta = (
                f"{money(deal.amount)} · {deal.probability}% · {day.isoformat()} · "
                f"{deal.owner.get_full_name() or deal.owner.username}"
            )
        column.list_url = _changelist(
            stage__id__exact=column.stage.pk, owner__id__exact=owner, opportunity_type__exact=kind
        )
    return _render(
        request,
        "admin/pipeline/board.html",
        "board",
        _("Pipeline board"),
        form=form,
        board=data,
        lost_reasons=LostReason.objects.filter(active=True),
        move_url=reverse("pipeline_board_move"),
        back=request.get_full_path(),
    )


@require_POST
def board_move_view(request: HttpRequest) -> HttpResponse:
    """A card dropped on another column: move the deal through `opportunity_move`, then back to
    the board with what happened — a refusal (no lost reason, a deal out of sight) is a
    message there, never an error page. Winning is confirmed first (the board's dialog posts
    ``confirm=won``), as losing asks for the reason: one slip of a drag or an arrow key must
    not close a deal."""
    back = next_url(request, reverse(BOARD))
    try:
        deal_id, stage_id = int(request.POST["opportunity"]), int(request.POST["stage"])
        reason = int(request.POST["lost_reason"]) if request.POST.get("lost_reason") else None
    except (KeyError, ValueError, OverflowError):
        messages.error(request, _("Nothing moved: the deal or the stage is missing."))
        return HttpResponseRedirect(back)
    wins = Stage.objects.filter(pk=stage_id, outcome=Outcome.WON).exists()
    if wins and request.POST.get("confirm") != Outcome.WON:
        messages.error(request, _("Nothing moved: confirm that the deal is won."))
        return HttpResponseRedirect(back)
    try:
        deal = opportunity_move(
            actor=request.user,
            opportunity=deal_id,
            stage=stage_id,
            lost_reason=reason,
            lost_note=request.POST.get("lost_note", "")[:2000],
        )
    except ApplicationError as exc:
        messages.error(request, _("Nothing moved: %(error)s") % {"error": service_error_text(exc)})
        return HttpResponseRedirect(back)
    messages.success(request, _moved_words(deal))
    return HttpResponseRedirect(back)


def _moved_words(deal: Opportunity) -> str:
    params = {"deal": deal.name, "stage": deal.stage}
    if deal.outcome == Outcome.WON:
        return _("“%(deal)s” is won.") % params
    if deal.outcome == Outcome.LOST:
        return _("“%(deal)s” is lost.") % params
    return _("“%(deal)s” moved to %(stage)s.") % params


# --- Funnel, forecast, win/loss -----------------------------------------------------------------


def _period(form: ReportFilters) -> tuple[dt.date, dt.date]:
    start, end = default_period()
    start, end = form.value("start") or start, form.value("end") or end
    return (start, end) if start <= end else (end, start)


def funnel_view(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    start, end = _period(form)
    data = funnel(request.user, start=start, end=end, owner=form.value("owner"))
    return _render(
        request,
        "admin/pipeline/funnel.html",
        "funnel",
        _("Pipeline funnel"),
        form=form,
        funnel=data,
    )


def forecast_view(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    try:
        data = forecast(
            request.user,
            start=form.value("start"),
            months=form.value("months") or 6,
            owner=form.value("owner"),
            team=form.value("team"),
        )
    except ApplicationError as exc:  # a KAM or team out of sight: say so, show the default
        messages.error(request, service_error_text(exc))
        data = forecast(request.user)
    shown = data.rows
    if len(shown) > TABLE_ROWS:  # a director's whole company: the teams and the company first
        shown = [r for r in data.rows if r.kind != KAM]
    focus = data.row(COMPANY) or next((r for r in data.rows if r.kind == TEAM), None)
    focus = focus or (data.rows[0] if data.rows else None)
    chart = None
    if focus is not None:
        chart = {
            "labels": [m.strftime("%Y-%m") for m in data.months],
            "target": [_number(c.target) for c in focus.months],
            "forecast": [_number(c.forecast) for c in focus.months],
            "won": [_number(c.won) for c in focus.months],
            "revenue": [_number(c.revenue) for c in focus.months],
            "names": {
                "target": _("Target"),
                "forecast": _("Weighted forecast"),
                "won": _("Won"),
                "revenue": _("Revenue booked"),
            },
        }
    return _render(
        request,
        "admin/pipeline/forecast.html",
        "forecast",
        _("Forecast"),
        form=form,
        forecast=data,
        rows=[_table_row(r) for r in shown],
        kams_folded=len(shown) < len(data.rows),
        focus=focus,
        chart=chart,
    )


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _table_cell(cell: Cell, kind: str, when: str) -> dict[str, Any]:
    """One line of the forecast table, formatted here: a director's table has 500 of them and
    a filter per figure in the template took longer than the queries."""
    return {
        "kind": kind,
        "month": cell.start.strftime("%Y-%m"),
        "when": when,
        "target": "" if cell.target is None else cell.target,
        "weighted": cell.weighted,
        "won": cell.won,
        "forecast": cell.forecast,
        "revenue": cell.revenue,
        "quarter_only": cell.quarter_target is not None,
        "shown": [
            _("quarter target only") if cell.quarter_target is not None else money(cell.target),
            money(cell.weighted),
            money(cell.won),
            money(cell.forecast),
            _share(cell.forecast_attainment),
            money(cell.revenue),
            _share(cell.revenue_attainment),
            _share(cell.won_attainment),
        ],
    }


def _table_row(row: Row) -> dict[str, Any]:
    cells = [_table_cell(c, "month", c.start.strftime("%Y-%m")) for c in row.months]
    cells += [
        _table_cell(
            q, "quarter", _("quarter from %(start)s") % {"start": q.start.strftime("%Y-%m")}
        )
        for q in row.quarters
    ]
    cells.append(_table_cell(row.total, "total", _("all months")))
    return {"kind": row.kind, "key": f"{row.kind}:{row.key or ''}", "label": row.label,
            "cells": cells}  # fmt: skip


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def win_loss_view(request: HttpRequest) -> HttpResponse:
    form = _filters(request)
    start, end = _period(form)
    data = win_loss(request.user, start=start, end=end, owner=form.value("owner"))
    return _render(
        request, "admin/pipeline/win_loss.html", "win_loss", _("Win/loss"), form=form, report=data
    )
