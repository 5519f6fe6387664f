"""The account list's relationship-risk filter: any risk, one kind, or no map yet."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from guanxi.accounts.models import Account
from guanxi.relationships.admin_filters import RelationshipRiskFilter
from guanxi.relationships.services import buying_centre_member_set, relationship_stage_record
from guanxi.touchpoints.models import TouchpointKind
from guanxi.workspace import flows
from tests.support import make_account, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def seat(account, contact, **fields):
    return buying_centre_member_set(account=account, contact=contact, actor=None, **fields)


def touched(contact, kind=TouchpointKind.CALL):
    """A touchpoint logged as the pages do (the flow refreshes the stored health)."""
    account = contact.account
    flows.touchpoint_logged(account=account, kind=kind, occurred_at=timezone.now(),
                            actor=account.owner, contacts=[contact])  # fmt: skip


@pytest.fixture
def book(cast):
    """alice: `healthy` (no risk), `left` (its champion left), `unmapped` (no buying centre);
    charlie: `west` (at risk, invisible to alice)."""
    healthy = cast.account
    boss, cfo, user = (make_contact(account=healthy, name=n) for n in ("王总", "李总", "张三"))
    seat(healthy, boss, buying_roles=["approver"], stance="champion", relationship_owner=cast.lena)
    seat(healthy, cfo, buying_roles=["decision_maker"], stance="supporter")
    seat(healthy, user, buying_roles=["user"], stance="supporter")
    for person in (boss, cfo, user):
        touched(person)
    relationship_stage_record(account=healthy, contact=boss, stage="trust", actor=None,
                              reached_on=dt.date(2026, 1, 5))  # fmt: skip
    left = make_account(owner=cast.alice, name="走了的客户")
    gone = make_contact(account=left, name="钱总", is_active=False)
    seat(left, gone, buying_roles=["approver", "decision_maker"], stance="champion")
    unmapped = make_account(owner=cast.alice, name="未画图")
    west = cast.west_account
    seat(west, make_contact(account=west, name="西总"), buying_roles=["user"])
    return {"healthy": healthy, "left": left, "unmapped": unmapped, "west": west}


def filtered(value: str | None, queryset=None) -> set[int]:
    request = RequestFactory().get("/")
    params = {} if value is None else {"relationship_risk": [value]}
    model_admin = admin.site._registry[Account]
    f = RelationshipRiskFilter(request, params, Account, model_admin)
    return set(f.queryset(request, queryset or Account.objects.all()).values_list("pk", flat=True))


def test_the_filter_offers_any_risk_each_kind_and_not_mapped(cast):
    request = RequestFactory().get("/")
    f = RelationshipRiskFilter(request, {}, Account, admin.site._registry[Account])
    values = [v for v, _ in f.lookups(request, None)]
    assert values == [
        "any", "uncovered_role", "single_contact", "single_owner",
        "champion_inactive", "champion_left", "decision_maker_stage", "unmapped",
    ]  # fmt: skip


def test_any_risk_keeps_accounts_with_a_risk(book):
    assert filtered("any") == {book["left"].pk, book["west"].pk}


def test_one_kind_of_risk_keeps_only_those(book):
    assert filtered("champion_left") == {book["left"].pk}
    assert filtered("single_owner") == set()
    assert filtered("uncovered_role") == {book["left"].pk, book["west"].pk}


def test_not_mapped_keeps_accounts_without_a_buying_centre(book):
    assert filtered("unmapped") == {book["unmapped"].pk}


def test_no_value_or_an_unknown_value_filters_nothing(book):
    everything = set(Account.objects.values_list("pk", flat=True))
    assert filtered(None) == everything
    assert filtered("bogus") == everything


def test_the_filter_narrows_the_given_queryset(book):
    mine = Account.objects.filter(owner=book["healthy"].owner)
    assert filtered("any", mine) == {book["left"].pk}


def test_a_risk_clears_and_the_account_leaves_the_filter(book):
    gone = book["left"].contacts.get()
    flows.contact_change(actor=book["left"].owner, contact=gone, is_active=True)
    touched(gone, TouchpointKind.VISIT)
    assert book["left"].pk not in filtered("champion_left")


def test_the_account_list_filters_by_risk_for_what_the_user_sees(client, cast, book, monkeypatch):
    # Until the lead adds the filter to AccountAdmin.list_filter, add it for this test only.
    model_admin = admin.site._registry[Account]
    filters = tuple(dict.fromkeys((*model_admin.list_filter, RelationshipRiskFilter)))
    monkeypatch.setattr(model_admin, "list_filter", filters)
    client.force_login(cast.alice)
    url = reverse("admin:accounts_account_changelist")
    response = client.get(url, {"relationship_risk": "any"})
    assert response.status_code == 200
    shown = {a.pk for a in response.context["cl"].result_list}
    assert shown == {book["left"].pk}  # charlie's account is at risk but not alice's to see
    response = client.get(url, {"relationship_risk": "unmapped"})
    assert {a.pk for a in response.context["cl"].result_list} == {book["unmapped"].pk}
    assert '<option value="unmapped" selected>' in response.content.decode()  # the filter shows
