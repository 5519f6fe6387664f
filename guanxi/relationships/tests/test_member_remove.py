"""Taking a person off an account's buying centre."""

from __future__ import annotations

import pytest

from guanxi.core.errors import NotFound
from guanxi.relationships.models import BuyingCentreMember
from guanxi.relationships.services import buying_centre_member_remove, buying_centre_member_set
from tests.support import make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def chain(cast):
    """王总 ← 李财务 ← 张采购 (each reports to the one before)."""
    ceo = make_contact(account=cast.account, name="王总")
    cfo = make_contact(account=cast.account, name="李财务")
    buyer = make_contact(account=cast.account, name="张采购")
    buying_centre_member_set(account=cast.account, contact=ceo, actor=cast.alice)
    buying_centre_member_set(account=cast.account, contact=cfo, actor=cast.alice, reports_to=ceo)
    buying_centre_member_set(account=cast.account, contact=buyer, actor=cast.alice,
                             reports_to=cfo)  # fmt: skip
    return ceo, cfo, buyer


def test_removing_a_person_frees_their_seat_and_their_reports_report_to_nobody(cast, chain):
    ceo, cfo, buyer = chain
    buying_centre_member_remove(account=cast.account, contact=cfo, actor=cast.alice)
    seats = dict(
        BuyingCentreMember.objects.filter(account=cast.account).values_list(
            "contact_id", "reports_to_id"
        )
    )
    assert seats == {ceo.pk: None, buyer.pk: None}
    latest = BuyingCentreMember.objects.get(contact=buyer).history.first()
    assert latest.reports_to_id is None, "the change is in the seat's history"


def test_the_contact_itself_is_kept(cast, chain):
    buying_centre_member_remove(account=cast.account, contact=chain[0], actor=cast.alice)
    chain[0].refresh_from_db()
    assert BuyingCentreMember.objects.filter(account=cast.account).count() == 2


def test_a_person_not_on_the_buying_centre_is_not_found(cast, chain):
    stranger = make_contact(account=cast.account, name="路人")
    with pytest.raises(NotFound, match="not on the buying centre") as err:
        buying_centre_member_remove(account=cast.account, contact=stranger, actor=cast.alice)
    assert err.value.field == "contact"


@pytest.mark.parametrize("who", ["bob", "charlie"])
def test_someone_who_cannot_see_the_account_cannot_remove(cast, chain, who):
    with pytest.raises(NotFound):
        buying_centre_member_remove(account=cast.account, contact=chain[1],
                                    actor=getattr(cast, who))  # fmt: skip
    assert BuyingCentreMember.objects.filter(account=cast.account).count() == 3


def test_the_team_lead_and_the_manager_may_remove(cast, chain):
    buying_centre_member_remove(account=cast.account, contact=chain[2], actor=cast.lena)
    buying_centre_member_remove(account=cast.account, contact=chain[1], actor=cast.mia)
    assert BuyingCentreMember.objects.filter(account=cast.account).count() == 1
