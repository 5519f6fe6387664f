import datetime as dt

import pytest

from guanxi.contacts.models import Contact, KeyDate, ProfileFact, RelatedPerson
from guanxi.contacts.services import profile_facts_update
from tests.support import JSON, ROLES_SEE_ALICES, make_account, make_contact

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def contact(cast):
    return make_contact(account=cast.account, name="孙先生", birthday=dt.date(1975, 3, 8))


def new_contact(account, /, **extra):
    return {"account": account.pk, "code": "P001", "name": "王秘书"} | extra


# --- contacts ---------------------------------------------------------------------------------


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
def test_retrieve_follows_the_access_rule(contact, as_user, who, status):
    r = as_user(who).get(f"/api/contacts/{contact.pk}")
    assert r.status_code == status
    if status == 200:
        assert r.json()["name"] == "孙先生"
        assert r.json()["constellation"].startswith("Pisces")


@pytest.mark.parametrize(
    "who,expected",
    [
        ("alice", {"孙先生"}),
        ("bob", set()),
        ("charlie", {"西部联系人"}),
        ("lena", {"孙先生"}),
        ("mia", {"孙先生", "西部联系人"}),
    ],
)
def test_list_contains_only_contacts_of_visible_accounts(cast, contact, as_user, who, expected):
    make_contact(account=cast.west_account, name="西部联系人")
    r = as_user(who).get("/api/contacts")
    assert r.status_code == 200
    assert {c["name"] for c in r.json()["items"]} == expected
    assert r.json()["count"] == len(expected)


def test_filters(cast, contact, as_user):
    make_contact(account=cast.account, name="李总", title="总经理", gender="female")
    other = make_account(owner=cast.alice)
    make_contact(account=other, name="赵经理", mobile="13900001111")
    client = as_user("alice")

    def names(query):
        r = client.get(f"/api/contacts?{query}")
        assert r.status_code == 200, r.json()
        return {c["name"] for c in r.json()["items"]}

    assert names("birthday_month=3") == {"孙先生"}
    assert names("title=总经理") == {"李总"}
    assert names("gender=female") == {"李总"}
    assert names(f"account={other.pk}") == {"赵经理"}
    assert names("q=1390000") == {"赵经理"}
    assert names("q=孙") == {"孙先生"}
    assert client.get("/api/contacts?birthday_month=13").status_code == 422


def test_create_contact_on_own_account(cast, as_user):
    r = as_user("alice").post(
        "/api/contacts", new_contact(cast.account, birthday="1990-01-02"), content_type=JSON
    )
    assert r.status_code == 201, r.json()
    contact = Contact.objects.get(code="P001")
    assert contact.account == cast.account and contact.birthday == dt.date(1990, 1, 2)
    assert contact.history.get().history_user == cast.alice


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_create_contact_on_invisible_account_is_404(cast, as_user, who):
    r = as_user(who).post("/api/contacts", new_contact(cast.account), content_type=JSON)
    assert r.status_code == 404
    assert r.json()["field"] == "account"
    assert not Contact.objects.filter(code="P001").exists()


@pytest.mark.parametrize(
    "extra,field",
    [
        ({"gender": "robot"}, "gender"),
        ({"birthday": "1990-13-01"}, "birthday"),
        ({"email": "not-an-email"}, "email"),
        ({"is_primary": "perhaps"}, "is_primary"),
        ({"account": -3}, "account"),
    ],
)
def test_invalid_contact_input_is_422(cast, as_user, extra, field):
    r = as_user("alice").post(
        "/api/contacts", new_contact(cast.account, **extra), content_type=JSON
    )
    assert r.status_code == 422, r.json()
    assert r.json()["field"] == field


def test_duplicate_contact_code_is_409(cast, contact, as_user):
    r = as_user("alice").post(
        "/api/contacts", new_contact(cast.account, code=contact.code), content_type=JSON
    )
    assert r.status_code == 409
    assert r.json()["field"] == "code"


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
def test_patch_follows_the_access_rule(contact, as_user, who, status):
    r = as_user(who).patch(f"/api/contacts/{contact.pk}", {"title": "董事长"}, content_type=JSON)
    assert r.status_code == status
    contact.refresh_from_db()
    assert (contact.title == "董事长") == (status == 200)


def test_moving_a_contact_to_an_invisible_account_is_404(cast, contact, as_user):
    r = as_user("alice").patch(
        f"/api/contacts/{contact.pk}", {"account": cast.west_account.pk}, content_type=JSON
    )
    assert r.status_code == 404
    contact.refresh_from_db()
    assert contact.account == cast.account


@pytest.mark.parametrize("who,status", [("bob", 404), ("charlie", 404), ("alice", 204)])
def test_delete_follows_the_access_rule_and_is_audited(cast, contact, as_user, who, status):
    r = as_user(who).delete(f"/api/contacts/{contact.pk}")
    assert r.status_code == status
    assert Contact.objects.filter(pk=contact.pk).exists() == (status != 204)
    if status == 204:
        assert Contact.history.get(id=contact.pk, history_type="-").history_user == cast.alice


def test_history(cast, contact, as_user):
    client = as_user("alice")
    client.patch(f"/api/contacts/{contact.pk}", {"mobile": "13800000000"}, content_type=JSON)
    r = client.get(f"/api/contacts/{contact.pk}/history")
    assert r.status_code == 200
    assert r.json()[0]["changes"] == [{"field": "mobile", "old": "", "new": "13800000000"}]
    assert as_user("bob").get(f"/api/contacts/{contact.pk}/history").status_code == 404


# --- profile ----------------------------------------------------------------------------------


def _field(profile, group, key):
    g = next(g for g in profile["groups"] if g["key"] == group)
    return next(f for f in g["fields"] if f["key"] == key)


def test_profile_shows_values_with_provenance(cast, contact, as_user):
    profile_facts_update(
        contact=contact, group="taboos", values={"dietary": "猪肉"}, actor=cast.alice,
        source="front_line",
    )  # fmt: skip
    r = as_user("lena").get(f"/api/contacts/{contact.pk}/profile")
    assert r.status_code == 200
    dietary = _field(r.json(), "taboos", "dietary")
    assert dietary["value"] == ["猪肉"]
    prov = dietary["provenance"]
    assert (prov["recorded_by"], prov["source"], prov["verified"]) == ("alice", "front_line", False)
    assert _field(r.json(), "basic", "religion")["provenance"] is None


@pytest.mark.parametrize("who,status", ROLES_SEE_ALICES)
def test_profile_follows_the_access_rule(contact, as_user, who, status):
    assert as_user(who).get(f"/api/contacts/{contact.pk}/profile").status_code == status


@pytest.mark.parametrize("method", ["put", "patch"])
def test_update_profile_group_records_the_actor(cast, contact, as_user, method):
    r = getattr(as_user("alice"), method)(
        f"/api/contacts/{contact.pk}/profile/preferences",
        {"values": {"sports": "高尔夫, 网球", "favourite_drinks": ["普洱"]}, "source": "event"},
        content_type=JSON,
    )
    assert r.status_code == 200, r.json()
    fact = ProfileFact.objects.get(contact=contact, key="sports")
    assert (fact.value, fact.recorded_by, fact.source) == (["高尔夫", "网球"], cast.alice, "event")
    assert fact.history.get().history_user == cast.alice


def test_update_profile_rejects_bad_values_naming_the_field(contact, as_user):
    client = as_user("alice")
    url = f"/api/contacts/{contact.pk}/profile/basic"
    bad_value = client.put(url, {"values": {"height_cm": "tall"}}, content_type=JSON)
    assert bad_value.status_code == 422 and bad_value.json()["field"] == "height_cm"
    bad_key = client.put(url, {"values": {"shoe_size": 42}}, content_type=JSON)
    assert bad_key.status_code == 422 and bad_key.json()["field"] == "shoe_size"
    bad_source = client.put(url, {"values": {}, "source": "rumour"}, content_type=JSON)
    assert bad_source.status_code == 422 and bad_source.json()["field"] == "source"
    bad_group = client.put(
        f"/api/contacts/{contact.pk}/profile/secrets", {"values": {}}, content_type=JSON
    )
    assert bad_group.status_code == 404
    assert not ProfileFact.objects.exists()


def test_outsider_cannot_write_the_profile(contact, as_user):
    r = as_user("charlie").put(
        f"/api/contacts/{contact.pk}/profile/basic",
        {"values": {"religion": "无"}},
        content_type=JSON,
    )
    assert r.status_code == 404
    assert not ProfileFact.objects.exists()


def test_verify_a_fact(cast, contact, as_user):
    (fact,) = profile_facts_update(
        contact=contact, group="basic", values={"ethnicity": "回族"}, actor=cast.alice
    )
    assert (
        as_user("bob").post(f"/api/contacts/{contact.pk}/facts/{fact.pk}/verify").status_code == 404
    )
    r = as_user("lena").post(f"/api/contacts/{contact.pk}/facts/{fact.pk}/verify")
    assert r.status_code == 200
    assert _field(r.json(), "basic", "ethnicity")["provenance"]["verified_by"] == "lena"
    fact.refresh_from_db()
    assert fact.verified and fact.verified_by == cast.lena


def test_verify_a_fact_of_another_contact_is_404(cast, contact, as_user):
    other = make_contact(account=cast.account)
    (fact,) = profile_facts_update(
        contact=other, group="basic", values={"religion": "无"}, actor=cast.alice
    )
    r = as_user("alice").post(f"/api/contacts/{contact.pk}/facts/{fact.pk}/verify")
    assert r.status_code == 404


# --- related people and key dates -------------------------------------------------------------


def test_related_people_crud(cast, contact, as_user):
    client = as_user("alice")
    base = f"/api/contacts/{contact.pk}/related-people"
    r = client.post(base, {"relation": "driver", "name": "老刘", "phone": "139"}, content_type=JSON)
    assert r.status_code == 201, r.json()
    person = RelatedPerson.objects.get(contact=contact)
    assert person.name == "老刘" and person.history.get().history_user == cast.alice
    assert [p["name"] for p in client.get(base).json()] == ["老刘"]

    r = client.patch(f"{base}/{person.pk}", {"birthday": "1970-06-01"}, content_type=JSON)
    assert r.status_code == 200
    person.refresh_from_db()
    assert person.birthday == dt.date(1970, 6, 1)

    assert (
        client.post(base, {"relation": "butler", "name": "x"}, content_type=JSON).status_code == 422
    )
    assert client.delete(f"{base}/{person.pk}").status_code == 204
    assert not RelatedPerson.objects.exists()


def test_related_people_follow_the_access_rule(cast, contact, as_user):
    person = RelatedPerson.objects.create(contact=contact, relation="secretary", name="小王")
    base = f"/api/contacts/{contact.pk}/related-people"
    for who in ("bob", "charlie"):
        client = as_user(who)
        assert client.get(base).status_code == 404
        assert (
            client.post(base, {"relation": "driver", "name": "x"}, content_type=JSON).status_code
            == 404
        )
        assert client.delete(f"{base}/{person.pk}").status_code == 404
    assert RelatedPerson.objects.count() == 1


def test_key_dates_crud(cast, contact, as_user):
    client = as_user("alice")
    base = f"/api/contacts/{contact.pk}/key-dates"
    r = client.post(
        base, {"kind": "wedding", "date": "2001-10-01", "label": "结婚纪念日"}, content_type=JSON
    )
    assert r.status_code == 201, r.json()
    key_date = KeyDate.objects.get(contact=contact)
    assert key_date.date == dt.date(2001, 10, 1)
    assert key_date.history.get().history_user == cast.alice
    assert (
        client.patch(f"{base}/{key_date.pk}", {"date": "2001-10-02"}, content_type=JSON).status_code
        == 200
    )
    assert (
        client.post(base, {"kind": "wedding", "date": "yesterday"}, content_type=JSON).status_code
        == 422
    )
    assert as_user("charlie").delete(f"{base}/{key_date.pk}").status_code == 404
    assert client.delete(f"{base}/{key_date.pk}").status_code == 204
    assert not KeyDate.objects.exists()
