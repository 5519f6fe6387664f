"""{% account_tiers_card account %}: current tiers, why, override, privileges in force and the
last moves, rendered standalone."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.template import Context, Template
from django.utils import translation

from guanxi.tiers.models import AccountTier, TierChange, TierScheme
from guanxi.tiers.services import account_tier_override, scheme_load_preset, tiering_run
from guanxi.tiers.templatetags.tiers_tags import condition_text, metric_value, rule_summary
from tests.support import make_transaction

NOW = dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
CARD = Template("{% load tiers_tags %}{% account_tiers_card account %}")


def render(account, language="en") -> str:
    with translation.override(language):
        return CARD.render(Context({"account": account}))


def at(day: int, hour: int = 19) -> dt.datetime:
    return dt.datetime(2026, 6, day, hour, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def scheme(db):
    scheme = scheme_load_preset(code="restaurant-monthly")
    TierScheme.objects.filter(pk=scheme.pk).update(is_active=True)
    return scheme


@time_machine.travel(NOW, tick=False)
def test_card_shows_the_tier_why_and_privileges(cast, scheme):
    # June: 6 visits, ¥6,000, 60 heads → A quality by the run of 1 July.
    for day in (1, 5, 9, 13, 17, 21):
        make_transaction(account=cast.account, amount="1000.00", when=at(day), head_count=10)
    tiering_run(as_of=dt.date(2026, 7, 1))
    row = AccountTier.objects.get(account=cast.account, scheme=scheme)
    assert row.tier.code == "a-quality"
    html = render(cast.account)
    assert 'data-card="account-tiers"' in html
    assert 'data-tier="a-quality"' in html and "A quality" in html and "#b8860b" in html
    assert "since 2026-07-01" in html and "data-checked" in html  # by the rules
    assert "visits in the month 6" in html and "¥6,000" in html
    # The seed's A privileges: calls every 3 days, visits every 10, GM greets, VIP group,
    # 85% floor except drinks, seafood, specials and banquets.
    assert 'data-privilege="call_every_days">every 3 days' in html
    assert 'data-privilege="visit_every_days">every 10 days' in html
    floor = html.split('data-privilege="discount_floor">')[1].split("</dd>")[0]
    assert "General manager" in html and "85% of list price" in floor and "Drinks" in floor
    assert "every 3 months · ¥700 per table" in html
    assert 'data-list="tier-changes"' in html and "→ A quality" in html
    zh = render(cast.account, "zh-hans")
    assert "A级品质客户" in zh and "8.5折" in zh


@time_machine.travel(NOW, tick=False)
def test_card_shows_an_override_with_reason_and_end(cast, scheme):
    b = scheme.tiers.get(code="b-active")
    a = scheme.tiers.get(code="a-quality")
    AccountTier.objects.create(account=cast.account, scheme=scheme, tier=b, computed_tier=b)
    account_tier_override(account=cast.account, scheme=scheme, tier=a, reason="Chairman's friend",
                          until=dt.date(2026, 12, 31), actor=cast.mia)  # fmt: skip
    html = render(cast.account)
    assert "data-override" in html and "Chairman&#x27;s friend" in html
    assert "until 2026-12-31" in html and "(mia)" in html and "B active" in html
    assert 'class="text-green-700">↑' in html
    assert TierChange.objects.count() == 1


def test_card_without_tiers_says_how_tiers_come(cast, db):
    html = render(cast.account)
    assert "No tier yet" in html and 'data-list="privileges"' not in html


def test_rule_wording():
    with translation.override("en"):
        assert rule_summary([]) == "every other account"
        assert condition_text({"metric": "month_spend", "min": 3000, "max": 5000}) == (
            "¥3,000 ≤ spend in the month < ¥5,000"
        )
        assert condition_text({"metric": "clv_percentile", "max": 50}) == "value percentile < 50"
        assert condition_text({"metric": "abc_class", "values": ["A", "B"]}) == (
            "ABC class is A — top revenue or B — middle"
        )
    assert metric_value(0.734, "p_alive") == "73%"
    assert metric_value("83.33", "month_per_head") == "¥83.33"
    assert metric_value(None, "clv") == "—"
