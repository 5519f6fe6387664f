"""How a cell written by a person or a Chinese PMS/POS export becomes a number or a date: the
rules written once, applied vectorised by `validate.Checks` (polars) and one cell at a time by
the row importers (surveys, agreements, deals).

- Full-width forms are half-width (NFKC) before anything else: ``１２８０．００`` is 1280.00
  (`reader.read_table` does it for every cell but free text).
- Amounts: thousands separators, ``¥``/``￥``, ``RMB``/``CNY`` before or after and ``元`` after
  are noise: ``RMB 3,000.00``, ``1234元``, ``1234.00 CNY``.
- Dates: ISO ``2024-03-05``, ``2024/3/5``, ``2024.3.12``, ``2024年3月5日``, ``20240312`` and Excel
  serial day numbers (``45356`` is 2024-03-05) between 1990 and 2099, each optionally followed
  by a time. ``05-03-2024`` is refused: whether 05 is the day or the month cannot be known.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import polars as pl
from django.utils.translation import gettext as _

MONEY_NOISE = r"(?i)[,，¥￥\s]|^(?:CNY|RMB)|(?:CNY|RMB|元)$"
NUMBER = r"^-?(\d+\.?\d*|\.\d+)$"
# (pattern, replacement with {1}… for the groups): the date written as YYYY-MM-DD, the rest kept.
DAY_REWRITES = (
    (r"^(\d{4})年(\d{1,2})月(\d{1,2})日?", "{1}-{2}-{3}"),
    (r"^(\d{4})[./](\d{1,2})[./](\d{1,2})", "{1}-{2}-{3}"),
    (r"^(\d{4})(\d{2})(\d{2})$", "{1}-{2}-{3}"),
)
AMBIGUOUS_DAY = r"^(0?[1-9]|1[0-2])[-/.](0?[1-9]|1[0-2])[-/.]\d{4}"
SERIAL = r"^\d{5}(\.\d+)?$"
SERIAL_RANGE = (32874, 73050)  # 1990-01-01 … 2099-12-31
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # serial 1 is 1900-01-01 (Lotus's leap-year slip)


def halfwidth(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def ambiguous_day_message() -> str:
    return _("the order of day and month is ambiguous (05-03-2024 may be 5 March or 3 May): "
             "write YYYY-MM-DD")  # fmt: skip


def ambiguous_day_sentence() -> str:
    return _("The order of day and month is ambiguous (05-03-2024 may be 5 March or 3 May): "
             "write YYYY-MM-DD.")  # fmt: skip


# -- one cell -------------------------------------------------------------------------------


def number_text(text: str) -> str:
    """The amount as plain digits ("1234.00") with the noise removed; unchecked."""
    return re.sub(MONEY_NOISE, "", halfwidth(text).strip())


def day_text(text: str) -> str:
    """The date written as YYYY-MM-DD (time kept) when it is one of the forms accepted, else as
    it was (the caller's own check then refuses it)."""
    text = halfwidth(text).strip()
    if re.match(SERIAL, text):
        serial = float(text)
        if SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1] + 1:
            moment = EXCEL_EPOCH + dt.timedelta(seconds=round(serial * 86400))
            return moment.strftime("%Y-%m-%d %H:%M:%S").removesuffix(" 00:00:00")
        return text
    for pattern, template in DAY_REWRITES:
        replacement = re.sub(r"\{(\d)\}", r"\\g<\1>", template)
        text, found = re.subn(pattern, replacement, text, count=1)
        if found:
            break
    return text


def is_ambiguous_day(text: str) -> bool:
    return re.match(AMBIGUOUS_DAY, halfwidth(text).strip()) is not None


class NotADay(ValueError):
    """The cell is no date; the message says what to write."""


_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")


def parse_day(text: str) -> dt.date:
    """A date in one of the forms accepted (module docstring), else NotADay."""
    match = _DAY.match(day_text(text).replace("/", "-"))
    try:
        if match:
            return dt.date(*map(int, match.groups()))
    except ValueError:
        pass  # 2027-02-30: shaped like a date, but none
    if is_ambiguous_day(text):
        raise NotADay(ambiguous_day_sentence())
    raise NotADay(_("Not a date: write YYYY-MM-DD."))


# -- a column -------------------------------------------------------------------------------


def number_expr(col: pl.Expr) -> pl.Expr:
    return col.str.replace_all(MONEY_NOISE, "")


def day_expr(col: pl.Expr) -> pl.Expr:
    """`day_text` for a column of strings."""
    text = col.str.strip_chars()
    for pattern, template in DAY_REWRITES:
        replacement = re.sub(r"\{(\d)\}", r"${\1}", template)
        text = (
            pl.when(text.str.contains(pattern))
            .then(text.str.replace(pattern, replacement))
            .otherwise(text)
        )
    serial = text.cast(pl.Float64, strict=False)
    is_serial = text.str.contains(SERIAL) & serial.is_between(SERIAL_RANGE[0], SERIAL_RANGE[1] + 1)
    moment = pl.lit(EXCEL_EPOCH) + pl.duration(seconds=(serial * 86400).round(0))
    serial_text = moment.dt.strftime("%Y-%m-%d %H:%M:%S").str.replace(r" 00:00:00$", "")
    return pl.when(is_serial).then(serial_text).otherwise(text)


def ambiguous_day_expr(col: pl.Expr) -> pl.Expr:
    return col.str.strip_chars().str.contains(AMBIGUOUS_DAY)
