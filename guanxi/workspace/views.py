"""The dashboard's plain URLs: a chart's figures as XLSX, and the accounts behind a cell of the
cohort retention heat map (the account list filtered to them)."""

from __future__ import annotations

import datetime as dt
import io

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.workspace.charts import cohort_account_ids
from guanxi.workspace.dashboard import charts_for
from guanxi.workspace.snapshots import dashboard_figures

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def chart_export_view(request: HttpRequest) -> HttpResponse:
    """``?chart=<key>``: the chart's table as an XLSX sheet (what the chart shows, in rows)."""
    key = request.GET.get("chart", "")
    data = dashboard_figures(request.user, today=timezone.localdate())
    charts = {c.key: c for c in charts_for(request.user, data)}
    chart = charts.get(key)
    if chart is None:
        return HttpResponse(
            _("Unknown chart: choose one of %(keys)s.") % {"keys": ", ".join(sorted(charts))},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    # deferred: openpyxl takes a third of a second to import; only the download needs it.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = chart.key
    sheet.append([str(h) for h in chart.headers])
    for row in chart.rows:
        sheet.append([str(v) if not isinstance(v, int | float) else v for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    stamp = data["as_of"]  # the day the figures are of
    response["Content-Disposition"] = f'attachment; filename="dashboard-{chart.key}-{stamp}.xlsx"'
    return response


def cohort_accounts_view(request: HttpRequest) -> HttpResponse:
    """``?cohort=YYYY-MM-01&k=n``: the account list showing the accounts the user sees whose
    first purchase fell in that month and who bought again ``k`` months later."""
    try:
        cohort = dt.date.fromisoformat(request.GET.get("cohort", "")).replace(day=1)
        k = int(request.GET.get("k", ""))
        if not 0 <= k < 240:
            raise ValueError
    except ValueError:
        raise Http404(_("No such cohort.")) from None
    ids = cohort_account_ids(request.user, cohort, k)
    url = reverse("admin:accounts_account_changelist")
    return HttpResponseRedirect(f"{url}?id__in={','.join(str(i) for i in ids) or '0'}")
