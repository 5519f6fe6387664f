"""The money pages of an agreement, in the admin's look (plain URLs under /agreements/ wrapped
by `admin.site.admin_view`, like the pipeline's reports):

- the performance page: commitments with actual, pace, projections and shortfall; each rebate
  schedule's accrual bracket by bracket and its settlements; drafting and confirming a
  settlement, recording a rebate paid; a hook where the MICE room blocks go;
- a settlement statement (返点结算单), printable, and the same as an XLSX workbook.

Access as for accounts: an agreement or settlement out of sight is a 404. Thin: reads through
`performance`, `rebates`, `settlements`; writes through `settlements`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import admin, messages
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from guanxi.agreements.models import RebateSchedule, RebateSettlement, SettlementStatus
from guanxi.agreements.performance import agreement_performance
from guanxi.agreements.rebates import rebate_accruals
from guanxi.agreements.selectors import agreement_for_actor
from guanxi.agreements.settlements import (
    settlement_confirm,
    settlement_create,
    settlement_for_actor,
    settlement_payment_record,
    settlement_period_ends,
)
from guanxi.agreements.statements import statement_filename, statement_xlsx
from guanxi.core.admin_mixins import service_error_text
from guanxi.core.errors import ApplicationError, NotFound
from guanxi.core.formatting import money

#: Settlements listed per schedule on the performance page (the API lists them all).
SETTLEMENTS_SHOWN = 12


def _render(request: HttpRequest, template: str, title: str, **context: Any) -> TemplateResponse:
    site = admin.site
    request.current_app = site.name
    return TemplateResponse(
        request, template, {**site.each_context(request), "title": title, **context}
    )


def _as_of(request: HttpRequest) -> dt.date:
    try:
        return dt.date.fromisoformat(request.GET.get("as_of", ""))
    except ValueError:
        return timezone.localdate()


def performance_view(request: HttpRequest, agreement_id: int) -> HttpResponse:
    try:
        agreement = agreement_for_actor(request.user, agreement_id)
    except NotFound as exc:
        raise Http404(str(exc)) from None
    as_of = _as_of(request)
    schedules = list(
        RebateSchedule.objects.filter(agreement=agreement)
        .select_related("agreement")
        .prefetch_related("brackets", "categories")
    )
    accruals = rebate_accruals(schedules, as_of)
    settlements = (
        RebateSettlement.objects.filter(schedule__in=schedules)
        .annotate(paid=Sum("payments__amount"))
        .order_by("-period_end", "-id")
    )
    by_schedule: dict[int, list[RebateSettlement]] = {s.pk: [] for s in schedules}
    for settlement in settlements:
        # What is left to pay (or, on a claw-back, to recover), as a positive amount.
        settlement.left = abs(settlement.amount_due) - (settlement.paid or Decimal(0))
        if len(by_schedule[settlement.schedule_id]) < SETTLEMENTS_SHOWN:
            by_schedule[settlement.schedule_id].append(settlement)
    today = timezone.localdate()
    rebates = [
        {
            "schedule": s,
            "accrual": accruals.get(s.pk),
            "settlements": by_schedule[s.pk],
            "has_draft": any(x.status == SettlementStatus.DRAFT for x in by_schedule[s.pk]),
            "period_ends": [d for d in settlement_period_ends(s) if d <= today],
        }
        for s in schedules
    ]
    return _render(
        request,
        "admin/agreements/performance.html",
        _("Agreement performance"),
        agreement=agreement,
        as_of=as_of,
        commitments=agreement_performance(agreement, as_of=as_of),
        rebates=rebates,
        is_manager=request.user.sees_all_accounts,
        today=timezone.localdate(),
    )


def _settlement(request: HttpRequest, settlement_id: int) -> RebateSettlement:
    try:
        return settlement_for_actor(request.user, settlement_id)
    except NotFound as exc:
        raise Http404(str(exc)) from None


def statement_view(request: HttpRequest, settlement_id: int) -> HttpResponse:
    """The statement, laid out to print (the print button or the browser's own)."""
    settlement = _settlement(request, settlement_id)
    return TemplateResponse(
        request,
        "admin/agreements/statement.html",
        {
            "settlement": settlement,
            "agreement": settlement.schedule.agreement,
            "payments": settlement.payments.order_by("paid_on", "id"),
            "title": _("Rebate settlement statement"),
        },
    )


def statement_xlsx_view(request: HttpRequest, settlement_id: int) -> HttpResponse:
    settlement = _settlement(request, settlement_id)
    response = HttpResponse(
        statement_xlsx(settlement),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{statement_filename(settlement)}"'
    return response


def _back(agreement_id: int) -> str:
    return reverse("agreements:performance", args=[agreement_id])


@require_POST
def settlement_create_view(request: HttpRequest, agreement_id: int) -> HttpResponse:
    """Draw up a settlement of one schedule up to the chosen day; a refusal is a message."""
    try:
        agreement_for_actor(request.user, agreement_id)
    except NotFound as exc:
        raise Http404(str(exc)) from None
    back = _back(agreement_id)
    try:
        schedule = int(request.POST["schedule"])
        period_end = dt.date.fromisoformat(request.POST["period_end"])
    except (KeyError, ValueError, OverflowError):
        messages.error(request, _("Choose the rebate and the day the settlement runs to."))
        return HttpResponseRedirect(back)
    if not RebateSchedule.objects.filter(pk=schedule, agreement_id=agreement_id).exists():
        raise Http404
    try:
        settlement = settlement_create(actor=request.user, schedule=schedule, period_end=period_end)
    except ApplicationError as exc:
        messages.error(request, service_error_text(exc))
        return HttpResponseRedirect(back)
    messages.success(
        request, _("Settlement drawn up: %(due)s due.") % {"due": money(settlement.amount_due, 2)}
    )
    return HttpResponseRedirect(back)


@require_POST
def settlement_confirm_view(request: HttpRequest, settlement_id: int) -> HttpResponse:
    settlement = _settlement(request, settlement_id)
    back = _back(settlement.schedule.agreement_id)
    try:
        settlement_confirm(actor=request.user, settlement=settlement)
    except ApplicationError as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Settlement confirmed."))
    return HttpResponseRedirect(back)


@require_POST
def settlement_payment_view(request: HttpRequest, settlement_id: int) -> HttpResponse:
    """Record rebate paid on a confirmed settlement (managers); a refusal is a message."""
    settlement = _settlement(request, settlement_id)
    back = _back(settlement.schedule.agreement_id)
    try:
        paid_on = dt.date.fromisoformat(request.POST["paid_on"])
        amount = Decimal(request.POST["amount"].strip().replace(",", ""))
    except (KeyError, ValueError, OverflowError, InvalidOperation):
        messages.error(request, _("Write the day paid and the amount paid."))
        return HttpResponseRedirect(back)
    if not amount.is_finite():
        messages.error(request, _("Write the day paid and the amount paid."))
        return HttpResponseRedirect(back)
    try:
        settlement_payment_record(
            actor=request.user,
            settlement=settlement,
            paid_on=paid_on,
            amount=amount,
            reference=request.POST.get("reference", "").strip(),
        )
    except ApplicationError as exc:
        messages.error(request, service_error_text(exc))
    else:
        messages.success(request, _("Rebate payment recorded."))
    return HttpResponseRedirect(back)
