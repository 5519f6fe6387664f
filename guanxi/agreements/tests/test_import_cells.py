"""Agreement workbooks as people keep them: dates and amounts written the Chinese way, and
full-width digits, read by the rules every importer shares (`imports.cells`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from guanxi.agreements.importer import agreement_import
from guanxi.agreements.models import Agreement, VolumeCommitment
from guanxi.agreements.tests.blocks_support import rooms_category
from guanxi.agreements.tests.test_importer import HEAD, workbook
from guanxi.imports.cells import ambiguous_day_sentence


def test_chinese_dates_and_amounts_in_yuan_are_read(cast):
    rooms_category()
    sheets = {
        "协议": [
            ["2026 年度协议登记表"],  # a title row above the header
            HEAD,
            ["XY-9", "框架协议", "rebate", cast.account.code, "", "", "2026年1月1日",
             "２０２６．１２．３１", "active", "是", "quarterly"],
        ],
        "commitments": [
            ["reference", "committed", "basis", "categories"],
            ["XY-9", "２，０００，０００元", "amount", "rooms"],
        ],
    }  # fmt: skip
    result = agreement_import(actor=cast.alice, content=workbook(sheets), file_name="a.xlsx")
    assert (result.failed, result.fatal) == (0, ""), result.errors
    agreement = Agreement.objects.get(reference="XY-9")
    assert (agreement.starts_on, agreement.ends_on) == (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    (commitment,) = VolumeCommitment.objects.filter(agreement=agreement)
    assert commitment.committed == Decimal(2_000_000)


def test_an_ambiguous_day_is_refused_with_the_reason_and_nothing_written(cast):
    sheets = {"协议": [HEAD, ["XY-8", "框架协议", "rebate", cast.account.code, "", "",
                              "01-02-2026", "2026-12-31", "active", "", ""]]}  # fmt: skip
    result = agreement_import(actor=cast.alice, content=workbook(sheets), file_name="a.xlsx")
    [error] = result.errors
    assert error.line == 2 and error.message == ambiguous_day_sentence()
    assert not Agreement.objects.filter(reference="XY-8").exists()
