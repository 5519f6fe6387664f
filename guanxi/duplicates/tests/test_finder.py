"""The job, the queue and its decisions, the search by pinyin, initials and mobile."""

from __future__ import annotations

import pytest
from django.urls import reverse

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_search
from guanxi.contacts.models import Contact
from guanxi.contacts.selectors import contacts_search
from guanxi.duplicates.finder import candidates_find
from guanxi.duplicates.models import Candidate, Kind, Status
from guanxi.duplicates.selectors import review_queue
from guanxi.merging.services import merge_undo, records_merge
from tests.support import PASSWORD, make_account, make_contact

pytestmark = pytest.mark.django_db


def test_stored_forms_follow_the_name(cast):
    account = make_account(owner=cast.alice, name="上海華彩醫藥有限公司")
    assert (account.name_key, account.key_initials) == ("华彩医药", "hcyy")
    account.name = "华信科技有限公司"
    account.save(update_fields=["name"])
    account.refresh_from_db()
    assert account.key_pinyin == "huaxinkeji"


def test_search_by_pinyin_initials_and_mobile(cast):
    hc = make_account(owner=cast.alice, name="上海华彩医药有限公司", english_name="Huacai Pharma")
    make_account(owner=cast.alice, name="华信科技有限公司")
    accounts = Account.objects.all()
    assert list(accounts_search(accounts, "hcyy")) == [hc]
    assert list(accounts_search(accounts, "huacai")) == [hc]
    assert list(accounts_search(accounts, "shanghai")) == [hc]
    assert list(accounts_search(accounts, "華彩")) == [hc]
    zeng = make_contact(account=hc, name="曾小华", mobile="+86 138-0013-8000")
    contacts = Contact.objects.all()
    assert list(contacts_search(contacts, "zengxiao")) == [zeng]
    assert list(contacts_search(contacts, "zxh")) == [zeng]
    assert list(contacts_search(contacts, "138 0013")) == [zeng]


def test_api_search_by_pinyin(cast, as_user):
    hc = make_account(owner=cast.alice, name="华彩医药有限公司")
    response = as_user("alice").get("/api/accounts", {"q": "hcyy"})
    assert response.status_code == 200
    assert [a["id"] for a in response.json()["items"]] == [hc.pk]


def _pairs():
    return {(c.kind, c.account_a_id or c.contact_a_id, c.account_b_id or c.contact_b_id)
            for c in Candidate.objects.filter(status=Status.OPEN)}  # fmt: skip


def test_finder_pairs_and_dismissal_is_remembered(cast):
    a = make_account(owner=cast.alice, name="华彩医药有限公司")
    b = make_account(owner=cast.charlie, name="上海華彩醫藥（集团）有限公司")
    make_account(owner=cast.alice, name="华彩集团")
    x = make_contact(account=a, name="曾小华", mobile="13800138000")
    y = make_contact(account=b, name="曾小華", mobile="+86 138 0013 8000")
    found = candidates_find()
    assert _pairs() == {(Kind.ACCOUNT, a.pk, b.pk), (Kind.CONTACT, x.pk, y.pk)}
    assert found.accounts == 1
    pair = Candidate.objects.get(kind=Kind.ACCOUNT)
    pair.status = Status.DISMISSED
    pair.save()
    candidates_find()
    assert Candidate.objects.get(pk=pair.pk).status == Status.DISMISSED
    assert _pairs() == {(Kind.CONTACT, x.pk, y.pk)}


def test_a_groups_linked_companies_are_no_pair(cast):
    """The trial: a group's five branches, each already linked to the group, filled the queue
    with every two of them; a company not linked yet still shows."""
    group = make_account(owner=cast.alice, name="南京安康机械制造有限公司")
    one = make_account(owner=cast.alice, name="南京安康机械制造（青岛）有限公司", parent=group)
    two = make_account(owner=cast.alice, name="南京安康机械制造（上海）有限公司", parent=group)
    loose = make_account(owner=cast.alice, name="南京安康机械制造(青岛)有限公司")
    candidates_find()
    pairs = _pairs()
    linked = {(group.pk, one.pk), (group.pk, two.pk), (one.pk, two.pk)}
    assert not {(Kind.ACCOUNT, a, b) for a, b in linked} & pairs
    assert {(Kind.ACCOUNT, one.pk, loose.pk), (Kind.ACCOUNT, group.pk, loose.pk)} <= pairs


def test_queue_for_managers_and_not_a_duplicate(cast, client):
    a = make_account(owner=cast.alice, name="华彩医药有限公司")
    b = make_account(owner=cast.alice, name="华彩医药")
    candidates_find()
    client.login(username="alice", password=PASSWORD)
    assert client.get(reverse("admin:duplicates_candidate_queue")).status_code == 403
    client.login(username="mia", password=PASSWORD)
    page = client.get(reverse("admin:duplicates_candidate_queue")).content.decode()
    pair = Candidate.objects.get()
    assert f'data-candidate="{pair.pk}"' in page
    assert f"/admin/accounts/account/{a.pk}/change/" in page
    assert f"/admin/accounts/account/{b.pk}/change/" in page
    response = client.post(
        reverse("admin:duplicates_candidate_decide", args=(pair.pk,)), {"action": "dismiss"}
    )
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == (Status.DISMISSED, cast.mia)
    assert pair.history.first().history_user == cast.mia


def test_link_as_subsidiary(cast, client):
    group = make_account(owner=cast.alice, name="华彩集团", credit_code="91110000802100433B")
    member = make_account(owner=cast.alice, name="华彩集团", credit_code="91110000802100433B")
    candidates_find()
    pair = Candidate.objects.get()
    client.login(username="mia", password=PASSWORD)
    client.post(
        reverse("admin:duplicates_candidate_decide", args=(pair.pk,)),
        {"action": "link", "parent": group.pk},
    )
    member.refresh_from_db()
    assert member.parent_id == group.pk
    assert Candidate.objects.get().status == Status.LINKED


def test_api_409_unless_forced(cast, as_user, english):
    make_account(owner=cast.alice, name="华彩医药有限公司")
    body = {"code": "N1", "name": "上海華彩醫藥（有限公司）", "account_type": "corporate"}
    client = as_user("alice")
    response = client.post("/api/accounts", body, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["extra"]["candidates"][0]["score"] >= 80
    assert not Account.objects.filter(code="N1").exists()
    response = client.post("/api/accounts?force=true", body, content_type="application/json")
    assert response.status_code == 201


def test_api_contact_409_same_mobile(cast, as_user):
    make_contact(account=cast.account, name="曾小华", mobile="13800138000")
    body = {
        "account": cast.account.pk,
        "code": "P1",
        "name": "曾小华",
        "mobile": "+86 138 0013 8000",
    }
    response = as_user("alice").post("/api/contacts", body, content_type="application/json")
    assert response.status_code == 409


def test_account_list_and_autocomplete_search_by_pinyin_and_mobile(cast, client):
    hc = make_account(owner=cast.alice, name="华彩医药有限公司")
    make_contact(account=hc, name="单田芳", mobile="139-1234-5678")
    client.login(username="alice", password=PASSWORD)
    for word in ("hcyy", "huacai", "shantian", "13912345678"):
        page = client.get("/admin/accounts/account/", {"q": word}).content.decode()
        assert f"/admin/accounts/account/{hc.pk}/change/" in page, word
        assert f"/admin/accounts/account/{cast.account.pk}/change/" not in page, word
    response = client.get(
        "/admin/autocomplete/",
        {"term": "hcyy", "app_label": "contacts", "model_name": "contact", "field_name": "account"},
    )
    assert [r["id"] for r in response.json()["results"]] == [str(hc.pk)]


def test_sound_alike_names_queue_only_with_a_shared_key(cast):
    # Generated books are full of 华彩 / 华才: only the pair that shares a phone is queued, the
    # true duplicate (traditional characters, a city in front) whatever it shares.
    a = make_account(owner=cast.alice, name="华彩医药有限公司", phone="021-68881234")
    make_account(owner=cast.alice, name="华才医药有限公司")
    c = make_account(owner=cast.bob, name="华采医药有限公司", phone="(021) 6888-1234")
    d = make_account(owner=cast.bob, name="上海華彩醫藥有限公司")
    candidates_find()
    pairs = {(p[1], p[2]): Candidate.objects.get(account_a=p[1], account_b=p[2]).score
             for p in _pairs() if p[0] == Kind.ACCOUNT}  # fmt: skip
    assert set(pairs) == {(a.pk, c.pk), (a.pk, d.pk)}
    assert pairs[(a.pk, c.pk)] == 85 and pairs[(a.pk, d.pk)] == 100


def test_a_merged_pair_leaves_the_queue_and_its_undo_brings_it_back(cast):
    a = make_account(owner=cast.alice, name="华彩医药有限公司")
    b = make_account(owner=cast.alice, name="上海華彩醫藥有限公司")
    candidates_find()
    [pair] = review_queue()
    merge = records_merge(actor=cast.mia, kind="account", keep=a.pk, other=b.pk).merge
    assert list(review_queue()) == []
    merge_undo(actor=cast.mia, merge_id=merge.pk)
    assert [(c.pk, c.account_a_id, c.account_b_id) for c in review_queue()] == [
        (pair.pk, a.pk, b.pk)
    ]
