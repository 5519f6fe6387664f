"""Converting a lead into an account and a contact never makes a second copy (the Frappe CRM
bug): an existing account or contact is used when given, refused with a Conflict naming it when
not."""

from __future__ import annotations

import pytest

from guanxi.accounts.models import Account, AccountStatus
from guanxi.contacts.models import Contact
from guanxi.core.errors import Conflict, InvalidInput, NotFound
from guanxi.leads.models import LeadStatus
from guanxi.leads.services import lead_attach, lead_convert_records
from tests.support import make_account, make_contact


def test_convert_creates_a_prospect_and_its_contact(qualified, cast):
    lead = qualified(company="苏州金鸡湖会议中心有限公司", person_name="陈静", mobile="13912345678",
                     email="chen@jjh.cn", job_title="行政经理")  # fmt: skip
    account, contact = lead_convert_records(actor=cast.alice, lead=lead)
    assert account.status == AccountStatus.PROSPECT and account.owner == cast.alice
    assert account.name == "苏州金鸡湖会议中心有限公司" and account.team == cast.east
    assert (contact.account, contact.name, contact.mobile) == (account, "陈静", "13912345678")
    assert contact.is_primary
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and lead.converted_at is not None
    assert (lead.account, lead.contact) == (account, contact)
    assert lead.history.first().history_user == cast.alice
    assert account.history.first().history_user == cast.alice


def test_convert_refuses_a_second_copy_of_an_account_it_sees(qualified, cast):
    existing = make_account(owner=cast.alice, name="华为技术有限公司")
    lead = qualified(company="华为技术（北京）有限公司", person_name="张伟")
    before = Account.objects.count()
    with pytest.raises(Conflict) as exc:
        lead_convert_records(actor=cast.alice, lead=lead)
    assert exc.value.extra == {"kind": "account", "id": existing.pk, "name": "华为技术有限公司"}
    assert Account.objects.count() == before
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED


def test_an_account_out_of_sight_is_named_only_by_its_owner(qualified, cast):
    make_account(owner=cast.charlie, name="北京华为技术有限公司")
    lead = qualified(company="华为技术有限公司")
    with pytest.raises(Conflict) as exc:
        lead_convert_records(actor=cast.alice, lead=lead)
    assert exc.value.extra == {"kind": "account", "owner": str(cast.charlie)}


def test_convert_into_the_chosen_account_and_refuse_a_second_copy_of_its_person(qualified, cast):
    existing = make_account(owner=cast.alice, name="华为技术有限公司")
    person = make_contact(account=existing, name="张伟", mobile="+86 138 0013 8000")
    lead = qualified(company="华为技术（北京）有限公司", person_name="张伟", mobile="13800138000")
    with pytest.raises(Conflict) as exc:
        lead_convert_records(actor=cast.alice, lead=lead, account=existing)
    assert exc.value.extra["id"] == person.pk
    contacts = Contact.objects.count()
    account, contact = lead_convert_records(actor=cast.alice, lead=lead, account=existing,
                                            contact=person)  # fmt: skip
    assert (account, contact) == (existing, person)
    assert Contact.objects.count() == contacts


def test_same_name_on_the_account_is_the_same_person(qualified, cast):
    existing = make_account(owner=cast.alice, name="华为技术有限公司")
    make_contact(account=existing, name="张伟")
    lead = qualified(company="华为", person_name="张伟")
    with pytest.raises(Conflict):
        lead_convert_records(actor=cast.alice, lead=lead, account=existing)


def test_convert_adds_a_new_person_to_a_chosen_account(qualified, cast):
    lead = qualified(company="华东会展集团", person_name="刘洋", mobile="13700000001")
    account, contact = lead_convert_records(actor=cast.alice, lead=lead, account=cast.account)
    assert account == cast.account and contact.account == cast.account
    assert not contact.is_primary or cast.account.contacts.count() == 1


def test_an_attached_lead_converts_into_what_it_is_attached_to(qualified, cast):
    lead = qualified(company="华东会展集团有限公司", person_name="")
    lead_attach(actor=cast.alice, lead=lead, account=cast.account)
    account, contact = lead_convert_records(actor=cast.alice, lead=lead)
    assert (account, contact) == (cast.account, None)


def test_convert_needs_a_qualified_visible_lead_and_a_visible_account(qualified, new_lead, cast):
    with pytest.raises(Conflict):
        lead_convert_records(actor=cast.alice, lead=new_lead())
    lead = qualified()
    with pytest.raises(NotFound):
        lead_convert_records(actor=cast.bob, lead=lead)
    with pytest.raises(NotFound):
        lead_convert_records(actor=cast.alice, lead=lead, account=cast.west_account)
    person = make_contact(account=cast.account)
    with pytest.raises(InvalidInput):
        lead_convert_records(actor=cast.alice, lead=lead, contact=person)
    lead_convert_records(actor=cast.alice, lead=lead)
    with pytest.raises(Conflict):
        lead_convert_records(actor=cast.alice, lead=lead)


def test_a_team_lead_converts_a_members_lead_for_that_member(qualified, cast):
    lead = qualified(cast.bob, company="宁波港国际会议有限公司")
    account, _ = lead_convert_records(actor=cast.lena, lead=lead)
    assert account.owner == cast.bob
