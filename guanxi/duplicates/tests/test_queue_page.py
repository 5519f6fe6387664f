"""The review queue as a manager reads it: each record's parts named (a missing credit code
said in words, not "—"), and "link as subsidiary" only for a group and its company."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from guanxi.duplicates.finder import candidates_find
from guanxi.duplicates.models import Candidate
from tests.support import PASSWORD, make_account, make_contact

pytestmark = pytest.mark.django_db

CODE = "91110000802100433B"


def _row(page: str, candidate: Candidate) -> str:
    found = re.search(rf'<tr[^>]*data-candidate="{candidate.pk}".*?</tr>', page, re.S)
    assert found
    return found.group(0)


def test_the_records_details_say_what_each_part_is(cast, client, english):
    make_account(owner=cast.alice, name="华彩医药有限公司", credit_code=CODE)
    make_account(owner=cast.bob, name="上海华彩医药")
    candidates_find()
    client.login(username="mia", password=PASSWORD)
    page = client.get(reverse("admin:duplicates_candidate_queue")).content.decode()
    row = _row(page, Candidate.objects.get())
    details = re.findall(r"<div[^>]*data-details>(.*?)</div>", row, re.S)
    assert len(details) == 2
    assert all("—" not in d for d in details)
    assert f"credit code {CODE}" in details[0] and "owner: alice" in details[0]
    assert 'data-part="credit-code" data-missing' in details[1] and "no credit code" in details[1]


def test_contacts_details_name_their_parts(cast, client, english):
    make_contact(account=cast.account, name="曾小华", mobile="13800138000")
    make_contact(account=cast.west_account, name="曾小華", mobile="+86 138 0013 8000")
    candidates_find()
    client.login(username="mia", password=PASSWORD)
    page = client.get(reverse("admin:duplicates_candidate_queue"), {"kind": "contact"})
    row = _row(page.content.decode(), Candidate.objects.get())
    assert "—" not in row
    assert "no e-mail" in row and "mobile 13800138000" in row and "at 华东会展集团" in row


def test_link_as_subsidiary_is_offered_for_a_group_and_its_company_only(cast, client):
    group = make_account(owner=cast.alice, name="华彩医药集团股份有限公司")
    member = make_account(owner=cast.alice, name="华彩医药（青岛）有限公司")
    make_account(owner=cast.alice, name="上海华信科技有限公司")
    make_account(owner=cast.alice, name="华信科技有限公司")
    candidates_find()
    client.login(username="mia", password=PASSWORD)
    page = client.get(reverse("admin:duplicates_candidate_queue")).content.decode()
    grouped = Candidate.objects.get(account_a=group, account_b=member)
    twins = Candidate.objects.exclude(pk=grouped.pk).get()
    assert 'data-action="link"' in _row(page, grouped)
    assert f'name="parent" value="{group.pk}"' in _row(page, grouped)
    assert 'data-action="link"' not in _row(page, twins)
    assert 'data-action="dismiss"' in _row(page, twins)
