"""The 警报客户管理表 as an Excel file (openpyxl, like the rebate statements): one row per light
with the account, its KAM, the light, the reason in words, the KAM's feedback, the company's
countermeasure and the status."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.loyalty.models import AccountLight
from guanxi.loyalty.words import reason_words

#: The most rows one export holds (the page's filters narrow it).
EXPORT_MAX = 20_000


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def lights_xlsx(lights: Iterable[AccountLight]) -> bytes:
    # deferred: openpyxl takes a third of a second to import; only the download needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Font  # deferred: as above

    wb = Workbook()
    ws = wb.active
    ws.title = _("Warning lights")[:31]
    ws.append(
        [
            _("Account"), _("Account code"), _("KAM"), pgettext("warning light", "Light"),
            _("Rule"), _("Reason"),
            _("Raised at"), _("Cleared at"), _("Status"), _("KAM's feedback"),
            _("Countermeasure"),
        ]
    )  # fmt: skip
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for light in lights:
        ws.append(
            [
                light.account.name,
                light.account.code,
                str(light.account.owner or ""),
                light.get_colour_display(),
                light.rule.label,
                reason_words(light),
                _when(light.raised_at),
                _when(light.cleared_at),
                light.get_status_display(),
                light.kam_feedback,
                light.countermeasure,
            ]
        )
    for col, width in zip("ABCDEFGHIJK", (28, 12, 12, 8, 20, 60, 17, 17, 10, 40, 40), strict=True):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
