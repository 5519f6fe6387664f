"""POST /api/merge/accounts|contacts and /api/merge/{id}/undo; the merge pages and their links."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from guanxi.accounts.models import Account
from guanxi.contacts.models import Contact
from guanxi.merging.models import Merge
from guanxi.merging.services import records_merge
from tests.support import (
    JSON,
    PASSWORD,
    make_account,
    make_contact,
    make_transaction,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def dupe(cast):
    other = make_account(owner=cast.alice, name="华东会展", city="上海")
    make_transaction(account=other)
    return other


def _post(client, path, body):
    return client.post(path, body, content_type=JSON)


def test_the_api_previews_merges_and_undoes(as_user, cast, dupe):
    lena = as_user("lena")
    body = {"keep": cast.account.pk, "other": dupe.pk, "dry_run": True}
    preview = _post(lena, "/api/merge/accounts", body)
    assert preview.status_code == 200, preview.json()
    data = preview.json()
    assert data["dry_run"] and data["id"] is None
    assert {"model": "transactions.transaction", "kind": "transactions", "count": 1} in data[
        "moved"
    ]
    assert [c["field"] for c in data["changed"]] == ["city"]
    assert Account.objects.filter(pk=dupe.pk).exists()

    done = _post(lena, "/api/merge/accounts", {**body, "dry_run": False, "fields": {}})
    assert done.status_code == 201
    merge_id = done.json()["id"]
    assert not Account.objects.filter(pk=dupe.pk).exists()

    undone = _post(lena, f"/api/merge/{merge_id}/undo", {})
    assert undone.status_code == 200 and undone.json()["undone_at"]
    assert Account.objects.filter(pk=dupe.pk).exists()
    assert _post(lena, f"/api/merge/{merge_id}/undo", {}).status_code == 409


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"keep": 1}, 422, "other"),
        ({"keep": "x", "other": 2}, 422, "keep"),
        ({"keep": 0, "other": 2}, 422, "keep"),
        ({"keep": "KEEP", "other": "KEEP"}, 422, "other"),
        ({"keep": "KEEP", "other": 999999}, 404, "other"),
        ({"keep": "KEEP", "other": "WEST"}, 404, "other"),
        ({"keep": "KEEP", "other": "DUPE", "fields": {"nope": "keep"}}, 422, "fields"),
        ({"keep": "KEEP", "other": "DUPE", "fields": {"name": "x"}}, 422, "fields"),
        ({"keep": "KEEP", "other": "DUPE", "extra": 1}, 422, "extra"),
    ],
)
def test_the_api_refuses_bad_input_with_a_4xx(as_user, cast, dupe, body, status, field):
    ids = {"KEEP": cast.account.pk, "DUPE": dupe.pk, "WEST": cast.west_account.pk}
    body = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in body.items()}
    response = _post(as_user("lena"), "/api/merge/accounts", body)
    assert response.status_code == status, response.json()
    assert response.json()["field"] == field
    assert Merge.objects.count() == 0


def test_a_kam_gets_403_and_an_unknown_merge_404(as_user, cast, dupe):
    body = {"keep": cast.account.pk, "other": dupe.pk}
    assert _post(as_user("alice"), "/api/merge/accounts", body).status_code == 403
    assert _post(as_user("mia"), "/api/merge/99999/undo", {}).status_code == 404
    assert _post(as_user("mia"), "/api/merge/0/undo", {}).status_code == 422


def test_the_api_merges_contacts(as_user, cast):
    keep, other = make_contact(account=cast.account), make_contact(account=cast.account)
    body = {"keep": keep.pk, "other": other.pk}
    assert _post(as_user("mia"), "/api/merge/contacts", body).status_code == 201
    assert not Contact.objects.filter(pk=other.pk).exists()


def _browser(username: str) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    assert client.login(username=username, password=PASSWORD)
    return client


def test_the_merge_page_previews_merges_and_the_record_page_undoes(cast, dupe):
    lena = _browser("lena")
    url = reverse("merge_accounts", kwargs={"keep": cast.account.pk, "other": dupe.pk})
    page = lena.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-field="city"' in html and 'data-moved="transactions.transaction"' in html
    assert Account.objects.filter(pk=dupe.pk).exists()

    done = lena.post(url, {"action": "merge", "field-name": "other", "field-city": "other"})
    merge = Merge.objects.get()
    assert done.status_code == 302 and done.url == reverse("merge_record", args=(merge.pk,))
    assert Account.objects.get(pk=cast.account.pk).name == "华东会展"
    record = lena.get(done.url).content.decode()
    assert "data-undo" in record

    undone = lena.post(reverse("merge_undo", args=(merge.pk,)))
    assert undone.status_code == 302
    assert Account.objects.get(pk=cast.account.pk).name == "华东会展集团"
    assert 'data-undone="1"' in lena.get(done.url).content.decode()


def test_pages_follow_the_access_rule(cast, dupe):
    url = reverse("merge_accounts", kwargs={"keep": cast.account.pk, "other": dupe.pk})
    assert _browser("alice").get(url).status_code == 403
    west = reverse("merge_accounts", kwargs={"keep": cast.account.pk,
                                             "other": cast.west_account.pk})  # fmt: skip
    assert _browser("lena").get(west).status_code == 404
    pick = reverse("merge_accounts_pick", args=(cast.account.pk,))
    assert _browser("alice").get(pick).status_code == 403
    found = _browser("lena").get(pick, {"q": "华东"}).content.decode()
    assert f'data-candidate="{dupe.pk}"' in found
    assert f'data-candidate="{cast.account.pk}"' not in found


def test_link_as_subsidiary_from_the_page(cast, dupe):
    url = reverse("merge_accounts", kwargs={"keep": cast.account.pk, "other": dupe.pk})
    done = _browser("mia").post(url, {"action": "link"})
    assert done.status_code == 302
    assert Account.objects.get(pk=dupe.pk).parent_id == cast.account.pk


def test_merge_with_from_the_account_and_contact_pages(cast):
    contact = make_contact(account=cast.account)
    mia = _browser("mia")
    go = mia.get(reverse("admin:accounts_account_merge_with", args=(cast.account.pk,)))
    assert go.url == reverse("merge_accounts_pick", args=(cast.account.pk,))
    go = mia.get(reverse("admin:contacts_contact_merge_with", args=(contact.pk,)))
    assert go.url == reverse("merge_contacts_pick", args=(contact.pk,))
    page = mia.get(reverse("admin:accounts_account_view_360", args=(cast.account.pk,)))
    assert reverse("merge_accounts_pick", args=(cast.account.pk,)) in page.content.decode()


def test_the_list_of_merges_shows_what_the_user_may_see(cast, dupe):
    records_merge(actor=cast.mia, kind="account", keep=cast.account.pk, other=dupe.pk)
    url = reverse("admin:merging_merge_changelist")
    assert _browser("alice").get(url).status_code == 403
    record = reverse("merge_record", args=(Merge.objects.get().pk,))
    assert record in _browser("lena").get(url).content.decode()
    west_lead = _browser_for_west_lead(cast)
    assert record not in west_lead.get(url).content.decode()


def _browser_for_west_lead(cast) -> Client:
    make_user("wlead", role="team_lead", team=cast.west)
    return _browser("wlead")


def test_a_merged_away_accounts_360_page_opens_the_survivors(cast, dupe):
    """The trial: after a merge the old account's 360° address was a 404."""
    records_merge(actor=cast.mia, kind="account", keep=cast.account.pk, other=dupe.pk)
    old = reverse("admin:accounts_account_view_360", args=(dupe.pk,))
    survivor = reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    assert _browser("alice").get(old).url == survivor
    # Out of sight stays out of sight; an id never merged stays a 404.
    assert _browser("charlie").get(old).status_code == 404
    missing = reverse("admin:accounts_account_view_360", args=(999999,))
    assert _browser("alice").get(missing).status_code == 404
    merge = Merge.objects.get()
    merge.undone_at = merge.created_at
    merge.save()
    assert _browser("alice").get(old).status_code == 404
