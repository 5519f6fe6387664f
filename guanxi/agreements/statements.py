"""A rebate settlement statement (返点结算单) as an XLSX workbook: the agreement, the period,
the volume, the rebate bracket by bracket, what earlier settlements of the period settled,
what is due and what was paid. Headers in the active language; numbers are numbers."""

from __future__ import annotations

import io
from typing import Any

from django.utils.translation import gettext as _

from guanxi.agreements.models import RebateSettlement


def statement_filename(settlement: RebateSettlement) -> str:
    agreement = settlement.schedule.agreement
    reference = agreement.reference or f"agreement-{agreement.pk}"
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "-" for ch in reference)
    return f"rebate-{safe}-{settlement.period_end:%Y%m%d}-{settlement.pk}.xlsx"


def _summary_rows(settlement: RebateSettlement) -> list[list[Any]]:
    schedule = settlement.schedule
    agreement = schedule.agreement
    return [
        [_("Agreement"), agreement.name],
        [_("Reference"), agreement.reference],
        [_("Account"), str(agreement.account)],
        [_("Rebate"), str(schedule)],
        [_("Rebate method"), schedule.get_method_display()],
        [_("Basis"), schedule.get_basis_display()],
        [_("Period"), f"{settlement.period_start:%Y-%m-%d} – {settlement.period_end:%Y-%m-%d}"],
        [_("Status"), settlement.get_status_display()],
        [],
        [_("Volume to date"), float(settlement.volume)],
        [_("Rebate on the volume"), float(settlement.rebate)],
        [_("Already settled"), float(settlement.already_settled)],
        [_("Amount due"), float(settlement.amount_due)],
    ]


def statement_xlsx(settlement: RebateSettlement) -> bytes:
    # deferred: openpyxl takes a third of a second to import; only the download needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Font  # deferred: as above

    wb = Workbook()
    ws = wb.active
    ws.title = _("Statement")[:31]
    ws.append([_("Rebate settlement statement")])
    ws["A1"].font = Font(bold=True, size=14)
    for row in _summary_rows(settlement):
        ws.append(row)
    ws.append([])
    ws.append([_("From"), _("To"), _("Rate (%)"), _("Volume counted"), _("Rebate")])
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for line in settlement.lines:
        ws.append(
            [
                line["low"],
                line["high"],
                round(line["rate"] * 100, 4),
                line["volume"],
                round(line["rebate"], 2),
            ]
        )
    payments = list(settlement.payments.order_by("paid_on", "id"))
    if payments:
        ws.append([])
        ws.append([_("Paid on"), _("Amount"), _("Reference")])
        for cell in ws[ws.max_row]:
            cell.font = Font(bold=True)
        for p in payments:
            ws.append([p.paid_on, float(p.amount), p.reference])
    for row in ws.iter_rows():  # sums grouped by thousands, as on the page (not 587592.0)
        for cell in row:
            if isinstance(cell.value, int | float) and cell.column_letter != "C":
                cell.number_format = "#,##0.00"
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 36
    for col in "CDE":
        ws.column_dimensions[col].width = 16
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
