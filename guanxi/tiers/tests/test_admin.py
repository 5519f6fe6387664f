"""Tier pages in the admin: schemes and tiers (validated as a whole scheme), presets, account
tiers with overrides, tier history, migration counts and discount reviews — in both languages,
within the roles and the account access rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from guanxi.tiers.models import (
    AccountTier,
    ChangeReason,
    DiscountReview,
    DiscountReviewStatus,
    Tier,
    TierChange,
    TierCondition,
    TierScheme,
)
from guanxi.tiers.services import scheme_load_preset
from tests.support import make_transaction

NOW = dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def scheme(db):
    return scheme_load_preset(code="restaurant-monthly")


def tier(scheme: TierScheme, code: str) -> Tier:
    return scheme.tiers.get(code=code)


def form_data(response) -> dict:
    """The POST body the change page would send unchanged: main form and every inline."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            add(form)
    return data


def conditions_prefix(response) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is TierCondition:
            return inline.formset.prefix
    raise AssertionError("no conditions inline")


def errors_of(response) -> str:
    """Every error on the page (main form and inlines), as one string."""
    parts = [str(response.context["adminform"].form.errors)]
    for inline in response.context["inline_admin_formsets"]:
        parts.append(str(inline.formset.non_form_errors()))
        parts.extend(str(f.errors) for f in inline.formset.forms)
    return " ".join(parts)


# --- schemes and tiers --------------------------------------------------------------------------


@pytest.mark.parametrize("language,words", [
    ("en", ["Tier schemes", "Restaurant monthly customer tiers", "A quality: 0"]),
    ("zh-hans", ["客户等级管理制度（月度）", "A级品质客户：0"]),
])  # fmt: skip
def test_scheme_list_shows_tiers_and_accounts_per_tier(client, cast, scheme, language, words):
    AccountTier.objects.create(account=cast.account, scheme=scheme, tier=tier(scheme, "b-active"))
    client.force_login(cast.alice)  # KAMs read the schemes
    response = client.get(
        reverse("admin:tiers_tierscheme_changelist"), HTTP_ACCEPT_LANGUAGE=language
    )
    body = response.content.decode()
    assert response.status_code == 200
    for word in words:
        assert word in body, word
    row = response.context["cl"].result_list[0]
    assert row.n_tiers == 6
    assert ("B active: 1" in body) or ("B级活跃客户：1" in body)


def test_accounts_per_tier_counts_only_what_the_user_sees(client, cast, scheme):
    AccountTier.objects.create(
        account=cast.west_account, scheme=scheme, tier=tier(scheme, "a-quality")
    )
    client.force_login(cast.alice)
    body = client.get(reverse("admin:tiers_tierscheme_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert "A quality: 1" not in body.content.decode()
    client.force_login(cast.mia)
    body = client.get(reverse("admin:tiers_tierscheme_changelist"), HTTP_ACCEPT_LANGUAGE="en")
    assert "A quality: 1" in body.content.decode()


@pytest.mark.parametrize("language,words", [
    ("en", ["visits in the month ≥ 6 · spend in the month ≥ ¥5,000 · "
            "spend per head in the month ≥ ¥80"]),
    ("zh-hans", ["A级品质客户", "¥5,000"]),
])  # fmt: skip
def test_scheme_page_shows_each_tier_with_its_rule(client, cast, scheme, language, words):
    client.force_login(cast.mia)
    url = reverse("admin:tiers_tierscheme_change", args=(scheme.pk,))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 200
    for word in words:
        assert word in body, word
    assert reverse("admin:tiers_tier_change", args=(tier(scheme, "a-quality").pk,)) in body  # edit


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_tier_page_shows_conditions_and_privileges(client, cast, scheme, language):
    client.force_login(cast.mia)
    a = tier(scheme, "a-quality")
    response = client.get(
        reverse("admin:tiers_tier_change", args=(a.pk,)), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 200
    models = [i.formset.model.__name__ for i in response.context["inline_admin_formsets"]]
    assert models == ["TierCondition", "TierPolicy"]
    body = response.content.decode()
    # The value picker offers every segment, class, type and tag, grouped by metric.
    assert 'value="rfm_segment:Champions"' in body and 'value="abc_class:A"' in body


def test_kam_reads_schemes_but_cannot_change_them(client, cast, scheme):
    client.force_login(cast.alice)
    a = tier(scheme, "a-quality")
    url = reverse("admin:tiers_tierscheme_change", args=(scheme.pk,))
    page = client.get(url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert client.post(url, {"code": "x", "name": "x"}).status_code == 403
    assert client.get(reverse("admin:tiers_tierscheme_add")).status_code == 403
    tier_url = reverse("admin:tiers_tier_change", args=(a.pk,))
    assert client.post(tier_url, {"code": "x"}).status_code == 403
    assert TierScheme.objects.get(pk=scheme.pk).code == "restaurant-monthly"
    assert Tier.objects.get(pk=a.pk).code == "a-quality"


def _tier_page(client, scheme, code):
    t = tier(scheme, code)
    url = reverse("admin:tiers_tier_change", args=(t.pk,))
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    return t, url, response


def test_a_valid_edit_saves_conditions_with_picked_values(client, cast, scheme, english):
    client.force_login(cast.mia)
    t, url, page = _tier_page(client, scheme, "a-quality")
    data = form_data(page)
    prefix = conditions_prefix(page)
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-0-min_value"] = "7"  # visits ≥ 7
    data.update({
        f"{prefix}-TOTAL_FORMS": n + 1,
        f"{prefix}-{n}-metric": "rfm_segment",
        f"{prefix}-{n}-value_list": ["rfm_segment:Champions", "rfm_segment:Loyal"],
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    conds = {c.metric: c for c in t.conditions.all()}
    assert conds["month_visits"].min_value == Decimal("7")
    assert conds["rfm_segment"].values == ["Champions", "Loyal"]
    page = client.get(url)
    assert (
        "rfm_segment:Champions"
        in page.context["inline_admin_formsets"][0].formset.forms[3]["value_list"].value()
    )


@pytest.mark.parametrize("change,message", [
    ({"0-min_value": "10", "0-max_value": "5"}, "must be below its upper bound"),
    ({"1-metric": "month_visits"}, "overlapping conditions"),
    ({"0-metric": "no_such_metric"}, "Select a valid choice"),
    ({"0-metric": "abc_class", "0-min_value": ""}, "needs at least one value"),
    ({"0-metric": "abc_class", "0-min_value": "", "0-value_list": ["rfm_segment:Lost"]},
     "is not a value of"),
    ({"0-metric": "month_spend", "0-min_value": "", "0-value_list": ["abc_class:A"]},
     "takes bounds, not values"),
    ({"0-DELETE": "on", "1-DELETE": "on", "2-DELETE": "on"}, "empty tier"),
])  # fmt: skip
def test_bad_rules_are_shown_and_nothing_is_saved(client, cast, scheme, english, change, message):
    client.force_login(cast.mia)
    t, url, page = _tier_page(client, scheme, "a-quality")
    before = sorted((c.metric, c.min_value) for c in t.conditions.all())
    data = form_data(page)
    prefix = conditions_prefix(page)
    for key, value in change.items():
        data[f"{prefix}-{key}"] = value
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in errors_of(response)
    assert message in response.content.decode().replace("&#x27;", "'")
    assert sorted((c.metric, c.min_value) for c in t.conditions.all()) == before


def test_a_tier_the_one_above_covers_is_unreachable(client, cast, scheme, english):
    client.force_login(cast.mia)
    t, url, page = _tier_page(client, scheme, "c-active")
    data = form_data(page)
    prefix = conditions_prefix(page)
    data[f"{prefix}-0-min_value"] = "8"  # visits ≥ 8, spend ≥ 5000, per head ≥ 80 …
    data[f"{prefix}-1-min_value"] = "6000"
    data[f"{prefix}-2-min_value"] = "90"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "can never be reached" in errors_of(response) and "A quality" in errors_of(response)


def test_reordering_tiers_on_the_scheme_page_is_validated(client, cast, scheme, english):
    client.force_login(cast.mia)
    url = reverse("admin:tiers_tierscheme_change", args=(scheme.pk,))
    page = client.get(url)
    data = form_data(page)
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    # Swap A quality (rank 1) and C active (rank 6): A can then never be reached.
    ranks = {data[f"{prefix}-{i}-code"]: i for i in range(6)}
    data[f"{prefix}-{ranks['a-quality']}-rank"] = "6"
    data[f"{prefix}-{ranks['c-active']}-rank"] = "1"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "can never be reached" in errors_of(response)
    assert tier(scheme, "a-quality").rank == 1
    # Renaming alone is fine.
    data = form_data(page)
    data[f"{prefix}-{ranks['a-quality']}-name_en"] = "A premium"
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert tier(scheme, "a-quality").name_en == "A premium"


def test_presets_load_by_post_for_managers_only(client, cast, english):
    url = reverse("admin:tiers_tierscheme_load_presets")
    client.force_login(cast.alice)
    assert url not in client.get(reverse("admin:tiers_tierscheme_changelist")).content.decode()
    assert client.get(url).status_code == 403
    assert client.post(url, {"code": "pyramid"}).status_code == 403
    client.force_login(cast.mia)
    page = client.get(url)
    assert page.status_code == 200 and not TierScheme.objects.exists()
    assert 'data-preset="clp-levels"' in page.content.decode()
    response = client.post(url, {"code": "pyramid"})
    scheme = TierScheme.objects.get()
    assert response["Location"] == reverse("admin:tiers_tierscheme_change", args=(scheme.pk,))
    assert scheme.code == "pyramid" and scheme.tiers.count() >= 3
    assert client.post(url, {"code": "pyramid"}).status_code == 302  # idempotent
    assert TierScheme.objects.count() == 1
    assert 'data-loaded="pyramid"' in client.get(url).content.decode()
    response = client.post(url, {"code": "nonsense"}, follow=True)
    assert "Unknown preset" in response.content.decode()


def test_managers_activate_and_deactivate_schemes(client, cast, scheme):
    url = reverse("admin:tiers_tierscheme_changelist")
    client.force_login(cast.alice)
    client.post(url, {"action": "activate", "_selected_action": [scheme.pk]})
    assert not TierScheme.objects.get(pk=scheme.pk).is_active  # presets load inactive
    TierScheme.objects.filter(pk=scheme.pk).update(is_active=True)
    client.post(url, {"action": "deactivate", "_selected_action": [scheme.pk]})
    assert TierScheme.objects.get(pk=scheme.pk).is_active
    client.force_login(cast.mia)
    client.post(url, {"action": "deactivate", "_selected_action": [scheme.pk]})
    assert not TierScheme.objects.get(pk=scheme.pk).is_active
    assert "inactive" in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    client.post(url, {"action": "activate", "_selected_action": [scheme.pk]})
    assert TierScheme.objects.get(pk=scheme.pk).is_active


# --- account tiers --------------------------------------------------------------------------------


@pytest.fixture
def rows(cast, scheme):
    mine = AccountTier.objects.create(
        account=cast.account,
        scheme=scheme,
        tier=tier(scheme, "b-active"),
        computed_tier=tier(scheme, "b-active"),
        since=dt.date(2026, 6, 1),
        metrics={"month_visits": 4, "month_spend": "2600.00"},
    )
    theirs = AccountTier.objects.create(
        account=cast.west_account, scheme=scheme, tier=tier(scheme, "a-quality")
    )
    return mine, theirs


@pytest.mark.parametrize("language,words", [("en", ["Account tiers", "by the rules"]),
                                            ("zh-hans", ["B级活跃客户"])])  # fmt: skip
def test_account_tiers_follow_the_access_rule(client, cast, rows, language, words):
    mine, theirs = rows
    client.force_login(cast.alice)
    response = client.get(
        reverse("admin:tiers_accounttier_changelist"), HTTP_ACCEPT_LANGUAGE=language
    )
    assert [r.pk for r in response.context["cl"].result_list] == [mine.pk]
    body = response.content.decode()
    for word in words:
        assert word in body, word
    assert client.get(reverse("admin:tiers_accounttier_change", args=(mine.pk,))).status_code == 200
    assert (
        client.get(reverse("admin:tiers_accounttier_change", args=(theirs.pk,))).status_code == 404
    )
    client.force_login(cast.mia)
    response = client.get(reverse("admin:tiers_accounttier_changelist"))
    assert {r.pk for r in response.context["cl"].result_list} == {mine.pk, theirs.pk}
    response = client.get(
        reverse("admin:tiers_accounttier_changelist"), {"tier__id__exact": mine.tier_id}
    )
    assert [r.pk for r in response.context["cl"].result_list] == [mine.pk]


@time_machine.travel(NOW, tick=False)
def test_managers_override_with_a_reason_and_clear_it(client, cast, rows, english):
    mine, _theirs = rows
    url = reverse("admin:tiers_accounttier_override", args=(mine.pk,))
    client.force_login(cast.alice)
    assert client.get(url).status_code == 403
    client.force_login(cast.mia)
    assert client.get(url).status_code == 200
    a = tier(mine.scheme, "a-quality")
    response = client.post(url, {"tier": a.pk, "reason": "  ", "until": ""})
    assert response.status_code == 200
    assert "Give a reason" in response.content.decode()
    response = client.post(url, {"tier": a.pk, "reason": "VIP", "until": "2026-07-01"})
    assert "in the past" in response.content.decode()
    response = client.post(
        url, {"tier": a.pk, "reason": "Chairman's friend", "until": "2026-12-31"}
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.tier, mine.override_tier, mine.override_until) == (a, a, dt.date(2026, 12, 31))
    change = TierChange.objects.get(account=cast.account)
    assert change.reason == ChangeReason.OVERRIDE and change.changed_by == cast.mia
    listing = client.get(reverse("admin:tiers_accounttier_changelist")).content.decode()
    assert "Set by hand: Chairman&#x27;s friend" in listing
    clear = reverse("admin:tiers_accounttier_clear_override", args=(mine.pk,))
    assert (
        client.get(clear).status_code == 200
        and AccountTier.objects.get(pk=mine.pk).override_tier_id
    )
    assert client.post(clear).status_code == 302
    mine.refresh_from_db()
    assert mine.override_tier is None and mine.tier == mine.computed_tier


def test_overriding_an_invisible_row_is_a_404(client, cast, rows):
    _mine, theirs = rows
    client.force_login(cast.lena)  # team lead of East: the West row is out of sight
    assert (
        client.get(reverse("admin:tiers_accounttier_override", args=(theirs.pk,))).status_code
        == 404
    )
    client.force_login(cast.mia)
    assert (
        client.get(reverse("admin:tiers_accounttier_override", args=(999999,))).status_code == 404
    )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_tier_history_is_read_only_with_arrows_and_reasons(client, cast, rows, language):
    mine, theirs = rows
    s = mine.scheme
    up = TierChange.objects.create(
        account=cast.account, scheme=s, from_tier=tier(s, "b-active"), to_tier=tier(s, "a-quality"),
        effective_on=dt.date(2026, 7, 1), reason=ChangeReason.RULES,
        metrics={"month_visits": 7, "month_spend": "6000.00"},
    )  # fmt: skip
    TierChange.objects.create(
        account=cast.west_account, scheme=s, from_tier=None, to_tier=tier(s, "c-active"),
        effective_on=dt.date(2026, 7, 1), reason=ChangeReason.RULES,
    )  # fmt: skip
    client.force_login(cast.alice)
    url = reverse("admin:tiers_tierchange_changelist")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert [r.pk for r in response.context["cl"].result_list] == [up.pk]
    body = response.content.decode()
    assert 'data-move="up"' in body and "¥6,000" in body
    assert (
        client.post(reverse("admin:tiers_tierchange_change", args=(up.pk,)), {}).status_code == 403
    )
    client.force_login(cast.mia)
    response = client.get(url, {"reason__exact": "override"})
    assert list(response.context["cl"].result_list) == []
    response = client.get(url, {"to_tier__id__exact": tier(s, "a-quality").pk})
    assert [r.pk for r in response.context["cl"].result_list] == [up.pk]


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("language,words", [("en", ["Tier migration"]),
                                            ("zh-hans", ["A级品质客户"])])  # fmt: skip
def test_migration_page_counts_moves_per_month(client, cast, rows, language, words):
    mine, theirs = rows
    s = mine.scheme
    a, b, c = tier(s, "a-quality"), tier(s, "b-active"), tier(s, "c-active")
    for account, frm, to, day in [
        (cast.account, None, c, dt.date(2026, 5, 1)),
        (cast.account, c, b, dt.date(2026, 6, 1)),
        (cast.west_account, b, a, dt.date(2026, 6, 1)),
        (cast.west_account, a, None, dt.date(2026, 7, 1)),
    ]:
        TierChange.objects.create(account=account, scheme=s, from_tier=frm, to_tier=to,
                                  effective_on=day, reason=ChangeReason.RULES)  # fmt: skip
    client.force_login(cast.mia)
    url = reverse("admin:tiers_tierscheme_migration")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    body = response.content.decode()
    for word in words:
        assert word in body, word
    assert 'data-table="months"' in body  # the moves per month
    assert response.context["totals"] == {"upgrades": 2, "downgrades": 0, "new": 1, "lost": 1}
    assert len(response.context["months"]) == 12
    june = client.get(url, {"scheme": s.pk, "month": "2026-06"})
    cells = {(line["from"], c["to"]): c["n"] for line in june.context["matrix"]
             for c in line["cells"]}  # fmt: skip
    assert cells[(b, a)] == 1 and cells[(c, b)] == 1 and cells[(None, c)] == 0
    # A KAM counts only the moves of accounts they see; the distribution too.
    client.force_login(cast.alice)
    mine_only = client.get(url)
    assert mine_only.context["totals"] == {"upgrades": 1, "downgrades": 0, "new": 1, "lost": 0}
    assert dict(mine_only.context["distribution"])[b] == 1
    assert dict(mine_only.context["distribution"])[a] == 0


# --- discount reviews -----------------------------------------------------------------------------


@pytest.fixture
def reviews(cast, scheme):
    def review(account):
        txn = make_transaction(account=account, amount="800.00", discount_rate=Decimal("0.700"))
        return DiscountReview.objects.create(
            transaction=txn, account=account, discount_rate=Decimal("0.700"),
            floor=Decimal("0.850"), tier=tier(scheme, "a-quality"),
        )  # fmt: skip

    return review(cast.account), review(cast.west_account)


@pytest.mark.parametrize("language,words", [("en", ["Waiting for review", "70% / 85%"]),
                                            ("zh-hans", ["7折 / 8.5折"])])  # fmt: skip
def test_kams_read_their_reviews_and_managers_decide(client, cast, reviews, language, words):
    mine, theirs = reviews
    client.force_login(cast.alice)
    url = reverse("admin:tiers_discountreview_changelist")
    response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
    assert [r.pk for r in response.context["cl"].result_list] == [mine.pk]
    for word in words:
        assert word in response.content.decode(), word
    approve = reverse("admin:tiers_discountreview_approve", args=(mine.pk,))
    assert client.post(approve, {"note": "ok"}).status_code == 403
    assert (
        client.get(reverse("admin:tiers_discountreview_change", args=(theirs.pk,))).status_code
        == 404
    )
    client.force_login(cast.mia)
    assert client.get(approve).status_code == 200
    with time_machine.travel(NOW, tick=False):
        assert client.post(approve, {"note": "Birthday banquet, GM agreed"}).status_code == 302
    mine.refresh_from_db()
    assert mine.status == DiscountReviewStatus.APPROVED and mine.reviewed_by == cast.mia
    assert mine.review_note == "Birthday banquet, GM agreed" and mine.reviewed_at == NOW
    # A rejection needs a note: not in bulk, and not with an empty note.
    client.post(url, {"action": "reject_selected", "_selected_action": [theirs.pk]})
    theirs.refresh_from_db()
    assert theirs.status == DiscountReviewStatus.PENDING
    reject = reverse("admin:tiers_discountreview_reject", args=(theirs.pk,))
    page = client.post(reject, {"note": "  "})
    assert page.status_code == 200 and page.context["form"].errors["note"]
    assert "7折 &lt; 8.5折" in page.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == DiscountReviewStatus.PENDING
    assert client.post(reject, {"note": "Not agreed"}).status_code == 302
    theirs.refresh_from_db()
    assert theirs.status == DiscountReviewStatus.REJECTED and theirs.review_note == "Not agreed"
    # The list is a work queue: pending by default, everything with status=all.
    assert list(client.get(url).context["cl"].result_list) == []
    everything = client.get(url, {"status": "all"}).context["cl"].result_list
    assert {r.pk for r in everything} == {mine.pk, theirs.pk}
    detail = client.get(reverse("admin:tiers_discountreview_change", args=(mine.pk,)))
    assert detail.context["title"].endswith("7折 < 8.5折")
    assert timezone.is_aware(mine.reviewed_at)


def test_two_tiers_swap_ranks_in_one_save(client, cast, english):
    from guanxi.tiers.tests.conftest import build_scheme

    scheme = build_scheme("classes", [
        ("a", [{"metric": "abc_class", "values": ["A"]}]),
        ("b", [{"metric": "abc_class", "values": ["B"]}]),
    ])  # fmt: skip
    client.force_login(cast.mia)
    url = reverse("admin:tiers_tierscheme_change", args=(scheme.pk,))
    page = client.get(url)
    data = form_data(page)
    prefix = page.context["inline_admin_formsets"][0].formset.prefix
    data[f"{prefix}-0-rank"], data[f"{prefix}-1-rank"] = "2", "1"
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert list(scheme.tiers.order_by("rank").values_list("code", flat=True)) == ["b", "a"]
    # On the tier's own page a taken rank or code is a field error, not a crash.
    a = scheme.tiers.get(code="a")
    tier_url = reverse("admin:tiers_tier_change", args=(a.pk,))
    data = form_data(client.get(tier_url))
    data.update({"rank": "1", "code": "b"})
    response = client.post(tier_url, data)
    assert response.status_code == 200
    assert "has this rank" in errors_of(response) and "has this code" in errors_of(response)


def test_a_new_tier_is_added_with_its_conditions_and_checked_in_its_scheme(client, cast, scheme):
    client.force_login(cast.mia)
    url = reverse("admin:tiers_tier_add")
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    data = form_data(page)
    prefix = conditions_prefix(page)
    data.update({
        "scheme": scheme.pk, "code": "d-new", "rank": "7", "name": "D级新客户",
        f"{prefix}-TOTAL_FORMS": 1, f"{prefix}-0-metric": "month_visits",
        f"{prefix}-0-min_value": "1",
    })  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    new = scheme.tiers.get(code="d-new")
    assert [(c.metric, c.min_value) for c in new.conditions.all()] == [("month_visits", 1)]
    # Placed above A quality with the same rule as C active: C active becomes unreachable.
    data.update({"code": "e-new", "rank": "0", f"{prefix}-0-min_value": "2"})
    data[f"{prefix}-1-metric"] = "month_spend"
    data[f"{prefix}-1-min_value"] = "1000"
    data[f"{prefix}-TOTAL_FORMS"] = 2
    response = client.post(url, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and "can never be reached" in errors_of(response)
    assert not scheme.tiers.filter(code="e-new").exists()


@time_machine.travel(NOW, tick=False)
def test_setting_by_hand_on_an_account_out_of_sight_is_not_found_not_forbidden(client, cast, rows):
    _mine, theirs = rows  # theirs: the west team's account, out of alice's sight
    client.force_login(cast.alice)
    for url in (
        reverse("admin:tiers_accounttier_override", args=(theirs.pk,)),
        reverse("admin:tiers_accounttier_clear_override", args=(theirs.pk,)),
        reverse("admin:tiers_accounttier_override_for", args=(theirs.account_id, theirs.scheme_id)),
    ):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
