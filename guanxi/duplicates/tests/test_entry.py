"""On entry: the add forms ask to confirm a look-alike (the box to save anyway only then), and
a record saved anyway puts its pairs in the review queue at once; the import warns, or refuses
a new account with a credit code on file."""

from __future__ import annotations

import re

import pytest

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.duplicates.models import Candidate, Kind, Status
from guanxi.imports.services import import_file
from tests.support import PASSWORD, make_account, make_contact

pytestmark = pytest.mark.django_db

CODE = "91110000802100433B"


def _account_form(**extra):
    return {
        "code": "NEW1", "name": "华彩医药（上海）有限公司", "account_type": "corporate",
        "kind": "organisation", "status": "active", "credit_code": "",
        "contacts-TOTAL_FORMS": "0", "contacts-INITIAL_FORMS": "0", **extra,
    }  # fmt: skip


def test_account_add_form_lists_lookalikes_and_needs_confirmation(cast, client):
    on_file = make_account(owner=cast.alice, name="华彩医药有限公司")
    client.login(username="alice", password=PASSWORD)
    response = client.post("/admin/accounts/account/add/", _account_form())
    assert response.status_code == 200
    assert f'data-lookalike="{on_file.pk}"' in response.content.decode()
    assert not Account.objects.filter(code="NEW1").exists()
    response = client.post("/admin/accounts/account/add/", _account_form(save_anyway="on"))
    assert response.status_code == 302
    assert Account.objects.filter(code="NEW1").exists()


def test_contact_add_form_same_mobile(cast, client):
    on_file = make_contact(account=cast.account, name="曾小华", mobile="13800138000")
    client.login(username="alice", password=PASSWORD)
    data = {"code": "P9", "account": cast.account.pk, "name": "曾小华",
            "mobile": "+86 138-0013-8000", "is_active": "on"}  # fmt: skip
    response = client.post("/admin/contacts/contact/add/", data)
    assert f'data-lookalike="{on_file.pk}"' in response.content.decode()
    assert not Contact.objects.filter(code="P9").exists()


def test_import_warns_about_lookalike_and_refuses_same_credit_code(cast):
    make_account(owner=cast.alice, name="华彩医药有限公司", code="OLD1", credit_code=CODE)
    content = (
        "code,name,account_type,credit_code\n"
        "N1,上海華彩醫藥有限公司,corporate,\n"
        f"N2,另一个名字,corporate,{CODE}\n"
    ).encode()
    report = import_file(kind="accounts", content=content, file_name="a.csv", actor=cast.alice)
    assert report.created == 1
    assert Account.objects.filter(code="N1").exists()
    assert not Account.objects.filter(code="N2").exists()
    assert any("OLD1" in w for w in report.warnings)
    assert [e.column for e in report.errors] == ["credit_code"]


def test_contact_import_warns_about_same_mobile(cast):
    make_contact(account=cast.account, name="曾小华", mobile="13800138000", code="OLDP")
    content = (
        f"code,account_code,name,mobile\nNP1,{cast.account.code},曾小華,+86 138 0013 8000\n"
    ).encode()
    report = import_file(kind="contacts", content=content, file_name="c.csv", actor=cast.alice)
    assert report.created == 1
    assert any("OLDP" in w for w in report.warnings)


def test_api_refuses_a_credit_code_with_a_wrong_check_digit(cast, as_user):
    body = {"code": "N3", "name": "某某公司", "account_type": "corporate",
            "credit_code": "91110000802100433A"}  # fmt: skip
    response = as_user("alice").post("/api/accounts", body, content_type="application/json")
    assert response.status_code == 422
    assert "credit_code" in response.json()["errors"]
    body["credit_code"] = "9111 0000 8021 00433b"
    response = as_user("alice").post("/api/accounts", body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["credit_code"] == CODE


def _general_tab_badge(html: str) -> str:
    """The number on the add form's "General" tab (unfold's error count), "" for none."""
    found = re.search(r'href="#general"[^>]*>\s*General\s*(?:<span[^>]*>\s*(\d+)\s*</span>)?', html)
    assert found, "no General tab"
    return found.group(1) or ""


def test_the_save_anyway_box_shows_only_once_lookalikes_are_listed(cast, client, english):
    """The trial: the box showed on the blank form, and after the warning the General tab's
    badge said 2 with one message to see."""
    make_account(owner=cast.alice, name="华彩医药有限公司")
    client.login(username="alice", password=PASSWORD)
    blank = client.get("/admin/accounts/account/add/").content.decode()
    assert 'name="save_anyway"' not in blank
    warned = client.post("/admin/accounts/account/add/", _account_form()).content.decode()
    assert 'name="save_anyway"' in warned
    assert warned.count("data-lookalike=") == 1
    assert _general_tab_badge(warned) == "1"
    assert "duplicates review queue" in warned  # what saving anyway does, said before it


def test_saving_anyway_puts_the_pairs_in_the_queue_at_once(cast, client, english):
    on_file = make_account(owner=cast.alice, name="华彩医药有限公司")
    client.login(username="alice", password=PASSWORD)
    response = client.post("/admin/accounts/account/add/", _account_form(save_anyway="on"),
                           follow=True)  # fmt: skip
    new = Account.objects.get(code="NEW1")
    pair = Candidate.objects.get(kind=Kind.ACCOUNT)
    assert (pair.account_a_id, pair.account_b_id) == (on_file.pk, new.pk)
    assert pair.status == Status.OPEN and pair.score >= 80
    assert "duplicates review queue" in response.content.decode()


def test_forcing_through_the_api_queues_the_pair_too(cast, as_user):
    on_file = make_account(owner=cast.alice, name="华彩医药有限公司")
    body = {"code": "N7", "name": "上海华彩医药有限公司", "account_type": "corporate"}
    response = as_user("alice").post("/api/accounts?force=true", body,
                                     content_type="application/json")  # fmt: skip
    assert response.status_code == 201
    pair = Candidate.objects.get()
    assert (pair.account_a_id, pair.account_b_id) == (on_file.pk, response.json()["id"])


def test_the_contact_form_shows_the_box_only_after_the_warning(cast, client):
    on_file = make_contact(account=cast.account, name="曾小华", mobile="13800138000")
    client.login(username="alice", password=PASSWORD)
    assert 'name="save_anyway"' not in client.get("/admin/contacts/contact/add/").content.decode()
    data = {"code": "P9", "account": cast.account.pk, "name": "曾小华",
            "mobile": "+86 138-0013-8000", "is_active": "on", "fact_source": "sales_visit",
            "related_people-TOTAL_FORMS": "0", "related_people-INITIAL_FORMS": "0",
            "key_dates-TOTAL_FORMS": "0", "key_dates-INITIAL_FORMS": "0"}  # fmt: skip
    warned = client.post("/admin/contacts/contact/add/", data).content.decode()
    assert 'name="save_anyway"' in warned
    client.post("/admin/contacts/contact/add/", {**data, "save_anyway": "on"})
    new = Contact.objects.get(code="P9")
    pair = Candidate.objects.get(kind=Kind.CONTACT)
    assert (pair.contact_a_id, pair.contact_b_id) == (on_file.pk, new.pk)
