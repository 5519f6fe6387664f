"""/api/activities/today and its section pages: the top N by priority with the totals, pages
that put together give the whole section, and responses that validate against the OpenAPI."""

from __future__ import annotations

import datetime as dt

import jsonschema
import pytest

from guanxi.activities.models import TaskKind
from guanxi.activities.tests.conftest import TODAY, frozen, policy_put_in_tier, task
from guanxi.relationships.services import buying_centre_member_set
from guanxi.tiers.models import ChangeReason, TierChange
from tests.support import make_account, make_contact

API = "/api/activities/today"
SECTIONS = ("due", "upcoming", "key_dates", "tier_changes", "neglected", "relationship_risks")


_SPEC: dict = {}


def valid(client, path: str, body: dict) -> None:
    """Validate ``body`` against the response schema /api/openapi.json gives ``path`` (GET,
    200)."""
    if not _SPEC:  # the same document for every test: read it once
        _SPEC.update(client.get("/api/openapi.json").json())
    spec = _SPEC
    media = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    schema = {**media["schema"], "components": spec["components"]}
    jsonschema.validate(
        body,
        schema,
        cls=jsonschema.Draft202012Validator,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )


@pytest.fixture
def busy(cast, day, moves, policy_a):
    """The `day` book with the `moves` tier changes, five more overdue calls and every account
    at relationship risk: every section has items."""
    for n in range(5):
        account = make_account(owner=cast.alice, name=f"加急{n}")
        policy_put_in_tier(account, policy_a, dt.date(2026, 5, 1))
        task(account, TaskKind.CALL, TODAY - dt.timedelta(days=n + 1))
    for account in (day["a1"], day["a2"], day["b"], day["none"]):
        warm = make_contact(account=account, name=f"{account.name}的经理")
        buying_centre_member_set(account=account, contact=warm, actor=None, stance="supporter",
                                 buying_roles=["approver"])  # fmt: skip
    return day


@pytest.fixture
def moves(cast, policy_a, policy_b):
    for n, (old, new) in enumerate(((None, policy_b), (policy_b, policy_a), (policy_a, None))):
        account = make_account(owner=cast.alice, name=f"升降{n}")
        TierChange.objects.create(account=account, scheme=policy_a.scheme, from_tier=old,
                                  to_tier=new, effective_on=dt.date(2026, 6, 12 + n),
                                  reason=ChangeReason.RULES)  # fmt: skip


def test_today_lists_the_top_items_with_totals_and_matches_the_openapi(as_user, cast, busy):
    client = as_user("alice")
    with frozen():
        body = client.get(API, {"limit": 2}).json()
    valid(client, API, body)
    assert body["limit"] == 2
    assert body["totals"] == {"due": 9, "upcoming": 1, "key_dates": 2, "tier_changes": 4,
                              "neglected": 7, "relationship_risks": 4, "large_deals": 0,
                              "stale_deals": 0, "deal_risks": 0, "renewals_at_risk": 0,
                              "plan_actions": 0, "service_cases": 0,
                              "warning_lights": 0}  # fmt: skip
    for name in SECTIONS:
        assert len(body[name]) == min(2, body["totals"][name]), name
    assert {c["direction"] for c in body["tier_changes"]} <= {"new", "up", "down", "lost"}
    assert body["key_dates"][0]["contact_name"] == "孙立"
    assert body["due"][0]["task"]["id"] == busy["a1_call"].pk


def test_the_default_limit_is_the_sites(as_user, cast, busy, settings):
    settings.GUANXI_TODAY_LIMIT = 3
    with frozen():
        body = as_user("alice").get(API).json()
    assert body["limit"] == 3 and len(body["due"]) == 3 and body["totals"]["due"] == 9


@pytest.mark.parametrize("name", SECTIONS)
def test_section_pages_put_together_are_the_whole_section(as_user, cast, busy, name):
    client = as_user("alice")
    path = f"{API}/{name}"
    with frozen():
        whole = client.get(API, {"limit": 500}).json()[name]
        pages = [client.get(path, {"limit": 3, "offset": o}).json() for o in range(0, 12, 3)]
    for page in pages:
        valid(client, path, page)
        assert page["count"] == len(whole)
    assert [item for page in pages for item in page["items"]] == whole


def test_section_pages_refuse_bad_paging_and_follow_the_access_rule(as_user, cast, busy):
    client = as_user("alice")
    with frozen():
        for query in ({"limit": 0}, {"limit": 501}, {"offset": -1}, {"limit": "x"}):
            assert client.get(f"{API}/due", query).status_code == 422, query
        assert client.get(API, {"limit": 0}).status_code == 422
        assert client.get(f"{API}/due", {"user": cast.bob.pk}).status_code == 404
        lena = as_user("lena").get(f"{API}/neglected", {"user": cast.alice.pk})
        assert lena.status_code == 200 and lena.json()["count"] == 7
        assert as_user("bob").get(f"{API}/due").json() == {"count": 0, "items": []}


def test_today_api_queries_do_not_grow_with_the_items(as_user, cast, busy, policy_a,
                                                      django_assert_max_num_queries):  # fmt: skip
    client = as_user("alice")
    with frozen():
        client.get(API)  # creates the relationship risk rules' row once
        for n in range(40):
            account = make_account(owner=cast.alice, name=f"更多{n}")
            policy_put_in_tier(account, policy_a, dt.date(2026, 5, 1))
            task(account, TaskKind.VISIT, TODAY - dt.timedelta(days=n % 5))
        # 37: one more each for the service cases and the warning lights (issue 15).
        with django_assert_max_num_queries(37):
            body = client.get(API, {"limit": 5}).json()
        with django_assert_max_num_queries(20):
            page = client.get(f"{API}/due", {"limit": 20, "offset": 20}).json()
    assert body["totals"]["due"] == 49 and len(body["due"]) == 5
    assert page["count"] == 49 and len(page["items"]) == 20
