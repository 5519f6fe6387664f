"""An account given another owner (the API, the admin form, an import, a merge): the stored
relationship health names the new owner and their Today lists it at once, and the account's
policy tasks move to them (`workspace.flows.account_change`, `owner_followed`), not at the
nightly run."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import RequestFactory

from guanxi.accounts.models import Account
from guanxi.imports.tests.helpers import run
from guanxi.relationships.health import stored_health_for
from guanxi.relationships.models import AccountRelationshipHealth
from guanxi.relationships.services import buying_centre_member_set
from guanxi.workspace.today import agenda
from tests.support import make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def centre(cast):
    """Two supporters on alice's account: 王总 held by lena (the team lead), 李总 by the
    account's owner, so the relationship does not run through one of our people alone — while
    alice owns it."""
    acc = cast.account
    wang, li = make_contact(account=acc, name="王总"), make_contact(account=acc, name="李总")
    buying_centre_member_set(account=acc, contact=wang, actor=None, buying_roles=["approver"],
                             stance="supporter", relationship_owner=cast.lena)  # fmt: skip
    buying_centre_member_set(account=acc, contact=li, actor=None,
                             buying_roles=["decision_maker"], stance="supporter")  # fmt: skip
    return acc


def single_owner(account) -> list[str]:
    health = stored_health_for([account.pk])[account.pk]
    return [r.message for r in health.risks if r.code == "single_owner"]


def lenas_risky_accounts(cast) -> list[int]:
    return [item.account.pk for item in agenda(user=cast.lena).relationship_risks]


def test_before_any_change_alice_s_account_is_not_single_threaded(cast, centre):
    assert single_owner(centre) == []
    assert centre.pk not in lenas_risky_accounts(cast)


def test_the_api_owner_change_reaches_the_new_owner_s_today_at_once(cast, centre, as_user):
    computed = AccountRelationshipHealth.objects.get(account=centre).computed_at
    response = as_user("lena").patch(
        f"/api/accounts/{centre.pk}", {"owner": cast.lena.pk}, content_type="application/json"
    )
    assert response.status_code == 200, response.content
    [message] = single_owner(centre)
    assert str(cast.lena) in message
    assert AccountRelationshipHealth.objects.get(account=centre).computed_at >= computed
    assert centre.pk in lenas_risky_accounts(cast)
    [item] = [i for i in agenda(user=cast.lena).relationship_risks if i.account == centre]
    assert "single_owner" in item.health.codes
    # A change that leaves the owner alone refreshes nothing (and says no more).
    response = as_user("lena").patch(
        f"/api/accounts/{centre.pk}", {"notes": "x"}, content_type="application/json"
    )
    assert response.status_code == 200 and single_owner(centre) == [message]


def test_a_replace_that_names_another_owner_follows_too(cast, centre, as_user):
    response = as_user("mia").put(
        f"/api/accounts/{centre.pk}",
        {
            "code": centre.code,
            "name": centre.name,
            "account_type": centre.account_type,
            "owner": cast.lena.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert Account.objects.get(pk=centre.pk).owner == cast.lena
    assert single_owner(centre) and centre.pk in lenas_risky_accounts(cast)


def test_the_admin_form_s_owner_change_follows(cast, centre):
    request = RequestFactory().post("/")
    request.user = cast.mia
    model_admin = admin.site._registry[Account]
    centre.owner = cast.lena
    form = type("Form", (), {"changed_data": ["owner"]})()
    model_admin.save_model(request, centre, form, change=True)
    assert single_owner(centre) and centre.pk in lenas_risky_accounts(cast)


def test_an_import_that_names_another_owner_follows(cast, centre):
    report = run("accounts", [["code", "name", "account_type", "owner"],
                            [centre.code, centre.name, centre.account_type, "lena"]],
                 user=cast.mia)  # fmt: skip
    assert report.ok, report.describe()
    assert Account.objects.get(pk=centre.pk).owner == cast.lena
    assert single_owner(centre) and centre.pk in lenas_risky_accounts(cast)
