"""The fast path for transactions and payments (流水 / 回款): a million rows in seconds.

1. validate every column vectorised (validate.Checks), building per-row messages;
2. map codes → ids with joins against small lookups (accounts the user can see, contacts,
   categories);
3. find the existing (source, external_id) rows in one query and compare them column by column;
4. write new rows (and their simple-history rows) with COPY / executemany and UPDATE only the
   rows that changed, batch by batch, each batch in its own database transaction.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from django.conf import settings
from django.db import DatabaseError, connection, connections, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from guanxi.accounts.selectors import code_rows
from guanxi.contacts.models import Contact
from guanxi.core import bulk
from guanxi.core.formatting import join_words
from guanxi.imports import db
from guanxi.imports.categories import category_lookup
from guanxi.imports.columns import CHOICE_ALIASES, PAYMENTS, TRANSACTIONS, Spec
from guanxi.imports.context import ImportContext, Outcome
from guanxi.imports.reader import LINE
from guanxi.imports.validate import Checks, errors_where, signed_by_kind
from guanxi.transactions.models import (
    Channel,
    Payment,
    PaymentMethod,
    Transaction,
    TransactionKind,
)
from guanxi.transactions.rollups import ledger_rollups_refresh
from guanxi.transactions.selectors import category_key

Job = tuple[str, pl.DataFrame]  # ("+" new | "~" changed, rows)
IN_CHUNK = 900  # codes or ids per `__in` query (SQLite caps the parameters of one query)


@dataclass(frozen=True)
class LedgerKind:
    spec: Spec
    model: type[models.Model]
    time_field: str
    positive_amount: bool
    money_fields: tuple[str, ...]
    int_fields: tuple[str, ...] = ()
    rate_fields: tuple[str, ...] = ()  # shares of list price, 3 places (discount_rate)
    choice_fields: dict[str, tuple[type[models.TextChoices], str]] = field(default_factory=dict)
    text_fields: dict[str, int] = field(default_factory=dict)
    #: Signed by the row's kind: a sale's zero or more, a refund's stored zero or less.
    signed_fields: tuple[str, ...] = ()
    has_contact: bool = False
    has_category: bool = False

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def history_model(self) -> type[models.Model]:
        return self.model.history.model

    @property
    def data_columns(self) -> list[str]:
        """Columns an import sets and compares (everything but id, source, external_id,
        created_at)."""
        cols = ["account_id"]
        if self.has_contact:
            cols.append("contact_id")
        cols.append(self.time_field)
        if self.has_category:
            cols.append("category_id")
        return [*cols, *self.money_fields, *self.rate_fields, *self.int_fields,
                *self.choice_fields, *self.text_fields]  # fmt: skip


TRANSACTION_KIND = LedgerKind(
    spec=TRANSACTIONS,
    model=Transaction,
    time_field="occurred_at",
    positive_amount=False,
    money_fields=("amount", "cost", "quantity"),
    int_fields=("head_count",),
    rate_fields=("discount_rate",),
    choice_fields={
        "channel": (Channel, Channel.DIRECT),
        "kind": (TransactionKind, TransactionKind.SALE),
    },
    text_fields={"description": 200},
    signed_fields=("amount", "quantity"),
    has_contact=True,
    has_category=True,
)

PAYMENT_KIND = LedgerKind(
    spec=PAYMENTS,
    model=Payment,
    time_field="received_at",
    positive_amount=True,
    money_fields=("amount",),
    choice_fields={"method": (PaymentMethod, PaymentMethod.BANK_TRANSFER)},
    text_fields={"reference": 100, "notes": 300},
)


def _fmt(template: str, expr: pl.Expr) -> pl.Expr:
    """A translated message with one %(code)s placeholder filled per row."""
    before, _sep, after = template.partition("%(code)s")
    return pl.concat_str([pl.lit(before), expr.cast(pl.String).fill_null(""), pl.lit(after)])


def _lookup_accounts(ctx: ImportContext, codes: list[str]) -> pl.DataFrame:
    rows: list[tuple[str, int]] = []
    visible = ctx.visible_accounts()
    for chunk in bulk.chunks(codes, IN_CHUNK):
        rows.extend(code_rows(visible, chunk, "id"))
    return pl.DataFrame(
        {"v_account_code": [r[0] for r in rows], "account_id": [r[1] for r in rows]},
        schema={"v_account_code": pl.String, "account_id": pl.Int64},
    )


def _lookup_contacts(codes: list[str]) -> pl.DataFrame:
    rows: list[tuple[str, int, int]] = []
    for chunk in bulk.chunks(codes, IN_CHUNK):
        rows.extend(code_rows(Contact.objects.all(), chunk, "id", "account_id"))
    return pl.DataFrame(
        {
            "v_contact_code": [r[0] for r in rows],
            "contact_id": [r[1] for r in rows],
            "contact_account_id": [r[2] for r in rows],
        },
        schema={"v_contact_code": pl.String, "contact_id": pl.Int64,
                "contact_account_id": pl.Int64},
    )  # fmt: skip


def validate(
    kind: LedgerKind, frame: pl.DataFrame, ctx: ImportContext, out: Outcome
) -> pl.DataFrame:
    """Check every row; return the good rows with DB-ready columns; errors go to `out`."""
    typed = _checked_cells(kind, frame, ctx, out)
    typed = _with_accounts(typed, ctx, out)
    if kind.has_contact:
        typed = _with_contacts(typed, out)
    if kind.has_category:
        typed = _with_categories(typed, out)
    _flag_repeated_keys(typed, out)
    return _good_rows(kind, typed, out)


def _checked_cells(
    kind: LedgerKind, frame: pl.DataFrame, ctx: ImportContext, out: Outcome
) -> pl.DataFrame:
    """Every cell checked against its column's type and limits (vectorised)."""
    c = Checks(frame)
    c.text("source", max_length=30)
    c.values["source"] = pl.coalesce([c.raw("source"), pl.lit(ctx.source)])
    c.text("external_id", max_length=64, required=True)
    c.text("account_code", max_length=40, required=True)
    if kind.has_contact:
        c.text("contact_code", max_length=40)
    c.datetime(kind.time_field, required=True)
    if kind.has_category:
        c.text("category", max_length=50, required=True)
    for name in kind.money_fields:
        required = name == "amount"
        c.money(name, required=required, positive=required and kind.positive_amount,
                signed=name in kind.signed_fields)  # fmt: skip
    for name in kind.rate_fields:
        c.rate(name)
    for name in kind.int_fields:
        c.integer(name)
    for name, (choices, default) in kind.choice_fields.items():
        c.choice(name, choices, default=default, aliases=CHOICE_ALIASES.get(name))
    for name, length in kind.text_fields.items():
        c.text(name, max_length=length)
    typed, errors = c.evaluate()
    out.add_errors(errors)
    if not kind.signed_fields:
        return typed
    typed, sign_errors = signed_by_kind(typed, kind.signed_fields)
    for error in sign_errors:
        out.add_errors(error)
    return typed


def _with_accounts(typed: pl.DataFrame, ctx: ImportContext, out: Outcome) -> pl.DataFrame:
    """Account codes → ids. Only accounts the importing user can see are in the lookup, so a
    hidden account reads exactly like a missing one (never reveal existence)."""
    codes = typed["v_account_code"].drop_nulls().unique().to_list()
    typed = typed.join(_lookup_accounts(ctx, codes), on="v_account_code", how="left")
    out.add_errors(
        errors_where(
            typed,
            pl.col("v_account_code").is_not_null() & pl.col("account_id").is_null(),
            "account_code",
            _fmt(_("account %(code)s not found or not visible to you"), pl.col("v_account_code")),
        )
    )
    return typed


def _with_contacts(typed: pl.DataFrame, out: Outcome) -> pl.DataFrame:
    """Contact codes → ids; the contact must belong to the row's account."""
    codes = typed["v_contact_code"].drop_nulls().unique().to_list()
    typed = typed.join(_lookup_contacts(codes), on="v_contact_code", how="left")
    out.add_errors(
        errors_where(
            typed,
            pl.col("v_contact_code").is_not_null() & pl.col("contact_id").is_null(),
            "contact_code",
            _fmt(_("contact %(code)s not found"), pl.col("v_contact_code")),
        )
    )
    out.add_errors(
        errors_where(
            typed,
            pl.col("contact_id").is_not_null()
            & pl.col("account_id").is_not_null()
            & (pl.col("contact_account_id") != pl.col("account_id")),
            "contact_code",
            _fmt(_("contact %(code)s does not belong to this account"), pl.col("v_contact_code")),
        )
    )
    return typed


def _with_categories(typed: pl.DataFrame, out: Outcome) -> pl.DataFrame:
    """Category codes or names (any case, traditional or simplified) → ids. A file holds a few
    distinct values: each is normalised once, then the column is mapped."""
    lookup, known = category_lookup()
    given = typed.get_column("v_category").drop_nulls().unique().to_list()
    ids = {value: lookup.get(category_key(value)) for value in given}
    typed = typed.with_columns(
        pl.col("v_category")
        .replace_strict(ids, default=None, return_dtype=pl.Int64)
        .alias("category_id")
    )
    out.add_errors(
        errors_where(
            typed,
            pl.col("v_category").is_not_null() & pl.col("category_id").is_null(),
            "category",
            _fmt(
                _("unknown product category '%(code)s'; known: %(known)s").replace(
                    "%(known)s", join_words(known)
                ),
                pl.col("v_category"),
            ),
        )
    )
    return typed


def _flag_repeated_keys(typed: pl.DataFrame, out: Outcome) -> None:
    """The same key twice in one file: the later line is the error."""
    key = pl.struct("v_source", "v_external_id")
    repeated = typed.filter(pl.col("v_external_id").is_not_null() & ~key.is_first_distinct())
    if not repeated.height:
        return
    firsts = (
        typed.filter(pl.col("v_external_id").is_not_null())
        .group_by("v_source", "v_external_id")
        .agg(pl.col(LINE).min().alias("_first"))
    )
    repeated = repeated.join(firsts, on=["v_source", "v_external_id"])
    out.add_errors(
        errors_where(
            repeated,
            pl.lit(True),
            "external_id",
            _fmt(_("repeats the source and external id of line %(code)s"), pl.col("_first")),
        )
    )


def _good_rows(kind: LedgerKind, typed: pl.DataFrame, out: Outcome) -> pl.DataFrame:
    """The lines without any error, with the columns named as in the table."""
    bad = pl.concat([e.select("line") for e in out.errors]) if out.errors else None
    if bad is not None and bad.height:
        typed = typed.filter(~pl.col(LINE).is_in(bad["line"].unique().implode()))
    select = [
        pl.col(LINE),
        pl.col("v_source").alias("source"),
        pl.col("v_external_id").alias("external_id"),
        pl.col("account_id"),
    ]
    if kind.has_contact:
        select.append(pl.col("contact_id"))
    select.append(pl.col(f"v_{kind.time_field}").alias(kind.time_field))
    if kind.has_category:
        select.append(pl.col("category_id"))
    select += [pl.col(f"v_{n}").alias(n) for n in kind.money_fields]
    select += [pl.col(f"v_{n}").alias(n) for n in kind.rate_fields]
    select += [pl.col(f"v_{n}").alias(n) for n in kind.int_fields]
    select += [pl.col(f"v_{n}").alias(n) for n in kind.choice_fields]
    select += [pl.col(f"v_{n}").fill_null("").alias(n) for n in kind.text_fields]
    if kind.model is Transaction:
        # The import names no sale a refund is of (its cap is the API's and the admin's).
        select.append(pl.lit(None, dtype=pl.Int64).alias("refund_of_id"))
    return typed.select(select)


def _existing(kind: LedgerKind, good: pl.DataFrame) -> pl.DataFrame:
    selects = {"id": db.plain_select("id"), "source": db.plain_select("source"),
               "external_id": db.plain_select("external_id"),
               "created_at": db.text_select("created_at")}  # fmt: skip
    schema: dict[str, pl.DataType] = {
        "id": pl.Int64, "source": pl.String, "external_id": pl.String, "created_at": pl.String
    }  # fmt: skip
    for col in kind.data_columns:
        if col == kind.time_field:
            selects[col], schema[col] = db.datetime_select(col), pl.String
        elif col in kind.money_fields:
            selects[col], schema[col] = db.money_select(col), pl.String
        elif col in kind.rate_fields:
            selects[col], schema[col] = db.money_select(col, places=3), pl.String
        elif col.endswith("_id") or col in kind.int_fields:
            selects[col], schema[col] = db.plain_select(col), pl.Int64
        else:
            selects[col], schema[col] = db.plain_select(col), pl.String
    found = bulk.select_by_keys(kind.table, selects, good.select("source", "external_id"), schema)
    return found.with_columns(
        pl.col(kind.time_field)
        .str.strptime(pl.Datetime("us"), db.TIME_FMT, strict=False)
        .dt.replace_time_zone("UTC")
    )


def _history_frame(kind: LedgerKind, rows: pl.DataFrame, ctx: ImportContext, history_type: str,
                   now_text: str) -> pl.DataFrame:  # fmt: skip
    """The simple-history rows for `rows` (already in table-column form)."""
    extra = {
        "history_date": pl.lit(now_text),
        "history_change_reason": pl.lit(ctx.reason),
        "history_type": pl.lit(history_type),
        "history_user_id": pl.lit(ctx.user_id, dtype=pl.Int64),
    }
    exprs = []
    for f in kind.history_model._meta.concrete_fields:
        if f.column == "history_id":
            continue
        if f.column in extra:
            exprs.append(extra[f.column].alias(f.column))
        elif f.column in rows.columns:
            exprs.append(pl.col(f.column))
        else:  # a field added to the model that this importer does not know how to fill
            raise RuntimeError(f"import cannot fill {kind.history_model.__name__}.{f.column}")
    return rows.select(exprs)


def _table_frame(kind: LedgerKind, rows: pl.DataFrame) -> pl.DataFrame:
    cols = []
    for f in kind.model._meta.concrete_fields:
        if f.column not in rows.columns:
            raise RuntimeError(f"import cannot fill {kind.model.__name__}.{f.column}")
        cols.append(f.column)
    return rows.select(cols)


def _to_db(kind: LedgerKind, rows: pl.DataFrame) -> pl.DataFrame:
    """The time as the text the database stores, formatted once for the rows and their history
    rows (insert_frame would format a datetime column of each frame again)."""
    return rows.with_columns(bulk.format_datetime(pl.col(kind.time_field)).alias(kind.time_field))


def import_ledger(kind: LedgerKind, frame: pl.DataFrame, ctx: ImportContext) -> Outcome:
    with bulk.bulk_session():
        return _import_ledger(kind, frame, ctx)


def _import_ledger(kind: LedgerKind, frame: pl.DataFrame, ctx: ImportContext) -> Outcome:
    out = Outcome()
    good = validate(kind, frame, ctx, out)
    existing = _existing(kind, good)
    if existing.height and not ctx.sees_all:
        good, existing = _without_hidden(good, existing, ctx, out)
    new_rows, changed = _new_and_changed(kind, good, existing, out)
    if ctx.dry_run:
        out.created, out.updated = new_rows.height, changed.height
        return out
    _write(kind, new_rows, changed, ctx, out)
    _refresh_rollups(kind, new_rows, changed)
    return out


def _refresh_rollups(kind: LedgerKind, new_rows: pl.DataFrame, changed: pl.DataFrame) -> None:
    """The per-account rollups of every account the import touched (a changed row may have
    moved from one account to another), set-wise from the ledger in one transaction after the
    batches: batches run side by side, and two of them rewriting one account's rollups at once
    would collide. An import killed before this point leaves them stale until the nightly run."""
    if kind.model is not Transaction or not (new_rows.height or changed.height):
        return
    touched = pl.concat(
        [
            new_rows["account_id"].cast(pl.Int64),
            changed["account_id"].cast(pl.Int64),
            changed["old_account_id"].cast(pl.Int64),
        ]
    ).drop_nulls()
    ledger_rollups_refresh(touched.unique().to_list())


def _without_hidden(
    good: pl.DataFrame, existing: pl.DataFrame, ctx: ImportContext, out: Outcome
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A row may only change a record on an account the user can see, whatever the file says:
    the lines that would are errors, and their records are left alone."""
    ids = existing["account_id"].unique().to_list()
    visible: set[int] = set()
    for chunk in bulk.chunks(ids, IN_CHUNK):
        visible.update(ctx.visible_accounts().filter(pk__in=chunk).values_list("id", flat=True))
    hidden = existing.filter(~pl.col("account_id").is_in(list(visible)))
    if not hidden.height:
        return good, existing
    keyed = good.join(hidden.select("source", "external_id"), on=["source", "external_id"])
    out.add_errors(
        errors_where(
            keyed,
            pl.lit(True),
            "external_id",
            _("belongs to a record on an account not visible to you"),
            value=pl.col("external_id"),
        )
    )
    good = good.join(keyed.select(LINE), on=LINE, how="anti")
    return good, existing.join(hidden.select("id"), on="id", how="anti")


def _new_and_changed(
    kind: LedgerKind, good: pl.DataFrame, existing: pl.DataFrame, out: Outcome
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The rows to insert and the rows whose values differ from what is stored; the others are
    counted as unchanged."""
    old = existing.rename({c: f"old_{c}" for c in kind.data_columns})
    merged = good.join(old, on=["source", "external_id"], how="left")
    # Sorted by account and time, each batch lands in a few places of the account indexes
    # (and the history's), instead of all over them.
    new_rows = merged.filter(pl.col("id").is_null()).drop("id").sort("account_id", kind.time_field)
    present = merged.filter(pl.col("id").is_not_null())
    changed_expr = pl.any_horizontal(
        pl.col(c).ne_missing(pl.col(f"old_{c}")) for c in kind.data_columns
    )
    changed = present.filter(changed_expr)
    out.unchanged = present.height - changed.height
    return new_rows, changed


def _write(
    kind: LedgerKind,
    new_rows: pl.DataFrame,
    changed: pl.DataFrame,
    ctx: ImportContext,
    out: Outcome,
) -> None:
    """Insert and update in batches, each its own transaction with its audit rows; a failed
    batch is reported line by line and the others still land."""
    now = timezone.now().astimezone(dt.UTC)
    now_text = pl.select(bulk.format_datetime(pl.lit(now).cast(pl.Datetime("us", "UTC")))).item()
    size = max(1, ctx.batch_size)
    bar = tqdm(
        total=new_rows.height + changed.height,
        disable=not ctx.progress,
        unit=" rows",
        desc=_("Writing"),
        file=sys.stderr,
    )
    history_table = kind.history_model._meta.db_table
    if bulk.is_postgres() and new_rows.height:
        # Reserve every id at once so batches need no lock and can run side by side.
        with transaction.atomic():
            new_rows = new_rows.with_columns(bulk.allocate_ids(kind.table, new_rows.height))

    def write(job: tuple[str, pl.DataFrame]) -> None:
        history_type, batch = job
        with transaction.atomic():
            bulk.relax_durability()
            rows = _to_db(kind, batch)
            if history_type == "+":
                if "id" not in rows.columns:
                    rows = rows.with_columns(bulk.allocate_ids(kind.table, rows.height))
                rows = rows.with_columns(pl.lit(now_text).alias("created_at"))
                bulk.insert_frame(kind.table, _table_frame(kind, rows))
            else:
                bulk.update_frame(kind.table, rows.select("id", *kind.data_columns))
            bulk.insert_frame(
                history_table, _history_frame(kind, rows, ctx, history_type, now_text)
            )

    jobs = [("+", new_rows.slice(i, size)) for i in range(0, new_rows.height, size)]
    jobs += [("~", changed.slice(i, size)) for i in range(0, changed.height, size)]
    for (history_type, batch), exc in run_batches(jobs, write, bar):
        if exc is None:
            if history_type == "+":
                out.created += batch.height
            else:
                out.updated += batch.height
        else:
            _batch_failed(out, batch, exc)
    bar.close()


def _workers() -> int:
    """Parallel writers: PostgreSQL only (SQLite has one writer), and never inside a caller's
    transaction (other connections could not see its rows, and it would not be atomic)."""
    if not bulk.is_postgres() or connection.in_atomic_block:
        return 1
    wanted = getattr(settings, "GUANXI_IMPORT_WORKERS", None) or min(4, os.cpu_count() or 1)
    return max(1, int(wanted))


def run_batches(
    jobs: list[Job], write: Callable[[Job], None], bar: tqdm
) -> list[tuple[Job, Exception | None]]:
    """Run `write(job)` for each batch (each opens its own transaction); return each job with
    the DatabaseError that rolled it back, if any. With several workers each thread uses its
    own database connection, so PostgreSQL works on several batches at once."""
    results: list[tuple[Job, Exception | None]] = []
    lock = threading.Lock()
    pending = list(reversed(jobs))

    def worker() -> None:
        try:
            while True:
                with lock:
                    if not pending:
                        return
                    job = pending.pop()
                try:
                    write(job)
                    exc = None
                except DatabaseError as err:
                    exc = err
                with lock:
                    results.append((job, exc))
                    bar.update(job[1].height)
        finally:
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    workers = min(_workers(), len(jobs))
    if workers <= 1:
        worker()
        return results
    threads = [threading.Thread(target=worker, name=f"import-writer-{i}") for i in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _batch_failed(out: Outcome, batch: pl.DataFrame, exc: Exception) -> None:
    # Rare (a concurrent writer took the same key): the batch rolled back, so say so per row.
    reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    out.add_errors(
        errors_where(
            batch,
            pl.lit(True),
            "external_id",
            _("not saved: the database refused this batch (%(reason)s)") % {"reason": reason},
            value=pl.col("external_id"),
        )
    )
