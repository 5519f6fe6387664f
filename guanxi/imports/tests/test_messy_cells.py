"""Cells as people type them: full-width digits, Chinese and dotted dates, Excel serial numbers,
amounts in 元 or CNY; the one rule set gives the same answer vectorised and one cell at a time."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from django.utils import translation

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.imports.cells import NotADay, day_expr, day_text, number_expr, number_text, parse_day
from guanxi.imports.tests.helpers import csv_bytes, messages, run, xlsx_bytes
from guanxi.transactions.models import Transaction

SH = ZoneInfo("Asia/Shanghai")
HEAD = ["external_id", "account_code", "occurred_at", "category", "amount", "head_count"]
DAYS = {
    "2024年3月5日": "2024-03-05",
    "2024年3月5日 12:05": "2024-03-05 12:05",
    "2024.3.12": "2024-03-12",
    "20240312": "2024-03-12",
    "45356": "2024-03-05",
    "45356.5": "2024-03-05 12:00",
    "２０２４－０３－０５": "2024-03-05",
    "2024/3/5 12:05": "2024-03-05 12:05",
}


@pytest.mark.parametrize("name", ["transactions.csv", "transactions.xlsx"])
def test_full_width_digits_and_amounts_in_yuan_are_read(cast, name):
    code = cast.account.code
    rows = [HEAD,
            ["F1", code, "2024-05-01", "fnb", "１２３４", "２０"],
            ["F2", code, "2024-05-01", "fnb", "１２８０．００", ""],
            ["F3", code, "2024-05-01", "fnb", "1234元", ""],
            ["F4", code, "2024-05-01", "fnb", "1234.00 CNY", ""],
            ["Ｆ５", code, "2024-05-01", "ｆｎｂ", "￥１，２３４．５０", ""]]  # fmt: skip
    content = xlsx_bytes(rows) if name.endswith("xlsx") else csv_bytes(rows)
    report = run("transactions", content, user=cast.alice, name=name)
    assert report.ok, report.describe()
    amounts = dict(Transaction.objects.values_list("external_id", "amount"))
    assert amounts == {"F1": Decimal("1234.00"), "F2": Decimal("1280.00"),
                       "F3": Decimal("1234.00"), "F4": Decimal("1234.00"),
                       "F5": Decimal("1234.50")}  # fmt: skip
    assert Transaction.objects.get(external_id="F1").head_count == 20


@pytest.mark.parametrize("name", ["transactions.csv", "transactions.xlsx"])
def test_dates_people_write_are_read_and_day_month_order_is_refused(cast, name):
    code = cast.account.code
    rows = [HEAD] + [[f"D{i}", code, text, "fnb", "1", ""] for i, text in enumerate(DAYS)]
    rows.append(["BAD", code, "05-03-2024", "fnb", "1", ""])
    content = xlsx_bytes(rows) if name.endswith("xlsx") else csv_bytes(rows)
    report = run("transactions", content, user=cast.alice, name=name)
    assert report.created == len(DAYS), report.describe()
    [message] = messages(report)[len(DAYS) + 2]
    assert message.startswith("occurred_at: the order of day and month is ambiguous")
    for i, iso in enumerate(DAYS.values()):
        moment = dt.datetime.fromisoformat(iso).replace(tzinfo=SH)
        assert Transaction.objects.get(external_id=f"D{i}").occurred_at == moment, iso


def test_contacts_full_width_mobile_is_stored_half_width_and_names_as_typed(cast):
    rows = [["code", "account_code", "name", "mobile", "birthday", "is_primary"],
            ["C１", cast.account.code, "王芳（前台）", "１３８００１３８０００", "1980年5月12日",
             "是"]]  # fmt: skip
    report = run("contacts", rows, user=cast.alice)
    assert report.ok, report.describe()
    contact = Contact.objects.get(code="C1")
    assert contact.mobile == "13800138000" and contact.name == "王芳（前台）"
    assert contact.birthday == dt.date(1980, 5, 12)


def test_accounts_read_chinese_dates_amounts_and_keep_full_width_names(cast):
    rows = [["code", "name", "account_type", "annual_sales", "customer_since"],
            ["Ａ９", "华东会展（上海）有限公司", "mice", "RMB １，０００，０００元", "20210301"],
            ["A10", "乙公司", "mice", "", "05-03-2021"]]  # fmt: skip
    report = run("accounts", rows, user=cast.alice)
    account = Account.objects.get(code="A9")
    assert account.name == "华东会展（上海）有限公司"
    assert account.annual_sales == Decimal("1000000.00")
    assert account.customer_since == dt.date(2021, 3, 1)
    [message] = messages(report)[3]
    assert message.startswith("customer_since: the order of day and month is ambiguous")


def test_an_unknown_category_lists_the_known_ones_with_their_chinese_names(cast):
    rows = [HEAD, ["K1", cast.account.code, "2024-05-01", "spa", "1", ""]]
    report = run("transactions", rows, user=cast.alice)
    [message] = messages(report)[2]
    assert message.startswith("category: unknown product category 'spa'; known: ")
    assert "rooms (客房)" in message and "fnb (餐饮)" in message
    with translation.override("zh-hans"):
        report = run("transactions", rows, user=cast.alice)
    [error] = report.errors
    assert "客房、" in error.message and "rooms" not in error.message
    assert "spa" in error.message and "unknown" not in error.message


def test_cell_rules_agree_one_at_a_time_and_vectorised():
    cells = [*DAYS, "05-03-2024", "15.3.2025", "12345", "abc"]
    # read_table makes every cell half-width before the rules see it
    half = pl.Series(cells).str.normalize("NFKC").to_frame("c")
    vectorised = half.select(day_expr(pl.col("c")))
    assert vectorised.to_series().to_list() == [day_text(c) for c in cells]
    amounts = ["1234元", "1234.00 CNY", "RMB 3,000.00", "￥1,234.00", "1，234.00"]
    frame = pl.Series(amounts).to_frame("c").select(number_expr(pl.col("c")))
    assert frame.to_series().to_list() == [number_text(a) for a in amounts]
    assert parse_day("2024年3月5日") == dt.date(2024, 3, 5)
    assert parse_day("45356") == dt.date(2024, 3, 5)
    with pytest.raises(NotADay, match="ambiguous"):
        parse_day("05-03-2024")
    with pytest.raises(NotADay, match="Not a date"):
        parse_day("2024-02-30")
