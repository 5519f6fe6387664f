"""The lead admin: list scoped by the lead rule, add through the services (duplicates offered to
attach), the MAN form, qualify, disqualify, reopen, attach and convert pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.leads.models import Lead, LeadStatus
from guanxi.leads.services import lead_man_set
from guanxi.pipeline.models import Opportunity
from tests.support import make_account, make_contact

LIST = "admin:leads_lead_changelist"
ADD = "admin:leads_lead_add"
CHANGE = "admin:leads_lead_change"


@pytest.fixture
def login(client, cast):
    def as_(name):
        client.force_login(getattr(cast, name))
        return client

    return as_


def test_the_list_shows_only_visible_leads_with_bounded_queries(
    login, new_lead, cast, django_assert_max_num_queries
):
    mine = [new_lead(cast.alice, company=f"甲{i}公司") for i in range(3)]
    west = new_lead(cast.charlie, company="西部公司")
    client = login("alice")
    with django_assert_max_num_queries(20):
        response = client.get(reverse(LIST))
    shown = {lead.pk for lead in response.context["cl"].result_list}
    assert shown == {lead.pk for lead in mine}
    assert client.get(reverse(CHANGE, args=(west.pk,))).status_code == 404
    assert login("mia").get(reverse(LIST), {"q": "西部"}).context["cl"].result_list[0] == west


def test_list_filters_by_status_and_searches_mobile(login, new_lead, cast):
    lead = new_lead(mobile="13511112222")
    new_lead(company="另一家公司")
    client = login("alice")
    found = client.get(reverse(LIST), {"q": "1351111"}).context["cl"].result_list
    assert [x.pk for x in found] == [lead.pk]
    found = client.get(reverse(LIST), {"status": "qualified"}).context["cl"].result_list
    assert list(found) == []


def test_add_through_the_services_and_offer_duplicates(login, cast, sources):
    make_account(owner=cast.alice, name="南京金陵饭店有限公司")
    hidden = make_account(owner=cast.charlie, name="南京金陵饭店（集团）有限公司")
    client = login("alice")
    response = client.post(reverse(ADD), {
        "company": "金陵饭店有限公司", "person_name": "周敏", "source": sources["walk_in"].pk,
        "owner": cast.alice.pk, "money": "yes", "money_evidence": "预算已批",
        "authority": "", "need": "",
    })  # fmt: skip
    lead = Lead.objects.get(company="金陵饭店有限公司")
    assert response.status_code == 302
    assert response.url == reverse("admin:leads_lead_duplicates", args=(lead.pk,))
    assert lead.team == cast.east and lead.status == LeadStatus.WORKING
    assert lead.history.first().history_user == cast.alice
    page = client.get(response.url).content.decode()
    assert 'data-duplicate="account" data-visible="1"' in page
    assert 'data-visible="0"' in page and f'data-id="{hidden.pk}"' not in page
    assert 'data-note="attach"' in page and 'data-note="hidden-owner"' in page


def test_duplicates_of_other_kams_only_say_whom_to_ask(login, cast, sources):
    """The trial: a match the KAM cannot see still told them to attach the lead to it."""
    make_account(owner=cast.charlie, name="安康旅行网")
    response = login("alice").post(reverse(ADD), {
        "company": "安康旅行网", "source": sources["walk_in"].pk, "owner": cast.alice.pk,
    })  # fmt: skip
    page = login("alice").get(response.url).content.decode()
    assert 'data-note="hidden-owner"' in page and 'data-note="attach"' not in page
    assert "data-attach=" not in page


def test_add_refuses_a_yes_without_evidence_on_the_form(login, cast, sources):
    response = login("alice").post(reverse(ADD), {
        "company": "某会展公司", "source": sources["bd"].pk, "owner": cast.alice.pk,
        "need": "yes", "need_evidence": "",
    })  # fmt: skip
    assert response.status_code == 200
    assert "need_evidence" in response.context["adminform"].form.errors
    assert not Lead.objects.exists()


def test_a_kam_cannot_hand_a_lead_to_someone_else(login, cast, sources):
    response = login("alice").post(reverse(ADD), {
        "company": "某会展公司", "source": sources["bd"].pk, "owner": cast.bob.pk,
    })  # fmt: skip
    assert response.status_code == 200 and not Lead.objects.exists()


def test_attach_from_the_duplicates_page(login, new_lead, cast):
    account = make_account(owner=cast.alice, name="华为技术有限公司")
    lead = new_lead(company="华为技术（北京）有限公司")
    url = reverse("admin:leads_lead_duplicates", args=(lead.pk,))
    login("alice").post(url, {"account": account.pk})
    lead.refresh_from_db()
    assert lead.account == account
    assert login("bob").post(url, {"account": account.pk}).status_code == 404


def test_qualify_disqualify_and_reopen_pages(login, new_lead, reasons):
    lead = new_lead()
    client = login("alice")
    url = reverse("admin:leads_lead_qualify", args=(lead.pk,))
    assert client.get(url).status_code == 200
    client.post(url)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.NEW  # refused: MAN not met (shown as a message)
    lead_man_set(actor=lead.owner, lead=lead, money="yes", money_evidence="a", authority="yes",
                 authority_evidence="b", need="yes", need_evidence="c")  # fmt: skip
    client.post(url)
    lead.refresh_from_db()
    assert lead.status == LeadStatus.QUALIFIED
    url = reverse("admin:leads_lead_disqualify", args=(lead.pk,))
    assert client.post(url, {"reason": ""}).status_code == 200  # the form asks for a reason
    client.post(url, {"reason": reasons["competitor"].pk, "note": "签了别家"})
    lead.refresh_from_db()
    assert lead.status == LeadStatus.DISQUALIFIED and lead.disqualify_note == "签了别家"
    client.post(reverse("admin:leads_lead_reopen", args=(lead.pk,)))
    lead.refresh_from_db()
    assert lead.status == LeadStatus.WORKING


def test_convert_page_offers_the_duplicate_and_converts_onto_it(login, qualified, cast):
    account = make_account(owner=cast.alice, name="华为技术有限公司")
    person = make_contact(account=account, name="张伟", mobile="13800138000")
    lead = qualified(company="北京华为技术有限公司", person_name="张伟", mobile="138-0013-8000")
    client = login("alice")
    url = reverse("admin:leads_lead_convert", args=(lead.pk,))
    form = client.get(url).context["form"]
    assert str(account.pk) in dict(form.fields["account"].choices)
    assert str(person.pk) in dict(form.fields["contact"].choices)
    # "Create new" for an account that exists is refused, nothing is made.
    accounts = Account.objects.count()
    response = client.post(url, {"account": "new", "contact": "new"})
    assert response.status_code == 200 and Account.objects.count() == accounts
    response = client.post(url, {
        "account": account.pk, "contact": person.pk, "opportunity_name": "年会",
        "opportunity_type": "mice", "amount": "50000", "expected_close": "2026-10-01",
    })  # fmt: skip
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == LeadStatus.CONVERTED and (lead.account, lead.contact) == (account, person)
    deal = Opportunity.objects.get(lead=lead)
    assert deal.account == account and list(deal.contacts.all()) == [person]
    assert Contact.objects.filter(account=account).count() == 1


def test_pages_of_a_lead_out_of_sight_are_404(login, new_lead, cast):
    lead = new_lead(cast.alice)
    client = login("charlie")
    for name in ("qualify", "disqualify", "reopen", "duplicates", "convert"):
        assert client.get(reverse(f"admin:leads_lead_{name}", args=(lead.pk,))).status_code == 404


def test_only_managers_edit_the_lists(login, sources):
    url = reverse("admin:leads_leadsource_change", args=(sources["bd"].pk,))
    assert login("alice").post(url, {"name": "x", "kind": "bd", "position": 0}).status_code == 403
    assert login("mia").get(url).status_code == 200


def test_change_page_has_the_man_fieldset_and_the_lead_actions(login, new_lead):
    lead = new_lead()
    page = login("alice").get(reverse(CHANGE, args=(lead.pk,))).content.decode()
    assert 'name="money_evidence"' in page
    assert reverse("admin:leads_lead_qualify", args=(lead.pk,)) in page


def test_lead_pages_speak_chinese_by_default(login, new_lead, as_user):
    lead = new_lead()
    page = login("alice").get(reverse(CHANGE, args=(lead.pk,))).content.decode()
    assert "资格评估（MAN）" in page and "有购买力" in page
    page = login("alice").get(reverse("admin:leads_lead_convert", args=(lead.pk,))).content
    assert "新建客户" in page.decode()
    client = as_user("alice")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
    body = client.post(f"/api/leads/{lead.pk}/qualify").json()
    assert body["field"] == "money" and "尚不合格" in body["message"]


def test_the_page_offers_only_the_steps_the_lead_status_allows(login, new_lead, qualified):
    def buttons(lead):
        html = login("alice").get(reverse(CHANGE, args=(lead.pk,))).content.decode()
        steps = ("qualify", "disqualify", "reopen", "duplicates", "convert")
        return {s for s in steps if reverse(f"admin:leads_lead_{s}", args=(lead.pk,)) in html}

    assert buttons(new_lead()) == {"qualify", "disqualify", "duplicates"}
    assert buttons(qualified(company="杭州云栖科技有限公司")) == {"reopen", "duplicates", "convert"}
