"""One rule for places in every check: the nightly finder, the warning on entry (the add form,
the API), the import and a lead's likely duplicates. The demo's queue paired 深圳市财政局 with
青岛市财政局 at 100 %: the key dropped the city, though the city is the body's identity."""

from __future__ import annotations

import pytest

from guanxi.accounts.models import Account
from guanxi.duplicates.entry import account_lookalikes
from guanxi.duplicates.finder import candidates_find
from guanxi.duplicates.models import Candidate, Kind
from guanxi.imports.services import import_file
from guanxi.leads.duplicates import SAME, account_matches
from tests.support import make_account

pytestmark = pytest.mark.django_db

BODIES = ("深圳市财政局", "青岛市财政局", "苏州市第一人民医院", "沈阳市第一人民医院",
          "苏州市发展和改革委员会", "上海市发展和改革委员会", "石家庄市发展和改革委员会",
          "天津市发展和改革委员会")  # fmt: skip


def test_the_finder_pairs_no_bodies_of_different_cities_but_a_company_without_its_city(cast):
    for name in BODIES:
        make_account(owner=cast.alice, name=name)
    a = make_account(owner=cast.alice, name="上海华彩医药有限公司")
    b = make_account(owner=cast.bob, name="华彩医药有限公司")
    same = make_account(owner=cast.bob, name="深圳财政局")  # the same body, written shorter
    found = candidates_find()
    pairs = {(c.account_a_id, c.account_b_id) for c in Candidate.objects.filter(kind=Kind.ACCOUNT)}
    shenzhen = Account.objects.get(name="深圳市财政局")
    assert pairs == {(a.pk, b.pk), (shenzhen.pk, same.pk)}
    assert found.accounts == 2


def test_the_entry_check_the_api_and_the_import_follow_the_same_rule(cast, as_user):
    make_account(owner=cast.alice, name="深圳市财政局", code="SZ1")
    make_account(owner=cast.alice, name="华彩医药有限公司", code="HC1")
    assert account_lookalikes(name="青岛市财政局") == []
    assert account_lookalikes(name="财政局") == []  # only a kind of body: the place is missing
    assert [m.obj.code for m in account_lookalikes(name="上海华彩医药有限公司")] == ["HC1"]
    body = {"code": "QD1", "name": "青岛市财政局", "account_type": "gov_ent"}
    response = as_user("alice").post("/api/accounts", body, content_type="application/json")
    assert response.status_code == 201, response.json()
    content = "code,name,account_type\nN1,沈阳市财政局,gov_ent\nN2,上海华彩医药,corporate\n"
    report = import_file(kind="accounts", content=content.encode(), file_name="a.csv",
                         actor=cast.alice)  # fmt: skip
    assert report.created == 2
    assert [w for w in report.warnings if "SZ1" in w] == []
    assert [w for w in report.warnings if "HC1" in w]


def test_a_leads_likely_duplicates_follow_the_same_rule(cast):
    make_account(owner=cast.alice, name="深圳市财政局")
    hc = make_account(owner=cast.alice, name="华彩医药有限公司")
    sister = make_account(owner=cast.alice, name="华彩医药（北京）有限公司")
    assert account_matches(cast.alice, "青岛市财政局") == []
    found = {d.id: d.score for d in account_matches(cast.alice, "上海华彩医药有限公司")}
    assert found[hc.pk] == SAME  # the same company, without its city
    assert found[sister.pk] < SAME  # the Beijing company: listed, never attached as the same


def test_a_lead_in_traditional_characters_is_read_as_simplified(cast):
    """The lead check read 廣州 and 醫藥 as typed while the duplicate finder read them as
    simplified: a company typed in traditional characters found nothing, and its place was none."""
    make_account(owner=cast.alice, name="深圳市财政局")
    hc = make_account(owner=cast.alice, name="华彩医药有限公司")
    sister = make_account(owner=cast.alice, name="华彩医药（北京）有限公司")
    assert account_matches(cast.alice, "青島市財政局") == []
    found = {d.id: d.score for d in account_matches(cast.alice, "華彩醫藥（廣州）有限公司")}
    assert found[hc.pk] == SAME
    assert found[sister.pk] < SAME  # Guangzhou and Beijing: two places
    # An account stored in traditional characters is still found by them.
    stored = make_account(owner=cast.alice, name="恆瑞科技有限公司")
    assert [d.id for d in account_matches(cast.alice, "恆瑞科技")] == [stored.pk]
