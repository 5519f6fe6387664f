"""The distribution page (/reports/distribution/, seed 003 基础信息): the accounts the user
sees, and their revenue, by industry, enterprise nature, scale, province, account type, ABC
class and tier, as ranked bars; every row opens the account list filtered to it; filters by
team and a range of months; every table as XLSX."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.reports.forms import DistributionFilterForm
from guanxi.reports.selectors import Computed, Distribution, Row, Table, distribution_recent, share
from guanxi.reports.sheets import distribution_xlsx

#: The query parameter that asks for the figures computed now, not the kept ones.
REFRESH = "refresh"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _report(request: HttpRequest) -> tuple[DistributionFilterForm, Computed | None]:
    params = request.GET.copy()
    refresh = params.pop(REFRESH, None) is not None
    form = DistributionFilterForm(params or None, actor=request.user)
    if form.is_bound and not form.is_valid():
        return form, None
    team = form.cleaned_data.get("team") if form.is_bound else None
    period = form.period() if form.is_bound else None
    computed = distribution_recent(
        request.user, today=timezone.localdate(), team_id=team, period=period, refresh=refresh
    )
    return form, computed


def _period_title(form: DistributionFilterForm) -> str:
    period = form.period() if form.is_bound and form.is_valid() else None
    if period is None:
        return _("Revenue, this year")
    end = form.cleaned_data["end"]
    return _("Revenue, %(start)s to %(end)s") % {
        "start": f"{period.start:%Y-%m}",
        "end": f"{end:%Y-%m}",
    }


def _row_out(row: Row, table: Table, peak: dict[str, Any], team: Any) -> dict[str, Any]:
    url = None
    if row.filter:
        query = dict(row.filter)
        if team:
            query["team__id__exact"] = str(team)
        url = f"{reverse('admin:accounts_account_changelist')}?{urlencode(query)}"
    return {
        "row": row,
        "url": url,
        "share": share(row.accounts, table.accounts),
        "bar": share(row.accounts, peak["accounts"]),
        "bar_revenue": share(max(row.revenue_12m, 0), peak["revenue"]),
    }


def _tables_out(report: Distribution, team: Any) -> list[dict[str, Any]]:
    out = []
    for table in report.tables:
        peak = {
            "accounts": max((r.accounts for r in table.rows), default=0),
            "revenue": max((r.revenue_12m for r in table.rows), default=0),
        }
        rows = [_row_out(row, table, peak, team) for row in table.rows]
        out.append({"table": table, "rows": rows})
    return out


def distribution_view(request: HttpRequest) -> HttpResponse:
    form, computed = _report(request)
    report = computed.report if computed is not None else None
    team = form.cleaned_data.get("team") if form.is_bound and report is not None else None
    query = request.GET.copy()
    query.pop(REFRESH, None)
    context = {
        **admin.site.each_context(request),
        "title": _("Customer distribution"),
        "form": form,
        "report": report,
        "computed_at": computed.computed_at if computed is not None else None,
        "refresh_url": f"?{urlencode({**query.dict(), REFRESH: '1'})}",
        "tables": _tables_out(report, team) if report is not None else [],
        "period_title": _period_title(form),
        "export_url": f"{reverse('reports_distribution_export')}?{query.urlencode()}",
    }
    status = 400 if report is None else 200
    return TemplateResponse(request, "admin/reports/distribution.html", context, status=status)


def distribution_export(request: HttpRequest) -> HttpResponse:
    form, computed = _report(request)
    if computed is None:
        errors = "; ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    body = distribution_xlsx(computed.report, _period_title(form))
    response = HttpResponse(body, content_type=XLSX)
    name = f"customer-distribution-{timezone.localdate():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
