"""/api/pipeline/targets: everyone reads their own and their team's targets; managers set any,
a team lead those of the team's KAMs; each write lands in the target's history under the
caller; bad input is a 4xx naming the field."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from guanxi.pipeline.models import SalesTarget

API = "/api/pipeline/targets"


def put(client, body: dict):
    return client.put(API, json.dumps(body), content_type="application/json")


def patch(client, pk: int, body: dict):
    return client.patch(f"{API}/{pk}", json.dumps(body), content_type="application/json")


@pytest.fixture
def targets(cast):
    month = "2026-07-01"
    return {
        "team": SalesTarget.objects.create(team=cast.east, starts_on=month, amount=900_000),
        "alice": SalesTarget.objects.create(user=cast.alice, starts_on=month, amount=300_000),
        "bob": SalesTarget.objects.create(user=cast.bob, starts_on=month, amount=200_000),
        "charlie": SalesTarget.objects.create(user=cast.charlie, starts_on=month, amount=100),
    }


def ids(client, query: dict | None = None) -> set[int]:
    body = client.get(API, query or {}).json()
    assert body["count"] == len(body["items"])
    return {t["id"] for t in body["items"]}


def test_each_reads_their_own_their_teams_and_what_they_may_set(as_user, cast, targets):
    t = {k: v.pk for k, v in targets.items()}
    assert ids(as_user("alice")) == {t["team"], t["alice"]}
    assert ids(as_user("lena")) == {t["team"], t["alice"], t["bob"]}
    assert ids(as_user("mia")) == set(t.values())
    assert ids(as_user("mia"), {"team": cast.east.pk}) == {t["team"]}
    assert ids(as_user("mia"), {"starts_from": "2026-08-01"}) == set()
    assert as_user("alice").get(f"{API}/{t['bob']}").status_code == 404
    assert Decimal(as_user("alice").get(f"{API}/{t['alice']}").json()["amount"]) == 300_000


def test_a_lead_sets_a_kams_target_and_changing_it_again_keeps_one(as_user, cast):
    lena = as_user("lena")
    body = {"user": cast.alice.pk, "starts_on": "2026-07-01", "amount": "1000"}
    first = put(lena, body)
    assert first.status_code == 200, first.json()
    again = put(lena, {**body, "amount": "1500"})
    assert again.json()["id"] == first.json()["id"]
    target = SalesTarget.objects.get()
    assert target.amount == 1500 and target.history.first().history_user == cast.lena
    moved = patch(lena, target.pk, {"starts_on": "2026-08-01"})
    assert moved.status_code == 200 and moved.json()["starts_on"] == "2026-08-01"
    assert as_user("lena").delete(f"{API}/{target.pk}").status_code == 204
    assert not SalesTarget.objects.exists()


def test_who_may_set_what_and_bad_input(as_user, cast, targets):
    month = {"starts_on": "2026-07-01", "amount": "1"}
    assert put(as_user("alice"), {"user": cast.alice.pk, **month}).status_code == 403
    assert put(as_user("lena"), {"team": cast.east.pk, **month}).status_code == 403
    assert put(as_user("lena"), {"user": 999_999, **month}).status_code == 404
    refused = put(as_user("mia"), {"user": cast.bob.pk, "period": "quarter",
                                   "starts_on": "2026-08-01", "amount": "1"})  # fmt: skip
    assert refused.status_code == 422 and refused.json()["field"] == "starts_on"
    assert put(as_user("mia"), {"user": cast.bob.pk, **month, "amount": "-1"}).status_code == 422
    assert put(as_user("mia"), {**month}).status_code == 422
    clash = patch(as_user("mia"), targets["alice"].pk, {"user": cast.bob.pk})
    assert clash.status_code == 409
    empty = patch(as_user("mia"), targets["alice"].pk, {"amount": None})
    assert empty.status_code == 422 and empty.json()["field"] == "amount"
    assert as_user("alice").delete(f"{API}/{targets['alice'].pk}").status_code == 404
    assert SalesTarget.objects.count() == 4
