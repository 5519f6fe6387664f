"""The monthly attendance sheet (客户考勤表): day cells, totals, per head, the tier the month
earns, local-midnight month boundaries, paging, the access rule, the page and the XLSX export."""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from openpyxl import load_workbook

from guanxi.tiers.attendance import attendance_sheet, attendance_xlsx
from guanxi.tiers.metrics import account_metrics
from guanxi.tiers.models import Tier, TierCondition, TierScheme
from guanxi.tiers.services import scheme_load_preset
from tests.support import make_account, make_transaction

NOW = dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
JUNE = dt.date(2026, 6, 1)


def at(y, m, d, hh=12, mm=0) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


@pytest.fixture
def scheme(db):
    return scheme_load_preset(code="restaurant-monthly")


@pytest.fixture
def june(cast, scheme):
    """alice's account: lunch and dinner on 1 June, more through the month, one bill without a
    head count at 23:30 on 30 June; charlie's account spends more (outside alice's view)."""
    a = cast.account
    make_transaction(account=a, amount="460.00", when=at(2026, 6, 1, 12), head_count=8)
    make_transaction(account=a, amount="520.00", when=at(2026, 6, 1, 19), head_count=10)
    for day in (8, 15, 22):
        make_transaction(account=a, amount="1340.00", when=at(2026, 6, day, 19), head_count=14)
    make_transaction(account=a, amount="500.00", when=at(2026, 6, 30, 23, 30))
    # Just outside June on either side, in local time (UTC would put them inside).
    make_transaction(account=a, amount="999.00", when=at(2026, 5, 31, 23, 59), head_count=1)
    make_transaction(account=a, amount="888.00", when=at(2026, 7, 1, 0, 10), head_count=1)
    w = cast.west_account
    make_transaction(account=w, amount="9000.00", when=at(2026, 6, 3, 19), head_count=30)
    return a, w


@time_machine.travel(NOW, tick=False)
def test_a_day_cell_totals_per_head_and_tier(cast, scheme, june):
    a, _w = june
    sheet = attendance_sheet(actor=cast.alice, month=JUNE, scheme=scheme)
    assert sheet.n_days == 30 and sheet.complete and sheet.n_accounts == 1
    row = sheet.rows[0]
    assert row.account_id == a.pk and row.number == 1
    day1 = row.days[0]
    assert (day1.visits, day1.heads, day1.spend) == (2, 18, Decimal("980.00"))
    assert row.days[1] is None
    assert row.days[29].visits == 1 and row.days[29].heads == 0  # 23:30 on 30 June
    assert (row.visits, row.heads, row.spend) == (6, 60, Decimal("5500.00"))
    # Per head over the bills that say how many ate: 5000 / 60.
    assert row.per_head == Decimal("83.33")
    # 6 visits, ¥5,500, ¥83 a head: A quality (≥6, ≥5000, ≥80).
    assert row.tier.code == "a-quality"
    # The same figures as the tiering metrics for that month.
    metrics = account_metrics(
        as_of=dt.date(2026, 7, 1),
        metrics={"month_visits", "month_spend", "month_per_head"},
        account_ids=[a.pk],
    )[a.pk]
    assert metrics == {"month_visits": 6, "month_spend": row.spend, "month_per_head": row.per_head}


@time_machine.travel(NOW, tick=False)
def test_the_current_month_is_so_far_and_may_earn_a_lower_tier(cast, scheme, june):
    sheet = attendance_sheet(actor=cast.alice, month=dt.date(2026, 7, 1), scheme=scheme)
    assert not sheet.complete
    row = sheet.rows[0]
    assert (row.visits, row.spend, row.days[0].visits) == (1, Decimal("888.00"), 1)
    assert row.tier is None  # one visit earns nothing yet
    may = attendance_sheet(actor=cast.alice, month=dt.date(2026, 5, 1), scheme=scheme)
    assert may.rows[0].days[30].spend == Decimal("999.00")


@time_machine.travel(NOW, tick=False)
def test_rows_follow_the_access_rule_sorted_by_spend_and_paged(cast, scheme, june):
    a, w = june
    sheet = attendance_sheet(actor=cast.mia, month=JUNE, scheme=scheme)
    assert [r.account_id for r in sheet.rows] == [w.pk, a.pk]
    assert attendance_sheet(actor=cast.bob, month=JUNE, scheme=scheme).rows == []
    extra = make_account(owner=cast.alice)
    make_transaction(account=extra, amount="1.00", when=at(2026, 6, 2))
    page2 = attendance_sheet(actor=cast.mia, month=JUNE, scheme=scheme, page=2, per_page=2)
    assert (page2.n_pages, page2.n_accounts) == (2, 3)
    assert [(r.number, r.account_id) for r in page2.rows] == [(3, extra.pk)]
    past_the_end = attendance_sheet(actor=cast.mia, month=JUNE, scheme=scheme, page=9, per_page=2)
    assert (past_the_end.page, past_the_end.n_accounts) == (2, 3)
    assert [r.account_id for r in past_the_end.rows] == [extra.pk]
    no_scheme = attendance_sheet(actor=cast.mia, month=JUNE, scheme=None)
    assert all(r.tier is None for r in no_scheme.rows)


@time_machine.travel(NOW, tick=False)
def test_the_page_reads_the_month_rollups_in_a_bounded_number_of_queries(
    client, cast, scheme, june, django_assert_max_num_queries
):
    for _ in range(20):
        make_transaction(account=make_account(owner=cast.alice), amount="9", when=at(2026, 6, 3))
    client.force_login(cast.alice)
    url = reverse("admin:tiers_tierscheme_attendance")
    with django_assert_max_num_queries(16):
        response = client.get(url, {"month": "2026-06"})
    assert response.context["sheet"].n_accounts == 21


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language,words", [("en", ["Attendance sheet June 2026"]),
                                            ("zh-hans", ["2026年6月"])])  # fmt: skip
def test_the_page_shows_the_sheet(client, cast, scheme, june, language, words):
    a, w = june
    client.force_login(cast.alice)
    url = reverse("admin:tiers_tierscheme_attendance")
    response = client.get(url, {"month": "2026-06"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.content.decode()
    for word in words:
        assert word in body, word
    assert response.context["sheet"].scheme == scheme  # the restaurant scheme by default
    assert f'data-cell="{a.pk}-1"' in body and f'data-account="{w.pk}"' not in body
    assert 'data-total="per-head"' in body
    assert "¥5,500" in body and "¥83" in body and "A" in body
    # Without a month: the last complete one (July has barely started on the 10th).
    default = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert default.context["sheet"].month == JUNE
    assert "data-so-far" not in default.content.decode()
    current = client.get(url, {"month": "2026-07"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "data-so-far" in current.content.decode()
    # Nonsense parameters fall back to the defaults instead of failing.
    assert client.get(url, {"month": "2026-13", "scheme": "x", "p": "y"}).status_code == 200


@time_machine.travel(NOW, tick=False)
def test_xlsx_export_has_title_headers_and_numbers(client, cast, scheme, june, english):
    a, _w = june
    client.force_login(cast.alice)
    response = client.get(
        reverse("admin:tiers_tierscheme_attendance_xlsx"),
        {"month": "2026-06", "scheme": scheme.pk},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('attendance-2026-06.xlsx"')
    ws = load_workbook(io.BytesIO(response.content)).active
    assert ws["A1"].value.startswith("Attendance sheet June 2026 · Counting: Food & beverage")
    headers = [c.value for c in ws[2]]
    assert headers[:5] == ["No.", "Code", "Account", "Item", "1"]
    assert headers[-4:] == ["Month total", "Spend per head", "Tier", "Why no tier"]
    visits, heads, spend = (list(ws.iter_rows(min_row=r, max_row=r, values_only=True))[0]
                            for r in (3, 4, 5))  # fmt: skip
    assert visits[:5] == (1, a.code, a.name, "Visits", 2)
    assert heads[4] == 18 and spend[4] == 980 and isinstance(spend[4], (int, float))
    assert ws.cell(5, 5).number_format == "#,##0.00"
    assert visits[4 + 30] == 6 and spend[4 + 30] == 5500.0
    assert visits[-3] == pytest.approx(83.33) and visits[-2] == "A quality"
    assert visits[-1] is None  # it has a tier
    assert ws.max_row == 5  # charlie's account is not alice's to export


@time_machine.travel(NOW, tick=False)
def test_xlsx_title_in_chinese_and_so_far(cast, scheme, june):
    with translation.override("zh-hans"):
        sheet = attendance_sheet(actor=cast.alice, month=dt.date(2026, 7, 1), scheme=scheme)
        ws = load_workbook(io.BytesIO(attendance_xlsx(sheet))).active
    assert "2026年7月" in ws["A1"].value
    assert (
        ws["A1"].value
        != attendance_sheet(actor=cast.alice, month=dt.date(2026, 6, 1), scheme=scheme).title
    )


@time_machine.travel(NOW, tick=False)
def test_no_tier_says_which_condition_failed_and_totals_come_before_the_days(client, cast, english):
    """The trial: a top spender with one visit had tier "—" and no reason, because every tier
    also needed a tag the sheet never shows; and the totals sat right of 31 day columns."""
    scheme = TierScheme.objects.create(code="tagged", name="Tagged", name_en="Tagged")
    gold = Tier.objects.create(scheme=scheme, code="G", name="Gold", name_en="Gold", rank=1)
    TierCondition.objects.create(tier=gold, metric="month_spend", min_value=Decimal("1000"))
    TierCondition.objects.create(tier=gold, metric="tag", values=["VIP"])
    silver = Tier.objects.create(scheme=scheme, code="S", name="Silver", name_en="Silver", rank=2)
    TierCondition.objects.create(tier=silver, metric="month_visits", min_value=Decimal("4"))
    TierCondition.objects.create(tier=silver, metric="tag", values=["VIP"])
    TierCondition.objects.create(tier=silver, metric="month_spend", min_value=Decimal("1"))
    make_transaction(account=cast.account, amount="199356.00", when=at(2026, 6, 5), head_count=9)
    sheet = attendance_sheet(actor=cast.alice, month=JUNE, scheme=scheme)
    row = sheet.rows[0]
    assert row.tier is None
    tier, failed = row.missing
    assert tier == gold and [c["metric"] for c in failed] == ["tag"]
    client.force_login(cast.alice)
    url = reverse("admin:tiers_tierscheme_attendance")
    body = client.get(url, {"month": "2026-06", "scheme": scheme.pk}).content.decode()
    reason = body.split("data-no-tier-reason>")[1].split("</div>")[0]
    assert "Gold" in reason and "VIP" in reason
    tr = body.split(f'data-account="{cast.account.pk}"')[1]
    assert tr.index('data-total="tier"') < tr.index(f'data-cell="{cast.account.pk}-1"')
    # The workbook gives the same reason beside the empty tier.
    xlsx = client.get(
        reverse("admin:tiers_tierscheme_attendance_xlsx"), {"month": "2026-06", "scheme": scheme.pk}
    )
    ws = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in ws[2]][-2:] == ["Tier", "Why no tier"]
    first = [c.value for c in ws[3]]
    assert first[-2] is None and "Gold" in first[-1] and "VIP" in first[-1]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_page_names_its_month_capitalises_its_headers_and_scrolls_visibly(
    client, cast, scheme, june, language
):
    """The trial: the subtitle said "this month" over November's sheet, the English headers
    were lowercase, and the days ran off the right edge with no sign of more."""
    client.force_login(cast.alice)
    url = reverse("admin:tiers_tierscheme_attendance")
    body = client.get(url, {"month": "2026-06"}, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    subtitle = body.split("data-subtitle>")[1].split("</p>")[0]
    with translation.override(language):
        assert date_format(JUNE, "YEAR_MONTH_FORMAT") in subtitle
    head = body.split("<thead>")[1].split("</thead>")[0]
    titles = [re.sub(r"<[^>]+>", "", t).strip() for t in re.findall(r"<th[^>]*>(.*?)</th>", head)]
    assert len(titles) == 7 + 30
    assert all(c.isupper() or c.isdigit() or not c.isascii() for c in (t[:1] for t in titles))
    # The sheet scrolls in a frame that shades the edge with more days and shows a hint.
    assert "data-scroll-frame" in body and "data-scroll-hint" in body
    assert body.index("data-scroll-hint") < body.index('data-table="attendance"')


def test_the_sidebar_lights_the_attendance_sheet_alone(client, cast):
    client.force_login(cast.mia)

    def lit(url: str) -> list[str]:
        navigation = client.get(url).context["sidebar_navigation"]
        return [str(i["link"]) for g in navigation for i in g["items"] if i.get("active")]

    for name in ("attendance", "migration", "changelist"):
        url = reverse(f"admin:tiers_tierscheme_{name}")
        assert lit(url) == [url]
