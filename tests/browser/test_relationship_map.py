"""A KAM opens an account's relationship map: the people on the picture, the risk in words, and
the picture downloaded as PNG for the account review meeting."""

import datetime as dt

import pytest
from django.utils import timezone

from guanxi.core.models import Role, Team
from guanxi.relationships.services import buying_centre_member_set, relationship_stage_record
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from tests.browser.helpers import log_in
from tests.support import make_account, make_contact, make_user

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
    kw = {"account": account, "actor": kam}
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

    # The legend stays in view above the scrolling picture.
    legend = page.locator("[data-map-legend]")
    assert legend.is_visible() and "Champion" in legend.inner_text()

    # Fit to width: the picture fills the frame; actual size: back to its natural size.
    page.click("[data-map-size=fit]")
    frame = page.locator("#relationship-map").bounding_box()
    picture = page.locator("#relationship-map svg").bounding_box()
    assert abs(picture["width"] - frame["width"]) < 4
    assert page.get_attribute("[data-map-size=fit]", "aria-pressed") == "true"
    page.click("[data-map-size=actual]")
    assert page.locator("#relationship-map svg").get_attribute("width") == str(
        round(
            page.evaluate("document.querySelector('#relationship-map svg').viewBox.baseVal.width")
        )
    )

    # Find a person: their card is highlighted.
    page.fill("#map-find", "陈刚")
    page.press("#map-find", "Enter")
    found = page.locator("#relationship-map svg g.person.found")
    assert found.count() == 1 and "陈刚" in found.locator("text.name").text_content()
    assert page.locator("[data-map-found]").inner_text() == "1 of 1"
    page.fill("#map-find", "nobody here")
    page.press("#map-find", "Enter")
    assert page.locator("#relationship-map svg g.person.found").count() == 0
    assert page.locator("[data-map-found]").inner_text() == "Nobody on the map matches."

    with page.expect_download() as download:
        page.click("[data-download-png]")
    assert download.value.suggested_filename == "relationship-map-HD001.png"
    with open(download.value.path(), "rb") as png:
        assert png.read(8) == b"\x89PNG\r\n\x1a\n"
    # A small map is saved at twice its size.
    width = page.evaluate("document.querySelector('#relationship-map svg').viewBox.baseVal.width")
    png_w = int(page.get_attribute("[data-download-png]", "data-png-size").split("x")[0])
    assert png_w == int(width * 2)


@pytest.fixture
def wide(transactional_db):
    """A boss with twelve managers, each with two people: the boss sits far to the right."""
    team = Team.objects.create(name="医药销售部")
    kam = make_user("li", role=Role.KAM, team=team)
    account = make_account(owner=kam, name="华彩医药", code="HC001")
    kw = {"account": account, "actor": kam}
    boss = make_contact(account=account, name="武璐", title="董事长")
    buying_centre_member_set(contact=boss, buying_roles=["approver"], influence=5, **kw)
    for i in range(12):
        manager = make_contact(account=account, name=f"经理{i:02d}", title="部门经理")
        buying_centre_member_set(contact=manager, reports_to=boss, **kw)
        for j in range(2):
            person = make_contact(account=account, name=f"员工{i:02d}{j}", title="主管")
            buying_centre_member_set(contact=person, reports_to=manager, **kw)
    return account


def test_a_wide_map_opens_on_its_top_person_and_finds_people(wide, browser, live_server):
    page = browser.new_page(locale="en-US", viewport={"width": 1280, "height": 900})
    log_in(page, live_server, "li")
    page.goto(f"{live_server.url}/admin/relationships/buyingcentremember/map/{wide.pk}/")
    frame = page.locator("#relationship-map").bounding_box()
    picture = page.locator("#relationship-map svg").bounding_box()
    assert picture["width"] > frame["width"] * 1.5, "the picture is wider than its frame"

    def in_view(locator) -> bool:
        card = locator.bounding_box()
        return frame["x"] <= card["x"] and card["x"] + card["width"] <= frame["x"] + frame["width"]

    boss = page.locator("#relationship-map svg g.person", has_text="武璐").locator("rect").first
    assert in_view(boss), "the top person is in view, not 1,000 px to the right"
    last = page.locator("#relationship-map svg g.person", has_text="员工111")
    assert not in_view(last.locator("rect").first)
    page.fill("#map-find", "员工111")
    page.press("#map-find", "Enter")
    assert "found" in last.get_attribute("class")
    page.wait_for_timeout(100)
    assert in_view(last.locator("rect").first), "the map scrolled to the person found"
    # Fit to width: the whole organisation in the frame.
    page.click("[data-map-size=fit]")
    picture = page.locator("#relationship-map svg").bounding_box()
    assert picture["width"] <= frame["width"] + 1
    # A map too big for a canvas at twice its size is scaled down to the limit (16,000 px a
    # side; lowered here so that this map is "too big").
    page.evaluate("document.querySelector('[data-download-png]').dataset.maxSide = '2000'")
    with page.expect_download() as download:
        page.click("[data-download-png]")
    assert download.value.suggested_filename == "relationship-map-HC001.png"
    width, height = map(int, page.get_attribute("[data-download-png]", "data-png-size").split("x"))
    assert max(width, height) <= 2000 and width > 1900
