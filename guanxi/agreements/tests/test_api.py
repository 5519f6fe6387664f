"""/api/agreements: list, create, read, patch (amendments), status actions, rates, off-rate
reviews — within the access rule (out of sight = 404), with clear 4xx answers that match the
OpenAPI."""

from __future__ import annotations

import pytest

from guanxi.agreements.models import Amendment, RateReview
from tests.support import JSON, ROLES_SEE_ALICES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def post(client, url, body=None):
    return client.post(url, body if body is not None else {}, content_type=JSON)


def patch(client, url, body):
    return client.patch(url, body, content_type=JSON)


@pytest.mark.parametrize(("who", "status"), ROLES_SEE_ALICES)
def test_reading_and_signing_follow_the_access_rule(as_user, agreement, who, status):
    client = as_user(who)
    assert client.get(f"/api/agreements/{agreement.pk}").status_code == status
    assert client.get(f"/api/agreements/{agreement.pk}/amendments").status_code == status
    r = post(client, f"/api/agreements/{agreement.pk}/sign")
    assert r.status_code == status
    assert r.status_code == 404 or r.json()["status"] == "active"
    listed = client.get("/api/agreements").json()
    assert listed["count"] == (1 if status == 200 else 0)


def test_create_patch_and_the_life_cycle(as_user, cast, group):
    alice = as_user("alice")
    body = {"account": cast.account.pk, "name": "2026 LNR", "agreement_type": "negotiated_rate",
            "starts_on": "2026-01-01", "ends_on": "2026-12-31",
            "covered_accounts": [group.sub.pk], "their_signers": [group.buyer.pk]}  # fmt: skip
    r = post(alice, "/api/agreements", {**body, "covered_accounts": [group.sister.pk]})
    assert r.status_code == 422 and r.json()["field"] == "covered_accounts"
    r = post(alice, "/api/agreements", body)
    assert r.status_code == 201, r.json()
    made = r.json()
    assert (made["status"], made["covered_accounts"], made["renewal_due_on"]) == (
        "draft", [group.sub.pk], "2026-10-02")  # fmt: skip
    url = f"/api/agreements/{made['id']}"
    r = post(alice, f"{url}/terminate", {"reason": "x"})
    assert r.status_code == 409 and r.json()["field"] == "status"
    assert post(alice, f"{url}/sign", {"signed_on": "2026-01-03"}).json()["status"] == "active"
    r = patch(alice, url, {"ends_on": "2027-01-31", "summary": "One more month"})
    assert r.status_code == 200 and r.json()["ends_on"] == "2027-01-31"
    amendments = alice.get(f"{url}/amendments").json()
    assert amendments[0]["version"] == 1
    assert amendments[0]["changes"] == {"ends_on": ["2026-12-31", "2027-01-31"]}
    assert amendments[0]["made_by"] == cast.alice.pk
    r = post(alice, f"{url}/rates", {"category": "rooms", "value": "680", "tolerance": "5"})
    assert r.status_code == 201 and r.json()["category"] == "rooms"
    rate_url = f"{url}/rates/{r.json()['id']}"
    assert patch(alice, rate_url, {"value": "690"}).json()["value"] == "690.000"
    assert Amendment.objects.filter(agreement_id=made["id"]).count() == 3
    assert post(alice, f"{url}/rates", {"category": "nope", "value": "1"}).status_code == 422
    r = post(alice, f"{url}/renew")
    assert r.status_code == 201 and r.json()["status"] == "draft"
    assert r.json()["starts_on"] == "2027-02-01" and len(r.json()["rates"]) == 1
    assert alice.delete(rate_url).status_code == 204
    r = post(alice, f"{url}/terminate", {"reason": "Hotel sold", "terminated_on": "2026-07-01"})
    assert r.json()["status"] == "terminated"
    assert patch(alice, url, {"notes": "late"}).status_code == 409
    assert as_user("charlie").get(url).status_code == 404
    assert patch(as_user("bob"), url, {"notes": "x"}).status_code == 404


def test_the_list_filters(as_user, cast, agreement):
    mia = as_user("mia")
    assert mia.get("/api/agreements?status=draft").json()["count"] == 1
    assert mia.get("/api/agreements?status=active").json()["count"] == 0
    assert mia.get("/api/agreements?ending_within_days=30").json()["count"] == 0
    assert mia.get("/api/agreements?ending_within_days=365").json()["count"] == 1
    assert mia.get(f"/api/agreements?account={cast.west_account.pk}").json()["count"] == 0
    assert mia.get("/api/agreements?q=FA-2026").json()["items"][0]["id"] == agreement.pk
    assert mia.get("/api/agreements?status=bogus").status_code == 422


def test_off_rate_reviews_are_listed_and_decided_by_managers(as_user, cast, group, agreement):
    alice = as_user("alice")
    url = f"/api/agreements/{agreement.pk}"
    post(alice, f"{url}/sign")
    post(alice, f"{url}/rates", {"category": "rooms", "value": "680"})
    tx = {"account": group.sub.pk, "category": "rooms", "occurred_at": "2026-06-10T20:00:00",
          "amount": "1400", "quantity": "2"}  # fmt: skip
    assert post(alice, "/api/transactions", tx).status_code == 201
    review = RateReview.objects.get()
    listed = alice.get("/api/agreements/rate-reviews?status=open").json()
    assert [r["id"] for r in listed["items"]] == [review.pk]
    assert listed["items"][0]["actual"] == "700.000"
    assert as_user("charlie").get("/api/agreements/rate-reviews").json()["count"] == 0
    decide = f"/api/agreements/rate-reviews/{review.pk}/decide"
    assert post(alice, decide, {"status": "accepted"}).status_code == 403
    assert post(as_user("charlie"), decide, {"status": "accepted"}).status_code == 404
    r = post(as_user("mia"), decide, {"status": "corrected"})
    assert r.status_code == 422 and r.json()["field"] == "note"
    r = post(as_user("mia"), decide, {"status": "corrected", "note": "Bill at ¥680"})
    assert r.status_code == 200 and r.json()["decided_by"] == cast.mia.pk


def test_the_endpoints_are_documented(as_user):
    schema = as_user("alice").get("/api/openapi.json").json()
    paths = schema["paths"]
    assert paths["/api/agreements"]["get"]["summary"].startswith("Agreements you can see")
    for path in ("/api/agreements/{agreement_id}/sign", "/api/agreements/{agreement_id}/renew",
                 "/api/agreements/{agreement_id}/terminate",
                 "/api/agreements/rate-reviews/{review_id}/decide"):  # fmt: skip
        responses = paths[path]["post"]["responses"]
        assert {"404", "409", "422"} <= set(responses), path
