"""Buying centre, relationship stages and the organisation relationship: the write rules."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from guanxi.core.errors import ApplicationError, NotFound
from guanxi.relationships.models import (
    AccountRelationship,
    BuyingCentreMember,
    KotlerLevel,
    RelationshipStageEvent,
    SupplierStage,
)
from guanxi.relationships.services import (
    account_relationship_set,
    buying_centre_member_set,
    relationship_stage_record,
)
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from tests.support import make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def people(cast):
    ceo = make_contact(account=cast.account, name="王总")
    cfo = make_contact(account=cast.account, name="李财务")
    buyer = make_contact(account=cast.account, name="张采购")
    return ceo, cfo, buyer


def test_a_seat_is_created_then_updated_not_duplicated(cast, people):
    ceo, cfo, _ = people
    seat = buying_centre_member_set(account=cast.account, contact=cfo, actor=cast.alice,
                                    buying_roles=["decision_maker", "influencer",
                                                  "decision_maker"],
                                    stance="supporter", influence=4, reports_to=ceo)  # fmt: skip
    assert seat.buying_roles == ["decision_maker", "influencer"]
    again = buying_centre_member_set(account=cast.account, contact=cfo, actor=cast.alice,
                                     buying_roles=["approver"], influence=5)  # fmt: skip
    assert again.pk == seat.pk and BuyingCentreMember.objects.count() == 1
    again.refresh_from_db()
    assert (again.buying_roles, again.influence, again.reports_to) == (["approver"], 5, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"buying_roles": ["boss"]}, "buying_roles"),
        ({"stance": "friendly"}, "stance"),
        ({"influence": 6}, "influence"),
        ({"influence": 0}, "influence"),
    ],
)
def test_bad_values_name_the_field(cast, people, changes, field):
    with pytest.raises(ApplicationError) as err:
        buying_centre_member_set(account=cast.account, contact=people[0], actor=cast.alice,
                                 **changes)  # fmt: skip
    assert err.value.field == field
    assert not BuyingCentreMember.objects.exists()


def test_reporting_lines_cannot_loop_or_point_at_oneself(cast, people):
    ceo, cfo, buyer = people
    buying_centre_member_set(account=cast.account, contact=cfo, actor=cast.alice, reports_to=ceo)
    buying_centre_member_set(account=cast.account, contact=buyer, actor=cast.alice, reports_to=cfo)
    with pytest.raises(ApplicationError, match="already reports") as err:
        buying_centre_member_set(account=cast.account, contact=ceo, actor=cast.alice,
                                 reports_to=buyer)  # fmt: skip
    assert err.value.field == "reports_to"
    with pytest.raises(ApplicationError, match="themselves"):
        buying_centre_member_set(account=cast.account, contact=ceo, actor=cast.alice,
                                 reports_to=ceo)  # fmt: skip


def test_an_external_influencer_may_sit_on_the_buying_centre(cast, people):
    # A contact of another account (say, an association) can be added and reported to.
    official = make_contact(account=cast.west_account, name="协会秘书长")
    seat = buying_centre_member_set(account=cast.account, contact=official, actor=cast.mia,
                                    buying_roles=["influencer"])  # fmt: skip
    assert seat.contact.account == cast.west_account
    # … but only by someone who can see that contact's account.
    other = make_contact(account=cast.west_account, name="处长")
    with pytest.raises(NotFound):
        buying_centre_member_set(account=cast.account, contact=other, actor=cast.alice)
    # A boss from outside must be on the buying centre first.
    with pytest.raises(ApplicationError, match="neither a contact"):
        buying_centre_member_set(account=cast.account, contact=people[0], actor=cast.mia,
                                 reports_to=other)  # fmt: skip
    buying_centre_member_set(account=cast.account, contact=people[0], actor=cast.mia,
                             reports_to=official)  # fmt: skip


def test_an_account_the_user_cannot_see_is_not_found(cast, people):
    with pytest.raises(NotFound):
        buying_centre_member_set(account=cast.account, contact=people[0], actor=cast.charlie)
    with pytest.raises(NotFound):
        relationship_stage_record(account=cast.account, contact=people[0], stage="trust",
                                  actor=cast.charlie)  # fmt: skip
    with pytest.raises(NotFound):
        account_relationship_set(account=cast.account, actor=cast.charlie, supplier_stage="core")


@time_machine.travel(dt.datetime(2026, 6, 15, 12, tzinfo=dt.UTC), tick=False)
def test_a_stage_is_recorded_with_its_evidence(cast, people):
    ceo, cfo, _ = people
    visit = Touchpoint.objects.create(account=cast.account, kind=TouchpointKind.VISIT,
                                      occurred_at=timezone.now(), logged_by=cast.alice)  # fmt: skip
    visit.contacts.set([cfo])
    event = relationship_stage_record(account=cast.account, contact=cfo, stage="trust",
                                      actor=cast.alice, evidence=visit)  # fmt: skip
    assert (event.reached_on, event.evidence, event.recorded_by) == (
        dt.date(2026, 6, 15),
        visit,
        cast.alice,
    )
    with pytest.raises(ApplicationError, match="does not involve") as err:
        relationship_stage_record(account=cast.account, contact=ceo, stage="trust",
                                  actor=cast.alice, evidence=visit)  # fmt: skip
    assert err.value.field == "evidence"
    with pytest.raises(ApplicationError, match="future"):
        relationship_stage_record(account=cast.account, contact=cfo, stage="emotion",
                                  actor=cast.alice, reached_on=dt.date(2026, 6, 16))  # fmt: skip
    with pytest.raises(ApplicationError) as err:
        relationship_stage_record(account=cast.account, contact=cfo, stage="love",
                                  actor=cast.alice)  # fmt: skip
    assert err.value.field == "stage"
    assert RelationshipStageEvent.objects.count() == 1


def test_the_organisation_relationship_keeps_what_is_not_given(cast):
    row = account_relationship_set(account=cast.account, actor=cast.alice,
                                   supplier_stage=SupplierStage.MAIN)  # fmt: skip
    assert (row.supplier_stage, row.kotler_level) == (SupplierStage.MAIN, KotlerLevel.BASIC)
    row = account_relationship_set(account=cast.account, actor=cast.alice,
                                   kotler_level=KotlerLevel.PROACTIVE)  # fmt: skip
    assert (row.supplier_stage, row.kotler_level) == (SupplierStage.MAIN, KotlerLevel.PROACTIVE)
    assert AccountRelationship.objects.count() == 1
    assert row.history.count() == 2  # every move is kept
    with pytest.raises(ApplicationError) as err:
        account_relationship_set(account=cast.account, actor=cast.alice, supplier_stage="vip")
    assert err.value.field == "supplier_stage"


def test_a_relationship_owner_must_be_staff_who_see_the_account(cast, people):
    from guanxi.core.models import User

    ceo = people[0]
    kw = {"account": cast.account, "contact": ceo, "actor": cast.alice}
    guest = User.objects.create_user("guest", password="x", is_staff=False)
    for owner in (cast.bob, cast.charlie, guest):  # another KAM, another team, not staff
        with pytest.raises(ApplicationError) as refused:
            buying_centre_member_set(relationship_owner=owner, **kw)
        assert refused.value.field == "relationship_owner"
        assert "only our staff who may see the account can" in str(refused.value.message)
    assert not BuyingCentreMember.objects.filter(contact=ceo).exists()
    for owner in (cast.alice, cast.lena, cast.mia):  # owner, team lead, manager
        assert buying_centre_member_set(relationship_owner=owner, **kw).relationship_owner == owner
    cast.account.co_owners.add(cast.bob)
    assert (
        buying_centre_member_set(relationship_owner=cast.bob, **kw).relationship_owner == cast.bob
    )


def test_the_same_stage_on_the_same_day_is_not_recorded_twice(cast, people):
    ceo, _cfo, _buyer = people
    day = timezone.localdate() - dt.timedelta(days=3)
    relationship_stage_record(account=cast.account, contact=ceo, stage="trust", actor=cast.alice,
                              reached_on=day)  # fmt: skip
    with pytest.raises(ApplicationError) as err:
        relationship_stage_record(account=cast.account, contact=ceo, stage="trust",
                                  actor=cast.alice, reached_on=day)  # fmt: skip
    assert err.value.field == "stage" and "already recorded" in str(err.value)
    # Another day, or another stage, is a new fact.
    relationship_stage_record(account=cast.account, contact=ceo, stage="interest",
                              actor=cast.alice, reached_on=day)  # fmt: skip
    assert RelationshipStageEvent.objects.filter(contact=ceo).count() == 2
