"""The deal admin: the scoped list, the form saving through the services (a stage chosen in the
form is a logged move; lines keep the amount), read-only stage log, and the lists' admins."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from guanxi.pipeline.models import Opportunity, OpportunityLine, SalesTarget, StageChange
from guanxi.pipeline.services import opportunity_create, opportunity_move
from tests.support import ROLES_SEE_ALICES, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "english")]

LIST = "admin:pipeline_opportunity_changelist"
ADD = "admin:pipeline_opportunity_add"
CHANGE = "admin:pipeline_opportunity_change"
DELETE = "admin:pipeline_opportunity_delete"


def form_data(response) -> dict:
    """The POST body the page would send unchanged: main form and every inline."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if isinstance(value, list):
                value = [str(v) for v in value]
            data[form.add_prefix(name)] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            add(form)
    return data


def errors_of(response) -> dict:
    return dict(response.context["adminform"].form.errors)


def prefix_of(response, model) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no inline for {model}")


def test_the_list_is_scoped_and_reads_few_queries(client, cast, deal,
                                                  django_assert_max_num_queries):  # fmt: skip
    for n in range(10):
        opportunity_create(actor=cast.alice, account=cast.account, name=f"D{n}",
                           expected_close=dt.date(2026, 8, n + 1))  # fmt: skip
    opportunity_create(actor=cast.charlie, account=cast.west_account, name="West",
                       expected_close=dt.date(2026, 8, 1))  # fmt: skip
    client.force_login(cast.alice)
    with django_assert_max_num_queries(25):
        response = client.get(reverse(LIST))
    rows = list(response.context["cl"].result_list)
    assert len(rows) == 11 and {o.account_id for o in rows} == {cast.account.pk}
    assert reverse(CHANGE, args=(deal.pk,)) in response.content.decode()
    client.force_login(cast.bob)
    assert list(client.get(reverse(LIST)).context["cl"].result_list) == []
    client.force_login(cast.mia)
    response = client.get(reverse(LIST), {"opportunity_type": "mice"})
    assert list(response.context["cl"].result_list) == [deal]


@pytest.mark.parametrize(("who", "status"), ROLES_SEE_ALICES)
def test_only_those_who_see_the_account_open_a_deal(client, cast, deal, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(reverse(CHANGE, args=(deal.pk,))).status_code == status


def test_adding_a_deal_goes_through_the_service(client, cast, stages):
    contact = make_contact(account=cast.account)
    client.force_login(cast.alice)
    page = client.get(reverse(ADD))
    data = form_data(page)
    data.update(account=cast.account.pk, name="Gala dinner", opportunity_type="banquet",
                amount="50000", expected_close="2026-10-01")  # fmt: skip
    data["contacts"] = [str(contact.pk)]
    response = client.post(reverse(ADD), data)
    assert response.status_code == 302, errors_of(response)
    deal = Opportunity.objects.get(name="Gala dinner")
    assert (deal.stage, deal.probability, deal.owner) == (stages["identify"], 10, cast.alice)
    assert list(deal.contacts.all()) == [contact]
    assert [c.to_stage for c in deal.stage_changes.all()] == [stages["identify"]]
    assert deal.history.first().history_user == cast.alice


def test_a_stage_chosen_in_the_form_is_a_logged_move(client, cast, deal, stages, price, clock):
    clock.shift(dt.timedelta(days=2))
    client.force_login(cast.lena)
    url = reverse(CHANGE, args=(deal.pk,))
    data = form_data(client.get(url))
    data["stage"] = stages["lost"].pk
    response = client.post(url, data)
    assert response.status_code == 200 and "lost_reason" in errors_of(response)
    data["lost_reason"] = price.pk
    assert client.post(url, data).status_code == 302
    deal.refresh_from_db()
    assert (deal.outcome, deal.lost_reason, deal.probability) == ("lost", price, 0)
    last = deal.stage_changes.last()
    assert (last.from_stage, last.to_stage, last.actor, last.seconds_in_from_stage) == (
        stages["identify"], stages["lost"], cast.lena, 2 * 86400)  # fmt: skip
    # A lost deal is kept: no delete.
    assert client.get(reverse(DELETE, args=(deal.pk,))).status_code == 403


def test_lines_in_the_form_keep_the_amount(client, cast, deal, stages):
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(deal.pk,))
    page = client.get(url)
    data = form_data(page)
    data["amount_from_lines"] = "on"
    prefix = prefix_of(page, OpportunityLine)
    data[f"{prefix}-TOTAL_FORMS"] = 1
    data.update({f"{prefix}-0-kind": "rooms", f"{prefix}-0-day": "2026-09-10",
                 f"{prefix}-0-quantity": "30", f"{prefix}-0-unit_price": "700"})  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    deal.refresh_from_db()
    assert deal.amount == Decimal("21000.00") and deal.stage_changes.count() == 1
    line = deal.lines.get()
    assert line.category.code == "rooms"
    assert OpportunityLine.history.get(id=line.pk).history_user == cast.alice


def test_the_stage_log_is_read_only_and_shows_durations(client, cast, deal, stages, clock):
    clock.shift(dt.timedelta(days=1, hours=3))
    opportunity_move(actor=cast.alice, opportunity=deal, stage=stages["contact"])
    client.force_login(cast.alice)
    page = client.get(reverse(CHANGE, args=(deal.pk,)))
    inline = next(i for i in page.context["inline_admin_formsets"]
                  if i.formset.model is StageChange)  # fmt: skip
    assert not inline.has_add_permission and not inline.has_change_permission
    html = page.content.decode()
    assert "1 d 3 h" in html
    assert f'data-stage-time="{stages["identify"].pk}">Identify: 1 d 3 h' in html


def test_targets_by_role(client, cast):
    client.force_login(cast.alice)
    assert client.get(reverse("admin:pipeline_salestarget_changelist")).status_code == 403
    client.force_login(cast.lena)
    url = reverse("admin:pipeline_salestarget_add")
    body = {"user": cast.alice.pk, "period": "month", "starts_on": "2026-07-01",
            "amount": "300000"}  # fmt: skip
    assert client.post(url, body).status_code == 302
    target = SalesTarget.objects.get()
    assert (target.user, target.amount) == (cast.alice, Decimal("300000.00"))
    assert target.history.first().history_user == cast.lena
    response = client.post(url, {**body, "user": cast.charlie.pk})
    assert response.status_code == 200 and SalesTarget.objects.count() == 1
    client.force_login(cast.mia)
    response = client.post(url, {"team": cast.west.pk, "period": "quarter",
                                 "starts_on": "2026-08-01", "amount": "1"})  # fmt: skip
    assert response.status_code == 200 and "starts_on" in errors_of(response)


def test_pipelines_are_read_by_staff_and_changed_by_managers(client, cast):
    client.force_login(cast.alice)
    assert client.get(reverse("admin:pipeline_pipeline_changelist")).status_code == 200
    assert client.get(reverse("admin:pipeline_pipeline_add")).status_code == 403
    client.force_login(cast.mia)
    assert client.get(reverse("admin:pipeline_pipeline_add")).status_code == 200
    assert client.get(reverse("admin:pipeline_lostreason_changelist")).status_code == 200


def test_close_fields_on_an_open_deal_are_a_form_error(client, cast, deal, price):
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(deal.pk,))
    data = form_data(client.get(url))
    data["lost_reason"] = price.pk
    response = client.post(url, data)
    assert response.status_code == 200 and "lost_reason" in errors_of(response)
    data.pop("lost_reason")
    data["closed_on"] = "2026-06-01"
    response = client.post(url, data)
    assert response.status_code == 200 and "closed_on" in errors_of(response)


def test_an_open_deal_is_deleted_through_the_service(client, cast, deal):
    client.force_login(cast.bob)
    assert client.post(reverse(DELETE, args=(deal.pk,)), {"post": "yes"}).status_code == 404
    client.force_login(cast.alice)
    assert client.post(reverse(DELETE, args=(deal.pk,)), {"post": "yes"}).status_code == 302
    assert not Opportunity.objects.filter(pk=deal.pk).exists()
    assert Opportunity.history.filter(id=deal.pk).first().history_user == cast.alice


def test_the_lists_show_money_and_percentages(client, cast, stages):
    deal = opportunity_create(actor=cast.alice, account=cast.account, name="Expo",
                              expected_close=dt.date(2026, 9, 30), opportunity_type="mice",
                              amount="95516.00", stage=stages["identify"])  # fmt: skip
    client.force_login(cast.alice)
    html = client.get(reverse(LIST)).content.decode()
    assert "data-money>¥95,516</span>" in html
    assert f"data-percent>{deal.probability}%</span>" in html
    assert "95516.00" not in html
    client.force_login(cast.mia)
    SalesTarget.objects.create(user=cast.alice, period="month", starts_on=dt.date(2027, 3, 1),
                               amount=Decimal("840000.00"))  # fmt: skip
    html = client.get(reverse("admin:pipeline_salestarget_changelist")).content.decode()
    assert "data-money>¥840,000</span>" in html and "· 2027-03 · ¥840,000" in html
    assert "840000.00" not in html
