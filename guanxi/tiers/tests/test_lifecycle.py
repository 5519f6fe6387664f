"""Lifecycle stages on the tier engine: the three presets classify crafted accounts with the
deciding figures, a stage change writes history, overrides set and clear a stage, the lifecycle
card explains it in both languages, and tier pages keep to tiers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.template import Context, RequestContext, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone, translation

from guanxi.accounts.models import Account, Attitude, Tag
from guanxi.tiers.admin_filters import (
    LifecycleStageFilter,
    lifecycle_badges,
    tier_badges,
    with_active_tiers,
    with_lifecycle_stages,
)
from guanxi.tiers.models import (
    AccountLifecycleStage,
    AccountTier,
    ChangeReason,
    LifecycleStageChange,
    SchemePurpose,
    TierPolicy,
    TierScheme,
)
from guanxi.tiers.presets import PRESETS, preset_rules
from guanxi.tiers.rules import validate_scheme
from guanxi.tiers.selectors import current_tier_ids, effective_policies
from guanxi.tiers.services import (
    account_tier_override,
    account_tier_override_clear,
    scheme_load_preset,
    tiering_run,
)
from guanxi.tiers.standing import account_lifecycle, account_standing
from tests.support import make_account, make_transaction

NOW = dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
AS_OF = dt.date(2026, 7, 10)
LIFECYCLE_CODES = ["lifecycle-001", "lifecycle-004", "lifecycle-000"]
CARD = Template("{% load tiers_tags %}{% lifecycle_card account %}")


def local(y, m, d, hh=12) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh))


def buy(account: Account, *days: dt.date, amount: str = "1000") -> None:
    for day in days:
        make_transaction(account=account, amount=amount, when=local(day.year, day.month, day.day))


def every(first: dt.date, n: int, step: int) -> list[dt.date]:
    return [first + dt.timedelta(days=step * i) for i in range(n)]


def activate(*codes: str) -> list[TierScheme]:
    out = []
    for code in codes:
        scheme = scheme_load_preset(code=code)
        TierScheme.objects.filter(pk=scheme.pk).update(is_active=True)
        scheme.refresh_from_db()
        out.append(scheme)
    return out


def stage_of(account: Account, code: str) -> str | None:
    row = AccountTier.objects.select_related("tier").get(account=account, scheme__code=code)
    return row.tier.code if row.tier else None


@pytest.fixture
def crowd(cast):
    """Crafted accounts, all as of 10 July 2026."""
    alice = cast.alice
    prospect = make_account(owner=alice, name="prospect")
    one_off = make_account(owner=alice, name="one-off")
    buy(one_off, dt.date(2026, 5, 1))
    repeat = make_account(owner=alice, name="repeat")
    buy(repeat, *every(dt.date(2026, 4, 1), 3, 30))  # three purchases this spring
    declining = make_account(owner=alice, name="declining")
    buy(declining, *every(dt.date(2024, 8, 1), 6, 50))  # six the year before
    buy(declining, dt.date(2025, 9, 1))  # one this year: revenue −83%
    stable = make_account(owner=alice, name="stable")
    buy(stable, *every(dt.date(2024, 7, 20), 12, 60))  # every two months for two years
    advocate = make_account(owner=alice, name="advocate", attitude=Attitude.ADVOCATE)
    buy(advocate, dt.date(2026, 3, 1), dt.date(2026, 6, 1))
    member = make_account(owner=alice, name="member")
    buy(member, dt.date(2026, 6, 15))
    return {
        "prospect": prospect,
        "one_off": one_off,
        "repeat": repeat,
        "declining": declining,
        "stable": stable,
        "advocate": advocate,
        "member": member,
    }


# --- presets ------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", LIFECYCLE_CODES)
def test_lifecycle_presets_are_valid_stage_sets_loaded_inactive(db, code):
    names, rules = preset_rules(code)
    assert validate_scheme(rules, names) == []
    scheme = scheme_load_preset(code=code)
    assert scheme.purpose == SchemePurpose.LIFECYCLE and not scheme.is_active
    stages = list(scheme.tiers.order_by("rank"))
    assert len(stages) == len(PRESETS[code]["tiers"])
    assert all(s.description and s.name_en for s in stages)  # every stage explains itself
    assert scheme_load_preset(code=code).tiers.count() == len(stages)  # idempotent


def test_member_tags_exist_after_loading_so_the_stage_set_can_be_edited(db):
    scheme_load_preset(code="lifecycle-004")
    assert set(Tag.objects.values_list("name", flat=True)) >= {"会员", "餐饮会员"}


def test_decline_carries_a_win_back_call_every_14_days(db):
    scheme = scheme_load_preset(code="lifecycle-001")
    decline = scheme.tiers.get(code="decline")
    assert decline.rank == 1  # checked first: the lifecycle's last stage
    assert TierPolicy.objects.get(tier=decline).call_every_days == 14
    # Stages without privileges get no empty policy row.
    assert not TierPolicy.objects.filter(tier__scheme=scheme).exclude(tier=decline).exists()


@time_machine.travel(NOW, tick=False)
def test_seed_001_stages_with_the_deciding_figures(crowd):
    activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    got = {name: stage_of(a, "lifecycle-001") for name, a in crowd.items()}
    assert got == {
        "prospect": "exploration",
        "one_off": "exploration",
        "repeat": "formation",
        "declining": "decline",
        "stable": "stability",
        "advocate": "formation",
        "member": "exploration",
    }
    row = AccountLifecycleStage.objects.get(account=crowd["declining"])
    assert row.metrics["revenue_trend"] == pytest.approx(-83.33)
    assert row.metrics["purchases_lifetime"] == 7 and row.since == AS_OF
    change = LifecycleStageChange.objects.get(account=crowd["declining"])
    assert change.to_tier.code == "decline" and change.reason == ChangeReason.RULES
    assert change.metrics == row.metrics


@time_machine.travel(NOW, tick=False)
def test_seed_004_stages(crowd):
    Tag.objects.create(name="餐饮会员")
    crowd["member"].tags.add(Tag.objects.get(name="餐饮会员"))
    activate("lifecycle-004")
    tiering_run(as_of=AS_OF)
    got = {name: stage_of(a, "lifecycle-004") for name, a in crowd.items()}
    assert got == {
        "prospect": "prospect",
        "one_off": "first-purchase",
        "repeat": "repeat",
        "declining": "repeat",
        # Loyal needs P(alive) ≥ 70% from the value analysis: without a run, not loyal.
        "stable": "repeat",
        "advocate": "advocate",
        "member": "member",
    }
    row = AccountLifecycleStage.objects.get(account=crowd["prospect"])
    assert row.metrics["purchases_lifetime"] == 0


@time_machine.travel(NOW, tick=False)
def test_seed_000_stages(crowd):
    activate("lifecycle-000")
    tiering_run(as_of=AS_OF)
    got = {name: stage_of(a, "lifecycle-000") for name, a in crowd.items()}
    assert got == {
        "prospect": "development",
        "one_off": "active",
        "repeat": "active",
        "declining": "active",
        "stable": "loyal",
        "advocate": "referral",
        "member": "active",
    }


# --- history and overrides ----------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_a_stage_change_writes_history_with_the_figures(cast):
    (scheme,) = activate("lifecycle-004")
    account = make_account(owner=cast.alice, name="grows")
    buy(account, dt.date(2026, 5, 1))
    tiering_run(as_of=dt.date(2026, 6, 1))
    assert stage_of(account, "lifecycle-004") == "first-purchase"
    buy(account, dt.date(2026, 7, 1))
    run = tiering_run(as_of=AS_OF)
    assert stage_of(account, "lifecycle-004") == "repeat"
    changes = list(LifecycleStageChange.objects.filter(account=account).order_by("effective_on"))
    assert [(c.from_tier and c.from_tier.code, c.to_tier.code) for c in changes] == [
        (None, "first-purchase"),
        ("first-purchase", "repeat"),
    ]
    assert changes[1].run == run and changes[1].metrics["purchases_lifetime"] == 2
    row = AccountLifecycleStage.objects.get(account=account, scheme=scheme)
    assert row.since == AS_OF
    tiering_run(as_of=AS_OF)  # nothing changed: no new history
    assert LifecycleStageChange.objects.filter(account=account).count() == 2


@time_machine.travel(NOW, tick=False)
def test_override_sets_and_clear_restores_the_stage(cast, crowd):
    (scheme,) = activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    account = crowd["repeat"]
    stability = scheme.tiers.get(code="stability")
    account_tier_override(
        account=account, scheme=scheme, tier=stability, reason="框架协议已签", until=None,
        actor=cast.mia,
    )  # fmt: skip
    assert stage_of(account, "lifecycle-001") == "stability"
    tiering_run(as_of=AS_OF)  # the run keeps an override
    assert stage_of(account, "lifecycle-001") == "stability"
    account_tier_override_clear(account=account, scheme=scheme, actor=cast.mia)
    assert stage_of(account, "lifecycle-001") == "formation"
    reasons = list(
        LifecycleStageChange.objects.filter(account=account)
        .order_by("id")
        .values_list("reason", "changed_by__username")
    )
    assert reasons == [
        (ChangeReason.RULES, None),
        (ChangeReason.OVERRIDE, "mia"),
        (ChangeReason.OVERRIDE_ENDED, "mia"),
    ]


@time_machine.travel(NOW, tick=False)
def test_stage_policies_count_but_stages_are_no_standing(cast, crowd):
    tiers, life = activate("pyramid", "lifecycle-001")
    tiering_run(as_of=AS_OF)
    declining = crowd["declining"]
    assert effective_policies([declining.pk])[declining.pk].call_every_days == 14
    decline = life.tiers.get(code="decline")
    # The account's standing (Today, tier cards) reads tiers only: decline's rank 1 is no tier.
    assert decline.pk not in current_tier_ids([declining.pk]).get(declining.pk, [])
    assert decline.pk in current_tier_ids([declining.pk], purpose=None)[declining.pk]


# --- account list pieces ------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_badges_and_the_stage_filter(cast, crowd):
    activate("lifecycle-001", "pyramid")
    tiering_run(as_of=AS_OF)
    declining = crowd["declining"]
    account = with_lifecycle_stages(with_active_tiers(Account.objects.filter(pk=declining.pk)))[0]
    assert 'data-stage="decline"' in lifecycle_badges(account)
    assert "decline" not in tier_badges(account) and 'data-tier="general"' in tier_badges(account)
    assert 'data-stage="decline"' in lifecycle_badges(declining)  # without the prefetch too
    decline = TierScheme.objects.get(code="lifecycle-001").tiers.get(code="decline")
    request = RequestFactory().get("/", {"stage": str(decline.pk)})
    request.user = cast.mia
    flt = LifecycleStageFilter(request, {"stage": [str(decline.pk)]}, Account, None)
    assert [str(label) for _v, label in flt.lookup_choices][0].endswith("考察期")
    assert list(flt.queryset(request, Account.objects.all())) == [declining]


# --- the card -----------------------------------------------------------------------------------


def render(account, language="en", user=None) -> str:
    with translation.override(language):
        if user is None:
            return CARD.render(Context({"account": account}))
        request = RequestFactory().get("/admin/accounts/account/1/")
        request.user = user
        return CARD.render(RequestContext(request, {"account": account}))


@time_machine.travel(NOW, tick=False)
def test_card_shows_progression_current_stage_why_and_timeline(cast, crowd):
    activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    html = render(crowd["declining"])
    assert 'data-card="lifecycle"' in html and 'data-set="lifecycle-001"' in html
    # The progression reads in lifecycle order, decline last, and decline is current.
    order = [html.index(f'data-stage="{c}"') for c in
             ("exploration", "formation", "stability", "decline")]  # fmt: skip
    assert order == sorted(order)
    assert 'data-stage="decline" data-current' in html
    assert "since 2026-07-10" in html
    why = html.split("data-why>")[1].split("</div>")[0]
    assert "revenue trend vs the 12 months before &lt; −30%" in why
    assert "revenue trend vs the 12 months before −83%" in why
    assert 'data-list="lifecycle-timeline"' in html and "stage evaluation of 2026-07-10" in html
    zh = render(crowd["declining"], "zh-hans")
    assert "退化期" in zh and "考察期" in zh and "data-current" in zh


@time_machine.travel(NOW, tick=False)
def test_card_says_who_set_the_stage_by_hand_and_links_for_managers(cast, crowd):
    (scheme,) = activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    account = crowd["one_off"]
    account_tier_override(
        account=account, scheme=scheme, tier=scheme.tiers.get(code="formation"),
        reason="Signed a framework agreement", until=dt.date(2026, 12, 31), actor=cast.mia,
    )  # fmt: skip
    html = render(account, user=cast.mia)
    assert "Set by hand by mia: Signed a framework agreement" in html
    assert "until 2026-12-31" in html and "by the rules: Exploration" in html
    link = reverse("admin:tiers_accountlifecyclestage_override_for", args=(account.pk, scheme.pk))
    assert link in html and 'data-clear-link="lifecycle-001"' in html
    assert "data-override-link" not in render(account, user=cast.alice)  # KAMs read only


def test_card_without_an_active_set_says_how_to_get_one(cast):
    html = render(cast.account)
    assert "No lifecycle stage set is active" in html


# --- pages --------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_tier_pages_do_not_show_lifecycle_sets(client, cast, crowd, english):
    activate("pyramid", "lifecycle-001")
    tiering_run(as_of=AS_OF)
    client.force_login(cast.mia)
    pages = [
        reverse("admin:tiers_tierscheme_changelist"),
        reverse("admin:tiers_accounttier_changelist"),
        reverse("admin:tiers_tierchange_changelist"),
        reverse("admin:tiers_tierscheme_migration"),
        reverse("admin:tiers_tierscheme_attendance"),
        reverse("admin:tiers_tier_changelist"),
    ]
    for url in pages:
        body = client.get(url).content.decode()
        assert "Customer pyramid" in body or "General" in body or "pyramid" in body, url
        assert "Decline" not in body and "Relationship development" not in body, url
    life = TierScheme.objects.get(code="lifecycle-001")
    assert client.get(reverse("admin:tiers_tierscheme_change", args=(life.pk,))).status_code in (
        302,
        404,
    )
    # The 360° tier card keeps to tiers.
    from guanxi.tiers.templatetags.tiers_tags import account_tiers_context

    ctx = account_tiers_context(crowd["declining"])
    assert [t["scheme"].code for t in ctx["tiers"]] == ["pyramid"]
    assert all(c.scheme.purpose == SchemePurpose.TIERS for c in ctx["changes"])


@time_machine.travel(NOW, tick=False)
def test_lifecycle_pages_list_sets_stages_and_history(client, cast, crowd, english):
    activate("pyramid", "lifecycle-001")
    tiering_run(as_of=AS_OF)
    client.force_login(cast.mia)
    body = client.get(reverse("admin:tiers_lifecyclestageset_changelist")).content.decode()
    assert "Relationship development" in body and "Customer pyramid" not in body
    assert body.index("Exploration") < body.index("Formation") < body.index("Decline")
    life = TierScheme.objects.get(code="lifecycle-001")
    page = client.get(reverse("admin:tiers_lifecyclestageset_change", args=(life.pk,)))
    assert page.status_code == 200 and "column-rule_display" in page.content.decode()
    body = client.get(reverse("admin:tiers_accountlifecyclestage_changelist")).content.decode()
    assert "declining" in body and "Decline" in body and "General" not in body
    body = client.get(reverse("admin:tiers_lifecyclestagechange_changelist")).content.decode()
    assert "Lifecycle history" in body and "Decline" in body and "General" not in body


@time_machine.travel(NOW, tick=False)
def test_a_new_set_made_on_the_lifecycle_page_is_a_lifecycle_set(client, cast, english):
    client.force_login(cast.mia)
    url = reverse("admin:tiers_lifecyclestageset_add")
    page = client.get(url)
    data = {"code": "mine", "name": "我的生命周期", "name_en": "Mine", "is_active": "on"}
    for inline in page.context["inline_admin_formsets"]:
        for key, value in inline.formset.management_form.initial.items():
            data[f"{inline.formset.prefix}-{key}"] = value
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert TierScheme.objects.get(code="mine").purpose == SchemePurpose.LIFECYCLE


@time_machine.travel(NOW, tick=False)
def test_presets_button_on_the_lifecycle_page_loads_lifecycle_presets(client, cast, english):
    client.force_login(cast.mia)
    url = reverse("admin:tiers_lifecyclestageset_load_presets")
    body = client.get(url).content.decode()
    assert 'data-preset="lifecycle-004"' in body and 'data-preset="pyramid"' not in body
    response = client.post(url, {"code": "lifecycle-004"})
    scheme = TierScheme.objects.get(code="lifecycle-004")
    assert response.url == reverse("admin:tiers_lifecyclestageset_change", args=(scheme.pk,))
    assert client.post(url, {"code": "pyramid"}).status_code == 302
    assert not TierScheme.objects.filter(code="pyramid").exists()


@time_machine.travel(NOW, tick=False)
def test_set_a_stage_by_hand_from_the_card_link(client, cast, crowd, english):
    (scheme,) = activate("lifecycle-001")
    account = crowd["prospect"]  # no row yet: the run has not been
    url = reverse("admin:tiers_accountlifecyclestage_override_for", args=(account.pk, scheme.pk))
    client.force_login(cast.mia)
    page = client.get(url)
    assert page.status_code == 200 and "data-not-evaluated" in page.content.decode()
    stage = scheme.tiers.get(code="formation")
    response = client.post(url, {"tier": stage.pk, "reason": "Pilot project", "next": "/x/"})
    assert response.status_code == 302
    assert stage_of(account, "lifecycle-001") == "formation"
    # A tier scheme's override page does not take a lifecycle set, nor the other way round.
    tier_url = reverse("admin:tiers_accounttier_override_for", args=(account.pk, scheme.pk))
    assert client.get(tier_url).status_code == 404
    client.force_login(cast.alice)
    assert client.get(url).status_code == 403


# --- API ----------------------------------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_api_lifecycle_stage_with_reason_and_history(as_user, cast, crowd):
    activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    account = crowd["declining"]
    body = as_user("alice").get(f"/api/tiers/accounts/{account.pk}/lifecycle").json()
    (entry,) = body["sets"]
    assert entry["set"] == "lifecycle-001" and entry["stage"]["code"] == "decline"
    assert [s["code"] for s in entry["stages"]] == [
        "exploration", "formation", "stability", "decline",
    ]  # fmt: skip
    assert [s["current"] for s in entry["stages"]] == [False, False, False, True]
    assert entry["since"] == "2026-07-10" and entry["override"] is None
    assert entry["reason"].startswith(
        "revenue trend vs the 12 months before < −30% · purchases, lifetime ≥ 2 — "
    )
    assert entry["history"][0]["to_tier"]["code"] == "decline"
    assert entry["history"][0]["by"] == "stage evaluation of 2026-07-10"
    assert as_user("charlie").get(f"/api/tiers/accounts/{account.pk}/lifecycle").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_each_set_keeps_its_own_moves_however_busy_another_set_is(cast, crowd):
    first, second = activate("lifecycle-000", "lifecycle-001")
    tiering_run(as_of=AS_OF)
    account = crowd["repeat"]
    for code in ("stability", "formation", "stability"):  # three newer moves in the second set
        account_tier_override(
            account=account, scheme=second, tier=second.tiers.get(code=code), reason="协议",
            until=None, actor=cast.mia,
        )  # fmt: skip
    lifecycles = {life.stage_set.code: life for life in account_lifecycle(account, history_limit=2)}
    card = {life.stage_set.code: life for life in account_standing(account.pk).lifecycle(2)}
    for per_set in (lifecycles, card):
        assert [len(per_set[s.code].history) for s in (first, second)] == [1, 2]
        assert {c.scheme_id for c in per_set[first.code].history} == {first.pk}


@time_machine.travel(NOW, tick=False)
def test_api_override_takes_a_lifecycle_set(as_user, cast, crowd):
    activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    account = crowd["one_off"]
    mia = as_user("mia")
    response = mia.post(
        f"/api/tiers/accounts/{account.pk}/override",
        {"scheme": "lifecycle-001", "tier": "stability", "reason": "Strategic partner"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["lifecycle"][0]["tier"]["code"] == "stability"
    body = mia.get(f"/api/tiers/accounts/{account.pk}/lifecycle").json()
    assert body["sets"][0]["override"]["reason"] == "Strategic partner"
    assert body["sets"][0]["history"][0]["reason"] == ChangeReason.OVERRIDE
    bad = mia.post(
        f"/api/tiers/accounts/{account.pk}/override",
        {"scheme": "lifecycle-001", "tier": "gold", "reason": "x"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "no tier 'gold'" in bad.json()["message"]
    cleared = mia.delete(f"/api/tiers/accounts/{account.pk}/override/lifecycle-001")
    assert cleared.json()["lifecycle"][0]["tier"]["code"] == "exploration"
    assert (
        as_user("alice")
        .delete(f"/api/tiers/accounts/{account.pk}/override/lifecycle-001")
        .status_code
        == 403
    )


def test_api_schemes_list_tiers_by_default_and_lifecycle_sets_on_request(as_user, db):
    scheme_load_preset(code="pyramid")
    scheme_load_preset(code="lifecycle-000")
    client = as_user("alice")
    assert [s["code"] for s in client.get("/api/tiers/schemes").json()] == ["pyramid"]
    body = client.get("/api/tiers/schemes?purpose=lifecycle").json()
    assert [s["code"] for s in body] == ["lifecycle-000"] and body[0]["purpose"] == "lifecycle"
    assert client.get("/api/tiers/schemes?purpose=levels").status_code in (400, 422)


def test_openapi_says_overrides_take_lifecycle_sets(as_user, db):
    spec = as_user("alice").get("/api/openapi.json").json()
    post = spec["paths"]["/api/tiers/accounts/{account_id}/override"]["post"]
    assert "lifecycle stage set" in post["description"]
    assert "/api/tiers/accounts/{account_id}/lifecycle" in spec["paths"]


def test_decimal_bounds_of_lifecycle_presets_survive_the_round_trip(db):
    scheme = scheme_load_preset(code="lifecycle-001")
    cond = scheme.tiers.get(code="decline").conditions.get(metric="revenue_trend")
    assert cond.metric == "revenue_trend" and cond.max_value == Decimal("-30")


def test_cli_loads_and_activates_a_lifecycle_preset(db, capsys):
    from guanxi.cli import main

    assert main(["tiers", "presets", "--load", "lifecycle-004", "--activate"]) == 0
    out = capsys.readouterr().out
    scheme = TierScheme.objects.get(code="lifecycle-004")
    assert scheme.is_active and scheme.purpose == SchemePurpose.LIFECYCLE
    assert "lifecycle-004" in out and "active" in out and "6 stages" in out


@time_machine.travel(NOW, tick=False)
def test_a_stage_edited_on_its_page_goes_back_to_its_set(client, cast, english):
    from guanxi.tiers.tests.test_admin import form_data

    scheme = scheme_load_preset(code="lifecycle-000")
    stage = scheme.tiers.get(code="active")
    url = reverse("admin:tiers_tier_change", args=(stage.pk,))
    client.force_login(cast.mia)
    page = client.get(url)
    assert "Lifecycle stage: Active" in page.content.decode()
    response = client.post(url, form_data(page))
    assert response.status_code == 302
    assert response.url == reverse("admin:tiers_lifecyclestageset_change", args=(scheme.pk,))
    # The tier list keeps to tiers.
    assert "Development" not in client.get(reverse("admin:tiers_tier_changelist")).content.decode()


@time_machine.travel(NOW, tick=False)
def test_lifecycle_list_offers_the_override_to_managers_only(client, cast, crowd, english):
    activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    row = AccountLifecycleStage.objects.get(account=crowd["declining"])
    link = reverse("admin:tiers_accountlifecyclestage_override", args=(row.pk,))
    client.force_login(cast.mia)
    assert (
        link in client.get(reverse("admin:tiers_accountlifecyclestage_changelist")).content.decode()
    )
    page = client.get(link)
    assert page.status_code == 200 and "Set by hand: declining · " in page.content.decode()
    client.force_login(cast.alice)  # owns the account: reads the list, no override
    body = client.get(reverse("admin:tiers_accountlifecyclestage_changelist")).content.decode()
    assert "declining" in body and link not in body
    client.force_login(cast.charlie)  # another team: does not see the account at all
    body = client.get(reverse("admin:tiers_accountlifecyclestage_changelist")).content.decode()
    assert "declining" not in body


@time_machine.travel(NOW, tick=False)
def test_decline_asks_the_owner_for_a_win_back_call(cast, crowd):
    from guanxi.activities.models import Task, TaskKind
    from guanxi.activities.policy import policy_tasks_sync

    (scheme,) = activate("lifecycle-001")
    tiering_run(as_of=AS_OF)
    declining, repeat = crowd["declining"], crowd["repeat"]
    policy_tasks_sync(as_of=AS_OF, account_ids=[declining.pk, repeat.pk])
    task = Task.objects.get(account=declining, kind=TaskKind.CALL)
    assert task.tier == scheme.tiers.get(code="decline") and task.assignee == cast.alice
    assert task.due_date <= AS_OF + dt.timedelta(days=14)
    assert not Task.objects.filter(account=repeat).exists()  # formation asks for nothing
