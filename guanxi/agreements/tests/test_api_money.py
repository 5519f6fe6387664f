"""/api/agreements/{id}/performance, /accrual, /settlements and settlement confirm/pay."""

import datetime as dt

import pytest

from guanxi.agreements.models import SettlementStatus
from guanxi.agreements.tests.money import agreement_of, commitment, sale, schedule
from tests.support import JSON

pytestmark = pytest.mark.django_db
Y = 2025


@pytest.fixture
def story(cast):
    agreement = agreement_of(cast, starts_on=dt.date(Y, 1, 1), ends_on=dt.date(Y, 12, 31))
    commitment(agreement, 2_000_000, categories=["rooms"])
    s = schedule(agreement, method="incremental")
    sale(cast.account, 2_500_000, dt.date(Y, 5, 1))
    return agreement, s


def test_performance_and_accrual(as_user, story):
    agreement, s = story
    api = as_user("alice")
    body = api.get(f"/api/agreements/{agreement.pk}/performance?as_of={Y}-12-31").json()
    [c] = body["commitments"]
    assert (c["actual"], c["shortfall"], c["categories"]) == ("2500000.00", False, ["rooms"])
    assert c["pace"] == pytest.approx(1.25)
    body = api.get(f"/api/agreements/{agreement.pk}/accrual?as_of={Y}-12-31").json()
    [a] = body["schedules"]
    assert (a["rebate"], a["outstanding"], a["method"]) == ("65000.00", "65000.00", "incremental")
    assert [b["rebate"] for b in a["brackets"]] == pytest.approx([20_000, 45_000, 0])


@pytest.mark.parametrize("name", ["bob", "charlie"])
def test_out_of_sight_is_404(as_user, story, name):
    agreement, s = story
    api = as_user(name)
    assert api.get(f"/api/agreements/{agreement.pk}/performance").status_code == 404
    assert api.get(f"/api/agreements/{agreement.pk}/accrual").status_code == 404
    assert api.get(f"/api/agreements/{agreement.pk}/settlements").status_code == 404
    created = api.post(
        f"/api/agreements/{agreement.pk}/settlements",
        {"schedule": s.pk, "period_end": f"{Y}-06-30"},
        content_type=JSON,
    )
    assert created.status_code == 404


def test_settle_confirm_and_pay(as_user, story):
    agreement, s = story
    alice, mia = as_user("alice"), as_user("mia")
    created = alice.post(
        f"/api/agreements/{agreement.pk}/settlements",
        {"schedule": s.pk, "period_end": f"{Y}-12-31"},
        content_type=JSON,
    )
    assert created.status_code == 201, created.json()
    settlement = created.json()
    assert (settlement["amount_due"], settlement["status"]) == ("65000.00", "draft")
    again = alice.post(
        f"/api/agreements/{agreement.pk}/settlements",
        {"schedule": s.pk, "period_end": f"{Y}-12-31"},
        content_type=JSON,
    )
    assert again.status_code == 409
    url = f"/api/agreements/settlements/{settlement['id']}"
    assert alice.post(f"{url}/confirm").status_code == 403
    confirmed = mia.post(f"{url}/confirm")
    assert confirmed.json()["status"] == SettlementStatus.CONFIRMED
    over = mia.post(
        f"{url}/payments", {"paid_on": f"{Y + 1}-01-10", "amount": "70000"}, content_type=JSON
    )
    assert over.status_code == 422 and over.json()["field"] == "amount"
    paid = mia.post(
        f"{url}/payments",
        {"paid_on": f"{Y + 1}-01-10", "amount": "65000", "reference": "TT-9"},
        content_type=JSON,
    )
    assert paid.status_code == 201 and paid.json()["settlement_status"] == "paid"
    listed = alice.get(f"/api/agreements/{agreement.pk}/settlements").json()
    assert [x["status"] for x in listed] == ["paid"]


def test_bad_input_names_the_field(as_user, story):
    agreement, s = story
    api = as_user("alice")
    outside = api.post(
        f"/api/agreements/{agreement.pk}/settlements",
        {"schedule": s.pk, "period_end": f"{Y + 3}-01-01"},
        content_type=JSON,
    )
    assert outside.status_code == 422 and outside.json()["field"] == "period_end"
    other = api.post(
        f"/api/agreements/{agreement.pk}/settlements",
        {"schedule": 999_999, "period_end": f"{Y}-06-30"},
        content_type=JSON,
    )
    assert other.status_code == 404
    assert api.get(f"/api/agreements/{agreement.pk}/performance?as_of=nope").status_code == 422
