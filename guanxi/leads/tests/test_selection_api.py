"""/api/selection: criteria, the ranking under the access rule, an account's assessments with
every term explained, and assessing through the API with 4xx naming the criterion at fault."""

from __future__ import annotations

import json

import pytest

from guanxi.leads.models import SelectionAssessment
from guanxi.leads.services import selection_assess
from guanxi.leads.tests.conftest import GOOD
from tests.support import make_account

API = "/api/selection"


def post(client, account_id: int, body: dict):
    return client.post(f"{API}/accounts/{account_id}", json.dumps(body),
                       content_type="application/json")  # fmt: skip


@pytest.mark.usefixtures("criteria")
def test_a_kam_assesses_and_reads_the_history_with_terms_explained(as_user, cast):
    client = as_user("alice")
    keys = {c["key"] for c in client.get(f"{API}/criteria").json()}
    assert set(GOOD) <= keys and "clv" in keys
    made = post(client, cast.account.pk, {"scores": {k: 1 for k in GOOD}, "notes": "初评"})
    assert made.status_code == 201, made.json()
    again = post(client, cast.account.pk, {"scores": GOOD})
    body = again.json()
    assert body["is_latest"] and body["account_name"] == cast.account.name
    assert float(body["total"]) > float(made.json()["total"])
    given = next(t for t in body["terms"] if t["key"] == "potential")
    assert given["score"] == 5 and given["basis"] == "given" and given["explanation"]
    history = client.get(f"{API}/accounts/{cast.account.pk}").json()
    assert [h["id"] for h in history] == [body["id"], made.json()["id"]]
    assert [h["is_latest"] for h in history] == [True, False]
    assert SelectionAssessment.objects.get(pk=body["id"]).assessed_by == cast.alice


@pytest.mark.usefixtures("criteria")
def test_the_ranking_follows_the_access_rule_and_bad_scores_are_422(as_user, cast):
    other = make_account(owner=cast.alice, name="次要客户")
    selection_assess(actor=cast.alice, account=other, scores={k: 2 for k in GOOD})
    selection_assess(actor=cast.alice, account=cast.account, scores=GOOD)
    selection_assess(actor=cast.charlie, account=cast.west_account, scores=GOOD)
    ranked = as_user("alice").get(f"{API}/ranking").json()
    assert [r["account"] for r in ranked] == [cast.account.pk, other.pk]
    assert len(as_user("mia").get(f"{API}/ranking", {"limit": 2}).json()) == 2
    assert as_user("mia").get(f"{API}/ranking", {"limit": 51}).status_code == 422
    client = as_user("alice")
    assert client.get(f"{API}/accounts/{cast.west_account.pk}").status_code == 404
    assert post(client, cast.west_account.pk, {"scores": GOOD}).status_code == 404
    for scores, field in (({**GOOD, "potential": 6}, "scores"), ({"willingness": 3}, None),
                          ({**GOOD, "size": 3}, "size")):  # fmt: skip
        refused = post(client, cast.account.pk, {"scores": scores})
        assert refused.status_code == 422, scores
        if field:  # the schema checks 1–5, the service that each criterion is known
            assert refused.json()["field"] == field
    assert post(client, cast.account.pk, {"scores": GOOD, "x": 1}).status_code == 422
