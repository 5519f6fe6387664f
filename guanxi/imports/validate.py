"""Vectorised validation: each check turns a string column into a typed column plus an error
column (a plain-words message, or null when the cell is fine), so a million rows are checked in
a few polars passes instead of a Python loop.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings
from django.db.models import TextChoices
from django.utils import translation
from django.utils.translation import gettext as _

from guanxi.imports.cells import (
    NUMBER,
    ambiguous_day_expr,
    ambiguous_day_message,
    day_expr,
    number_expr,
)
from guanxi.imports.reader import LINE
from guanxi.transactions.models import TransactionKind

ERROR_SCHEMA = {"line": pl.UInt32, "column": pl.String, "value": pl.String, "message": pl.String}

_NAIVE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M", "%Y-%m-%d")
_AWARE_FORMATS = ("%Y-%m-%d %H:%M:%S%.f%#z", "%Y-%m-%d %H:%M%#z")
TRUE_WORDS = ("yes", "y", "true", "1", "是", "对", "√", "x")
FALSE_WORDS = ("no", "n", "false", "0", "否", "不是", "")


def _msg(text: str) -> pl.Expr:
    return pl.lit(text, dtype=pl.String)


@dataclass
class Checks:
    """Collects (column, error expression) pairs and evaluates them in one pass."""

    frame: pl.DataFrame
    values: dict[str, pl.Expr] = field(default_factory=dict)
    checks: list[tuple[str, pl.Expr]] = field(default_factory=list)

    def has(self, key: str) -> bool:
        return key in self.frame.columns

    def raw(self, key: str) -> pl.Expr:
        return pl.col(key) if self.has(key) else pl.lit(None, dtype=pl.String)

    def add(self, key: str, error: pl.Expr) -> None:
        self.checks.append((key, error))

    # -- typed columns -----------------------------------------------------------------------
    def text(self, key: str, *, max_length: int, required: bool = False, out: str = "") -> None:
        col = self.raw(key)
        if required:
            self.add(key, pl.when(col.is_null()).then(_msg(_("is required"))))
        self.add(
            key,
            pl.when(col.str.len_chars() > max_length).then(
                _msg(_("is longer than %(n)s characters") % {"n": max_length})
            ),
        )
        self.values[out or key] = col

    def money(self, key: str, *, required: bool = False, positive: bool = False,
              signed: bool = False, out: str = "") -> None:  # fmt: skip
        """Amounts as exact decimal strings with 2 places ("1234.50"); no float on the way.
        ``signed``: a negative number is read as written (the caller checks its sign)."""
        col = self.raw(key)
        clean = number_expr(col)
        matched = clean.str.contains(NUMBER)
        number = clean.cast(pl.Decimal(14, 2), strict=False)
        if required:
            self.add(key, pl.when(col.is_null()).then(_msg(_("is required"))))
        self.add(
            key,
            pl.when(col.is_not_null() & ~matched).then(
                _msg(_("is not a number (use digits and a decimal point, e.g. 1234.50)"))
            ),
        )
        # A non-zero third decimal would be silently cut by the cast: refuse it instead.
        self.add(
            key,
            pl.when(matched & clean.str.contains(r"\.\d{2}\d*[1-9]")).then(
                _msg(_("has more than 2 decimal places"))
            ),
        )
        self.add(key, pl.when(matched & number.is_null()).then(_msg(_("is too large"))))
        if positive:
            self.add(key, pl.when(number <= 0).then(_msg(_("must be more than zero"))))
        elif not signed:
            self.add(key, pl.when(number < 0).then(_msg(_("must be zero or more"))))
        self.values[out or key] = number.cast(pl.String)

    def rate(self, key: str, *, out: str = "") -> None:
        """A share of list price in (0, 1] as text with 3 places ("0.850"), written as 0.85,
        85% or 8.5折 (85折 also means 0.85: 折 counts tenths, two digits hundredths)."""
        col = self.raw(key)
        clean = col.str.replace_all(r"\s", "")
        number_text = clean.str.replace(r"[%％折]$", "")
        matched = number_text.str.contains(r"^-?(\d+\.?\d*|\.\d+)$")
        number = number_text.cast(pl.Float64, strict=False)
        scaled = (
            pl.when(clean.str.ends_with("%") | clean.str.ends_with("％"))
            .then(number / 100)
            .when(clean.str.ends_with("折") & (number > 10))
            .then(number / 100)
            .when(clean.str.ends_with("折"))
            .then(number / 10)
            .otherwise(number)
        )
        milli = (scaled * 1000).round(0)
        self.add(
            key,
            pl.when(col.is_not_null() & ~matched).then(
                _msg(_("is not a discount rate (write 0.85 or 85%)"))
            ),
        )
        self.add(
            key,
            pl.when(matched & ((scaled * 1000 - milli).abs() > 1e-6)).then(
                _msg(_("has more than 3 decimal places (0.855 is fine, 0.8555 is not)"))
            ),
        )
        self.add(
            key,
            pl.when(matched & ((milli <= 0) | (milli > 1000))).then(
                _msg(_("must be more than 0 and at most 1 (0.85 means 15 percent off)"))
            ),
        )
        whole = milli.cast(pl.Int64, strict=False)
        self.values[out or key] = pl.concat_str(
            [
                (whole // 1000).cast(pl.String),
                pl.lit("."),
                (whole % 1000).cast(pl.String).str.zfill(3),
            ]
        )

    def integer(self, key: str, *, minimum: int = 0, maximum: int = 2_147_483_647,
                out: str = "") -> None:  # fmt: skip
        col = self.raw(key).str.replace(r"\.0+$", "")
        number = col.cast(pl.Int64, strict=False)
        self.add(
            key,
            pl.when(col.is_not_null() & number.is_null()).then(_msg(_("is not a whole number"))),
        )
        self.add(
            key,
            pl.when((number < minimum) | (number > maximum)).then(
                _msg(_("must be between %(lo)s and %(hi)s") % {"lo": minimum, "hi": maximum})
            ),
        )
        self.values[out or key] = number

    def choice(self, key: str, choices: type[TextChoices], *, default: str | None = None,
               required: bool = False, out: str = "",
               aliases: dict[str, str] | None = None) -> None:  # fmt: skip
        lookup = {**(aliases or {}), **choice_lookup(choices)}
        col = self.raw(key)
        value = col.str.to_lowercase().replace_strict(lookup, default=None, return_dtype=pl.String)
        valid = ", ".join(v for v in choices.values if v)
        if required:
            self.add(key, pl.when(col.is_null()).then(_msg(_("is required"))))
        self.add(
            key,
            pl.when(col.is_not_null() & value.is_null()).then(
                _msg(_("is not one of: %(choices)s") % {"choices": valid})
            ),
        )
        if default is not None:
            value = pl.when(col.is_null()).then(pl.lit(default)).otherwise(value)
        self.values[out or key] = value

    def boolean(self, key: str, *, default: bool | None = None, out: str = "") -> None:
        col = self.raw(key).str.to_lowercase()
        value = (
            pl.when(col.is_in(TRUE_WORDS))
            .then(pl.lit(True))
            .when(col.is_in(FALSE_WORDS))
            .then(pl.lit(False))
        )
        self.add(
            key,
            pl.when(col.is_not_null() & value.is_null()).then(_msg(_("is not yes or no"))),
        )
        if default is not None:
            value = pl.when(col.is_null()).then(pl.lit(default)).otherwise(value)
        self.values[out or key] = value

    def date(self, key: str, *, out: str = "") -> None:
        col = self.raw(key)
        norm = day_expr(col).str.replace_all("/", "-").str.replace(r"[T ]00:00(:00)?$", "")
        value = norm.str.strptime(pl.Date, "%Y-%m-%d", strict=False)
        self._not_a_date(key, col, value, _("is not a date (use YYYY-MM-DD)"))
        self.values[out or key] = value

    def _not_a_date(self, key: str, col: pl.Expr, value: pl.Expr, message: str) -> None:
        """The error of a cell that is no date: why, when it is 05-03-2024."""
        self.add(
            key,
            pl.when(col.is_not_null() & value.is_null() & ambiguous_day_expr(col))
            .then(_msg(ambiguous_day_message()))
            .when(col.is_not_null() & value.is_null())
            .then(_msg(message)),
        )

    def datetime(self, key: str, *, required: bool = False, out: str = "") -> None:
        """ISO date or date-time; naive values are local time (settings.TIME_ZONE); the result
        is a UTC datetime.

        Formats are tried one after the other on the whole column, and only while some values
        are still unparsed: a file almost always uses one format, so that is a single pass."""
        col = self.raw(key)
        text = self.frame.select(
            day_expr(col)
            .str.replace_all("/", "-", literal=True)
            .str.replace("T", " ", literal=True)
            .str.replace(r"[zZ]$", "+00:00")
            .alias("t")
        )["t"]
        # Fill in missing seconds/time so the common cases need one strptime pass.
        text = (
            pl.select(
                pl.when(pl.lit(text).str.len_chars() <= 10)
                .then(pl.lit(text) + " 00:00:00")
                .when(pl.lit(text).str.len_chars() == 16)
                .then(pl.lit(text) + ":00")
                .otherwise(pl.lit(text))
            )
            .to_series()
            .alias("t")
        )
        wanted = text.is_not_null()
        naive = text.str.strptime(pl.Datetime("us"), "%Y-%m-%d %H:%M:%S", strict=False)
        for fmt in _NAIVE_FORMATS:
            if not (wanted & naive.is_null()).any():
                break
            naive = naive.fill_null(text.str.strptime(pl.Datetime("us"), fmt, strict=False))
        value = naive.dt.replace_time_zone(
            settings.TIME_ZONE, ambiguous="earliest", non_existent="null"
        ).dt.convert_time_zone("UTC")
        for fmt in _AWARE_FORMATS:
            if not (wanted & value.is_null()).any():
                break
            value = value.fill_null(text.str.strptime(pl.Datetime("us", "UTC"), fmt, strict=False))
        if required:
            self.add(key, pl.when(col.is_null()).then(_msg(_("is required"))))
        self._not_a_date(
            key,
            col,
            pl.lit(value),
            _("is not a date or date-time (use YYYY-MM-DD or YYYY-MM-DD HH:MM:SS)"),
        )
        self.values[out or key] = pl.lit(value)

    # -- evaluation --------------------------------------------------------------------------
    def evaluate(self) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Returns (frame with typed columns `v_<key>` added, errors frame)."""
        err_names = [f"_err{i}" for i in range(len(self.checks))]
        # Lazy, so polars computes the sub-expressions the checks share (cleaned text, casts)
        # once per column.
        typed = (
            self.frame.lazy()
            .with_columns(
                *[expr.alias(f"v_{name}") for name, expr in self.values.items()],
                *[expr.alias(n) for (_k, expr), n in zip(self.checks, err_names, strict=True)],
            )
            .collect()
        )
        if not err_names:
            return typed, pl.DataFrame(schema=ERROR_SCHEMA)
        # Usually few rows are bad: cut them out once, then gather their messages.
        bad = typed.filter(pl.any_horizontal(pl.col(n).is_not_null() for n in err_names))
        errors = collect_errors(
            bad, [(key, n) for (key, _e), n in zip(self.checks, err_names, strict=True)]
        )
        return typed.drop(err_names), errors


def _value_of(frame: pl.DataFrame, key: str) -> pl.Expr:
    # Quote the cell as written (the raw column; typed ones are called v_<key>).
    return pl.col(key).cast(pl.String) if key in frame.columns else pl.lit("", dtype=pl.String)


def collect_errors(frame: pl.DataFrame, checks: Iterable[tuple[str, str]]) -> pl.DataFrame:
    """Gather error columns (key, column holding messages) into one errors frame."""
    parts = [
        frame.filter(pl.col(err).is_not_null()).select(
            pl.col(LINE).cast(pl.UInt32).alias("line"),
            pl.lit(key, dtype=pl.String).alias("column"),
            _value_of(frame, key).fill_null("").alias("value"),
            pl.col(err).alias("message"),
        )
        for key, err in checks
    ]
    parts = [p for p in parts if p.height]
    if not parts:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    return pl.concat(parts)


def errors_where(frame: pl.DataFrame, condition: pl.Expr, column: str, message: pl.Expr | str,
                 value: pl.Expr | None = None) -> pl.DataFrame:  # fmt: skip
    """Errors for the rows matching `condition` (message may be an expression per row)."""
    msg = _msg(message) if isinstance(message, str) else message
    return frame.filter(condition).select(
        pl.col(LINE).cast(pl.UInt32).alias("line"),
        pl.lit(column, dtype=pl.String).alias("column"),
        (value if value is not None else _value_of(frame, column)).cast(pl.String).fill_null("")
        .alias("value"),
        msg.alias("message"),
    )  # fmt: skip


def signed_by_kind(
    typed: pl.DataFrame, fields: Iterable[str]
) -> tuple[pl.DataFrame, list[pl.DataFrame]]:
    """A ledger line's numbers by its kind (``v_kind``): a negative amount or quantity must be
    a deliberate refund (the kind column says so), not a typo on a sale; a refund's numbers
    are stored negative whichever sign the file wrote (source systems print a 退款 line with or
    without the minus), and a refund gives back something and has no discount rate.
    Returns the frame and the errors."""
    fields = tuple(fields)
    errors = []
    refund = pl.col("v_kind") == TransactionKind.REFUND
    for name in fields:
        number = pl.col(f"v_{name}").cast(pl.Decimal(14, 2), strict=False)
        errors.append(
            errors_where(
                typed,
                (pl.col("v_kind") == TransactionKind.SALE) & (number < 0),
                name,
                _("is negative on a sale; a refund says so in the kind column (refund, 退款)"),
            )
        )
        typed = typed.with_columns(
            pl.when(refund & (number > 0))
            .then(pl.concat_str([pl.lit("-"), pl.col(f"v_{name}")]))
            .otherwise(pl.col(f"v_{name}"))
            .alias(f"v_{name}")
        )
    both_zero = refund & pl.all_horizontal(
        pl.col(f"v_{n}").cast(pl.Decimal(14, 2), strict=False).fill_null(0) == 0 for n in fields
    )
    errors.append(errors_where(typed, both_zero, "amount", _("a refund gives back money or units")))
    errors.append(
        errors_where(
            typed,
            refund & pl.col("v_discount_rate").is_not_null(),
            "discount_rate",
            _("a refund has no discount rate (its sale has)"),
        )
    )
    return typed, errors


def choice_lookup(choices: type[TextChoices]) -> dict[str, str]:
    """Lower-cased value, English label, Chinese label and the Chinese part in brackets → value."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        if not value:
            continue
        names = [value, value.replace("_", " ")]
        for lang in ("en", "zh-hans"):
            with translation.override(lang):
                text = str(label)
            names.append(text)
            for open_, close in (("(", ")"), ("（", "）")):
                if open_ in text and text.endswith(close):
                    names.append(text[: text.index(open_)].strip())
                    names.append(text[text.index(open_) + 1 : -1].strip())
        for name in names:
            lookup.setdefault(name.strip().lower(), value)
    return lookup
