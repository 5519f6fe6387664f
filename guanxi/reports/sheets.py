"""The distribution tables as one Excel file (openpyxl, like the other exports): a sheet per
table — the row's label, accounts, their share, 12-month revenue and the period's revenue —
ending with the total."""

from __future__ import annotations

import io

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from guanxi.reports.selectors import Distribution, share


def distribution_xlsx(report: Distribution, period_title: str) -> bytes:
    # deferred: openpyxl takes a third of a second to import; only the download needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Font  # deferred: as above

    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    for table in report.tables:
        title = table.title.translate(str.maketrans("[]:*?/\\", "（）：＊？／＼"))[:28]
        while title in used:
            title += "_"
        used.add(title)
        ws = wb.create_sheet(title)
        ws.append([capfirst(table.title), _("Accounts"), _("Share of accounts (%)"),
                   _("Revenue, last 12 months"), period_title])  # fmt: skip
        for row in table.rows:
            ws.append([row.label, row.accounts, share(row.accounts, table.accounts),
                       float(row.revenue_12m), float(row.revenue_period)])  # fmt: skip
        ws.append([_("Total"), table.accounts, 100.0 if table.accounts else 0.0,
                   float(table.revenue_12m), float(table.revenue_period)])  # fmt: skip
        for cell in (*ws[1], *ws[ws.max_row]):
            cell.font = Font(bold=True)
        for col, width in zip("ABCDE", (30, 12, 14, 20, 20), strict=True):
            ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
