"""Volume commitments and rebate schedules in the admin: a manager adds a commitment on the
agreement's page and a schedule with brackets on its own page, both saved through the services
with the audit history; bad input (brackets not a ladder, a rate out of range, a period outside
the agreement) is a form error and nothing is saved; another KAM's schedule is a 404."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from guanxi.agreements.models import RebateBracket, RebateSchedule, VolumeCommitment
from guanxi.agreements.terms import schedule_create

from .test_admin import errors_of, form_data, prefix_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "english")]

CHANGE = "admin:agreements_agreement_change"
S_ADD = "admin:agreements_rebateschedule_add"
S_CHANGE = "admin:agreements_rebateschedule_change"


def _commitment_post(client, agreement, **row):
    url = reverse(CHANGE, args=(agreement.pk,))
    page = client.get(url)
    data = form_data(page)
    p = prefix_of(page, VolumeCommitment)
    data[f"{p}-TOTAL_FORMS"] = 1
    data.update({f"{p}-0-{k}": v for k, v in row.items()})
    return client.post(url, data)


def test_a_manager_adds_a_commitment_on_the_agreement_page(client, cast, agreement):
    client.force_login(cast.mia)
    response = _commitment_post(client, agreement, basis="amount", committed="1000000")
    assert response.status_code == 302
    made = agreement.commitments.get()
    assert made.committed == D("1000000") and made.period == (agreement.starts_on,
                                                                agreement.ends_on)  # fmt: skip
    assert made.history.first().history_user == cast.mia


def test_a_commitment_outside_the_agreement_is_a_form_error(client, cast, agreement):
    client.force_login(cast.mia)
    response = _commitment_post(client, agreement, basis="amount", committed="5",
                                starts_on="2025-06-01")  # fmt: skip
    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"]
    text = str([i.formset.errors for i in errors])
    assert "within the agreement" in text
    assert not agreement.commitments.exists()


def _schedule_data(agreement, brackets, **fields):
    data = {"agreement": agreement.pk, "name": "2026 返点", "basis": "amount",
            "method": "retroactive", "frequency": "quarterly",
            "brackets-TOTAL_FORMS": len(brackets), "brackets-INITIAL_FORMS": 0,
            **fields}  # fmt: skip
    for i, (low, rate) in enumerate(brackets):
        data[f"brackets-{i}-from_value"], data[f"brackets-{i}-rate"] = low, rate
    return data


def test_a_manager_adds_a_schedule_with_brackets(client, cast, agreement):
    client.force_login(cast.mia)
    assert client.get(reverse(S_ADD) + f"?agreement={agreement.pk}").status_code == 200
    data = _schedule_data(agreement, [("1000000", "3"), ("0", "2"), ("3000000", "5")])
    response = client.post(reverse(S_ADD), data)
    assert response.status_code == 302, errors_of(response)
    schedule = RebateSchedule.objects.get(agreement=agreement)
    rows = list(schedule.brackets.values_list("from_value", "rate"))
    assert rows == [(D(0), D(2)), (D(1000000), D(3)), (D(3000000), D(5))]
    assert schedule.history.first().history_user == cast.mia
    page = client.get(reverse(CHANGE, args=(agreement.pk,))).content.decode()
    assert f'data-schedule-link="{schedule.pk}"' in page and "data-add-schedule" in page


@pytest.mark.parametrize(
    ("brackets", "fields", "message"),
    [
        ([("0", "2"), ("0", "3")], {}, "duplicate"),
        ([("100", "2")], {}, "start at 0"),
        ([("0", "120")], {}, "0 to 100"),
        ([("0", "2")], {"starts_on": "2025-01-01"}, "within the agreement"),
    ],
)
def test_bad_schedules_are_form_errors(client, cast, agreement, brackets, fields, message):
    client.force_login(cast.mia)
    response = client.post(reverse(S_ADD), _schedule_data(agreement, brackets, **fields))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not RebateSchedule.objects.exists() and not RebateBracket.objects.exists()


def test_changing_brackets_replaces_the_ladder(client, cast, agreement):
    schedule = schedule_create(actor=cast.alice, agreement=agreement, name="R",
                               brackets=[(0, 2), (1000000, 3)])  # fmt: skip
    client.force_login(cast.alice)
    url = reverse(S_CHANGE, args=(schedule.pk,))
    page = client.get(url)
    data = form_data(page)
    data["brackets-1-rate"] = "4"
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert list(schedule.brackets.values_list("rate", flat=True)) == [D(2), D(4)]


def test_another_kams_schedule_is_a_404(client, cast, agreement):
    schedule = schedule_create(actor=cast.alice, agreement=agreement, brackets=[(0, 2)],
                               ends_on=dt.date(2026, 6, 30))  # fmt: skip
    client.force_login(cast.bob)
    assert client.get(reverse(S_CHANGE, args=(schedule.pk,))).status_code == 404
    listing = client.get(reverse("admin:agreements_rebateschedule_changelist"))
    assert listing.status_code == 200 and f"/{schedule.pk}/change/" not in listing.content.decode()
