"""Converting a lead into account, contact and opportunity in one step (pipeline.convert)."""

from __future__ import annotations

import datetime as dt

import pytest

from guanxi.accounts.models import Account
from guanxi.core.errors import Conflict, InvalidInput
from guanxi.leads.models import LeadSource, LeadStatus
from guanxi.leads.services import lead_create, lead_man_set, lead_qualify
from guanxi.pipeline.convert import lead_convert
from guanxi.pipeline.models import Opportunity, StageChange
from tests.support import make_account


@pytest.fixture
def qualified_lead(cast):
    def make(owner=None, **fields):
        owner = owner or cast.alice
        fields.setdefault("company", "厦门国际会展有限公司")
        source = LeadSource.objects.get(builtin="exhibition")
        lead, _ = lead_create(actor=owner, source=source, campaign="2026 春季展", **fields)
        lead_man_set(actor=owner, lead=lead, money="yes", money_evidence="预算50万",
                     authority="yes", authority_evidence="总经理", need="yes",
                     need_evidence="秋季年会")  # fmt: skip
        return lead_qualify(actor=owner, lead=lead)

    return make


def test_convert_opens_a_deal_from_the_lead(cast, qualified_lead):
    lead = qualified_lead(person_name="林峰", mobile="13600000000")
    account, contact, deal = lead_convert(
        actor=cast.alice,
        lead=lead,
        opportunity={"name": "秋季年会", "expected_close": dt.date(2026, 10, 1),
                     "opportunity_type": "mice", "amount": "200000"},
    )  # fmt: skip
    assert deal.account == account and deal.lead == lead and deal.owner == cast.alice
    assert deal.source == lead.source and deal.campaign == "2026 春季展"
    assert list(deal.contacts.all()) == [contact]
    assert StageChange.objects.filter(opportunity=deal, from_stage=None).count() == 1
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.account == account


def test_convert_without_opportunity_fields_opens_no_deal(cast, qualified_lead):
    account, contact, deal = lead_convert(actor=cast.alice, lead=qualified_lead())
    assert deal is None and contact is None
    assert not Opportunity.objects.filter(account=account).exists()


def test_a_refused_opportunity_leaves_the_lead_unconverted(cast, qualified_lead):
    lead = qualified_lead()
    accounts = Account.objects.count()
    with pytest.raises(InvalidInput):
        lead_convert(actor=cast.alice, lead=lead, opportunity={"name": "年会"})
    with pytest.raises(InvalidInput):
        lead_convert(actor=cast.alice, lead=lead, opportunity={
            "name": "年会", "expected_close": dt.date(2026, 10, 1), "source": 1})  # fmt: skip
    assert Account.objects.count() == accounts
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED


def test_convert_onto_the_existing_account_no_second_copy(cast, qualified_lead):
    existing = make_account(owner=cast.alice, name="厦门国际会展有限公司")
    lead = qualified_lead(company="厦门国际会展（集团）有限公司")
    with pytest.raises(Conflict):
        lead_convert(actor=cast.alice, lead=lead)
    accounts = Account.objects.count()
    account, _, deal = lead_convert(
        actor=cast.alice, lead=lead, account=existing,
        opportunity={"name": "展会", "expected_close": dt.date(2026, 11, 1)},
    )  # fmt: skip
    assert account == existing and deal.account == existing
    assert Account.objects.count() == accounts
