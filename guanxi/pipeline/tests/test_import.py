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
