"""The room block's admin page: the pickup panel by night, adding a block with its nights through
the service (audited), the cut-off rule on the form, 404 out of sight; the template tag."""

from __future__ import annotations

import datetime as dt

import pytest
from django.template import Context, Template

from guanxi.agreements.models import RoomBlock
from guanxi.agreements.tests.blocks_support import (
    FIRST_NIGHT,
    book,
    make_agreement,
    make_block,
    rooms_category,
)
from guanxi.core.dates import local_midnight

URL = "/admin/agreements/roomblock/"


@pytest.fixture
def agreement(cast):
    return make_agreement(account=cast.account, owner=cast.alice)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_change_page_shows_pickup_by_night_and_what_is_owed(agreement, cast, client,
                                                                language):  # fmt: skip
    block = make_block(agreement)
    book(cast.account, local_midnight(FIRST_NIGHT) + dt.timedelta(hours=15), 70)
    client.force_login(cast.alice)
    r = client.get(f"{URL}{block.pk}/change/", HTTP_ACCEPT_LANGUAGE=language)
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-panel="block-position"' in html and f'data-block="{block.pk}"' in html
    assert 'data-night="2026-05-12"' in html and 'data-picked-up="70' in html
    assert 'data-figure="owed"' in html


def _post(client, agreement, cutoff: str, nights: list[tuple[str, int]]):
    data = {
        "agreement": agreement.pk, "name": "年会房间", "category": rooms_category().pk,
        "group_rate": "600", "cutoff_on": cutoff, "allowance_percent": "80",
        "penalty_rule": "per_room_night", "penalty_percent": "75", "notes": "",
        "nights-TOTAL_FORMS": str(len(nights)), "nights-INITIAL_FORMS": "0",
        "nights-MIN_NUM_FORMS": "0", "nights-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, (night, rooms) in enumerate(nights):
        data.update({f"nights-{i}-night": night, f"nights-{i}-rooms": str(rooms)})
    return client.post(f"{URL}add/", data)


def test_adding_a_block_with_nights_goes_through_the_service(agreement, cast, client):
    client.force_login(cast.alice)
    r = _post(client, agreement, "2026-04-20", [("2026-05-12", 100), ("2026-05-13", 80)])
    assert r.status_code == 302, r.content.decode()[:2000]
    block = RoomBlock.objects.get()
    assert dict(block.nights.values_list("rooms", "night")).keys() == {100, 80}
    assert block.history.first().history_user == cast.alice


def test_a_cutoff_after_the_first_night_is_an_error_on_the_form(agreement, cast, client):
    client.force_login(cast.alice)
    r = _post(client, agreement, "2026-05-13", [("2026-05-12", 100)])
    assert r.status_code == 200 and not RoomBlock.objects.exists()


def test_a_block_out_of_sight_is_a_404(agreement, cast, client):
    block = make_block(agreement)
    client.force_login(cast.charlie)
    assert client.get(f"{URL}{block.pk}/change/").status_code == 404


def test_the_template_tag_renders_an_agreements_blocks(agreement, cast):
    make_block(agreement)
    html = Template("{% load room_blocks %}{% agreement_room_blocks agreement %}").render(
        Context({"agreement": agreement})
    )
    assert 'data-section="room-blocks"' in html and 'data-night="2026-05-14"' in html
