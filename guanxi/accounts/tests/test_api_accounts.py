import pytest
from django.test import Client

from guanxi.accounts.models import Account, AccountStatus
from tests.support import ROLES_SEE_ALICES, make_account, make_payment, make_transaction

pytestmark = pytest.mark.usefixtures("english")


def new_account(**extra):
    return {"code": "N001", "name": "新华会议公司", "account_type": "mice", **extra}


# --- retrieve / list --------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
def test_retrieve_follows_the_access_rule(cast, as_user, who, status):
    r = as_user(who).get(f"/api/accounts/{cast.account.pk}")
    assert r.status_code == status
    if status == 200:
        assert r.json()["name"] == "华东会展集团"
        assert r.json()["owner"] == cast.alice.pk
    else:
        assert r.json()["message"]  # same body for missing and invisible


def test_unknown_id_is_404_like_an_invisible_one(as_user):
    r = as_user("alice").get("/api/accounts/999999")
    assert r.status_code == 404


def test_it_requires_a_token(cast):
    assert Client().get("/api/accounts").status_code == 401
    bad = Client(HTTP_AUTHORIZATION="Bearer gx_not-a-key")
    assert bad.get(f"/api/accounts/{cast.account.pk}").status_code == 401


@pytest.mark.parametrize(
    "who,expected",
    [
        ("alice", {"华东会展集团"}),
        ("bob", {"鲍勃的客户"}),
        ("charlie", {"西部旅行社"}),
        ("lena", {"华东会展集团", "鲍勃的客户"}),
        ("mia", {"华东会展集团", "鲍勃的客户", "西部旅行社"}),
    ],
)
def test_list_contains_only_visible_accounts(cast, as_user, who, expected):
    make_account(owner=cast.bob, name="鲍勃的客户")
    r = as_user(who).get("/api/accounts")
    assert r.status_code == 200
    assert {a["name"] for a in r.json()["items"]} == expected
    assert r.json()["count"] == len(expected)


def test_co_owner_sees_the_account(cast, as_user):
    cast.account.co_owners.add(cast.bob)
    assert as_user("bob").get(f"/api/accounts/{cast.account.pk}").status_code == 200


def test_pagination_has_total_and_pages_do_not_overlap(cast, as_user):
    for i in range(7):
        make_account(owner=cast.alice, name=f"客户{i}")
    client = as_user("alice")
    first = client.get("/api/accounts?limit=3&offset=0").json()
    second = client.get("/api/accounts?limit=3&offset=3").json()
    assert first["count"] == 8 and len(first["items"]) == 3
    assert not {a["id"] for a in first["items"]} & {a["id"] for a in second["items"]}


@pytest.mark.parametrize("query", ["limit=501", "limit=0", "offset=-1", "limit=abc"])
def test_bad_pagination_is_422(as_user, query):
    r = as_user("mia").get(f"/api/accounts?{query}")
    assert r.status_code == 422
    assert r.json()["field"] in {"limit", "offset"}


def test_filters(cast, as_user):
    vip = make_account(
        owner=cast.alice, name="上海医药", city="上海", status=AccountStatus.DORMANT,
        account_type="gov_ent", industry="pharma", parent=cast.account,
    )  # fmt: skip
    vip.tags.create(name="VIP")
    client = as_user("mia")

    def names(query):
        r = client.get(f"/api/accounts?{query}")
        assert r.status_code == 200, r.json()
        return {a["name"] for a in r.json()["items"]}

    assert names("q=医药") == {"上海医药"}
    assert names(f"q={vip.code}") == {"上海医药"}
    assert names("city=上海") == {"上海医药"}
    assert names("status=dormant") == {"上海医药"}
    assert names("account_type=gov_ent&industry=pharma") == {"上海医药"}
    assert names("tag=VIP") == {"上海医药"}
    assert names(f"parent={cast.account.pk}") == {"上海医药"}
    assert names(f"owner={cast.charlie.pk}") == {"西部旅行社"}
    assert names(f"team={cast.west.pk}") == {"西部旅行社"}
    assert names("kind=individual") == set()
    assert client.get("/api/accounts?status=bogus").status_code == 422


# --- create -----------------------------------------------------------------------------------


def test_kam_creates_an_account_they_own(cast, as_user):
    r = as_user("alice").post(
        "/api/accounts",
        new_account(tags=["VIP", "会展"], co_owners=[cast.bob.pk], annual_sales="1200000.50"),
        content_type="application/json",
    )
    assert r.status_code == 201, r.json()
    account = Account.objects.get(code="N001")
    assert (account.owner, account.team) == (cast.alice, cast.east)
    assert set(account.tags.values_list("name", flat=True)) == {"VIP", "会展"}
    assert list(account.co_owners.all()) == [cast.bob]
    assert str(account.annual_sales) == "1200000.50"
    assert r.json()["id"] == account.pk and r.json()["tags"] == ["VIP", "会展"]
    created = account.history.filter(history_type="+").get()
    assert created.history_user == cast.alice


def test_kam_cannot_assign_another_owner(cast, as_user):
    r = as_user("alice").post(
        "/api/accounts", new_account(owner=cast.bob.pk), content_type="application/json"
    )
    assert r.status_code == 403
    assert r.json()["field"] == "owner"
    assert not Account.objects.filter(code="N001").exists()


def test_team_lead_assigns_within_team_only(cast, as_user):
    lena = as_user("lena")
    ok = lena.post("/api/accounts", new_account(owner=cast.bob.pk), content_type="application/json")
    assert ok.status_code == 201
    assert Account.objects.get(code="N001").owner == cast.bob
    no = lena.post(
        "/api/accounts", new_account(code="N002", owner=cast.charlie.pk),
        content_type="application/json",
    )  # fmt: skip
    assert no.status_code == 403


def test_manager_assigns_anyone_and_team_follows_owner(cast, as_user):
    r = as_user("mia").post(
        "/api/accounts", new_account(owner=cast.charlie.pk), content_type="application/json"
    )
    assert r.status_code == 201
    assert r.json()["team"] == cast.west.pk


def test_parent_must_be_visible(cast, as_user):
    r = as_user("alice").post(
        "/api/accounts", new_account(parent=cast.west_account.pk), content_type="application/json"
    )
    assert r.status_code == 404
    assert r.json()["field"] == "parent"


def test_duplicate_code_is_409(cast, as_user):
    r = as_user("alice").post(
        "/api/accounts", new_account(code=cast.west_account.code), content_type="application/json"
    )
    assert r.status_code == 409
    assert r.json()["field"] == "code"


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"account_type": "spaceship"}, "account_type"),
        ({"industry": "mining-on-mars"}, "industry"),
        ({"annual_sales": "12345678901234567.00"}, "annual_sales"),
        ({"annual_sales": "-5"}, "annual_sales"),
        ({"annual_sales": "NaN"}, "annual_sales"),
        ({"customer_since": "2024-02-30"}, "customer_since"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": 12}, "name"),
        ({"code": "x" * 41}, "code"),
        ({"owner": "alice"}, "owner"),
        ({"owner": 10**30}, "owner"),
        ({"tags": "VIP"}, "tags"),
        ({"website": "not a url"}, "website"),
        ({"kind": "individual", "organisation_form": "company"}, "organisation_form"),
    ],
)
def test_invalid_input_is_422_naming_the_field(as_user, extra, field):
    r = as_user("alice").post(
        "/api/accounts", new_account(**extra), content_type="application/json"
    )
    assert r.status_code == 422, r.json()
    assert r.json()["field"] == field
    assert r.json()["message"].startswith(field)
    assert not Account.objects.filter(code="N001").exists()


def test_missing_required_field_is_422(as_user):
    r = as_user("alice").post("/api/accounts", {"name": "x"}, content_type="application/json")
    assert r.status_code == 422
    assert r.json()["field"] in {"code", "account_type"}


@pytest.mark.parametrize("body", [b"{not json", b"[1, 2]", b"", b'"text"'])
def test_malformed_body_is_a_4xx_json(as_user, body):
    r = as_user("alice").post("/api/accounts", body, content_type="application/json")
    assert 400 <= r.status_code < 500
    assert "message" in r.json()


# --- update -----------------------------------------------------------------------------------


def test_owner_patches_only_the_fields_sent(cast, as_user):
    r = as_user("alice").patch(
        f"/api/accounts/{cast.account.pk}",
        {"city": "杭州", "tags": ["重点"]},
        content_type="application/json",
    )
    assert r.status_code == 200, r.json()
    cast.account.refresh_from_db()
    assert (cast.account.city, cast.account.name) == ("杭州", "华东会展集团")
    assert [t.name for t in cast.account.tags.all()] == ["重点"]
    latest = cast.account.history.filter(history_type="~").order_by("history_id")
    assert {h.history_user for h in latest} == {cast.alice}


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
def test_patch_follows_the_access_rule(cast, as_user, who, status):
    r = as_user(who).patch(
        f"/api/accounts/{cast.account.pk}", {"city": "苏州"}, content_type="application/json"
    )
    assert r.status_code == status
    cast.account.refresh_from_db()
    assert (cast.account.city == "苏州") == (status == 200)


def test_patch_null_for_required_field_is_422(cast, as_user):
    r = as_user("alice").patch(
        f"/api/accounts/{cast.account.pk}", {"account_type": None}, content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["field"] == "account_type"


def test_parent_cycle_is_rejected(cast, as_user):
    child = make_account(owner=cast.alice, parent=cast.account)
    r = as_user("alice").patch(
        f"/api/accounts/{cast.account.pk}", {"parent": child.pk}, content_type="application/json"
    )
    assert r.status_code == 422
    assert r.json()["field"] == "parent"
    cast.account.refresh_from_db()
    assert cast.account.parent is None


def test_kam_cannot_hand_over_an_account(cast, as_user):
    r = as_user("alice").patch(
        f"/api/accounts/{cast.account.pk}", {"owner": cast.bob.pk}, content_type="application/json"
    )
    assert r.status_code == 403
    cast.account.refresh_from_db()
    assert cast.account.owner == cast.alice


def test_put_replaces_fields(cast, as_user):
    r = as_user("alice").put(
        f"/api/accounts/{cast.account.pk}",
        new_account(code=cast.account.code, city="南京"),
        content_type="application/json",
    )
    assert r.status_code == 200, r.json()
    cast.account.refresh_from_db()
    assert (cast.account.name, cast.account.city, cast.account.owner) == (
        "新华会议公司", "南京", cast.alice,
    )  # fmt: skip


# --- delete -----------------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", [("bob", 404), ("charlie", 404), ("alice", 204)])
def test_delete_follows_the_access_rule(cast, as_user, who, status):
    pk = cast.account.pk
    r = as_user(who).delete(f"/api/accounts/{pk}")
    assert r.status_code == status
    assert Account.objects.filter(pk=pk).exists() == (status != 204)


def test_delete_is_audited(cast, as_user):
    pk = cast.account.pk
    assert as_user("alice").delete(f"/api/accounts/{pk}").status_code == 204
    gone = Account.history.get(id=pk, history_type="-")
    assert gone.history_user == cast.alice


def test_account_with_business_cannot_be_deleted(cast, as_user):
    make_transaction(account=cast.account)
    make_payment(account=cast.account)
    r = as_user("alice").delete(f"/api/accounts/{cast.account.pk}")
    assert r.status_code == 409
    assert "1 transactions" in r.json()["message"] and "lost" in r.json()["message"]
    assert Account.objects.filter(pk=cast.account.pk).exists()


# --- history ----------------------------------------------------------------------------------


def test_history_shows_who_changed_what(cast, as_user):
    client = as_user("alice")
    client.patch(
        f"/api/accounts/{cast.account.pk}", {"city": "宁波"}, content_type="application/json"
    )
    r = client.get(f"/api/accounts/{cast.account.pk}/history")
    assert r.status_code == 200
    latest = r.json()[0]
    assert (latest["type"], latest["user"]) == ("~", "alice")
    assert {"field": "city", "old": "", "new": "宁波"} in latest["changes"]


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
def test_history_follows_the_access_rule(cast, as_user, who, status):
    assert as_user(who).get(f"/api/accounts/{cast.account.pk}/history").status_code == status


def test_nul_characters_are_422_not_a_database_error(cast, as_user):
    # PostgreSQL refuses NUL in text; the API must say so instead of crashing.
    client = as_user("alice")
    r = client.post("/api/accounts", new_account(name="坏\x00名"), content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "name"
    r = client.post("/api/accounts", new_account(tags=["a\x00"]), content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "tags"
    r = client.patch(
        f"/api/accounts/{cast.account.pk}", {"notes": "\x00"}, content_type="application/json"
    )
    assert r.status_code == 422 and r.json()["field"] == "notes"
    r = client.get("/api/accounts?q=%00")
    assert r.status_code == 422 and r.json()["field"] == "q"
