"""The 警报客户管理表 as an Excel file (openpyxl, like the rebate statements): one row per light
with the account, its KAM, the light, the reason in words, the KAM's feedback, the company's
countermeasure and the status; and the referrals (转介绍): who referred whom, when, its value."""

from __future__ import annotations

import io
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.loyalty.models import AccountLight, Referral
from guanxi.loyalty.words import reason_words

#: The most rows one export holds (the page's filters narrow it).
EXPORT_MAX = 20_000


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _sheet(title: str, header: list[str]):
    """A workbook whose one sheet has a bold header row."""
    # deferred: openpyxl takes a third of a second to import; only the download needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Font  # deferred: as above

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append(header)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    return wb, ws


def _bytes(wb, ws, widths: tuple[int, ...]) -> bytes:
    for col, width in zip("ABCDEFGHIJKLMNOP", widths, strict=False):
        ws.column_dimensions[col].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def lights_xlsx(lights: Iterable[AccountLight]) -> bytes:
    wb, ws = _sheet(
        _("Warning lights"),
        [
            _("Account"), _("Account code"), _("KAM"), pgettext("warning light", "Light"),
            _("Rule"), _("Reason"),
            _("Raised at"), _("Cleared at"), _("Status"), _("KAM's feedback"),
            _("Countermeasure"),
        ],
    )  # fmt: skip
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
    return _bytes(wb, ws, (28, 12, 12, 8, 20, 60, 17, 17, 10, 40, 40))


def referrals_xlsx(referrals: Iterable[Referral]) -> bytes:
    """One row per referral (each with its ``value``, `selectors.with_referral_value`)."""
    wb, ws = _sheet(
        _("Referrals"),
        [
            _("Referred on"), _("Referred by (account)"), _("Account code"), _("KAM"),
            _("Referred by (contact)"), _("Referred account"), _("Referred lead"),
            _("Referral value (CNY)"), _("Note"),
        ],
    )  # fmt: skip
    for r in referrals:
        ws.append(
            [
                r.referred_on,
                r.referrer_account.name,
                r.referrer_account.code,
                str(r.referrer_account.owner or ""),
                r.referrer_contact.name if r.referrer_contact else "",
                r.referred_account.name if r.referred_account else "",
                str(r.referred_lead) if r.referred_lead else "",
                float(r.value),
                r.note,
            ]
        )
    return _bytes(wb, ws, (12, 28, 12, 12, 16, 28, 28, 16, 40))
