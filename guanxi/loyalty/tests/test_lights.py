"""Each light rule raises its light when its reason holds and clears it when the reason goes;
evaluating twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.contacts.models import Contact
from guanxi.loyalty.lights import lights_evaluate
from guanxi.loyalty.models import AccountLight, LightStatus
from guanxi.loyalty.tests.support import AS_OF, lit, make_run, make_score, rule, spend
from guanxi.loyalty.words import reason_words
from guanxi.relationships.models import BuyingCentreMember, StanceToUs
from tests.support import make_account, make_contact

pytestmark = pytest.mark.django_db


def test_palive_halved_raises_a_yellow_light_and_clears_when_it_recovers(cast, english):
    steady = make_account(owner=cast.alice)
    before, now = make_run(dt.date(2026, 5, 31)), make_run(dt.date(2026, 6, 14))
    make_score(before, cast.account, p_alive=0.8)
    make_score(now, cast.account, p_alive=0.3)
    make_score(before, steady, p_alive=0.8)
    make_score(now, steady, p_alive=0.7)

    summary = lights_evaluate(as_of=AS_OF)

    light = lit(cast.account, "palive-halved")
    assert light is not None and light.colour == "yellow" and light.status == LightStatus.OPEN
    assert light.facts["previous"] == 0.8 and light.facts["current"] == 0.3
    assert "80%" in reason_words(light) and "30%" in reason_words(light)
    assert lit(steady, "palive-halved") is None
    assert summary["rules"]["palive-halved"]["raised"] == 1

    again = make_run(dt.date(2026, 6, 15))
    make_score(again, cast.account, p_alive=0.6)
    make_score(again, steady, p_alive=0.7)
    lights_evaluate(as_of=AS_OF)

    light.refresh_from_db()
    assert light.cleared_at is not None and light.status == LightStatus.RESOLVED
    assert lit(cast.account, "palive-halved") is None
    assert light.history.count() == 2  # raised, then cleared


def test_spend_down_half_reads_the_month_rollups(cast):
    other = make_account(owner=cast.alice)
    for month in (3, 4, 5):
        spend(cast.account, dt.date(2025, month, 10), "2000.00")
        spend(cast.account, dt.date(2026, month, 10), "500.00")
        spend(other, dt.date(2025, month, 10), "2000.00")
        spend(other, dt.date(2026, month, 10), "1500.00")

    lights_evaluate(as_of=AS_OF)

    light = lit(cast.account, "spend-down-half")
    assert light is not None
    assert light.facts["drop_pct"] == 75
    assert light.facts["first"] == "2026-03-01" and light.facts["last"] == "2026-05-01"
    assert lit(other, "spend-down-half") is None

    spend(cast.account, dt.date(2026, 5, 20), "500.00")  # still down by more than half
    assert lights_evaluate(as_of=AS_OF)["rules"]["spend-down-half"]["updated"] == 1
    light.refresh_from_db()
    assert light.facts["drop_pct"] == 67 and light.cleared_at is None
    assert light.history.first().account_id == cast.account.pk  # a whole row in the history

    spend(cast.account, dt.date(2026, 5, 20), "2500.00")  # back above half of last year
    lights_evaluate(as_of=AS_OF)
    assert lit(cast.account, "spend-down-half") is None
    assert AccountLight.objects.filter(account=cast.account, cleared_at__isnull=False).count() == 1


def test_champion_gone_raises_red_and_clears_when_the_seat_changes(cast, english):
    champion = make_contact(account=cast.account, name="王先生")
    seat = BuyingCentreMember.objects.create(
        account=cast.account, contact=champion, stance=StanceToUs.CHAMPION
    )
    lights_evaluate(as_of=AS_OF)
    assert lit(cast.account, "champion-gone") is None

    Contact.objects.filter(pk=champion.pk).update(is_active=False)
    lights_evaluate(as_of=AS_OF)
    light = lit(cast.account, "champion-gone")
    assert light is not None and light.colour == "red"
    assert "王先生" in reason_words(light)

    seat.stance = StanceToUs.NEUTRAL
    seat.save()
    lights_evaluate(as_of=AS_OF)
    assert lit(cast.account, "champion-gone") is None


def test_evaluating_twice_is_idempotent_and_keeps_people_s_words(cast):
    champion = make_contact(account=cast.account, is_active=False)
    BuyingCentreMember.objects.create(
        account=cast.account, contact=champion, stance=StanceToUs.CHAMPION
    )
    lights_evaluate(as_of=AS_OF)
    light = lit(cast.account, "champion-gone")
    AccountLight.objects.filter(pk=light.pk).update(kam_feedback="已约见新的对接人")

    second = lights_evaluate(as_of=AS_OF + dt.timedelta(days=1))

    assert second["raised"] == 0 and second["cleared"] == 0
    assert AccountLight.objects.count() == 1
    light.refresh_from_db()
    assert light.kam_feedback == "已约见新的对接人"
    assert light.last_seen_on == AS_OF + dt.timedelta(days=1)


def test_a_rule_switched_off_clears_its_lights(cast):
    champion = make_contact(account=cast.account, is_active=False)
    BuyingCentreMember.objects.create(
        account=cast.account, contact=champion, stance=StanceToUs.CHAMPION
    )
    lights_evaluate(as_of=AS_OF)
    gone = rule("champion-gone")
    gone.active = False
    gone.save()
    lights_evaluate(as_of=AS_OF)
    assert lit(cast.account, "champion-gone") is None
