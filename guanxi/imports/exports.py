"""Export accounts, contacts, transactions and payments in the import format (same English
column keys), so an export can be edited and imported again.

The caller passes a queryset already limited by the access rule (accounts.selectors); nothing
here widens it: rows are only ever read from that queryset.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Model, QuerySet
from django.http import HttpResponse
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.imports.columns import SPECS, Spec
from guanxi.transactions.models import Payment, Transaction

MODEL_KINDS: dict[type[Model], str] = {
    Account: "accounts",
    Contact: "contacts",
    Transaction: "transactions",
    Payment: "payments",
}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
NUMERIC_COLUMNS = frozenset(
    {"amount", "cost", "quantity", "annual_sales", "head_count", "discount_rate", "probability"}
)


def kind_for_model(model: type[Model]) -> str:
    try:
        return MODEL_KINDS[model]
    except KeyError:
        raise ValueError(f"{model.__name__} cannot be exported") from None


def _money(value: Any) -> str:
    return "" if value is None else f"{value:.2f}"


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _local(value: Any) -> str:
    # Local time with its offset: unambiguous, and what a user in China expects to read.
    return timezone.localtime(value).isoformat(sep=" ") if value else ""


def _bool(value: bool) -> str:
    return "yes" if value else "no"


def _account_rows(qs: QuerySet) -> Iterator[dict[str, Any]]:
    qs = qs.select_related("parent", "owner", "team").prefetch_related("tags")
    for a in qs.order_by("code"):
        yield {
            "code": a.code, "name": a.name, "account_type": a.account_type, "kind": a.kind,
            "short_name": a.short_name, "english_name": a.english_name, "status": a.status,
            "organisation_form": a.organisation_form, "industry": a.industry,
            "enterprise_nature": a.enterprise_nature, "scale": a.scale,
            "province": a.province, "city": a.city, "address": a.address, "website": a.website,
            "phone": a.phone, "credit_rating": a.credit_rating,
            "annual_sales": _money(a.annual_sales), "attitude": a.attitude,
            "customer_since": _date(a.customer_since),
            "parent_code": a.parent.code if a.parent else "",
            "owner": a.owner.username, "team": a.team.name if a.team else "",
            "tags": ", ".join(sorted(t.name for t in a.tags.all())), "notes": a.notes,
        }  # fmt: skip


def _contact_rows(qs: QuerySet) -> Iterator[dict[str, Any]]:
    for c in qs.select_related("account").order_by("code"):
        yield {
            "code": c.code, "account_code": c.account.code, "name": c.name,
            "english_name": c.english_name, "nickname": c.nickname, "gender": c.gender,
            "birthday": _date(c.birthday), "title": c.title, "department": c.department,
            "mobile": c.mobile, "phone": c.phone, "email": c.email, "wechat": c.wechat,
            "is_primary": _bool(c.is_primary), "is_active": _bool(c.is_active), "notes": c.notes,
        }  # fmt: skip


def _transaction_rows(qs: QuerySet) -> Iterator[dict[str, Any]]:
    qs = qs.select_related("account", "contact", "category").order_by("source", "external_id", "id")
    for t in qs.iterator(chunk_size=5000):
        yield {
            "source": t.source, "external_id": t.external_id, "account_code": t.account.code,
            "contact_code": t.contact.code if t.contact else "",
            "occurred_at": _local(t.occurred_at), "category": t.category.code,
            "amount": _money(t.amount), "cost": _money(t.cost),
            "head_count": "" if t.head_count is None else t.head_count,
            "quantity": _money(t.quantity), "channel": t.channel,
            "discount_rate": "" if t.discount_rate is None else f"{t.discount_rate:.3f}",
            "description": t.description,
        }  # fmt: skip


def _payment_rows(qs: QuerySet) -> Iterator[dict[str, Any]]:
    qs = qs.select_related("account").order_by("source", "external_id", "id")
    for p in qs.iterator(chunk_size=5000):
        yield {
            "source": p.source, "external_id": p.external_id, "account_code": p.account.code,
            "received_at": _local(p.received_at), "amount": _money(p.amount),
            "method": p.method, "reference": p.reference, "notes": p.notes,
        }  # fmt: skip


ROWS: dict[str, Callable[[QuerySet], Iterator[dict[str, Any]]]] = {
    "accounts": _account_rows,
    "contacts": _contact_rows,
    "transactions": _transaction_rows,
    "payments": _payment_rows,
}


def export_queryset(kind: str, queryset: QuerySet, fmt: str = "csv") -> HttpResponse:
    """An attachment with every row of `queryset` in the import format ("csv" or "xlsx")."""
    if kind not in ROWS:
        raise ValueError(f"unknown export kind {kind!r}")
    return export_table(SPECS[kind], ROWS[kind](queryset), fmt)


def export_table(spec: Spec, rows: Iterable[dict[str, Any]], fmt: str = "csv") -> HttpResponse:
    """An attachment with ``rows`` (dicts by column key) under ``spec``'s columns: the import
    format of any kind, those of `imports` and those the apps above bring (leads, deals)."""
    kind, keys = spec.kind, spec.keys
    rows = ([row.get(k, "") for k in keys] for row in rows)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"guanxi-{kind}-{stamp}.{fmt}"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(keys)
        writer.writerows(rows)
        # A BOM so Excel on Chinese Windows opens UTF-8 correctly; the importer accepts it.
        response = HttpResponse("\ufeff" + buf.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        # deferred: openpyxl costs start-up time on every page load; only an Excel export needs it
        from openpyxl import Workbook

        # A spreadsheet is for people: headers in the UI's language (the importer reads them in
        # either language) and amounts as numbers Excel can sum. CSV keeps the plain keys.
        labels = {c.key: str(c.label) for c in spec.columns}
        numeric = [i for i, k in enumerate(keys) if k in NUMERIC_COLUMNS]
        book = Workbook(write_only=True)
        sheet = book.create_sheet(kind)
        sheet.append([labels[k] for k in keys])
        for row in rows:
            for i in numeric:
                if row[i] not in ("", None):
                    row[i] = Decimal(str(row[i]))
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(), content_type=XLSX_TYPE)
    else:
        raise ValueError(f"unknown export format {fmt!r}")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["X-Guanxi-Time-Zone"] = settings.TIME_ZONE
    return response
