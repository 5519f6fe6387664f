"""Importing opportunities from CSV/XLSX: each good row is a deal made by the service (stage log,
access rule, audit), each bad row is reported by line and column; the admin page and the
command line run the same import."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from guanxi.commands import data
from guanxi.pipeline.importer import opportunity_import
from guanxi.pipeline.models import Opportunity, Outcome, StageChange
from tests.support import make_account

CSV = """客户编号,商机名称,预计成交日期,阶段,类型,金额,负责人,输单原因,关闭日期,来源
A1,2027年经销商大会,2027-03-31,propose,mice,180000,,,,referral
A1,年度协议价,2027/01/15,Propose,corporate_rate,"60000",,,,
A1,丢了的年会,2026-05-01,lost,banquet,90000,,price,2026-05-02,
A1,没有原因的输单,2026-05-01,lost,banquet,90000,,,2026-05-02,
B2,别人的客户,2027-03-31,propose,mice,1000,,,,
A1,日期错了,2027-02-30,propose,mice,1000,,,,
A1,类型错了,2027-02-01,propose,cruise,1000,,,,
A1,阶段错了,2027-02-01,不存在,mice,1000,,,,
"""


def _accounts(cast):
    make_account(owner=cast.alice, code="A1", name="华东会展")
    make_account(owner=cast.bob, code="B2", name="别人的")


def test_good_rows_become_deals_with_their_stage_log_and_bad_rows_are_reported(cast):
    _accounts(cast)
    result = opportunity_import(actor=cast.alice, content=CSV.encode(), file_name="deals.csv")
    assert (result.rows_read, result.created, result.failed) == (8, 3, 5)
    found = {(e.line, e.column) for e in result.errors}
    assert found == {(5, "lost_reason"), (6, "account"), (7, "expected_close"), (8, "type"),
                     (9, "stage")}  # fmt: skip
    deal = Opportunity.objects.get(name="2027年经销商大会")
    assert deal.owner == cast.alice and deal.stage.builtin == "propose"
    assert deal.expected_close == dt.date(2027, 3, 31) and deal.source.builtin == "referral"
    assert StageChange.objects.filter(opportunity=deal, from_stage=None).count() == 1
    assert deal.history.first().history_user == cast.alice
    by_label = Opportunity.objects.get(name="年度协议价")  # a stage named by its label
    assert by_label.stage.builtin == "propose" and by_label.amount == 60000
    lost = Opportunity.objects.get(name="丢了的年会")
    assert lost.outcome == Outcome.LOST and lost.lost_reason.builtin == "price"


def test_a_dry_run_writes_nothing(cast):
    _accounts(cast)
    result = opportunity_import(actor=cast.alice, content=CSV.encode(), file_name="d.csv",
                                dry_run=True)  # fmt: skip
    assert result.created == 3 and not Opportunity.objects.exists()


def test_the_admin_page_imports_and_reports_by_line(client, cast):
    _accounts(cast)
    client.force_login(cast.alice)
    upload = SimpleUploadedFile("deals.csv", CSV.encode())
    response = client.post(reverse("admin:pipeline_opportunity_import"), {"file": upload})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-created="3"' in page and 'data-line="6" data-column="account"' in page
    assert Opportunity.objects.count() == 3


def test_the_command_line_names_each_bad_line(cast, tmp_path, capsys):
    _accounts(cast)
    path = tmp_path / "deals.csv"
    path.write_text(CSV, encoding="utf-8")
    args = SimpleNamespace(kind="opportunities", file=str(path), user="alice", dry_run=False)
    assert data._import_rows(args) == 1  # some rows failed
    assert Opportunity.objects.count() == 3
    assert "line 6, account" in capsys.readouterr().out
    args.user = None
    assert data._import_rows(args) == 2  # who imports must be named


def test_an_export_of_the_selected_deals_imports_again(client, cast):
    _accounts(cast)
    opportunity_import(actor=cast.alice, content=CSV.encode(), file_name="deals.csv")
    theirs = opportunity_import(
        actor=cast.bob, content=b"account,name,expected_close\nB2,bob's,2027-01-01\n",
        file_name="b.csv",
    )  # fmt: skip
    assert theirs.created == 1
    client.force_login(cast.alice)
    every = list(Opportunity.objects.values_list("pk", flat=True))
    response = client.post(
        reverse("admin:pipeline_opportunity_changelist"),
        {"action": "export_as_csv", "_selected_action": every},
    )
    exported = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "2027年经销商大会" in exported
    assert "bob's" not in exported  # out of sight: not exported though its id was posted
    Opportunity.objects.all().delete()
    again = opportunity_import(actor=cast.alice, content=exported.encode(), file_name="x.csv")
    assert (again.created, again.failed) == (3, 0)
    lost = Opportunity.objects.get(name="丢了的年会")
    assert lost.lost_reason.builtin == "price" and lost.closed_on == dt.date(2026, 5, 2)


KEYED = """商机编号,客户编号,商机名称,预计成交日期,阶段,金额
D1,A1,年会,2027-03-31,identify,100000
D2,A1,协议价,2027-01-15,propose,60000
"""
AGAIN = """code,account,name,expected_close,stage,amount,lost_reason,closed_on
D1,A1,年会（扩大）,2027-04-30,negotiate,150000,,
D2,A1,协议价,2027-01-15,lost,60000,,2026-05-02
D3,A1,新的,2027-06-30,,1000,,
D1,A1,年会（扩大）,2027-04-30,negotiate,150000,,
"""


def test_a_deal_code_imported_again_updates_the_deal_and_moves_it_through_the_log(cast):
    _accounts(cast)
    first = opportunity_import(actor=cast.alice, content=KEYED.encode(), file_name="d.csv")
    assert (first.created, first.updated, first.failed) == (2, 0, 0)
    result = opportunity_import(actor=cast.alice, content=AGAIN.encode(), file_name="d.csv")
    # D1 changes and moves; D2 would be lost without a reason: refused by line; D3 is new; the
    # second D1 row finds it as the file says.
    assert (result.created, result.updated, result.unchanged, result.failed) == (1, 1, 1, 1)
    assert [(e.line, e.column) for e in result.errors] == [(3, "lost_reason")]
    assert Opportunity.objects.filter(code="D1").count() == 1
    deal = Opportunity.objects.get(code="D1")
    assert (deal.name, deal.amount, deal.stage.builtin) == ("年会（扩大）", 150000, "negotiate")
    assert deal.expected_close == dt.date(2027, 4, 30)
    assert deal.probability == deal.stage.probability  # a move is a new estimate
    log = list(StageChange.objects.filter(opportunity=deal).order_by("changed_at", "id"))
    assert [(c.from_stage and c.from_stage.builtin, c.to_stage.builtin) for c in log] == [
        (None, "identify"), ("identify", "negotiate")]  # fmt: skip
    assert log[-1].actor == cast.alice and deal.history.first().history_user == cast.alice
    assert Opportunity.objects.get(code="D2").stage.builtin == "propose"  # its row wrote nothing
    assert Opportunity.objects.count() == 3


def test_a_reimport_closes_reopens_and_refuses_a_code_out_of_sight(cast):
    _accounts(cast)
    opportunity_import(actor=cast.alice, content=KEYED.encode(), file_name="d.csv")
    opportunity_import(actor=cast.bob, content=b"code,account,name,expected_close\n"
                       b"B9,B2,bob's,2027-01-01\n", file_name="b.csv")  # fmt: skip
    lost = ("code,account,name,expected_close,stage,lost_reason,closed_on\n"
            "D2,A1,协议价,2027-01-15,lost,price,2026-05-02\n"
            "B9,A1,taken,2027-01-01,,,\n")  # fmt: skip
    result = opportunity_import(actor=cast.alice, content=lost.encode(), file_name="l.csv")
    assert (result.updated, result.failed) == (1, 1)
    assert [(e.line, e.column) for e in result.errors] == [(3, "code")]
    deal = Opportunity.objects.get(code="D2")
    assert deal.outcome == Outcome.LOST and deal.closed_on == dt.date(2026, 5, 2)
    assert deal.lost_reason.builtin == "price"
    reopen = "code,account,name,expected_close,stage\nD2,A1,协议价,2027-01-15,propose\n"
    again = opportunity_import(actor=cast.alice, content=reopen.encode(), file_name="r.csv")
    assert again.updated == 1
    deal.refresh_from_db()
    assert deal.outcome == Outcome.OPEN and deal.closed_on is None and deal.lost_reason is None
    assert Opportunity.objects.get(code="B9").name == "bob's"


def test_a_dry_run_of_a_reimport_says_what_would_be_updated(client, cast, english):
    _accounts(cast)
    opportunity_import(actor=cast.alice, content=KEYED.encode(), file_name="d.csv")
    client.force_login(cast.alice)
    upload = SimpleUploadedFile("again.csv", AGAIN.encode())
    response = client.post(reverse("admin:pipeline_opportunity_import"),
                           {"file": upload, "dry_run": "on"})  # fmt: skip
    page = response.content.decode()
    assert 'data-created="1" data-updated="1" data-unchanged="1" data-failed="1"' in page
    assert "would be updated" in page and 'data-line="3" data-column="lost_reason"' in page
    assert Opportunity.objects.get(code="D1").stage.builtin == "identify"  # nothing written
    assert not Opportunity.objects.filter(code="D3").exists()
