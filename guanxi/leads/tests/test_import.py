"""Importing leads from CSV/XLSX: good rows become leads through the services, bad rows are
reported by line and column and written nowhere; a dry run writes nothing."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from guanxi.leads.importer import lead_import
from guanxi.leads.models import Lead, LeadStatus
from tests.support import make_account

CSV = """公司名称,来源,联系人,手机,有购买力,购买力依据,负责人
北京华为技术有限公司,exhibition,王磊,13800138000,是,预算已批,
,website,李娜,,,,
深圳会展中心,不存在的来源,陈静,,,,
上海星辰会展服务有限公司,会展资源,周敏,,yes,,
广州塔文旅,website,林峰,,maybe,,
成都天府会议,website,孙杰,,,,bob
杭州云栖科技,Website,赵强,,,,
"""


def test_good_rows_become_leads_and_bad_rows_are_reported_by_line(cast, sources):
    make_account(owner=cast.alice, name="华为技术有限公司")
    result = lead_import(actor=cast.alice, content=CSV.encode(), file_name="expo.csv")
    assert (result.rows_read, result.created, result.failed) == (7, 2, 5)
    assert result.flagged == 1
    found = {(e.line, e.column) for e in result.errors}
    assert found == {(3, "company"), (4, "source"), (5, "money_evidence"), (6, "money"),
                     (7, "owner")}  # fmt: skip
    lead = Lead.objects.get(company="北京华为技术有限公司")
    assert lead.owner == cast.alice and lead.status == LeadStatus.WORKING
    assert lead.money == "yes" and lead.source == sources["exhibition"]
    assert lead.history.first().history_user == cast.alice
    assert Lead.objects.filter(company="杭州云栖科技", source=sources["website"]).exists()


def test_a_dry_run_writes_nothing(cast, sources):
    result = lead_import(actor=cast.alice, content=CSV.encode(), file_name="expo.csv",
                         dry_run=True)  # fmt: skip
    assert result.created == 2 and not Lead.objects.exists()


def test_a_file_without_the_required_columns_is_rejected(cast, sources):
    result = lead_import(actor=cast.alice, content=b"name,phone\nx,1\n", file_name="x.csv")
    assert result.fatal and not Lead.objects.exists()


def test_xlsx_through_the_admin_page(client, cast, sources):
    book = Workbook()
    sheet = book.active
    sheet.append(["company", "source", "person_name"])
    sheet.append(["南京金陵饭店", "walk_in", "周敏"])
    sheet.append(["", "walk_in", "空"])
    buf = io.BytesIO()
    book.save(buf)
    client.force_login(cast.lena)
    upload = SimpleUploadedFile("walkins.xlsx", buf.getvalue())
    page = client.post(reverse("admin:leads_lead_import"), {"file": upload}).content.decode()
    assert 'data-created="1"' in page and 'data-line="3" data-column="company"' in page
    lead = Lead.objects.get(company="南京金陵饭店")
    assert lead.owner == cast.lena and lead.team == cast.east


def test_an_export_of_the_selected_leads_imports_again(client, cast, sources):
    lead_import(actor=cast.alice, content=CSV.encode(), file_name="expo.csv")
    client.force_login(cast.alice)
    response = client.post(
        reverse("admin:leads_lead_changelist"),
        {
            "action": "export_as_csv",
            "_selected_action": list(Lead.objects.values_list("pk", flat=True)),
        },
    )
    exported = response.content.decode("utf-8-sig")
    assert response.status_code == 200 and "北京华为技术有限公司" in exported
    Lead.objects.all().delete()
    again = lead_import(actor=cast.alice, content=exported.encode(), file_name="again.csv")
    assert (again.created, again.failed) == (2, 0)
    assert Lead.objects.get(company="北京华为技术有限公司").money == "yes"


def test_a_mistyped_mobile_or_e_mail_is_a_line_error(cast, sources):
    content = (
        "公司名称,来源,手机,邮箱\n"
        "甲公司,website,1380013800x,\n"
        "乙公司,website,,bad-email\n"
        "丙公司,website,+86 138-0013-8000,ok@example.com\n"
    )
    result = lead_import(actor=cast.alice, content=content.encode(), file_name="x.csv")
    assert {(e.line, e.column) for e in result.errors} == {(2, "mobile"), (3, "email")}
    assert list(Lead.objects.values_list("company", flat=True)) == ["丙公司"]


def test_the_columns_say_both_languages_answers_work(client, cast, sources, english):
    client.force_login(cast.alice)
    page = client.get(reverse("admin:leads_lead_import")).content.decode()
    money = page.split("<code>money</code>")[1].split("</tr>")[0]
    assert "yes or no" in money and '<span lang="zh-Hans">是 / 否, 有 / 无</span>' in money
    result = lead_import(actor=cast.alice, file_name="x.csv",
                         content="company,source,money\nA,website,否\nB,website,maybe\n".encode())
    assert (result.created, result.failed) == (1, 1)
    assert result.errors[0].message == "Write yes or no (是 or 否)."
    assert Lead.objects.get(company="A").money == "no"
