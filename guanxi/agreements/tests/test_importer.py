"""Importing agreements from a workbook: the sheets, line-numbered errors, all or nothing, dry
run, the same reference again updates; the CLI and the admin page."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import Workbook

from guanxi.agreements.importer import agreement_import
from guanxi.agreements.models import (
    Agreement,
    RebateBracket,
    RebateSchedule,
    RoomBlock,
    VolumeCommitment,
)
from guanxi.agreements.tests.blocks_support import rooms_category
from guanxi.cli import main
from tests.support import make_account

HEAD = ["reference", "name", "type", "account", "covered", "owner", "starts_on", "ends_on",
        "status", "auto_renew", "review_cadence"]  # fmt: skip


def workbook(sheets: dict[str, list[list]]) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def file(cast):
    rooms_category()
    child = make_account(owner=cast.alice, code="SUB1", parent=cast.account)
    cast.account.code = "GRP"
    cast.account.save()
    return {
        "协议": [
            HEAD,
            ["XY-1", "2026年框架协议", "rebate", "GRP", "SUB1", "", "2026-01-01", "2026-12-31",
             "active", "yes", "quarterly"],
            ["XY-2", "经销商大会", "MICE event contract", "GRP", "", "alice", "2026-01-01",
             "2026-06-30", "", "", ""],
        ],
        "commitments": [
            ["reference", "committed", "basis", "categories"],
            ["XY-1", 2000000, "amount", "rooms"],
        ],
        "返点档位": [
            ["reference", "schedule", "from_value", "rate", "method"],
            ["XY-1", "年度返点", 0, 2, "incremental"],
            ["XY-1", "年度返点", 1000000, 3, ""],
            ["XY-1", "年度返点", 3000000, 5, ""],
        ],
        "block nights": [
            ["reference", "block", "night", "rooms", "group_rate", "cutoff_on"],
            ["XY-2", "主会场房间", "2026-05-12", 100, 600, "2026-04-20"],
            ["XY-2", "主会场房间", "2026-05-13", 100, "", ""],
        ],
        "child": child,
    }  # fmt: skip


def _run(cast, file, **kw):
    sheets = {k: v for k, v in file.items() if k != "child"}
    return agreement_import(actor=kw.pop("actor", cast.alice), content=workbook(sheets),
                            file_name="agreements.xlsx", **kw)  # fmt: skip


def test_a_workbook_creates_agreements_with_commitments_and_block_nights(cast, file):
    result = _run(cast, file)
    assert (result.failed, result.created, result.flagged, result.fatal) == (0, 8, 0, "")
    rebate = Agreement.objects.get(reference="XY-1")
    assert rebate.agreement_type.kind == "rebate" and rebate.status == "active"
    assert rebate.auto_renew and rebate.owner == cast.alice
    assert list(rebate.covered_accounts.all()) == [file["child"]]
    assert rebate.history.first().history_user == cast.alice
    (commitment,) = VolumeCommitment.objects.filter(agreement=rebate)
    assert commitment.committed == Decimal(2_000_000)
    assert [c.code for c in commitment.categories.all()] == ["rooms"]
    (schedule,) = rebate.rebate_schedules.all()
    assert schedule.method == "incremental" and schedule.name == "年度返点"
    assert list(schedule.brackets.values_list("from_value", "rate")) == [
        (0, 2), (1_000_000, 3), (3_000_000, 5)
    ]  # fmt: skip
    block = RoomBlock.objects.get(agreement__reference="XY-2")
    assert dict(block.nights.values_list("night", "rooms")) == {
        dt.date(2026, 5, 12): 100, dt.date(2026, 5, 13): 100
    }  # fmt: skip


def test_the_same_reference_again_updates_and_its_sheet_rows_replace(cast, file):
    _run(cast, file)
    file["协议"][1][1] = "2026年框架协议（修订）"
    file["commitments"][1][1] = 2500000
    file["block nights"] = file["block nights"][:2]
    file["返点档位"] = file["返点档位"][:3]
    result = _run(cast, file)
    assert result.failed == 0 and result.flagged == 2
    assert Agreement.objects.filter(reference="XY-1").count() == 1
    assert Agreement.objects.get(reference="XY-1").name == "2026年框架协议（修订）"
    assert list(VolumeCommitment.objects.values_list("committed", flat=True)) == [2_500_000]
    assert RoomBlock.objects.get().nights.count() == 1
    assert RebateBracket.objects.count() == 2 and RebateSchedule.objects.count() == 1


def test_an_import_that_changes_an_active_agreement_writes_one_amendment(cast, file):
    _run(cast, file)
    active = Agreement.objects.get(reference="XY-1")
    assert active.status == "active" and not active.amendments.exists()
    _run(cast, file)  # the same file again changes nothing: no amendment
    assert not active.amendments.exists()
    file["协议"][1][1] = "2026年框架协议（修订）"
    file["commitments"][1][1] = 2500000
    _run(cast, file)
    amendment = active.amendments.get()
    assert amendment.made_by == cast.alice and amendment.version == 1
    assert amendment.changes["name"] == ["2026年框架协议", "2026年框架协议（修订）"]
    before, after = amendment.changes["commitments"]
    assert [c["committed"] for c in before] == ["2000000"]
    assert [c["committed"] for c in after] == ["2500000"]
    draft = Agreement.objects.get(reference="XY-2")
    assert not draft.amendments.exists()  # a draft changes freely


def test_one_bad_row_writes_nothing_and_each_bad_row_is_reported_by_sheet_and_line(cast, file):
    file["协议"][2][3] = "NOPE"  # line 3: an unknown account
    file["commitments"][1][1] = "lots"  # line 2 of the commitments
    result = _run(cast, file)
    assert result.failed >= 2 and not Agreement.objects.exists()
    assert not VolumeCommitment.objects.exists()
    where = {(e.line, e.column) for e in result.errors}
    assert (3, "协议: account") in where and (2, "commitments: committed") in where


def test_a_dry_run_checks_and_writes_nothing(cast, file):
    result = _run(cast, file, dry_run=True)
    assert result.failed == 0 and result.created == 8 and result.dry_run
    assert not Agreement.objects.exists()


def test_an_account_out_of_sight_or_a_reference_taken_out_of_sight_is_refused(cast, file):
    _run(cast, file)
    result = _run(cast, file, actor=cast.charlie)
    assert [e.line for e in result.errors if e.column == "协议: account"] == [2, 3]
    file["协议"][1][3:5] = [cast.west_account.code, ""]  # charlie's own account, alice's ref
    result = _run(cast, {"协议": file["协议"][:2]}, actor=cast.charlie)
    assert [(e.line, e.column) for e in result.errors] == [(2, "协议: reference")]
    assert Agreement.objects.get(reference="XY-1").account == cast.account


def test_a_subsidiary_not_under_the_account_is_refused(cast, file):
    make_account(owner=cast.alice, code="OTHER")
    file["协议"][1][4] = "OTHER"
    result = _run(cast, file)
    assert (result.errors[0].line, result.errors[0].column) == (2, "协议: covered")
    assert not Agreement.objects.exists()


def test_a_workbook_without_an_agreements_sheet_is_rejected(cast):
    result = agreement_import(actor=cast.alice, content=workbook({"x": [["a"], [1]]}),
                              file_name="a.xlsx")  # fmt: skip
    assert "agreements" in result.fatal and not result.rows_read


def test_the_cli_imports_as_the_named_user(cast, file, tmp_path, capsys):
    path = tmp_path / "agreements.xlsx"
    path.write_bytes(workbook({k: v for k, v in file.items() if k != "child"}))
    assert main(["import", "agreements", str(path), "--user", "alice", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "rows would be written: " in out and "dry run" in out
    assert not Agreement.objects.exists()
    assert main(["import", "agreements", str(path), "--user", "alice"]) == 0
    assert Agreement.objects.count() == 2


def test_the_admin_page_imports_a_workbook(cast, file, client):
    client.force_login(cast.alice)
    url = "/admin/agreements/agreement/import/"
    assert client.get(url).status_code == 200
    upload = io.BytesIO(workbook({k: v for k, v in file.items() if k != "child"}))
    upload.name = "agreements.xlsx"
    r = client.post(url, {"file": upload, "dry_run": ""})
    assert r.status_code == 200 and b'data-failed="0"' in r.content
    assert Agreement.objects.count() == 2
