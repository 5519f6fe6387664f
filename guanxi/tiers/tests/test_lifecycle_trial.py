"""Findings of the new-user trial on lifecycle stages: the lifecycle pages speak of stages, stage
sets and the lifecycle history (the tier pages keep their words), preset texts name the courses,
cards and lists say when the rules last CHECKED a row, the account list labels the stages of
several sets, and decline needs a relationship to decline from."""

from __future__ import annotations

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from guanxi.accounts.models import Account
from guanxi.tiers import admin as tiers_admin
from guanxi.tiers.admin_filters import (
    LifecycleStageFilter,
    lifecycle_badges,
    short_set_name,
    with_lifecycle_stages,
)
from guanxi.tiers.models import (
    AccountLifecycleStage,
    AccountTier,
    TierRun,
    TierRunStatus,
    TierScheme,
)
from guanxi.tiers.presets import PRESETS
from guanxi.tiers.services import account_tier_override, scheme_load_preset, tiering_run
from guanxi.tiers.templatetags.tiers_tags import label_sep
from guanxi.tiers.tests.test_lifecycle import AS_OF, NOW, activate, buy, every, stage_of
from tests.support import make_account

LATE = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
JUNE = dt.date(2026, 6, 1)
NOV = dt.date(2026, 11, 24)


@pytest.fixture
def regulars(cast):
    """Two accounts buying every month since 2024 (stability in lifecycle-001, repeat in
    lifecycle-004) and one that bought once, this spring."""
    out = []
    for name in ("regular-1", "regular-2"):
        account = make_account(owner=cast.alice, name=name)
        buy(account, *every(dt.date(2024, 1, 10), 34, 30))
        out.append(account)
    once = make_account(owner=cast.alice, name="once")
    buy(once, dt.date(2026, 4, 1))
    return out + [once]


# --- 1. lifecycle pages speak of stages --------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_lifecycle_stage_list_says_stage_words_and_the_tier_list_keeps_its_own(
    client, cast, regulars, english
):
    # Two of each: a filter offers itself only when there is a choice to make.
    activate("pyramid", "clp-levels", "lifecycle-001", "lifecycle-004")
    tiering_run(as_of=AS_OF)
    client.force_login(cast.mia)
    body = client.get(reverse("admin:tiers_accountlifecyclestage_changelist")).content.decode()
    assert "in this stage since" in body and "last checked" in body
    assert "in this tier since" not in body and "evaluated on" not in body
    assert "By lifecycle stage set" in body and "By stage" in body
    assert "By scheme" not in body and "By tier" not in body
    row = AccountLifecycleStage.objects.get(account=regulars[0], scheme__code="lifecycle-001")
    detail = client.get(reverse("admin:tiers_accountlifecyclestage_change", args=(row.pk,)))
    text = detail.content.decode().lower()  # labels are capitalised
    assert "stage by the rules" in text and "set by hand" in text
    assert "tier by the rules" not in text and "override the tier" not in text
    assert "in this tier since" not in text and "in this stage since" in text
    tiers = client.get(reverse("admin:tiers_accounttier_changelist")).content.decode()
    assert "in this tier since" in tiers and "By scheme" in tiers


@time_machine.travel(NOW, tick=False)
def test_lifecycle_history_headers_say_stage_and_source(client, cast, regulars, english):
    activate("pyramid", "clp-levels", "lifecycle-001", "lifecycle-004")
    tiering_run(as_of=AS_OF)
    client.force_login(cast.mia)
    body = client.get(reverse("admin:tiers_lifecyclestagechange_changelist")).content.decode()
    assert "previous stage → new stage" in body and "from → to" not in body
    assert "lifecycle stage set" in body and "source" in body and "By scheme" not in body
    assert "stage evaluation of 2026-07-10" in body and "tiering run" not in body
    tiers = client.get(reverse("admin:tiers_tierchange_changelist")).content.decode()
    assert "from → to" in tiers and "By scheme" in tiers


@time_machine.travel(NOW, tick=False)
def test_chinese_lifecycle_pages_do_not_borrow_the_tier_translations(client, cast, regulars):
    activate("pyramid", "lifecycle-001")
    tiering_run(as_of=AS_OF)
    client.force_login(cast.mia)
    stages = client.get(reverse("admin:tiers_accountlifecyclestage_changelist")).content.decode()
    history = client.get(reverse("admin:tiers_lifecyclestagechange_changelist")).content.decode()
    assert "进入该等级日期" not in stages
    assert "原等级 → 新等级" not in history
    # The tier pages keep their (translated) words.
    assert (
        "进入该等级日期"
        in client.get(reverse("admin:tiers_accounttier_changelist")).content.decode()
    )
    assert (
        "原等级 → 新等级"
        in client.get(reverse("admin:tiers_tierchange_changelist")).content.decode()
    )


@time_machine.travel(NOW, tick=False)
def test_set_by_hand_clear_and_reevaluate_pages_speak_of_stages(client, cast, regulars, english):
    (scheme,) = activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    account = regulars[0]
    client.force_login(cast.mia)
    url = reverse("admin:tiers_accountlifecyclestage_override_for", args=(account.pk, scheme.pk))
    page = client.get(url).content.decode()
    assert "kept in the lifecycle history" in page and "tier history" not in page
    account_tier_override(
        account=account, scheme=scheme, tier=scheme.tiers.get(code="decline"),
        reason="Lost the framework tender", until=None, actor=cast.mia,
    )  # fmt: skip
    row = AccountLifecycleStage.objects.get(account=account)
    clear = client.get(reverse("admin:tiers_accountlifecyclestage_clear_override", args=(row.pk,)))
    assert "the stage the rules give: Stability" in clear.content.decode()
    again = client.get(reverse("admin:tiers_lifecyclestageset_reevaluate")).content.decode()
    assert "Re-evaluate stages now" in again and "Re-evaluate tiers now" not in again
    tiers = client.get(reverse("admin:tiers_tierscheme_reevaluate")).content.decode()
    assert "Re-evaluate tiers now" in tiers


@time_machine.travel(NOW, tick=False)
def test_activating_a_stage_set_speaks_of_stage_sets(client, cast, english):
    scheme = scheme_load_preset(code="lifecycle-000")
    client.force_login(cast.mia)
    response = client.post(
        reverse("admin:tiers_lifecyclestageset_changelist"),
        {"action": "activate", "_selected_action": [scheme.pk]},
        follow=True,
    )
    body = response.content.decode()
    assert "1 lifecycle stage sets activated." in body
    assert "Stages change at the next nightly evaluation." in body
    assert reverse("admin:tiers_lifecyclestageset_reevaluate") in body


# --- 2. preset texts name the courses ----------------------------------------------------------


SEED_JARGON = re.compile(r"种子|[Ss]eed\b|[Ss]eed's")


def test_preset_texts_name_the_courses_not_the_seed_files():
    texts = []
    for data in PRESETS.values():
        texts += [data["name"], data["name_en"], data["description"]]
        texts += [t[6] for t in data["tiers"] if len(t) > 6]
    for cards in (tiers_admin.PRESETS, tiers_admin.LIFECYCLE_PRESETS):
        for card in cards:
            texts += list(card[1:])
    assert [t for t in texts if SEED_JARGON.search(t)] == []
    assert "战略大客户的客户关系管理" in PRESETS["lifecycle-001"]["description"]
    assert "客户关系管理" in PRESETS["lifecycle-004"]["description"]
    assert "大客户全生命周期管理系统课" in PRESETS["lifecycle-000"]["description"]


def test_the_presets_page_names_the_course(client, cast, english):
    client.force_login(cast.mia)
    body = client.get(reverse("admin:tiers_lifecyclestageset_load_presets")).content.decode()
    assert "strategic key-account course" in body and "Seed 001" not in body


# --- 3. when the rules last checked --------------------------------------------------------------


def _render(tag: str, account: Account) -> str:
    with translation.override("en"):
        return Template("{% load tiers_tags %}{% " + tag + " account %}").render(
            Context({"account": account})
        )


@time_machine.travel(LATE, tick=False)
def test_cards_and_api_say_when_the_rules_last_checked(cast, regulars, as_user):
    activate("pyramid", "lifecycle-001")
    tiering_run(as_of=JUNE)
    tiering_run(as_of=NOV)  # nothing changed: the rows are not rewritten
    TierRun.objects.create(as_of=dt.date(2026, 11, 30), status=TierRunStatus.FAILED)
    account = regulars[0]
    row = AccountLifecycleStage.objects.get(account=account)
    assert row.evaluated_on == JUNE and row.since == JUNE
    life = _render("lifecycle_card", account)
    assert "By the rules · checked 2026-11-24 · " in life
    assert "in this stage since 2026-06-01" in life and "evaluated 2026" not in life
    card = _render("account_tiers_card", account)
    assert "By the rules · checked 2026-11-24" in card and "evaluated 2026" not in card
    body = as_user("alice").get(f"/api/tiers/accounts/{account.pk}/lifecycle").json()
    assert body["sets"][0]["checked_on"] == "2026-11-24"
    assert body["sets"][0]["evaluated_on"] == "2026-06-01"
    tiers = as_user("alice").get(f"/api/tiers/accounts/{account.pk}").json()
    assert tiers["tiers"][0]["checked_on"] == "2026-11-24"


@time_machine.travel(LATE, tick=False)
def test_a_row_changed_by_the_latest_run_is_checked_that_day(cast, regulars):
    activate("lifecycle-001")
    tiering_run(as_of=JUNE)
    TierScheme.objects.filter(code="lifecycle-001").update(is_active=False)
    tiering_run(as_of=NOV)  # the set was not evaluated: nothing to claim
    row = AccountLifecycleStage.objects.select_related("scheme").get(account=regulars[0])
    from guanxi.tiers.selectors import checked_on, last_run_on

    assert last_run_on() == NOV and checked_on(row, NOV) == JUNE


@time_machine.travel(LATE, tick=False)
def test_lists_show_the_last_check_reading_the_run_once(client, cast, regulars, english):
    activate("lifecycle-001")
    tiering_run(as_of=JUNE)
    tiering_run(as_of=NOV)
    client.force_login(cast.mia)
    url = reverse("admin:tiers_accountlifecyclestage_changelist")
    body = client.get(url).content.decode()
    assert "2026-11-24" in body
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(4):
        more = make_account(owner=cast.alice, name=f"more-{i}")
        buy(more, *every(dt.date(2024, 1, 10), 34, 30))
    tiering_run(as_of=NOV)
    with CaptureQueriesContext(connection) as many:
        body = client.get(url).content.decode()
    assert body.count("2026-11-24") >= 7
    assert len(many.captured_queries) == len(few.captured_queries)
    scheme_load_preset(code="pyramid")
    TierScheme.objects.filter(code="pyramid").update(is_active=True)
    tiering_run(as_of=NOV)
    tiers = client.get(reverse("admin:tiers_accounttier_changelist")).content.decode()
    assert "last checked" in tiers and "2026-11-24" in tiers


# --- 4. the account list labels the stages of several sets -------------------------------------


def test_short_set_names():
    assert short_set_name(TierScheme(code="x", name="关系发展周期（考察→退化）")) == "关系发展周期"
    assert short_set_name(TierScheme(code="x", name="客户生命周期：潜在→拥护")) == "客户生命周期"
    assert short_set_name(TierScheme(code="x", name="我的阶段")) == "我的阶段"
    with translation.override("en"):
        scheme = TierScheme(code="x", name="客户阶梯（…）", name_en="Customer ladder (a → b)")
        assert short_set_name(scheme) == "Customer ladder"


@time_machine.travel(NOW, tick=False)
def test_badges_carry_their_set_when_two_sets_are_active(cast, regulars, django_assert_num_queries):
    activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    account = with_lifecycle_stages(Account.objects.filter(pk=regulars[0].pk))[0]
    html = lifecycle_badges(account)
    assert 'data-stage="stability"' in html and "data-set=" not in html  # one set: no label
    activate("lifecycle-004")
    tiering_run(as_of=AS_OF)
    accounts = list(with_lifecycle_stages(Account.objects.filter(pk__in=[a.pk for a in regulars])))
    with django_assert_num_queries(0):  # prefetched and annotated: nothing per row
        html = lifecycle_badges(next(a for a in accounts if a.pk == regulars[0].pk))
    sep = label_sep()  # translated: "：" in Chinese
    assert f'关系发展周期{sep}</span><span class="inline-block' in html
    assert 'data-set="lifecycle-004"' in html and f"客户阶梯{sep}" in html
    with translation.override("en"):
        english = lifecycle_badges(regulars[0])  # without the prefetch too
    assert "Relationship development: " in english and "Customer ladder: " in english


@time_machine.travel(NOW, tick=False)
def test_stage_filter_groups_its_options_per_set(client, cast, regulars, english):
    activate("lifecycle-001")
    request = RequestFactory().get("/")
    request.user = cast.mia
    flt = LifecycleStageFilter(request, {}, Account, None)
    assert [label for _v, label in flt.lookup_choices][0] == "Exploration"  # one set: plain
    activate("lifecycle-004")
    flt = LifecycleStageFilter(request, {}, Account, None)
    labels = [label for _v, label in flt.lookup_choices]
    assert "Relationship development: Decline" in labels and "Customer ladder: Advocate" in labels
    client.force_login(cast.mia)
    # The filter panel's own request (the plain list loads it on demand).
    url = reverse("admin:accounts_account_changelist")
    body = client.get(url, {"_filters": "1"}).content.decode()
    assert '<optgroup label="Relationship development (exploration' in body
    assert '<optgroup label="Customer ladder (prospect' in body


# --- 5. decline needs a relationship to decline from -------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_single_order_last_year_is_no_decline_but_a_regular_who_stopped_is(cast):
    one_order = make_account(owner=cast.alice, name="one big order")
    buy(one_order, dt.date(2025, 3, 1), amount="500000")  # the year before
    stopped = make_account(owner=cast.alice, name="stopped")
    buy(stopped, *every(dt.date(2024, 8, 1), 6, 50))  # the last one in May 2025
    activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    assert stage_of(one_order, "lifecycle-001") == "exploration"
    assert stage_of(stopped, "lifecycle-001") == "decline"
    row = AccountTier.objects.get(account=one_order, scheme__code="lifecycle-001")
    assert row.metrics["revenue_trend"] == -100 and row.metrics["purchases_lifetime"] == 1
    decline = TierScheme.objects.get(code="lifecycle-001").tiers.get(code="decline")
    assert "at least 2 purchases" in decline.description_en
    assert "至少购买过2次" in decline.description and " / " not in decline.description
