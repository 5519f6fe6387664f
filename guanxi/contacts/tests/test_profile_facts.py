import pytest

from guanxi.contacts.models import FactSource, ProfileFact
from guanxi.contacts.services import profile_fact_verify, profile_facts_update
from guanxi.core.errors import ApplicationError
from tests.support import make_contact


@pytest.fixture
def contact(cast):
    return make_contact(account=cast.account, name="孙先生")


def test_it_records_who_when_and_source(cast, contact):
    profile_facts_update(
        contact=contact,
        group="taboos",
        values={"dietary": "猪肉，海鲜"},
        actor=cast.alice,
        source=FactSource.FRONT_LINE,
    )
    fact = ProfileFact.objects.get(contact=contact, group="taboos", key="dietary")
    assert fact.value == ["猪肉", "海鲜"]
    assert fact.recorded_by == cast.alice
    assert fact.source == FactSource.FRONT_LINE
    assert fact.verified is False
    assert fact.history.first().history_user == cast.alice


def test_changing_a_verified_fact_clears_verification(cast, contact):
    (fact,) = profile_facts_update(
        contact=contact, group="basic", values={"ethnicity": "回族"}, actor=cast.alice
    )
    profile_fact_verify(fact=fact, actor=cast.lena)
    fact.refresh_from_db()
    assert fact.verified and fact.verified_by == cast.lena

    profile_facts_update(
        contact=contact, group="basic", values={"ethnicity": "汉族"}, actor=cast.bob
    )
    fact.refresh_from_db()
    assert (fact.value, fact.verified, fact.recorded_by) == ("汉族", False, cast.bob)


def test_unchanged_value_keeps_provenance(cast, contact):
    profile_facts_update(
        contact=contact, group="basic", values={"height_cm": "176"}, actor=cast.alice
    )
    written = profile_facts_update(
        contact=contact, group="basic", values={"height_cm": 176}, actor=cast.bob
    )
    assert written == []
    assert ProfileFact.objects.get(contact=contact).recorded_by == cast.alice


def test_empty_value_removes_fact(cast, contact):
    profile_facts_update(
        contact=contact, group="basic", values={"religion": "无"}, actor=cast.alice
    )
    profile_facts_update(contact=contact, group="basic", values={"religion": ""}, actor=cast.alice)
    assert not ProfileFact.objects.filter(contact=contact).exists()


@pytest.mark.parametrize(
    ("group", "values", "field"),
    [
        ("basic", {"height_cm": "tall"}, "height_cm"),
        ("basic", {"education": "kindergarten"}, "education"),
        ("basic", {"shoe_size": "42"}, "shoe_size"),
        ("nope", {"x": "1"}, "group"),
        ("value", {"spend_per_visit": "-5"}, "spend_per_visit"),
    ],
)
def test_invalid_input_names_the_field_and_writes_nothing(cast, contact, group, values, field):
    with pytest.raises(ApplicationError) as exc:
        profile_facts_update(contact=contact, group=group, values=values, actor=cast.alice)
    assert exc.value.field == field
    assert not ProfileFact.objects.exists()
