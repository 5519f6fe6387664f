"""/api/agreements/{id}/blocks: list, create, read, change, delete; 404 out of sight, 422 bad
input naming the field; figures as the domain computes them."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from guanxi.agreements.models import RoomBlock
from guanxi.agreements.tests.blocks_support import FIRST_NIGHT, book, make_agreement, make_block
from guanxi.core.dates import local_midnight

N1, N2, N3 = (FIRST_NIGHT + dt.timedelta(days=i) for i in range(3))


@pytest.fixture
def agreement(cast):
    return make_agreement(account=cast.account, owner=cast.alice)


def _url(agreement, block=None) -> str:
    base = f"/api/agreements/{agreement.pk}/blocks"
    return f"{base}/{block.pk}" if block else base


def _send(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_the_list_shows_each_block_with_its_pickup_and_what_is_owed(agreement, cast, as_user):
    block = make_block(agreement)
    book(cast.account, local_midnight(N1) + dt.timedelta(hours=16), 200)
    r = as_user("lena").get(_url(agreement), {"as_of": "2026-06-01"})
    assert r.status_code == 200
    (out,) = r.json()
    assert out["id"] == block.pk and out["category"] == "rooms"
    assert out["contracted"] == 300 and float(out["picked_up"]) == 200
    assert float(out["owed"]) == 240 * 450 - 100 * 450  # a night counts up to its block
    assert [n["night"] for n in out["nights"]] == ["2026-05-12", "2026-05-13", "2026-05-14"]


def test_create_read_patch_delete(agreement, cast, as_user):
    client = as_user("alice")
    nights = [{"night": "2026-05-12", "rooms": 100}, {"night": "2026-05-13", "rooms": 80}]
    body = {"name": "年会房间", "group_rate": "600", "cutoff_on": "2026-04-20", "nights": nights}
    r = _send(client, "post", _url(agreement), body)
    assert r.status_code == 201, r.content
    block = RoomBlock.objects.get(pk=r.json()["id"])
    assert r.json()["contracted"] == 180 and r.json()["before_cutoff"] in (True, False)
    assert block.history.first().history_user == cast.alice
    fewer = {"nights": [{"night": "2026-05-12", "rooms": 50}]}
    r = _send(client, "patch", _url(agreement, block), fewer)
    assert r.status_code == 200 and r.json()["contracted"] == 50
    assert client.get(_url(agreement, block)).json()["name"] == "年会房间"
    assert client.delete(_url(agreement, block)).status_code == 204
    assert not RoomBlock.objects.filter(pk=block.pk).exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"cutoff_on": "2026-05-13"}, "cutoff_on"),
        ({"penalty_rule": "minimum_revenue"}, "minimum_revenue"),
        ({"nights": [{"night": "2026-05-12", "rooms": 1}, {"night": "2026-05-12", "rooms": 2}]},
         "nights"),
        ({"allowance_percent": "101"}, "allowance_percent"),
        ({"category": "nope"}, "category"),
    ],
)  # fmt: skip
def test_bad_input_is_a_422_naming_the_field(agreement, as_user, body, field):
    base = {"name": "x", "group_rate": "500", "cutoff_on": "2026-04-01",
            "nights": [{"night": "2026-05-12", "rooms": 10}]}  # fmt: skip
    r = _send(as_user("alice"), "post", _url(agreement), {**base, **body})
    assert r.status_code == 422, r.content
    assert field in r.content.decode()


def test_an_agreement_or_block_out_of_sight_is_a_404(agreement, cast, as_user):
    block = make_block(agreement)
    client = as_user("charlie")
    assert client.get(_url(agreement)).status_code == 404
    assert client.get(_url(agreement, block)).status_code == 404
    assert _send(client, "patch", _url(agreement, block), {"name": "x"}).status_code == 404
    assert client.delete(_url(agreement, block)).status_code == 404
    other = make_agreement(account=cast.account, owner=cast.alice, name="另一份")
    assert as_user("alice").get(f"/api/agreements/{other.pk}/blocks/{block.pk}").status_code == 404
