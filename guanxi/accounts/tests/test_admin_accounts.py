"""Account admin pages with the cast: owner, teammate, outsider, team lead, manager."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from guanxi.accounts.models import Account
from tests.support import make_account, make_contact, make_transaction


def _change_url(account):
    return reverse("admin:accounts_account_change", args=(account.pk,))


def _login(client, user):
    client.force_login(user)
    return client


def _listed(client, **params):
    response = client.get(reverse("admin:accounts_account_changelist"), params)
    assert response.status_code == 200
    return {a.pk for a in response.context["cl"].result_list}


def test_changelist_shows_each_role_its_visible_accounts(client, cast):
    bobs = make_account(owner=cast.bob)
    expected = {
        cast.alice: {cast.account.pk},
        cast.bob: {bobs.pk},
        cast.charlie: {cast.west_account.pk},
        cast.lena: {cast.account.pk, bobs.pk},
        cast.mia: {cast.account.pk, bobs.pk, cast.west_account.pk},
    }
    for user, ids in expected.items():
        assert _listed(_login(client, user)) == ids, user.username


def test_changelist_shows_revenue_and_last_transaction(client, cast):
    make_transaction(account=cast.account, amount="12345.00")
    response = _login(client, cast.alice).get(reverse("admin:accounts_account_changelist"))
    assert "¥12,345" in response.content.decode()


@pytest.mark.parametrize("who,status", [("alice", 200), ("bob", 404), ("charlie", 404),
                                        ("lena", 200), ("mia", 200)])  # fmt: skip
def test_change_page_is_404_outside_the_visible_set(client, cast, who, status):
    response = _login(client, getattr(cast, who)).get(_change_url(cast.account))
    assert response.status_code == status


def test_owner_edits_own_account(client, cast):
    client = _login(client, cast.alice)
    data = _account_post(cast, name="华东会展集团（新）", code=cast.account.code)
    response = client.post(_change_url(cast.account), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    cast.account.refresh_from_db()
    assert cast.account.name == "华东会展集团（新）"
    assert cast.account.owner == cast.alice
    last = cast.account.history.first()
    assert last.history_user == cast.alice and last.history_type == "~"


def test_teammate_cannot_post_changes(client, cast):
    response = _login(client, cast.bob).post(
        _change_url(cast.account), _account_post(cast, name="hijacked", code=cast.account.code)
    )
    assert response.status_code == 404
    cast.account.refresh_from_db()
    assert cast.account.name == "华东会展集团"


def test_search_does_not_find_invisible_accounts(client, cast):
    assert _listed(_login(client, cast.bob), q="华东") == set()
    assert _listed(_login(client, cast.alice), q="华东") == {cast.account.pk}


def test_search_matches_contact_names(client, cast):
    make_contact(account=cast.account, name="孙立")
    make_contact(account=cast.west_account, name="孙立新")
    assert _listed(_login(client, cast.alice), q="孙立") == {cast.account.pk}
    assert _listed(_login(client, cast.mia), q="孙立") == {cast.account.pk, cast.west_account.pk}


def _autocomplete(client, term, model="contact", app="contacts", field="account"):
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": app, "model_name": model, "field_name": field, "term": term},
    )
    assert response.status_code == 200
    return {int(r["id"]) for r in response.json()["results"]}


def test_autocomplete_offers_only_visible_accounts(client, cast):
    assert _autocomplete(_login(client, cast.alice), "") == {cast.account.pk}
    assert _autocomplete(_login(client, cast.bob), "华东") == set()
    assert _autocomplete(_login(client, cast.charlie), "") == {cast.west_account.pk}
    assert _autocomplete(_login(client, cast.lena), "华东") == {cast.account.pk}
    parent_choices = _autocomplete(
        _login(client, cast.mia), "", model="account", app="accounts", field="parent"
    )
    assert parent_choices == {cast.account.pk, cast.west_account.pk}


def test_history_page_shows_who_changed_what(client, cast):
    cast.account.city = "上海"
    cast.account._history_user = cast.alice
    cast.account.save()
    client = _login(client, cast.alice)
    response = client.get(reverse("admin:accounts_account_history", args=(cast.account.pk,)))
    assert response.status_code == 200
    body = response.content.decode()
    assert "上海" in body and "alice" in body


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_history_pages_are_404_outside_the_visible_set(client, cast, who):
    client = _login(client, getattr(cast, who))
    url = reverse("admin:accounts_account_history", args=(cast.account.pk,))
    assert client.get(url).status_code == 404
    record = cast.account.history.first()
    url = reverse(
        "admin:accounts_account_simple_history", args=(cast.account.pk, record.history_id)
    )
    assert client.get(url).status_code == 404


def test_history_of_deleted_invisible_account_stays_hidden(client, cast):
    doomed = make_account(owner=cast.charlie, name="已删除客户")
    pk = doomed.pk
    doomed.delete()
    response = _login(client, cast.alice).get(reverse("admin:accounts_account_history", args=(pk,)))
    assert response.status_code == 404


def test_delete_is_404_for_teammate_and_allowed_for_owner(client, cast):
    url = reverse("admin:accounts_account_delete", args=(cast.account.pk,))
    assert _login(client, cast.bob).post(url, {"post": "yes"}).status_code == 404
    assert Account.objects.filter(pk=cast.account.pk).exists()
    response = _login(client, cast.alice).post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Account.objects.filter(pk=cast.account.pk).exists()


def test_bulk_delete_ignores_invisible_ids(client, cast):
    response = _login(client, cast.alice).post(
        reverse("admin:accounts_account_changelist"),
        {"action": "delete_selected", "_selected_action": [cast.west_account.pk], "post": "yes"},
    )
    assert response.status_code in (200, 302)
    assert Account.objects.filter(pk=cast.west_account.pk).exists()


def _account_post(cast, **overrides):
    data = {
        "code": "N0001",
        "name": "新客户",
        "kind": "organisation",
        "account_type": "corporate",
        "status": "active",
        "contacts-TOTAL_FORMS": "0",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_kam_creating_an_account_becomes_its_owner(client, cast):
    response = _login(client, cast.alice).post(
        reverse("admin:accounts_account_add"),
        _account_post(cast, owner=cast.charlie.pk, team=cast.west.pk),
    )
    assert response.status_code == 302
    created = Account.objects.get(code="N0001")
    assert (created.owner, created.team) == (cast.alice, cast.east)
    assert created.history.first().history_user == cast.alice


def test_add_with_parent_outside_the_visible_set_is_rejected(client, cast):
    response = _login(client, cast.alice).post(
        reverse("admin:accounts_account_add"), _account_post(cast, parent=cast.west_account.pk)
    )
    assert response.status_code == 200
    assert "parent" in response.context["adminform"].form.errors
    assert not Account.objects.filter(code="N0001").exists()


def test_existing_invisible_parent_survives_a_save(client, cast):
    cast.account.parent = cast.west_account
    cast.account.save()
    response = _login(client, cast.alice).post(
        _change_url(cast.account),
        _account_post(cast, code=cast.account.code, name="改名", parent=cast.west_account.pk),
    )
    assert response.status_code == 302
    cast.account.refresh_from_db()
    assert cast.account.parent == cast.west_account and cast.account.name == "改名"


def test_team_lead_assigns_within_team_only(client, cast):
    client = _login(client, cast.lena)
    response = client.post(
        reverse("admin:accounts_account_add"), _account_post(cast, owner=cast.bob.pk)
    )
    assert response.status_code == 302
    created = Account.objects.get(code="N0001")
    assert (created.owner, created.team) == (cast.bob, cast.east)

    response = client.post(
        reverse("admin:accounts_account_add"),
        _account_post(cast, code="N0002", owner=cast.charlie.pk),
    )
    assert response.status_code == 200
    assert "owner" in response.context["adminform"].form.errors


def test_manager_assigns_any_owner(client, cast):
    response = _login(client, cast.mia).post(
        reverse("admin:accounts_account_add"),
        _account_post(cast, owner=cast.charlie.pk, team=cast.west.pk),
    )
    assert response.status_code == 302
    created = Account.objects.get(code="N0001")
    assert (created.owner, created.team) == (cast.charlie, cast.west)


@pytest.mark.parametrize("who,status", [("alice", 200), ("bob", 404), ("charlie", 404),
                                        ("lena", 200), ("mia", 200)])  # fmt: skip
def test_360_page_is_404_outside_the_visible_set(client, cast, who, status):
    url = reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    assert url == f"/admin/accounts/account/{cast.account.pk}/360/"
    assert _login(client, getattr(cast, who)).get(url).status_code == status


def test_360_page_shows_profile_contacts_totals_and_changes(client, cast):
    cast.account.city = "上海"
    cast.account._history_user = cast.alice
    cast.account.save()
    make_contact(account=cast.account, name="孙立", title="副总经理", mobile="13800000000")
    make_transaction(account=cast.account, amount="12345.00")
    sub = make_account(owner=cast.alice, name="华东会展上海分公司", parent=cast.account)
    make_transaction(account=sub, amount="1000.00")
    response = _login(client, cast.alice).get(
        reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    )
    body = response.content.decode()
    for expected in ("华东会展集团", "孙立", "副总经理", "13800000000", "¥12,345", "上海",
                     "华东会展上海分公司", "¥13,345", "alice"):  # fmt: skip
        assert expected in body, expected
    assert response.context["rollup"].descendant_count == 1


def test_360_rollup_leaves_out_subsidiaries_the_user_cannot_see(client, cast):
    sub = make_account(owner=cast.charlie, name="西部子公司", parent=cast.account)
    make_transaction(account=sub, amount="5000.00")
    response = _login(client, cast.alice).get(
        reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    )
    assert "西部子公司" not in response.content.decode()
    assert response.context["rollup"].revenue_lifetime == 0
    response = _login(client, cast.mia).get(
        reverse("admin:accounts_account_view_360", args=(cast.account.pk,))
    )
    assert response.context["rollup"].revenue_lifetime == 5000


def _export(client, admin_name, ids, action="export_as_csv", select_across="0"):
    return client.post(
        reverse(f"admin:{admin_name}_changelist"),
        {"action": action, "_selected_action": ids, "select_across": select_across, "index": 0},
    )


def test_csv_export_contains_only_visible_accounts(client, cast):
    client.force_login(cast.alice)
    ids = [cast.account.pk, cast.west_account.pk]
    for select_across in ("0", "1"):
        response = _export(client, "accounts_account", ids, select_across=select_across)
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        text = body.decode("utf-8-sig")
        assert cast.account.code in text and cast.west_account.code not in text


def test_xlsx_export_of_contacts_and_transactions_is_scoped(client, cast):
    import io

    from openpyxl import load_workbook

    mine = make_contact(account=cast.account, name="孙立")
    theirs = make_contact(account=cast.west_account, name="王五")
    t1 = make_transaction(account=cast.account, external_id="MINE-1")
    t2 = make_transaction(account=cast.west_account, external_id="THEIRS-1")
    client.force_login(cast.alice)
    for admin_name, ids, keep, drop in (
        ("contacts_contact", [mine.pk, theirs.pk], mine.code, theirs.code),
        ("transactions_transaction", [t1.pk, t2.pk], "MINE-1", "THEIRS-1"),
    ):
        response = _export(client, admin_name, ids, action="export_as_xlsx", select_across="1")
        assert response.status_code == 200
        body = b"".join(response.streaming_content) if response.streaming else response.content
        cells = {
            str(c.value)
            for row in load_workbook(io.BytesIO(body)).active.iter_rows()
            for c in row
            if c.value is not None
        }
        assert keep in cells and drop not in cells, admin_name


def test_account_form_refuses_an_owner_the_service_rule_refuses(cast):
    # The admin form calls the services' ownership rule: a lead handing an account to someone
    # outside the team gets a field error even if the choice list were wider.
    from guanxi.core.models import User
    from guanxi.workspace.admin import AccountAdmin

    rf = RequestFactory()
    request = rf.get("/")
    request.user = cast.lena
    form_class = AccountAdmin(Account, admin.site).get_form(request)
    form_class.base_fields["owner"].queryset = User.objects.all()
    form = form_class(data=_account_post(cast, owner=cast.charlie.pk))
    assert not form.is_valid()
    assert "owner" in form.errors


def test_360_page_shows_the_relationship_plan_and_lifecycle_cards(client, cast):
    from guanxi.relationships.services import buying_centre_member_set
    from guanxi.tiers.services import scheme_load_preset

    scheme = scheme_load_preset(code="lifecycle-004")
    scheme.is_active = True
    scheme.save()
    boss = make_contact(account=cast.account, name="王总")
    buying_centre_member_set(account=cast.account, contact=boss, actor=cast.alice,
                             buying_roles=["approver"], stance="champion")  # fmt: skip
    body = (
        _login(client, cast.alice)
        .get(reverse("admin:accounts_account_view_360", args=(cast.account.pk,)))
        .content.decode()
    )
    for card in ("relationships", "account-plan", "lifecycle"):
        assert f'data-card="{card}"' in body, card
    assert reverse("admin:relationships_buyingcentremember_map", args=(cast.account.pk,)) in body
