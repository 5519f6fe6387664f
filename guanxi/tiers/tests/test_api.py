"""/api/tiers: schemes with rule summaries, an account's tiers and history within the access
rule, and overrides with clear 4xx messages."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from guanxi.tiers.models import AccountTier, ChangeReason, TierChange, TierScheme
from guanxi.tiers.services import scheme_load_preset
from tests.support import JSON

NOW = dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def scheme(db):
    scheme = scheme_load_preset(code="restaurant-monthly")
    TierScheme.objects.filter(pk=scheme.pk).update(is_active=True)
    scheme.refresh_from_db()
    return scheme


@pytest.fixture
def placed(cast, scheme):
    b = scheme.tiers.get(code="b-active")
    c = scheme.tiers.get(code="c-active")
    row = AccountTier.objects.create(
        account=cast.account, scheme=scheme, tier=b, computed_tier=b,
        since=dt.date(2026, 7, 1), metrics={"month_visits": 4, "month_spend": "2600.00"},
    )  # fmt: skip
    TierChange.objects.create(
        account=cast.account, scheme=scheme, from_tier=c, to_tier=b,
        effective_on=dt.date(2026, 7, 1), reason=ChangeReason.RULES, metrics=row.metrics,
    )  # fmt: skip
    return row


def test_schemes_list_tiers_with_readable_rules(as_user, scheme):
    body = as_user("alice").get("/api/tiers/schemes").json()
    assert [s["code"] for s in body] == ["restaurant-monthly"]
    first = body[0]["tiers"][0]
    assert (first["code"], first["rank"], first["name_en"]) == ("a-quality", 1, "A quality")
    assert first["rule"] == (
        "visits in the month ≥ 6 · spend in the month ≥ ¥5,000 · spend per head in the month ≥ ¥80"
    )
    assert first["conditions"][0] == {
        "metric": "month_visits", "min": "6.0000", "max": None, "values": []
    }  # fmt: skip


def test_schemes_give_descriptions_in_both_languages(as_user, scheme):
    TierScheme.objects.filter(pk=scheme.pk).update(description="按月评定", description_en="Monthly")
    scheme.tiers.filter(code="a-quality").update(description="优质", description_en="Best guests")
    body = as_user("alice").get("/api/tiers/schemes").json()[0]
    assert (body["description"], body["description_en"]) == ("按月评定", "Monthly")
    first = body["tiers"][0]
    assert (first["description"], first["description_en"]) == ("优质", "Best guests")


@pytest.mark.parametrize("who,status", [("alice", 200), ("bob", 404), ("charlie", 404),
                                        ("lena", 200), ("mia", 200)])  # fmt: skip
def test_account_tiers_follow_the_access_rule(as_user, cast, placed, who, status):
    response = as_user(who).get(f"/api/tiers/accounts/{cast.account.pk}")
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["tiers"][0]["scheme"] == "restaurant-monthly"
        assert body["tiers"][0]["tier"]["code"] == "b-active"
        assert body["tiers"][0]["override"] is None
        assert body["tiers"][0]["metrics"]["month_visits"] == 4
        change = body["history"][0]
        assert (change["from_tier"]["code"], change["to_tier"]["code"]) == ("c-active", "b-active")
        assert change["direction"] == "up" and change["reason"] == "rules"


def test_bad_account_ids(as_user):
    client = as_user("mia")
    assert client.get("/api/tiers/accounts/0").status_code == 422
    assert client.get("/api/tiers/accounts/abc").status_code == 422
    assert client.get("/api/tiers/accounts/999999").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_managers_override_and_clear(as_user, cast, placed):
    url = f"/api/tiers/accounts/{cast.account.pk}/override"
    payload = {"scheme": "restaurant-monthly", "tier": "a-quality", "reason": "Chairman's friend",
               "until": "2026-12-31"}  # fmt: skip
    response = as_user("mia").post(url, payload, content_type=JSON)
    assert response.status_code == 200, response.json()
    current = response.json()["tiers"][0]
    assert current["tier"]["code"] == "a-quality"
    assert current["computed_tier"]["code"] == "b-active"
    assert current["override"] == {
        "tier": current["tier"], "reason": "Chairman's friend", "until": "2026-12-31",
        "by": "mia", "active": True,
    }  # fmt: skip
    assert response.json()["history"][0]["reason"] == "override"
    placed.refresh_from_db()
    assert placed.override_tier.code == "a-quality" and placed.override_by == cast.mia
    cleared = as_user("mia").delete(f"{url}/restaurant-monthly")
    assert cleared.status_code == 200
    assert cleared.json()["tiers"][0]["tier"]["code"] == "b-active"
    assert cleared.json()["history"][0]["reason"] == "override_ended"


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize("change,status,field", [
    ({"scheme": "nope"}, 400, "scheme"),
    ({"tier": "nope"}, 400, "tier"),
    ({"reason": "   "}, 400, "reason"),
    ({"until": "2026-07-01"}, 422, "until"),
    ({"until": "not a date"}, 422, "until"),
    ({"reason": None}, 422, "reason"),
])  # fmt: skip
def test_bad_overrides_get_a_clear_message(as_user, cast, placed, change, status, field):
    payload = {"scheme": "restaurant-monthly", "tier": "a-quality", "reason": "VIP", **change}
    response = as_user("mia").post(
        f"/api/tiers/accounts/{cast.account.pk}/override", payload, content_type=JSON
    )
    assert response.status_code == status
    body = response.json()
    assert body["message"] and body.get("field") == field
    placed.refresh_from_db()
    assert placed.override_tier is None


@pytest.mark.parametrize("who,status", [("alice", 403), ("lena", 403), ("bob", 404),
                                        ("charlie", 404)])  # fmt: skip
def test_only_managers_override_and_others_see_404_first(as_user, cast, placed, who, status):
    payload = {"scheme": "restaurant-monthly", "tier": "a-quality", "reason": "VIP"}
    response = as_user(who).post(
        f"/api/tiers/accounts/{cast.account.pk}/override", payload, content_type=JSON
    )
    assert response.status_code == status
    assert response.json()["message"]
    assert not AccountTier.objects.filter(override_tier__isnull=False).exists()


def test_the_api_needs_a_token(client, scheme):
    assert client.get("/api/tiers/schemes").status_code == 401
