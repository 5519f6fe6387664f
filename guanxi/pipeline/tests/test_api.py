"""/api/opportunities and /api/pipeline: list, create, read, patch, delete, move, lines —
within the access rule, with clear 4xx answers."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.pipeline.models import Opportunity, StageChange
from guanxi.pipeline.services import opportunity_create
from tests.support import JSON, ROLES_SEE_ALICES, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


def post(client, url, body=None):
    return client.post(url, body if body is not None else {}, content_type=JSON)


def patch(client, url, body):
    return client.patch(url, body, content_type=JSON)


def test_the_list_shows_visible_deals_and_filters(as_user, cast, deal):
    other = opportunity_create(actor=cast.charlie, account=cast.west_account, name="Tour",
                               expected_close=dt.date(2026, 8, 1),
                               opportunity_type="group_block")  # fmt: skip
    body = as_user("alice").get("/api/opportunities").json()
    assert [o["id"] for o in body["items"]] == [deal.pk] and body["count"] == 1
    item = body["items"][0]
    assert (item["account_name"], item["type"], item["probability"]) == ("华东会展集团", "mice", 10)
    mia = as_user("mia")
    assert mia.get("/api/opportunities").json()["count"] == 2
    assert [o["id"] for o in mia.get("/api/opportunities?type=group_block").json()["items"]] == [
        other.pk]  # fmt: skip
    url = "/api/opportunities?close_from=2026-09-01&outcome=open"
    assert [o["id"] for o in mia.get(url).json()["items"]] == [deal.pk]
    assert mia.get(f"/api/opportunities?owner={cast.charlie.pk}").json()["count"] == 1
    assert mia.get("/api/opportunities?type=bogus").status_code == 422
    assert mia.get("/api/opportunities?limit=1").json()["items"][0]["id"] == other.pk
    assert as_user("bob").get("/api/opportunities").json()["count"] == 0


def test_the_list_reads_a_bounded_number_of_queries(as_user, cast, django_assert_max_num_queries):
    for n in range(12):
        opportunity_create(actor=cast.alice, account=cast.account, name=f"D{n}",
                           expected_close=dt.date(2026, 9, 1))  # fmt: skip
    client = as_user("alice")
    with django_assert_max_num_queries(8):
        assert client.get("/api/opportunities").json()["count"] == 12


@pytest.mark.parametrize(("who", "status"), ROLES_SEE_ALICES)
def test_reading_and_moving_follow_the_access_rule(as_user, cast, deal, stages, who, status):
    client = as_user(who)
    assert client.get(f"/api/opportunities/{deal.pk}").status_code == status
    r = post(client, f"/api/opportunities/{deal.pk}/move", {"stage": stages["contact"].pk})
    assert r.status_code == status
    assert r.status_code == 404 or r.json()["stage"] == stages["contact"].pk
    assert patch(client, f"/api/opportunities/{deal.pk}", {"notes": "x"}).status_code == status
    expected_log = 2 if status == 200 else 1
    assert StageChange.objects.filter(opportunity=deal).count() == expected_log


def test_create_with_lines_and_contacts_then_read_it(as_user, cast, stages):
    contact = make_contact(account=cast.account)
    body = {
        "account": cast.account.pk, "name": "Sales kick-off", "type": "mice",
        "expected_close": "2026-08-31", "amount_from_lines": True, "contacts": [contact.pk],
        "event_start": "2026-10-12", "event_end": "2026-10-13", "attendees": 80,
        "lines": [
            {"kind": "rooms", "day": "2026-10-12", "quantity": "40", "unit_price": "550"},
            {"kind": "fnb", "quantity": 80, "unit_price": "200", "category": "fnb"},
        ],
    }  # fmt: skip
    r = post(as_user("alice"), "/api/opportunities", body)
    assert r.status_code == 201, r.json()
    got = r.json()
    assert (got["amount"], got["stage"], got["owner"], got["contacts"]) == (
        "38000.00", stages["identify"].pk, cast.alice.pk, [contact.pk])  # fmt: skip
    assert [line["category"] for line in got["lines"]] == ["rooms", "fnb"]
    assert got["stage_log"][0]["from_stage"] is None and got["stage_times"][0]["current"]
    assert got["expected_revenue"] == []


def test_bad_input_is_a_clear_4xx(as_user, cast, deal, stages):
    client = as_user("alice")
    base = {"account": cast.account.pk, "name": "X", "expected_close": "2026-08-31"}
    r = post(client, "/api/opportunities", {**base, "account": cast.west_account.pk})
    assert r.status_code == 404
    theirs = make_contact(account=cast.west_account)
    r = post(client, "/api/opportunities", {**base, "contacts": [theirs.pk]})
    assert (r.status_code, r.json()["field"]) == (422, "contacts")
    r = post(client, "/api/opportunities", {**base, "owner": cast.bob.pk})
    assert (r.status_code, r.json()["field"]) == (422, "owner")
    r = post(client, f"/api/opportunities/{deal.pk}/move", {"stage": stages["lost"].pk})
    assert (r.status_code, r.json()["field"]) == (422, "lost_reason")
    r = patch(client, f"/api/opportunities/{deal.pk}", {"stage": stages["won"].pk})
    assert r.status_code == 422
    r = post(client, f"/api/opportunities/{deal.pk}/move", {"stage": 999999})
    assert (r.status_code, r.json()["field"]) == (422, "stage")


def test_won_then_reopened_through_the_api(as_user, cast, deal, stages, price):
    client = as_user("alice")
    won = post(client, f"/api/opportunities/{deal.pk}/move", {"stage": stages["won"].pk}).json()
    assert (won["outcome"], won["closed_on"]) == ("won", "2026-06-15")
    assert won["expected_revenue"] == [
        {"month": "2026-09-01", "category": None, "amount": "120000.00"}]  # fmt: skip
    assert client.delete(f"/api/opportunities/{deal.pk}").status_code == 409
    back = post(client, f"/api/opportunities/{deal.pk}/move", {"stage": stages["propose"].pk})
    assert (back.json()["closed_on"], back.json()["expected_revenue"]) == (None, [])
    move = {"stage": stages["lost"].pk, "lost_reason": price.pk, "lost_note": "dear"}
    lost = post(client, f"/api/opportunities/{deal.pk}/move", move)
    assert (lost.json()["lost_reason"], lost.json()["lost_note"]) == (price.pk, "dear")
    assert lost.json()["stage_log"][-1]["seconds_in_from_stage"] == 0


def test_lines_crud_keeps_the_amount(as_user, cast, deal):
    client = as_user("lena")
    patch(client, f"/api/opportunities/{deal.pk}", {"amount_from_lines": True})
    r = post(client, f"/api/opportunities/{deal.pk}/lines",
             {"kind": "meeting_space", "quantity": 2, "unit_price": "8000"})  # fmt: skip
    assert r.status_code == 201 and r.json()["category"] == "meeting"
    line = r.json()["id"]
    r = patch(client, f"/api/opportunities/{deal.pk}/lines/{line}", {"quantity": 3})
    assert r.json()["total"] == "24000.00"
    assert client.get(f"/api/opportunities/{deal.pk}").json()["amount"] == "24000.00"
    assert as_user("bob").delete(f"/api/opportunities/{deal.pk}/lines/{line}").status_code == 404
    assert client.delete(f"/api/opportunities/{deal.pk}/lines/{line}").status_code == 204
    assert client.get(f"/api/opportunities/{deal.pk}").json()["amount"] == "0.00"
    other = opportunity_create(actor=cast.alice, account=cast.account, name="Other",
                               expected_close=dt.date(2026, 9, 1))  # fmt: skip
    r = patch(client, f"/api/opportunities/{other.pk}/lines/{line}", {"quantity": 1})
    assert r.status_code == 404


def test_delete_an_open_deal(as_user, deal):
    assert as_user("bob").delete(f"/api/opportunities/{deal.pk}").status_code == 404
    assert as_user("alice").delete(f"/api/opportunities/{deal.pk}").status_code == 204
    assert not Opportunity.objects.filter(pk=deal.pk).exists()


def test_the_pipelines_and_lost_reasons(as_user, stages):
    body = as_user("bob").get("/api/pipeline/stages").json()
    assert [s["key"] for s in body[0]["stages"]] == [
        "identify", "contact", "propose", "negotiate", "won", "lost"]  # fmt: skip
    assert body[0]["is_default"] and body[0]["stages"][4]["probability"] == 100
    reasons = as_user("bob").get("/api/pipeline/lost-reasons").json()
    assert len(reasons) == 7 and reasons[0]["name"]


def test_a_deal_may_be_recorded_as_lost_and_a_probability_reset_to_the_stages(
    as_user, cast, deal, stages, price
):
    client = as_user("alice")
    base = {"account": cast.account.pk, "name": "Lost at once", "expected_close": "2026-06-01",
            "stage": stages["lost"].pk}  # fmt: skip
    r = post(client, "/api/opportunities", base)
    assert (r.status_code, r.json()["field"]) == (422, "lost_reason")
    r = post(client, "/api/opportunities", {**base, "lost_reason": price.pk,
                                            "closed_on": "2026-05-20"})  # fmt: skip
    assert r.status_code == 201
    assert (r.json()["outcome"], r.json()["closed_on"]) == ("lost", "2026-05-20")
    url = f"/api/opportunities/{deal.pk}"
    assert patch(client, url, {"probability": 33}).json()["probability"] == 33
    assert patch(client, url, {"probability": None}).json()["probability"] == 10
