"""The tier scheme's own pages: the monthly attendance sheet (客户考勤表, also as a workbook) and
the tier migration matrix. Every staff user may read them, within the account access rule."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.core.admin_mixins import is_staff
from guanxi.core.dates import add_months
from guanxi.tiers import attendance
from guanxi.tiers.admin.shared import TIERS, visible_accounts
from guanxi.tiers.forms import SheetForm
from guanxi.tiers.models import Tier, TierScheme
from guanxi.tiers.selectors import MigrationPeriod, tier_distribution, tier_migration_counts
from guanxi.tiers.templatetags.tiers_tags import rule_summary

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sheet_params(request: HttpRequest) -> tuple[SheetForm, TierScheme | None]:
    """Month and scheme from the query string; the defaults (the last complete month — the
    current one has barely started for most of it — and the restaurant's monthly scheme) are
    filled in so the form shows what the sheet uses."""
    default = attendance.default_scheme()
    last_month = add_months(timezone.localdate().replace(day=1), -1)
    data = {
        "month": request.GET.get("month") or last_month.strftime("%Y-%m"),
        "scheme": request.GET.get("scheme", default.pk if default else ""),
    }
    form = SheetForm(data)
    scheme = form.cleaned_data.get("scheme") if form.is_valid() else default
    return form, scheme


def attendance_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """The attendance sheet of one month, a page of accounts at a time."""
    if not is_staff(request):
        raise PermissionDenied
    form, scheme = _sheet_params(request)
    try:
        page = int(request.GET.get("p", "1"))
    except ValueError:
        page = 1
    sheet = attendance.attendance_sheet(
        actor=request.user, month=form.month_start(), scheme=scheme, page=page
    )
    _fill_reasons(sheet)
    query = {"month": sheet.month.strftime("%Y-%m"), "scheme": scheme.pk if scheme else ""}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": sheet.title,
        "form": form,
        "sheet": sheet,
        "query": "&".join(f"{k}={v}" for k, v in query.items()),
        "prev_month": add_months(sheet.month, -1),
        "next_month": add_months(sheet.month, 1),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/tiers/tierscheme/attendance.html", context)


def _fill_reasons(sheet: attendance.Sheet) -> None:
    """Every row's reason for no tier, for the page and the workbook alike."""
    for row in sheet.rows:
        row.no_tier_reason = _no_tier_reason(row)


def _no_tier_reason(row: attendance.SheetRow) -> str:
    """Why a row has no tier, in words: "Gold needs: tag is VIP"."""
    if row.tier is not None or row.missing is None:
        return ""
    tier, failed = row.missing
    return _("%(tier)s needs: %(conditions)s") % {
        "tier": tier,
        "conditions": rule_summary(failed),
    }


def attendance_xlsx_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """The whole sheet of the month as a workbook, laid out like the paper one."""
    if not is_staff(request):
        raise PermissionDenied
    form, scheme = _sheet_params(request)
    sheet = attendance.attendance_sheet(
        actor=request.user, month=form.month_start(), scheme=scheme, per_page=None
    )
    _fill_reasons(sheet)
    response = HttpResponse(attendance.attendance_xlsx(sheet), content_type=XLSX)
    name = f"attendance-{sheet.month:%Y-%m}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def migration_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """Tier moves of a scheme over the last twelve months: per month, and as a from → to
    matrix for the whole year or one chosen month."""
    if not is_staff(request):
        raise PermissionDenied
    schemes = list(TierScheme.objects.filter(purpose=TIERS).order_by("-is_active", "code"))
    scheme = None
    wanted = request.GET.get("scheme", "")
    if wanted.isdigit():
        scheme = next((s for s in schemes if s.pk == int(wanted)), None)
    if scheme is None:
        scheme = attendance.default_scheme() or (schemes[0] if schemes else None)
    context: dict[str, Any] = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": _("Tier migration"),
        "schemes": schemes,
        "scheme": scheme,
    }
    if scheme is not None:
        chosen = _parse_month(request.GET.get("month"))
        context.update(_migration(scheme, chosen=chosen, accounts=visible_accounts(request)))
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/tiers/tierscheme/migration.html", context)


def _parse_month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None


def _migration(scheme: TierScheme, *, chosen: dt.date | None, accounts: Any) -> dict[str, Any]:
    """The page's figures: the last twelve months (newest first), the from → to matrix of the
    chosen month (None: all twelve) with its totals, and today's distribution."""
    today = timezone.localdate()
    first = today.replace(day=1)
    start = add_months(first, -11)
    periods = tier_migration_counts(scheme=scheme, start=start, end=today, accounts=accounts)
    by_month = {p.period: p for p in periods}
    months = []
    month = start
    while month <= first:
        months.append(by_month.get(month) or MigrationPeriod(period=month))
        month = add_months(month, 1)
    picked = [p for p in months if chosen is None or p.period == chosen]
    axis: list[Tier | None] = [*scheme.tiers.order_by("rank"), None]
    return {
        "months": list(reversed(months)),
        "chosen": chosen,
        "axis": axis,
        "matrix": _matrix(axis, picked),
        "totals": {
            k: sum(getattr(p, k) for p in picked) for k in ("upgrades", "downgrades", "new", "lost")
        },
        "distribution": tier_distribution(scheme, accounts=accounts),
    }


def _matrix(axis: list[Tier | None], periods: list[MigrationPeriod]) -> list[dict[str, Any]]:
    """Rows "from", cells "to": the number of moves in ``periods`` (the diagonal: no move)."""
    moves: dict[tuple, int] = {}
    for p in periods:
        for key, n in p.moves.items():
            moves[key] = moves.get(key, 0) + n
    return [
        {
            "from": f,
            "cells": [
                {
                    "to": t,
                    "n": moves.get((f.pk if f else None, t.pk if t else None), 0),
                    "diagonal": f == t,
                }
                for t in axis
            ],
        }
        for f in axis
    ]
