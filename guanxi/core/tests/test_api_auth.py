import pytest
from django.core.cache import cache
from django.test import Client

from guanxi.core.models import ApiToken
from guanxi.core.services import api_token_create
from tests.support import JSON, PASSWORD

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _fresh_throttle():
    # The login throttle counts in the cache; each test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


def test_token_from_username_and_password(cast):
    r = Client().post(
        "/api/auth/token", {"username": "alice", "password": PASSWORD}, content_type=JSON
    )
    assert r.status_code == 201
    key = r.json()["token"]
    assert key.startswith("gx_")
    assert ApiToken.objects.get(key_hash=ApiToken.hash_key(key)).user == cast.alice
    me = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/me")
    assert me.status_code == 200
    assert (me.json()["username"], me.json()["role"], me.json()["team"]["name"]) == (
        "alice", "kam", "East",
    )  # fmt: skip


@pytest.mark.parametrize("username,password", [("alice", "wrong-password"), ("nobody", PASSWORD)])
def test_wrong_credentials_are_401_with_one_message(cast, username, password):
    r = Client().post(
        "/api/auth/token", {"username": username, "password": password}, content_type=JSON
    )
    assert r.status_code == 401
    assert r.json()["message"] == "Wrong username or password."
    assert not ApiToken.objects.exists()


def test_inactive_user_gets_no_token(cast):
    cast.alice.is_active = False
    cast.alice.save()
    r = Client().post(
        "/api/auth/token", {"username": "alice", "password": PASSWORD}, content_type=JSON
    )
    assert r.status_code == 401


def test_token_endpoint_is_rate_limited(cast):
    client = Client()
    body = {"username": "alice", "password": "guess"}
    codes = [client.post("/api/auth/token", body, content_type=JSON).status_code for _ in range(11)]
    assert codes[:10] == [401] * 10
    assert codes[10] == 429
    r = client.post(
        "/api/auth/token", {"username": "alice", "password": PASSWORD}, content_type=JSON
    )
    assert r.status_code == 429
    assert r.json()["message"]


def _login(address: str, username: str, password: str, **headers):
    return Client(REMOTE_ADDR=address, **headers).post(
        "/api/auth/token", {"username": username, "password": password}, content_type=JSON
    )


def test_wrong_passwords_elsewhere_do_not_lock_the_user_out(cast):
    codes = [_login("203.0.113.9", "alice", f"guess{i}").status_code for i in range(12)]
    assert codes[:10] == [401] * 10 and codes[10:] == [429, 429]
    # The attacker's address is limited even with the right password (no brute-force oracle) …
    assert _login("203.0.113.9", "alice", PASSWORD).status_code == 429
    # … while alice, at her own address, still gets in.
    r = _login("198.51.100.7", "alice", PASSWORD)
    assert r.status_code == 201
    assert ApiToken.objects.filter(user=cast.alice).count() == 1


def test_the_limit_says_when_to_retry(cast):
    for i in range(10):
        _login("203.0.113.9", "bob", f"guess{i}")
    r = _login("203.0.113.9", "bob", "guess")
    assert r.status_code == 429
    assert int(r["Retry-After"]) >= 1


def test_one_address_spraying_many_usernames_is_limited(cast):
    codes = [_login("203.0.113.9", f"user{i}", "guess").status_code for i in range(31)]
    assert codes[:30] == [401] * 30
    assert codes[30] == 429
    assert _login("198.51.100.7", "alice", PASSWORD).status_code == 201


def test_a_made_up_forwarded_header_does_not_dodge_the_limit(cast):
    codes = [
        _login("203.0.113.9", "alice", "guess", HTTP_X_FORWARDED_FOR=f"10.0.0.{i}").status_code
        for i in range(11)
    ]
    assert codes[10] == 429


def test_token_body_is_validated(cast):
    r = Client().post("/api/auth/token", {"username": "alice"}, content_type=JSON)
    assert r.status_code == 422
    assert r.json()["field"] == "password"


@pytest.mark.parametrize(
    "header", [None, "Bearer", "Bearer gx_unknown", "Token gx_x", "Bearer not-our-prefix"]
)
def test_me_requires_a_valid_token(cast, header):
    client = Client(HTTP_AUTHORIZATION=header) if header else Client()
    r = client.get("/api/me")
    assert r.status_code == 401
    assert "message" in r.json()


def test_expired_token_is_refused(cast):
    import datetime as dt

    from django.utils import timezone

    _, key = api_token_create(user=cast.alice, expires_at=timezone.now() - dt.timedelta(seconds=1))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/me").status_code == 401


def test_manager_me_says_they_see_everything(cast):
    _, key = api_token_create(user=cast.mia)
    me = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/me").json()
    assert (me["role"], me["team"], me["sees_all_accounts"]) == ("manager", None, True)


def test_openapi_and_docs_load_without_a_token(db):
    schema = Client().get("/api/openapi.json")
    assert schema.status_code == 200
    assert Client().get("/api/docs").status_code == 200
    paths = schema.json()["paths"]
    for route in (
        "/api/accounts", "/api/contacts", "/api/transactions", "/api/payments",
        "/api/auth/token", "/api/me", "/api/contacts/{contact_id}/profile",
        "/api/accounts/{account_id}/history",
    ):  # fmt: skip
        assert route in paths, route


def test_every_operation_has_a_summary_and_tags(db):
    paths = Client().get("/api/openapi.json").json()["paths"]
    operations = [(p, m, op) for p, ops in paths.items() for m, op in ops.items()]
    assert len(operations) > 30
    for path, method, op in operations:
        assert op.get("summary"), (path, method)
        assert op.get("tags"), (path, method)


def test_unknown_api_path_is_a_json_404(cast):
    _, key = api_token_create(user=cast.alice)
    r = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get("/api/accounts/1/nothing-here")
    assert r.status_code == 404


@pytest.mark.parametrize("path", ["/api/accounts/0", "/api/accounts/99999999999999999999999"])
def test_out_of_range_ids_are_4xx_not_500(cast, path):
    _, key = api_token_create(user=cast.alice)
    r = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(path)
    assert r.status_code == 422
    assert r.json()["field"] == "account_id"


def test_chinese_is_sent_as_utf8_not_escaped(cast):
    _, key = api_token_create(user=cast.alice)
    r = Client(HTTP_AUTHORIZATION=f"Bearer {key}").get(f"/api/accounts/{cast.account.pk}")
    assert "华东会展集团".encode() in r.content
