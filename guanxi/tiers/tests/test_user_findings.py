"""What a first user ran into on the tier pages: scheme categories, the month the card's figures
are from, overrides from the 360° page (also without a tier row), tasks following an override at
once, "Re-evaluate tiers now", the account list's tier filter and badges, and the small wording
fixes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from guanxi.activities.models import Task, TaskStatus
from guanxi.tiers import attendance
from guanxi.tiers.forms import TierPolicyForm
from guanxi.tiers.metrics import account_metrics
from guanxi.tiers.models import AccountTier, ChangeReason, TierChange, TierPolicy, TierScheme
from guanxi.tiers.services import scheme_load_preset, tiering_run
from guanxi.tiers.tests.conftest import build_scheme, policy, tier
from guanxi.transactions.models import ProductCategory
from tests.support import make_account, make_transaction

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 7, 10, 10, 0, tzinfo=SHANGHAI)


def june(day: int, hour: int = 19) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def monthly(db):
    scheme = scheme_load_preset(code="restaurant-monthly")
    TierScheme.objects.filter(pk=scheme.pk).update(is_active=True)
    scheme.refresh_from_db()
    return scheme


@pytest.fixture
def rooms(db):
    return ProductCategory.objects.get_or_create(
        code="rooms", defaults={"name": "客房", "name_en": "Rooms", "sort_order": 10}
    )[0]


# --- 1. the scheme's categories -------------------------------------------------------------------


def test_the_restaurant_preset_counts_food_and_drinks_only(monthly):
    codes = set(monthly.categories.values_list("code", flat=True))
    assert codes == {"fnb", "drinks", "seafood", "specials", "banquets"}
    # Loading again keeps what the admin decided.
    monthly.categories.set([ProductCategory.objects.get(code="fnb")])
    scheme_load_preset(code="restaurant-monthly")
    assert list(monthly.categories.values_list("code", flat=True)) == ["fnb"]


def test_month_metrics_read_only_the_given_categories(cast, rooms):
    make_transaction(account=cast.account, amount="500.00", when=june(3), head_count=5)
    make_transaction(account=cast.account, amount="900.00", when=june(4), category=rooms)
    fnb = ProductCategory.objects.get(code="fnb")
    wanted = {"month_visits", "month_spend", "revenue_12m"}
    every = account_metrics(as_of=dt.date(2026, 7, 1), metrics=wanted)[cast.account.pk]
    food = account_metrics(as_of=dt.date(2026, 7, 1), metrics=wanted, categories=[fnb.pk])[
        cast.account.pk
    ]
    assert (every["month_visits"], every["month_spend"]) == (2, Decimal("1400.00"))
    assert (food["month_visits"], food["month_spend"]) == (1, Decimal("500.00"))
    assert food["revenue_12m"] == every["revenue_12m"] == Decimal("1400.00")


def test_a_room_night_is_not_a_restaurant_visit(cast, rooms):
    fnb = ProductCategory.objects.get_or_create(code="fnb", defaults={"name": "餐饮"})[0]
    food = build_scheme("food", [("regular", [{"metric": "month_visits", "min": Decimal("2")}])])
    food.categories.set([fnb])
    # Another active scheme on every category: month metrics are computed per scheme.
    build_scheme("all", [("regular", [{"metric": "month_visits", "min": Decimal("2")}])])
    make_transaction(account=cast.account, amount="300.00", when=june(3))
    make_transaction(account=cast.account, amount="800.00", when=june(4), category=rooms)
    tiering_run(as_of=dt.date(2026, 7, 1))
    rows = {r.scheme.code: r for r in AccountTier.objects.filter(account=cast.account)}
    assert "food" not in rows  # one restaurant visit, not two
    assert rows["all"].tier.code == "regular" and rows["all"].metrics["month_visits"] == 2
    make_transaction(account=cast.account, amount="300.00", when=june(5))
    tiering_run(as_of=dt.date(2026, 7, 1))
    food_row = AccountTier.objects.get(account=cast.account, scheme=food)
    assert food_row.tier.code == "regular" and food_row.metrics["month_visits"] == 2


@time_machine.travel(NOW, tick=False)
def test_the_attendance_sheet_counts_the_schemes_categories(client, cast, monthly, rooms):
    make_transaction(account=cast.account, amount="600.00", when=june(3), head_count=6)
    make_transaction(account=cast.account, amount="900.00", when=june(3, 12), category=rooms)
    sheet = attendance.attendance_sheet(actor=cast.mia, month=dt.date(2026, 6, 1), scheme=monthly)
    (row,) = sheet.rows
    assert (row.visits, row.spend) == (1, Decimal("600.00"))
    assert row.days[2].visits == 1
    client.force_login(cast.mia)
    with translation.override("en"):
        page = client.get(
            reverse("admin:tiers_tierscheme_attendance"),
            {"month": "2026-06", "scheme": monthly.pk},
            HTTP_ACCEPT_LANGUAGE="en",
        ).content.decode()
    assert "Counting: Food &amp; beverage, Drinks" in page
    assert "position: sticky" in page and "data-sticky" in page


def test_the_scheme_page_edits_the_categories(client, cast, monthly):
    client.force_login(cast.mia)
    page = client.get(reverse("admin:tiers_tierscheme_change", args=(monthly.pk,)))
    assert "categories" in page.context["adminform"].form.fields


# --- 2. the card: which month, who gave what ------------------------------------------------------


CARD = Template("{% load tiers_tags %}{% account_tiers_card account %}")


@time_machine.travel(NOW, tick=False)
def test_the_card_names_the_month_of_its_figures(cast, monthly):
    for day in (1, 5, 9, 13, 17, 21):
        make_transaction(account=cast.account, amount="1000.00", when=june(day), head_count=10)
    tiering_run(as_of=dt.date(2026, 7, 1))
    with translation.override("en"):
        html = CARD.render(Context({"account": cast.account}))
    assert "June 2026 figures: spend in the month ¥6,000 · visits in the month 6" in html


@time_machine.travel(NOW, tick=False)
def test_the_banquet_line_credits_each_value_to_its_tier(cast):
    interval = build_scheme("often", [("often", [])])
    budget = build_scheme("rich", [("rich", [])])
    policy(interval, "often", banquet_every_months=6)
    policy(budget, "rich", banquet_every_months=12, banquet_budget_per_table=Decimal("600"))
    tiering_run(as_of=dt.date(2026, 7, 1))
    with translation.override("en"):
        html = CARD.render(Context({"account": cast.account}))
    assert "every 6 months (often) · ¥600 per table (rich)" in html


# --- 3 and 4. set by hand from the 360° page; tasks follow at once --------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_manager_sets_a_tier_from_the_360_page_without_a_tier_row(
    client, cast, monthly, django_capture_on_commit_callbacks
):
    assert not AccountTier.objects.filter(account=cast.account).exists()
    page_url = reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    client.force_login(cast.alice)
    assert "data-override-link" not in client.get(page_url).content.decode()
    client.force_login(cast.mia)
    body = client.get(page_url).content.decode()
    link = reverse("admin:tiers_accounttier_override_for", args=(cast.account.pk, monthly.pk))
    assert f'href="{link}?next=' in body
    form = client.get(link, {"next": page_url})
    assert form.status_code == 200 and form.context["back_url"] == page_url
    a = tier(monthly, "a-quality")
    assert TierPolicy.objects.get(tier=a).call_every_days == 3
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            link, {"tier": a.pk, "reason": "Chairman's guest", "until": "", "next": page_url}
        )
    assert response.status_code == 302 and response["Location"] == page_url
    row = AccountTier.objects.get(account=cast.account, scheme=monthly)
    assert (row.tier, row.override_tier, row.computed_tier) == (a, a, None)
    assert TierChange.objects.get(account=cast.account).reason == ChangeReason.OVERRIDE
    # The calls every 3 days start now, owned by the account's KAM.
    call = Task.objects.get(account=cast.account, key="call", status=TaskStatus.OPEN)
    assert call.tier == a and call.assignee == cast.alice and call.due_date == NOW.date()
    # Clearing (linked from the card) goes back to where the user came from; the call task goes.
    clear = reverse("admin:tiers_accounttier_clear_override", args=(row.pk,))
    assert f'href="{clear}?next=' in client.get(page_url).content.decode()
    assert client.get(clear, {"next": page_url}).context["back_url"] == page_url
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(clear, {"next": page_url})
    assert response["Location"] == page_url
    call.refresh_from_db()
    assert call.status == TaskStatus.CANCELLED


@time_machine.travel(NOW, tick=False)
def test_the_override_page_ignores_a_next_to_another_site_and_hides_others_accounts(
    client, cast, monthly
):
    client.force_login(cast.mia)
    link = reverse("admin:tiers_accounttier_override_for", args=(cast.account.pk, monthly.pk))
    response = client.post(
        link,
        {"tier": tier(monthly, "b-active").pk, "reason": "Trial", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("admin:tiers_accounttier_changelist")
    missing = reverse("admin:tiers_accounttier_override_for", args=(cast.account.pk, 999999))
    assert client.get(missing).status_code == 404
    client.force_login(cast.alice)
    assert client.get(link).status_code == 403


@time_machine.travel(NOW, tick=False)
def test_an_api_override_syncs_the_tasks(cast, monthly, django_capture_on_commit_callbacks):
    from tests.support import api_client_for

    api = api_client_for(cast.mia)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            f"/api/tiers/accounts/{cast.account.pk}/override",
            {"scheme": monthly.code, "tier": "a-quality", "reason": "VIP"},
            content_type="application/json",
        )
    assert response.status_code == 200, response.content
    assert Task.objects.filter(account=cast.account, key="call", status=TaskStatus.OPEN).exists()


# --- 5. re-evaluate now ---------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("page", ["tiers_tierscheme", "tiers_accounttier"])
def test_managers_re_evaluate_tiers_now(client, cast, monthly, page):
    for day in (1, 5, 9, 13, 17, 21):
        make_transaction(account=cast.account, amount="1000.00", when=june(day), head_count=10)
    url = reverse(f"admin:{page}_reevaluate")
    client.force_login(cast.alice)
    assert client.post(url).status_code == 403
    client.force_login(cast.mia)
    confirm = client.get(url)
    assert confirm.status_code == 200 and b"data-confirm" in confirm.content
    assert not AccountTier.objects.exists()  # nothing runs on GET
    response = client.post(url, follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert AccountTier.objects.get(account=cast.account).tier.code == "a-quality"
    assert Task.objects.filter(account=cast.account, key="call", status=TaskStatus.OPEN).exists()
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Re-evaluation done: 1 tier changes" in text


def test_activating_a_scheme_offers_to_re_evaluate(client, cast, monthly):
    client.force_login(cast.mia)
    response = client.post(
        reverse("admin:tiers_tierscheme_changelist"),
        {"action": "deactivate", "_selected_action": [monthly.pk]},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Re-evaluate now to apply" in text
    assert reverse("admin:tiers_tierscheme_reevaluate") in text


# --- 6. the account list --------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_account_list_filters_by_tier_and_shows_badges_without_a_query_per_row(
    client, cast, monthly, django_assert_max_num_queries
):
    for _i in range(15):
        make_account(owner=cast.alice)
    for day in (1, 5, 9, 13, 17, 21):
        make_transaction(account=cast.account, amount="1000.00", when=june(day), head_count=10)
    tiering_run(as_of=dt.date(2026, 7, 1))
    a = tier(monthly, "a-quality")
    client.force_login(cast.mia)
    url = reverse("admin:accounts_account_changelist")
    client.get(url)  # warm caches (content types, sessions)
    with django_assert_max_num_queries(40):
        page = client.get(url)
    body = page.content.decode()
    assert body.count('data-tier="a-quality"') == 1 and "#b8860b" in body
    filtered = client.get(url, {"tier": a.pk})
    assert [r.pk for r in filtered.context["cl"].result_list] == [cast.account.pk]
    assert "A级品质客户" in client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()


def test_badge_queries_do_not_grow_with_rows(client, cast, monthly):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.mia)
    url = reverse("admin:accounts_account_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    c_active = tier(monthly, "c-active")
    for _i in range(10):
        account = make_account(owner=cast.alice)
        AccountTier.objects.create(
            account=account, scheme=monthly, tier=c_active, computed_tier=c_active
        )
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count('data-tier="c-active"') == 10
    assert len(many) <= len(few) + 1  # at most the prefetch, never one per row


# --- 8. wording ----------------------------------------------------------------------------------


def test_policy_form_groups_one_per_line_and_banquet_host_empty_choice(monthly):
    a = tier(monthly, "a-quality")
    form = TierPolicyForm(instance=a.policy)
    assert form["groups"].value() == "VIP客户微信群"
    assert form.fields["banquet_host_role"].choices[0][0] == ""
    with translation.override("en"):
        assert str(form.fields["banquet_host_role"].choices[0][1]) == "— (the account owner)"
    data = {f: form[f].value() for f in form.fields if form[f].value() not in (None, False)}
    data["groups"] = "VIP客户微信群\n  生日会  \n\nVIP客户微信群"
    data["discount_exclusions"] = [c.pk for c in a.policy.discount_exclusions.all()]
    bound = TierPolicyForm(data, instance=a.policy)
    assert bound.is_valid(), bound.errors
    bound.save()
    a.policy.refresh_from_db()
    assert a.policy.groups == ["VIP客户微信群", "生日会"]


def test_presets_page_shows_loaded_and_speaks_the_users_language(client, cast, monthly):
    client.force_login(cast.mia)
    url = reverse("admin:tiers_tierscheme_load_presets")
    en = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'data-loaded="restaurant-monthly"' in en
    assert 'data-preset="restaurant-monthly"' not in en and 'data-preset="pyramid"' in en
    assert "Diamond, gold, silver and standard by value percentile." in en
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "按客户价值（CLV）百分位" in zh


def test_tier_history_page_title(client, cast):
    client.force_login(cast.mia)
    response = client.get(reverse("admin:tiers_tierchange_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.context["title"] == "Tier history"
