"""The monthly attendance sheet (客户考勤表, seed 004): per customer and per day of a month, the
visits, head count and spend; the month's totals, the spend per head and the tier the month's
figures earn under a scheme's rules.

Two grouped queries whatever the size of the book: one GROUP BY account over the ledger's month
rollups (`transactions.AccountMonth`, exact: every write of a transaction refreshes them) for the
totals, sorted by spend, paged in SQL, with the number of accounts as a window count in the same
query; one GROUP BY account and local day over the ledger for the day cells of the page's
accounts only. Days are local days (settings.TIME_ZONE): a dinner at 23:30 in Shanghai belongs to
that day, not to the UTC one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum, Window
from django.db.models.functions import ExtractDay
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import visible_to
from guanxi.core.dates import add_months, local_midnight
from guanxi.core.formatting import join_words
from guanxi.tiers.metrics import account_metrics
from guanxi.tiers.models import Metric, SchemePurpose, Tier, TierScheme
from guanxi.tiers.rules import Condition, condition_holds, first_match, metrics_used
from guanxi.tiers.selectors import rules_for_scheme
from guanxi.transactions.models import AccountMonth, Transaction

PRESET_MONTHLY = "restaurant-monthly"
MONTH_METRICS = frozenset({Metric.MONTH_VISITS, Metric.MONTH_SPEND, Metric.MONTH_PER_HEAD})
#: The export holds at most this many accounts (sorted by spend); the page is paged.
XLSX_MAX_ROWS = 20_000
ZERO = Decimal("0.00")


@dataclass
class DayCell:
    visits: int
    heads: int
    spend: Decimal


@dataclass
class SheetRow:
    account_id: int
    code: str
    name: str
    visits: int
    heads: int
    spend: Decimal
    per_head: Decimal | None
    tier: Tier | None
    days: list[DayCell | None] = field(default_factory=list)
    number: int = 0  # position in the whole sheet (by spend), across pages
    #: with no tier: the tier that came closest and the conditions it still lacks
    missing: tuple[Tier, list[Condition]] | None = None
    #: ``missing`` in words, for the page and the workbook (filled in by the page's door, which
    #: owns the rule's wording)
    no_tier_reason: str = ""


@dataclass
class Sheet:
    month: dt.date  # the first day
    n_days: int
    scheme: TierScheme | None
    complete: bool  # False for the current month: the figures and the tier are "so far"
    rows: list[SheetRow]
    n_accounts: int  # every account with a transaction that month (visible ones)
    page: int
    n_pages: int
    per_page: int
    #: the categories the sheet counts (the scheme's `categories`); empty = every category
    categories: list[Any] = field(default_factory=list)

    @property
    def counting(self) -> str:
        """ "餐饮、酒水 …" for the page: which transactions the figures read."""
        return join_words(self.categories)

    @property
    def day_numbers(self) -> list[int]:
        return list(range(1, self.n_days + 1))

    @property
    def title(self) -> str:
        return _("Attendance sheet %(month)s") % {
            "month": date_format(self.month, "YEAR_MONTH_FORMAT")
        }


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """Local midnight of the month's first day and of the next month's first day."""
    first = month.replace(day=1)
    return local_midnight(first), local_midnight(add_months(first, 1))


def default_scheme() -> TierScheme | None:
    """The restaurant's monthly scheme when loaded, else the first active one."""
    return (
        TierScheme.objects.filter(code=PRESET_MONTHLY, purpose=SchemePurpose.TIERS).first()
        or TierScheme.objects.filter(is_active=True, purpose=SchemePurpose.TIERS)
        .order_by("code")
        .first()
    )


def per_head(spend: Decimal, heads: int) -> Decimal | None:
    if not heads:
        return None
    return (Decimal(spend) / heads).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _tiers_for(scheme: TierScheme | None, month: dt.date, rows: list[SheetRow]) -> None:
    """The tier each row's month earns under the scheme's rules (rules.first_match)."""
    if scheme is None or not rows:
        return
    tiers, rule_list = rules_for_scheme(scheme)
    needed = metrics_used(rule_list)
    other: dict[int, dict[str, Any]] = {}
    if needed - MONTH_METRICS:
        # Non-month metrics (revenue, CLV, segment…) as of the end of that month.
        _start, end = month_bounds(month)
        as_of = min(end.date(), timezone.localdate() + dt.timedelta(days=1))
        other = account_metrics(
            as_of=as_of,
            metrics=set(needed - MONTH_METRICS),
            account_ids=[r.account_id for r in rows],
        )
    for row in rows:
        values = {
            **other.get(row.account_id, {}),
            Metric.MONTH_VISITS.value: row.visits,
            Metric.MONTH_SPEND.value: row.spend,
            Metric.MONTH_PER_HEAD.value: row.per_head,
        }
        index = first_match(rule_list, values)
        row.tier = None if index is None else tiers[index]
        if row.tier is None:
            row.missing = closest_miss(tiers, rule_list, values)


def closest_miss(
    tiers: list[Tier], rule_list: list[list[Condition]], values: dict[str, Any]
) -> tuple[Tier, list[Condition]] | None:
    """Why no tier: the tier whose conditions fail the fewest (the higher one on a tie) and the
    conditions that fail — often one the sheet does not show, such as a tag."""
    best: tuple[Tier, list[Condition]] | None = None
    for tier, conditions in zip(tiers, rule_list, strict=True):
        failed = [c for c in conditions if not condition_holds(c, values.get(str(c["metric"])))]
        if failed and (best is None or len(failed) < len(best[1])):
            best = (tier, failed)
    return best


def attendance_sheet(
    *,
    actor: Any,
    month: dt.date,
    scheme: TierScheme | None = None,
    page: int = 1,
    per_page: int | None = 100,
) -> Sheet:
    """The sheet of ``month`` for the accounts ``actor`` may see, highest spend first.
    ``per_page=None``: every row (up to XLSX_MAX_ROWS), for the export."""
    month = month.replace(day=1)
    start, end = month_bounds(month)
    n_days = calendar.monthrange(month.year, month.month)[1]
    txns = visible_to(
        Transaction.objects.filter(occurred_at__gte=start, occurred_at__lt=end), actor,
        prefix="account__",
    )  # fmt: skip
    categories = list(scheme.categories.order_by("sort_order", "code")) if scheme else []
    if categories:
        # The scheme's tiers read only these categories (a room night is not a restaurant
        # visit), so the sheet counts the same transactions.
        txns = txns.filter(category_id__in=[c.pk for c in categories])
    months = visible_to(AccountMonth.objects.filter(month=month), actor, prefix="account__")
    if categories:
        months = months.filter(category_id__in=[c.pk for c in categories])
    size = XLSX_MAX_ROWS if per_page is None else max(1, per_page)
    page = max(1, page)
    rows, n_accounts = _sheet_rows(months, first=(page - 1) * size, size=size, n_days=n_days)
    if not rows and page > 1:  # past the last page: show the last one
        n_accounts = months.values("account_id").distinct().count()
        page = max(1, -(-n_accounts // size))
        rows, n_accounts = _sheet_rows(months, first=(page - 1) * size, size=size, n_days=n_days)
    n_pages = max(1, -(-n_accounts // size))
    _fill_days(txns, rows)
    _tiers_for(scheme, month, rows)
    return Sheet(
        month=month,
        n_days=n_days,
        scheme=scheme,
        complete=end.date() <= timezone.localdate(),
        rows=rows,
        n_accounts=n_accounts,
        page=page,
        n_pages=n_pages,
        per_page=size,
        categories=categories,
    )


def _sheet_rows(
    months: QuerySet, *, first: int, size: int, n_days: int
) -> tuple[list[SheetRow], int]:
    """The month's totals of ``size`` accounts from position ``first`` (by spend, highest
    first), with empty days, and the number of accounts in the whole sheet."""
    totals = (
        months.values("account_id")
        .annotate(
            visits=Sum("count"),
            spend=Sum("revenue"),
            heads=Sum("heads"),
            # Per head counts only the bills that say how many ate (as metrics.month_per_head).
            headed_spend=Sum("headed_revenue"),
            n_accounts=Window(Count("*")),  # the groups before LIMIT: one query, not two
        )
        .order_by("-spend", "account_id")
    )
    chunk = list(totals[first : first + size])
    ids = [r["account_id"] for r in chunk]
    names = {a["id"]: a for a in Account.objects.filter(pk__in=ids).values("id", "code", "name")}
    rows: list[SheetRow] = []
    for number, r in enumerate(chunk, start=first + 1):
        heads = r["heads"] or 0
        account = names.get(r["account_id"], {})
        rows.append(
            SheetRow(
                account_id=r["account_id"],
                code=account.get("code", ""),
                name=account.get("name", ""),
                visits=r["visits"],
                heads=heads,
                spend=r["spend"] or ZERO,
                per_head=per_head(r["headed_spend"] or ZERO, heads),
                tier=None,
                days=[None] * n_days,
                number=number,
            )
        )
    return rows, (chunk[0]["n_accounts"] if chunk else 0)


def _fill_days(txns: QuerySet, rows: list[SheetRow]) -> None:
    """Each row's visits, head count and spend per day of the month (local days)."""
    if not rows:
        return
    by_id = {row.account_id: row for row in rows}
    cells = (
        txns.filter(account_id__in=list(by_id))
        .annotate(day=ExtractDay("occurred_at"))  # in the current (local) time zone
        .values("account_id", "day")
        .annotate(visits=Count("id"), spend=Sum("amount"), heads=Sum("head_count"))
        .order_by()
    )
    for c in cells:
        by_id[c["account_id"]].days[c["day"] - 1] = DayCell(
            visits=c["visits"], heads=c["heads"] or 0, spend=c["spend"] or ZERO
        )


def attendance_xlsx(sheet: Sheet) -> bytes:
    """The sheet as a workbook, laid out like the paper one: per account three rows (visits,
    head count, spend) across the days, then the month's totals, spend per head and tier.
    Headers are in the active language; numbers are numbers."""
    # deferred: openpyxl takes a third of a second to import; only the export needs it.
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font  # deferred: as above
    from openpyxl.utils import get_column_letter  # deferred: as above
    from openpyxl.worksheet.cell_range import MultiCellRange  # deferred: as above
    from openpyxl.worksheet.merge import MergedCellRange  # deferred: as above

    wb = Workbook()
    ws = wb.active
    ws.title = sheet.month.strftime("%Y-%m")
    so_far = _("so far")
    title = sheet.title if sheet.complete else f"{sheet.title} ({so_far})"
    if sheet.categories:
        title += " · " + _("Counting: %(categories)s") % {"categories": sheet.counting}
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=14)
    # Capitalised like the page's headers (the msgids are the lowercase words used elsewhere).
    headers = [_("No."), capfirst(_("code")), capfirst(_("account")), capfirst(_("item"))]
    headers += [str(d) for d in sheet.day_numbers]
    more = (_("month total"), _("spend per head"), _("tier"), _("why no tier"))
    headers += [capfirst(h) for h in more]
    ws.append(headers)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    last_col = len(headers) - 1  # the tier; the reason beside it
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_col)
    measures = (
        (capfirst(_("visits")), "visits"),
        (capfirst(_("head count")), "heads"),
        (capfirst(_("spend (CNY)")), "spend"),
    )
    merges: list[str] = []  # the account's cells over its three lines, merged at the end
    first_line = 3 - len(measures)  # below the title and the headers (ws.max_row scans all)
    for row in sheet.rows:
        first_line += len(measures)
        for index, (label, attr) in enumerate(measures):
            line: list[Any] = (
                [row.number, row.code, row.name, label] if index == 0 else [None, None, None, label]
            )
            for cell in row.days:
                value = None if cell is None else getattr(cell, attr)
                line.append(float(value) if isinstance(value, Decimal) else value)
            total = getattr(row, attr)
            line.append(float(total) if isinstance(total, Decimal) else total)
            if index == 0:
                line.append(None if row.per_head is None else float(row.per_head))
                line.append(str(row.tier) if row.tier else "")
                line.append(row.no_tier_reason or None)
            ws.append(line)
        for col in (1, 2, 3, last_col - 1, last_col, last_col + 1):
            letter = get_column_letter(col)
            merges.append(f"{letter}{first_line}:{letter}{first_line + 2}")
            ws.cell(first_line, col).alignment = Alignment(vertical="center", wrap_text=True)
        # Counts as whole numbers, money with thousands and cents, across days and the total.
        for offset, fmt in ((0, "#,##0"), (1, "#,##0"), (2, "#,##0.00")):
            for col in range(5, last_col - 1):
                ws.cell(first_line + offset, col).number_format = fmt
        ws.cell(first_line, last_col - 1).number_format = "#,##0.00"
    # All at once: merge_cells checks each new range against every earlier one (quadratic: two
    # thirds of the export's time for 150 accounts).
    ws.merged_cells = MultiCellRange(
        [*ws.merged_cells.ranges, *(MergedCellRange(ws, coord) for coord in merges)]
    )
    ws.column_dimensions["C"].width = 24
    ws.column_dimensions["D"].width = 12
    ws.column_dimensions[get_column_letter(last_col + 1)].width = 40
    for col in range(5, 5 + sheet.n_days):
        ws.column_dimensions[get_column_letter(col)].width = 8
    ws.freeze_panes = "E3"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
