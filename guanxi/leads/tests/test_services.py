"""Lead writes: create with duplicates, MAN and qualification, disqualify, reopen, attach, access
and the audit history."""

from __future__ import annotations

import pytest

from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.leads.models import Lead, LeadStatus
from guanxi.leads.selectors import leads_visible_to
from guanxi.leads.services import (
    lead_attach,
    lead_create,
    lead_disqualify,
    lead_man_set,
    lead_qualify,
    lead_reopen,
    lead_update,
)
from tests.support import make_account, make_contact


def test_create_takes_the_team_from_the_owner_and_records_the_actor(cast, sources):
    lead, dups = lead_create(actor=cast.lena, company="杭州云栖科技有限公司", owner=cast.bob,
                             source=sources["bd"], person_name="王磊")  # fmt: skip
    assert lead.owner == cast.bob and lead.team == cast.east and lead.status == LeadStatus.NEW
    assert dups == []
    assert lead.history.first().history_user == cast.lena


def test_a_kam_may_not_give_a_lead_to_someone_else(cast, sources):
    with pytest.raises(PermissionDenied) as exc:
        lead_create(actor=cast.alice, company="某公司", owner=cast.bob, source=sources["bd"])
    assert exc.value.field == "owner"


def test_create_refuses_an_empty_company_and_an_inactive_source(cast, sources):
    with pytest.raises(InvalidInput) as exc:
        lead_create(actor=cast.alice, company="  ", source=sources["bd"])
    assert exc.value.field == "company"
    sources["bd"].active = False
    sources["bd"].save()
    with pytest.raises(InvalidInput) as exc:
        lead_create(actor=cast.alice, company="某公司", source=sources["bd"])
    assert exc.value.field == "source"


@pytest.mark.parametrize(("field", "value"), [("mobile", "1380013800x"), ("mobile", "12"),
                                               ("email", "bad-email")])  # fmt: skip
def test_create_and_update_refuse_a_mistyped_mobile_or_e_mail(cast, sources, field, value):
    with pytest.raises(InvalidInput) as exc:
        lead_create(actor=cast.alice, company="某公司", source=sources["bd"], **{field: value})
    assert exc.value.field == field and not Lead.objects.exists()
    lead, _dups = lead_create(actor=cast.alice, company="某公司", source=sources["bd"],
                              mobile="+86 138 0013 8000")  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        lead_update(actor=cast.alice, lead=lead, **{field: value})
    lead.refresh_from_db()
    assert exc.value.field == field and lead.mobile == "+86 138 0013 8000" and not lead.email


def test_create_reports_duplicates_it_does_not_block(cast, sources):
    make_account(owner=cast.alice, name="华为技术有限公司")
    lead, dups = lead_create(actor=cast.alice, company="北京华为技术有限公司", source=sources["bd"])
    assert Lead.objects.filter(pk=lead.pk).exists()
    assert [(d.kind, d.visible, d.name) for d in dups] == [("account", True, "华为技术有限公司")]


def test_a_duplicate_the_actor_cannot_see_names_only_its_owner(cast, sources):
    charlie_acct = make_account(owner=cast.charlie, name="华为技术（深圳）有限公司")
    make_contact(account=charlie_acct, name="李娜", mobile="138 0013 8000", email="Li.Na@hw.cn")
    _, dups = lead_create(actor=cast.alice, company="华为技术有限公司", source=sources["bd"],
                          mobile="+8613800138000", email="li.na@HW.cn")  # fmt: skip
    assert {(d.kind, d.visible) for d in dups} == {("contact", False), ("account", False)}
    for dup in dups:
        assert dup.id is None and dup.name == "" and dup.account_name == ""
        assert dup.owner_name == str(cast.charlie)


def test_man_yes_needs_evidence_and_the_first_answer_starts_work(new_lead):
    lead = new_lead()
    with pytest.raises(InvalidInput) as exc:
        lead_man_set(actor=lead.owner, lead=lead, money="yes")
    assert exc.value.field == "money_evidence"
    lead = lead_man_set(actor=lead.owner, lead=lead, need="yes", need_evidence="年会300人")
    assert lead.status == LeadStatus.WORKING
    with pytest.raises(InvalidInput):
        lead_man_set(actor=lead.owner, lead=lead, need="maybe")


def test_qualify_names_every_missing_answer(new_lead):
    lead = new_lead()
    lead_man_set(actor=lead.owner, lead=lead, money="yes", money_evidence="预算已批",
                 authority="no")  # fmt: skip
    with pytest.raises(InvalidInput) as exc:
        lead_qualify(actor=lead.owner, lead=lead)
    assert set(exc.value.errors) == {"authority", "need"}
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WORKING


def test_qualify_when_all_three_are_met(qualified, cast):
    lead = qualified()
    assert lead.status == LeadStatus.QUALIFIED
    assert lead.history.first().history_user == cast.alice
    with pytest.raises(Conflict):
        lead_qualify(actor=lead.owner, lead=lead)


def test_disqualify_needs_a_reason_from_the_list_and_reopen_clears_it(new_lead, reasons):
    lead = new_lead()
    with pytest.raises(InvalidInput) as exc:
        lead_disqualify(actor=lead.owner, lead=lead, reason=None)
    assert exc.value.field == "reason"
    lead = lead_disqualify(actor=lead.owner, lead=lead, reason=reasons["no_budget"],
                           note="今年没有预算")  # fmt: skip
    assert lead.status == LeadStatus.DISQUALIFIED and lead.disqualify_note == "今年没有预算"
    lead = lead_reopen(actor=lead.owner, lead=lead)
    assert lead.status == LeadStatus.WORKING and lead.disqualify_reason is None
    assert lead.history.filter(status=LeadStatus.DISQUALIFIED).exists()


def test_update_moves_the_team_with_the_owner(new_lead, cast):
    lead = new_lead(cast.alice)
    lead = lead_update(actor=cast.mia, lead=lead, owner=cast.charlie, city="成都")
    assert lead.team == cast.west and lead.city == "成都"
    with pytest.raises(NotFound):
        lead_update(actor=cast.alice, lead=lead, city="重庆")


def test_attach_needs_a_visible_account_and_its_own_contact(new_lead, cast):
    lead = new_lead()
    other = make_contact(account=make_account(owner=cast.alice))
    with pytest.raises(NotFound):
        lead_attach(actor=cast.alice, lead=lead, account=cast.west_account)
    with pytest.raises(InvalidInput):
        lead_attach(actor=cast.alice, lead=lead, account=cast.account, contact=other)
    lead = lead_attach(actor=cast.alice, lead=lead, account=cast.account)
    assert lead.account == cast.account and lead.status == LeadStatus.NEW


@pytest.mark.parametrize(
    "who, sees",
    [("alice", True), ("bob", False), ("charlie", False), ("lena", True), ("mia", True)],
)
def test_who_sees_alices_lead(new_lead, cast, who, sees):
    lead = new_lead(cast.alice)
    assert leads_visible_to(getattr(cast, who)).filter(pk=lead.pk).exists() is sees
