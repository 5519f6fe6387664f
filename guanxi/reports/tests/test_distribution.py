"""The customer distribution page: the tables add up to the total (blanks a row of their own),
revenue from the rollups, the access rule and the team filter, rows opening the account list,
a chosen range of months, the XLSX file and bad filters."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from guanxi.accounts.models import Industry, Scale
from guanxi.loyalty.tests.support import make_run, make_score
from guanxi.reports.selectors import Period, distribution
from guanxi.tiers.models import AccountTier, Tier, TierScheme
from tests.support import make_account, make_transaction

pytestmark = pytest.mark.django_db


def _table(report, code):
    return next(t for t in report.tables if t.code == code)


def _row(table, key):
    return next(r for r in table.rows if r.key == key)


@pytest.fixture
def base(cast):
    cast.account.industry = Industry.FINANCE
    cast.account.province = "上海"
    cast.account.scale = Scale.LARGE
    cast.account.save()
    cast.blank = make_account(owner=cast.alice, province="")  # nothing set
    cast.bank = make_account(owner=cast.bob, industry=Industry.FINANCE, province="北京")
    make_transaction(account=cast.account, amount="1000.00")
    make_transaction(account=cast.blank, amount="250.00")
    make_transaction(account=cast.west_account, amount="4000.00")
    return cast


def test_every_table_adds_up_to_the_total_with_a_row_for_blanks(base):
    report = distribution(base.mia, today=timezone.localdate())
    assert report.total == 4 and report.revenue_12m == Decimal("5250.00")
    for table in report.tables:
        assert table.accounts == 4, table.code
        assert table.revenue_12m == Decimal("5250.00"), table.code
    industry = _table(report, "industry")
    assert _row(industry, Industry.FINANCE).accounts == 2
    assert _row(industry, Industry.FINANCE).revenue_12m == Decimal("1000.00")
    unknown = industry.rows[-1]
    assert unknown.key == "" and unknown.accounts == 2
    assert unknown.revenue_12m == Decimal("4250.00")
    province = _table(report, "province")
    assert [r.key for r in province.rows] == ["上海", "北京", ""]  # ranked, blanks last
    assert report.revenue_period == Decimal("5250.00")  # this year (bought today)


def test_value_classes_count_the_latest_run_and_the_unscored(base):
    make_score(make_run(timezone.localdate()), base.account)  # class A
    abc = _table(distribution(base.mia, today=timezone.localdate()), "abc")
    assert _row(abc, "A").accounts == 1 and _row(abc, "A").revenue_12m == Decimal("1000.00")
    assert abc.rows[-1].key == "" and abc.rows[-1].accounts == 3
    assert abc.accounts == 4


def test_a_kam_counts_only_their_accounts_and_a_manager_one_team(base):
    mine = distribution(base.alice, today=timezone.localdate())
    assert mine.total == 2 and mine.revenue_12m == Decimal("1250.00")
    west = distribution(base.mia, today=timezone.localdate(), team_id=base.west.pk)
    assert west.total == 1 and west.revenue_12m == Decimal("4000.00")
    lena_east = distribution(base.lena, today=timezone.localdate(), team_id=base.east.pk)
    assert lena_east.total == 3


def test_a_chosen_range_of_months_reads_the_month_rollups(base):
    today = timezone.localdate()
    old = timezone.now() - dt.timedelta(days=400)
    make_transaction(account=base.bank, amount="70.00", when=old)
    month = old.date().replace(day=1)
    report = distribution(
        base.mia, today=today, period=Period(start=month, end=month + dt.timedelta(days=40))
    )
    industry = _table(report, "industry")
    assert _row(industry, Industry.FINANCE).revenue_period == Decimal("70.00")
    assert industry.revenue_period == Decimal("70.00")
    assert _row(industry, Industry.FINANCE).revenue_12m == Decimal("1000.00")
    abc = _table(report, "abc")
    assert abc.revenue_period == Decimal("70.00") and abc.rows[-1].revenue_period == Decimal(
        "70.00"
    )


def test_the_page_shows_the_tables_and_rows_open_the_account_list(client, base):
    client.force_login(base.mia)
    response = client.get(reverse("reports_distribution"))
    assert response.status_code == 200
    text = response.content.decode()
    assert 'data-total="4"' in text and 'data-table="industry"' in text
    assert 'data-table="abc"' in text
    changelist = reverse("admin:accounts_account_changelist")
    blank = client.get(changelist, {"unset": "industry"})
    assert blank.status_code == 200
    ids = {a.pk for a in blank.context["cl"].result_list}
    assert ids == {base.blank.pk, base.west_account.pk}
    province = client.get(changelist, {"unset": "province"})
    assert {a.pk for a in province.context["cl"].result_list} == {
        base.blank.pk, base.west_account.pk,
    }  # fmt: skip
    finance = client.get(changelist, {"industry__exact": "finance", "province": "北京"})
    assert [a.pk for a in finance.context["cl"].result_list] == [base.bank.pk]
    team = client.get(reverse("reports_distribution"), {"team": base.west.pk})
    assert 'data-total="1"' in team.content.decode()
    assert f"team__id__exact={base.west.pk}" in team.content.decode()


def test_the_page_for_a_kam_lists_only_their_teams(client, base):
    client.force_login(base.alice)
    response = client.get(reverse("reports_distribution"), {"team": base.west.pk})
    assert response.status_code == 400  # not a team of hers to choose
    response = client.get(reverse("reports_distribution"))
    assert 'data-total="2"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"start": "2026-13"}, {"start": "2026-01"}, {"start": "2026-05", "end": "2026-01"},
     {"start": "2020-01", "end": "2026-01"}, {"team": "x"}],
)  # fmt: skip
def test_bad_filters_are_a_400_with_a_message(client, base, english, query):
    client.force_login(base.mia)
    response = client.get(reverse("reports_distribution"), query)
    assert response.status_code == 400
    assert response.context["form"].errors
    export = client.get(reverse("reports_distribution_export"), query)
    assert export.status_code == 400 and export.content


def test_every_table_exports_as_a_sheet_with_its_total(client, base, english):
    client.force_login(base.mia)
    response = client.get(
        reverse("reports_distribution_export"), {"start": "2026-01", "end": "2026-12"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    report = distribution(base.mia, today=timezone.localdate())
    assert len(book.sheetnames) == len(report.tables)
    sheet = book[book.sheetnames[0]]  # industry
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][4] == "Revenue, 2026-01 to 2026-12"
    assert len(rows) == 1 + len(_table(report, "industry").rows) + 1
    assert rows[-1][0] == "Total" and rows[-1][1] == 4 and rows[-1][3] == 5250.0
    assert sum(r[1] for r in rows[1:-1]) == 4


def test_each_active_tier_scheme_is_a_table_with_the_untiered_apart(base):
    scheme = TierScheme.objects.create(code="gold", name="金卡方案", name_en="Gold scheme")
    gold = Tier.objects.create(scheme=scheme, code="gold", name="金卡", rank=1)
    silver = Tier.objects.create(scheme=scheme, code="silver", name="银卡", rank=2)
    AccountTier.objects.create(account=base.account, scheme=scheme, tier=gold)
    TierScheme.objects.create(code="off", name="停用", is_active=False)
    report = distribution(base.mia, today=timezone.localdate())
    assert [t.code for t in report.tables if t.code.startswith("tier-")] == ["tier-gold"]
    table = _table(report, "tier-gold")
    assert [(r.key, r.accounts) for r in table.rows] == [
        (str(gold.pk), 1), (str(silver.pk), 0), ("", 3),
    ]  # fmt: skip
    assert table.rows[0].revenue_12m == Decimal("1000.00") and table.revenue_12m == Decimal(
        "5250.00"
    )
    assert table.rows[0].filter == {"tier": str(gold.pk)}


def test_the_not_scored_and_no_tier_rows_open_their_accounts(client, base):
    """Every row links to the accounts behind it, the rest rows too: the list filtered to the
    accounts the latest run did not score, and to those without a tier in the scheme."""
    make_score(make_run(timezone.localdate()), base.account)  # class A
    scheme = TierScheme.objects.create(code="gold", name="金卡方案", name_en="Gold scheme")
    gold = Tier.objects.create(scheme=scheme, code="gold", name="金卡", rank=1)
    AccountTier.objects.create(account=base.account, scheme=scheme, tier=gold)
    AccountTier.objects.create(account=base.bank, scheme=scheme, tier=None)  # rules gave none
    other = TierScheme.objects.create(code="other", name="其他", name_en="Other")
    AccountTier.objects.create(
        account=base.blank, scheme=other, tier=Tier.objects.create(scheme=other, code="x", rank=1)
    )
    client.force_login(base.mia)
    response = client.get(reverse("reports_distribution"))
    changelist = reverse("admin:accounts_account_changelist")
    rows = {t["table"].code: t["rows"] for t in response.context["tables"]}
    everyone = {base.account.pk, base.blank.pk, base.bank.pk, base.west_account.pk}
    for code, expected in (("abc", everyone - {base.account.pk}),
                           ("tier-gold", everyone - {base.account.pk})):  # fmt: skip
        rest = rows[code][-1]
        assert rest["row"].key == "" and rest["url"].startswith(changelist + "?"), code
        assert f'href="{rest["url"].replace("&", "&amp;")}"' in response.content.decode()
        listed = client.get(rest["url"])
        assert listed.status_code == 200
        ids = {a.pk for a in listed.context["cl"].result_list}
        assert ids == expected and len(ids) == rest["row"].accounts, code
    team = client.get(reverse("reports_distribution"), {"team": base.east.pk})
    rest = next(t for t in team.context["tables"] if t["table"].code == "abc")["rows"][-1]
    listed = {a.pk for a in client.get(rest["url"]).context["cl"].result_list}
    assert listed == {base.blank.pk, base.bank.pk} and len(listed) == rest["row"].accounts


def test_the_figures_are_kept_a_while_per_viewer_and_recomputed_on_request(client, base, settings):
    cache.clear()
    settings.GUANXI_DISTRIBUTION_CACHE_SECONDS = 600
    url = reverse("reports_distribution")
    client.force_login(base.mia)
    first = client.get(url)
    assert 'data-total="4"' in first.content.decode()
    assert 'id="distribution-computed"' in first.content.decode()
    make_account(owner=base.alice)
    assert 'data-total="4"' in client.get(url).content.decode()  # kept
    client.force_login(base.alice)  # another scope: her own figures, computed for her
    assert 'data-total="3"' in client.get(url).content.decode()
    client.force_login(base.mia)
    again = client.get(url, {"refresh": "1"})
    assert 'data-total="5"' in again.content.decode()
    assert "refresh=1" not in again.context["export_url"]
    assert 'data-total="5"' in client.get(url).content.decode()  # the recomputed ones kept
    cache.clear()
