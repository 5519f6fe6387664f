"""A KAM opens an account's relationship map: the people on the picture, the risk in words, and
the picture downloaded as PNG for the account review meeting."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.activities.models import Touchpoint, TouchpointKind
from guanxi.core.models import Role, Team
from guanxi.core.testing import make_account, make_contact, make_user
from guanxi.relationships.services import buying_centre_member_set, relationship_stage_record
from tests.browser.helpers import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def mapped(transactional_db):
    """Made before Playwright starts (its event loop and the ORM do not mix)."""
    team = Team.objects.create(name="会展销售部")
    kam = make_user("wang", role=Role.KAM, team=team, first_name="伟", last_name="王")
    account = make_account(owner=kam, name="华东国际会展集团", code="HD001")
    ceo = make_contact(account=account, name="孙立", title="总经理", is_active=False)
    cfo = make_contact(account=account, name="周婷", title="财务总监")
    buyer = make_contact(account=account, name="陈刚", title="采购经理")
    kw = {"account": account, "user": kam}
    buying_centre_member_set(contact=ceo, buying_roles=["approver"], stance="champion",
                             influence=5, **kw)  # fmt: skip
    buying_centre_member_set(contact=cfo, buying_roles=["decision_maker"], stance="supporter",
                             influence=4, reports_to=ceo, **kw)  # fmt: skip
    buying_centre_member_set(contact=buyer, buying_roles=["user"], influence=2, reports_to=cfo,
                             rising_star=True, **kw)  # fmt: skip
    visit = Touchpoint.objects.create(
        account=account,
        kind=TouchpointKind.VISIT,
        occurred_at=timezone.now() - dt.timedelta(days=1),
    )
    visit.contacts.add(cfo)
    relationship_stage_record(contact=cfo, stage="trust", evidence=visit, **kw)
    return account


def test_kam_opens_the_map_sees_the_people_and_the_risk_and_downloads_a_png(
    mapped, browser, live_server
):
    page = browser.new_page(locale="en-US", accept_downloads=True)
    log_in(page, live_server, "wang")
    page.goto(f"{live_server.url}/admin/relationships/buyingcentremember/map/{mapped.pk}/")

    heading = page.locator("#relationship-map-page h1").inner_text()
    assert heading == "Relationship map: 华东国际会展集团"
    people = page.locator("#relationship-map svg g.person")
    assert people.count() == 3
    names = page.locator("#relationship-map svg g.person text.name").all_text_contents()
    assert {n.replace("★", "").strip() for n in names} == {"孙立", "周婷", "陈刚"}
    # The picture is drawn at its natural size: the people's cards have real width.
    card = page.locator("#relationship-map svg g.person rect").first.bounding_box()
    assert card["width"] >= 140

    risks = page.locator("[data-list='risks']").inner_text()
    assert "Our champion 孙立 has left the organisation" in risks
    assert page.locator("[data-seat] [data-last-touch]").all_inner_texts().count("1 day ago") == 1

    with page.expect_download() as download:
        page.click("[data-download-png]")
    assert download.value.suggested_filename == "relationship-map-HD001.png"
    with open(download.value.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
