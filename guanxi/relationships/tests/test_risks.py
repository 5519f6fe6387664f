"""Coverage score and relationship risks: each rule fires, and clears when the data changes."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from guanxi.relationships.models import RelationshipRules
from guanxi.relationships.risks import (
    RISK_CODES,
    relationship_health,
    relationship_health_for,
)
from guanxi.relationships.selectors import buying_centre
from guanxi.relationships.services import buying_centre_member_set, relationship_stage_record
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from tests.support import make_account, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

TODAY = dt.date(2026, 6, 15)


def local(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime(day.year, day.month, day.day, hour))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(local(TODAY, 9), tick=False) as traveller:
        yield traveller


def touch(contact, day: dt.date) -> Touchpoint:
    tp = Touchpoint.objects.create(
        account=contact.account, kind=TouchpointKind.CALL, occurred_at=local(day)
    )
    tp.contacts.add(contact)
    return tp


def seat(account, contact, **fields):
    return buying_centre_member_set(account=account, contact=contact, actor=None, **fields)


def health(account):
    return relationship_health(buying_centre(account))


def messages(account, code: str) -> list[str]:
    return [r.message for r in health(account).risks if r.code == code]


@pytest.fixture
def people(cast):
    """A healthy map: an approver champion at trust, a decision maker supporter owned by lena
    (the team lead), and a supporting user; all touched last week."""
    acc = cast.account
    wang = make_contact(account=acc, name="王总")
    li = make_contact(account=acc, name="李总")
    zhang = make_contact(account=acc, name="张经理")
    seat(acc, wang, buying_roles=["approver"], stance="champion", influence=5)
    seat(acc, li, buying_roles=["decision_maker"], stance="supporter", influence=4,
         reports_to=wang, relationship_owner=cast.lena)  # fmt: skip
    seat(acc, zhang, buying_roles=["user"], stance="supporter", reports_to=li)
    for person in (wang, li, zhang):
        touch(person, TODAY - dt.timedelta(days=7))
    relationship_stage_record(account=acc, contact=wang, stage="goodwill", actor=None,
                              reached_on=dt.date(2026, 1, 10))  # fmt: skip
    relationship_stage_record(account=acc, contact=wang, stage="trust", actor=None,
                              reached_on=dt.date(2026, 4, 1))  # fmt: skip
    return wang, li, zhang


def test_a_healthy_map_has_no_risks_and_scores_by_its_parts(cast, people):
    result = health(cast.account)
    assert result.risks == []
    assert [(p.points, p.out_of) for p in result.parts] == [(40, 40), (20, 20), (10, 20), (20, 20)]
    assert result.score == 90
    depth = result.parts[2].explanation
    assert "trust" in depth and "王总" in depth
    assert "3 of 3 people" in result.parts[3].explanation


def test_depth_counts_only_decision_makers_touched_recently_and_names_the_others(cast, people):
    wang, li, _ = people
    assert health(cast.account).parts[2].points == 10
    # The champion approver at trust has had no touchpoint for 133 days: not counted.
    Touchpoint.objects.filter(contacts=wang).update(
        occurred_at=local(TODAY - dt.timedelta(days=133))
    )
    depth = health(cast.account).parts[2]
    assert depth.points == 0
    assert depth.explanation == (
        "No decision maker or approver touched within 90 days has a relationship stage "
        "recorded. Not counted, no touchpoint within 90 days: 王总, trust."
    )
    # A current decision maker at goodwill counts; the one further along is still named.
    relationship_stage_record(account=cast.account, contact=li, stage="goodwill", actor=None,
                              reached_on=dt.date(2026, 5, 1))  # fmt: skip
    depth = health(cast.account).parts[2]
    assert depth.points == 5
    assert depth.explanation == (
        "The furthest stage with a decision maker touched within 90 days: goodwill "
        "(李总). Not counted, no touchpoint within 90 days: 王总, trust."
    )
    touch(wang, TODAY)  # back in touch: counted again
    depth = health(cast.account).parts[2]
    assert depth.points == 10 and "Not counted" not in depth.explanation


def test_an_account_without_a_buying_centre_has_no_score_and_no_risks(cast):
    result = health(cast.account)
    assert (result.score, result.parts, result.risks) == (None, [], [])


def test_every_risk_code_has_a_label():
    assert set(RISK_CODES) == {
        "uncovered_role", "single_contact", "single_owner",
        "champion_inactive", "champion_left", "decision_maker_stage",
    }  # fmt: skip
    assert all(str(label) for label in RISK_CODES.values())


# --- uncovered_role -----------------------------------------------------------------------------


def test_a_required_role_nobody_holds_is_a_risk_until_someone_is_mapped(cast, people):
    wang, _, _ = people
    seat(cast.account, wang, buying_roles=["influencer"], stance="champion", influence=5)
    assert messages(cast.account, "uncovered_role") == [
        "Nobody on the buying centre is mapped as decision approver."
    ]
    assert health(cast.account).parts[0].points == 20
    seat(cast.account, wang, buying_roles=["approver"], stance="champion", influence=5)
    assert messages(cast.account, "uncovered_role") == []


def test_holders_of_a_role_nobody_touched_recently_are_named_until_one_is_touched(cast, people):
    _, li, _ = people
    Touchpoint.objects.filter(contacts=li).update(occurred_at=local(dt.date(2026, 3, 1)))
    zhao = make_contact(account=cast.account, name="赵总")
    seat(cast.account, zhao, buying_roles=["decision_maker"])
    assert messages(cast.account, "uncovered_role") == [
        "Nobody holding the role decision maker has had a touchpoint with us in 90 days "
        "(李总: last 2026-03-01; 赵总: never)."
    ]
    risk = next(r for r in health(cast.account).risks if r.code == "uncovered_role")
    assert sorted(risk.contact_ids) == sorted([li.pk, zhao.pk])
    touch(zhao, TODAY)  # a touchpoint with either holder covers the role again
    assert messages(cast.account, "uncovered_role") == []


def test_a_role_goes_uncovered_as_days_pass_without_a_touchpoint(cast, people, frozen):
    assert messages(cast.account, "uncovered_role") == []
    frozen.shift(dt.timedelta(days=84))  # 91 days since the last touchpoints
    assert len(messages(cast.account, "uncovered_role")) == 2
    assert health(cast.account).parts[0].points == 0


def test_the_required_roles_come_from_the_rules(cast, people):
    rules = RelationshipRules.current()
    rules.required_roles = ["approver", "decision_maker", "gatekeeper"]
    rules.save()
    assert messages(cast.account, "uncovered_role") == [
        "Nobody on the buying centre is mapped as gatekeeper."
    ]
    assert health(cast.account).parts[0].points == 27  # 2 of 3 roles: 40 × 2/3


# --- single_contact -----------------------------------------------------------------------------


def test_one_warm_person_among_several_is_single_threaded_until_another_warms(cast, people):
    wang, li, zhang = people
    seat(cast.account, li, buying_roles=["decision_maker"], stance="neutral",
         relationship_owner=cast.lena)  # fmt: skip
    seat(cast.account, zhang, buying_roles=["user"], stance="sceptic")
    [message] = messages(cast.account, "single_contact")
    assert message.startswith("All warm relationships run through one person: 王总.")
    seat(cast.account, zhang, buying_roles=["user"], stance="supporter")
    assert messages(cast.account, "single_contact") == []


def test_nobody_warm_is_a_risk(cast, people):
    for person in people:
        seat(cast.account, person, buying_roles=["user"], stance="neutral")
    assert messages(cast.account, "single_contact") == [
        "Nobody on the buying centre is a champion or supporter."
    ]


def test_a_single_person_on_the_map_is_not_single_threaded(cast):
    only = make_contact(account=cast.account, name="孤总")
    seat(cast.account, only, buying_roles=["approver", "decision_maker"], stance="champion")
    assert messages(cast.account, "single_contact") == []


# --- single_owner -------------------------------------------------------------------------------


def test_warm_relationships_all_owned_by_one_of_ours_until_another_takes_one(cast, people):
    _, li, _ = people
    # Without a named owner the account's owner (alice) owns the relationship.
    seat(cast.account, li, buying_roles=["decision_maker"], stance="supporter")
    [message] = messages(cast.account, "single_owner")
    assert message.startswith("Every warm relationship is owned by alice")
    assert "(王总, 张经理, 李总)" in message  # by influence, then name
    seat(cast.account, li, buying_roles=["decision_maker"], stance="supporter",
         relationship_owner=cast.lena)  # fmt: skip
    assert messages(cast.account, "single_owner") == []


# --- champion_inactive --------------------------------------------------------------------------


def test_a_champion_without_a_touchpoint_for_the_rules_days_is_a_risk_until_touched(
    cast, people, frozen
):
    wang, _, _ = people
    frozen.shift(dt.timedelta(days=52))  # 59 days since the last touchpoint
    assert messages(cast.account, "champion_inactive") == []
    frozen.shift(dt.timedelta(days=1))
    assert messages(cast.account, "champion_inactive") == [
        "Our champion 王总 has had no touchpoint with us for 60 days "
        "(last 2026-06-08; the rule allows 60 days)."
    ]
    touch(wang, timezone.localdate())
    assert messages(cast.account, "champion_inactive") == []


def test_a_champion_never_touched_is_inactive_until_made_a_supporter(cast, people):
    new = make_contact(account=cast.account, name="钱总")
    seat(cast.account, new, buying_roles=["influencer"], stance="champion")
    assert messages(cast.account, "champion_inactive") == [
        "Our champion 钱总 has never had a touchpoint with us on record "
        "(the rule allows 60 days without one)."
    ]
    seat(cast.account, new, buying_roles=["influencer"], stance="supporter")
    assert messages(cast.account, "champion_inactive") == []


# --- champion_left ------------------------------------------------------------------------------


def test_a_champion_who_left_is_a_risk_until_they_return(cast, people):
    wang, _, _ = people
    wang.is_active = False
    wang.save()
    result = health(cast.account)
    left = [r for r in result.risks if r.code == "champion_left"]
    assert [r.message for r in left] == [
        "Our champion 王总 has left the organisation; find out who takes over their influence."
    ]
    assert left[0].contact_ids == [wang.pk]
    # Gone from the map: the approver role is uncovered and the recency counts two people.
    assert "decision approver" in " ".join(messages(cast.account, "uncovered_role"))
    assert "2 of 2 people" in result.parts[3].explanation
    wang.is_active = True
    wang.save()
    assert {r.code for r in health(cast.account).risks} == set()


# --- decision_maker_stage -----------------------------------------------------------------------


def test_no_decision_maker_at_the_stage_names_the_best_so_far_until_one_reaches_it(cast, people):
    wang, li, _ = people
    from guanxi.relationships.models import RelationshipStageEvent

    RelationshipStageEvent.objects.filter(contact=wang, stage="trust").delete()
    assert messages(cast.account, "decision_maker_stage") == [
        "No decision maker or approver has reached trust with us yet; best so far: "
        "王总, goodwill."
    ]
    assert health(cast.account).parts[2].points == 5
    relationship_stage_record(account=cast.account, contact=li, stage="interest", actor=None,
                              reached_on=TODAY)  # fmt: skip
    assert messages(cast.account, "decision_maker_stage") == []
    assert health(cast.account).parts[2].points == 15


def test_a_new_decision_maker_at_the_stage_clears_the_risk(cast):
    user = make_contact(account=cast.account, name="孙主任")
    seat(cast.account, user, buying_roles=["user"], stance="supporter")
    assert messages(cast.account, "decision_maker_stage") == [
        "No decision maker or approver has reached trust with us yet; nobody on the "
        "buying centre is mapped as one."
    ]
    boss = make_contact(account=cast.account, name="周总")
    seat(cast.account, boss, buying_roles=["decision_maker"])
    assert (
        "none has a relationship stage recorded"
        in messages(cast.account, "decision_maker_stage")[0]
    )
    relationship_stage_record(account=cast.account, contact=boss, stage="emotion", actor=None)
    assert messages(cast.account, "decision_maker_stage") == []


def test_the_stage_to_reach_comes_from_the_rules(cast, people):
    rules = RelationshipRules.current()
    rules.decision_maker_stage = "interest"
    rules.save()
    [message] = messages(cast.account, "decision_maker_stage")
    assert "shared interest" in message and "王总, trust" in message


# --- batching -----------------------------------------------------------------------------------


def _account_with_map(owner, n: int):
    acc = make_account(owner=owner)
    for i in range(n):
        person = make_contact(account=acc)
        seat(acc, person, buying_roles=["decision_maker"] if i == 0 else ["user"],
             stance="champion" if i == 1 else "neutral")  # fmt: skip
        touch(person, TODAY - dt.timedelta(days=i))
        relationship_stage_record(account=acc, contact=person, stage="goodwill", actor=None)
    return acc


def test_health_for_many_accounts_takes_a_fixed_number_of_queries(
    cast, django_assert_max_num_queries
):
    few = [_account_with_map(cast.alice, 2).pk for _ in range(2)]
    many = few + [_account_with_map(cast.alice, 3).pk for _ in range(10)]
    RelationshipRules.current()
    with django_assert_max_num_queries(6):
        result = relationship_health_for(many + [cast.west_account.pk])
    assert set(result) == set(many) | {cast.west_account.pk}
    assert result[cast.west_account.pk].score is None
    assert all(result[pk].score is not None for pk in many)
    # The same answer as one account at a time.
    one = relationship_health(buying_centre(cast.account.__class__.objects.get(pk=few[0])))
    assert [r.message for r in result[few[0]].risks] == [r.message for r in one.risks]
    assert relationship_health_for([]) == {}


# --- the score reflects thinness on our side -----------------------------------------------------


def test_warm_people_all_held_by_one_of_ours_earn_at_most_half_the_breadth(cast, people):
    _, li, _ = people
    seat(cast.account, li, buying_roles=["decision_maker"], stance="supporter")  # alice's now
    result = health(cast.account)
    assert "single_owner" in result.codes
    breadth = result.parts[1]
    assert (breadth.points, breadth.out_of) == (10, 20)
    assert "On our side they all run through alice: at most half the points." in (
        breadth.explanation
    )
    assert result.score < 90
    seat(cast.account, li, buying_roles=["decision_maker"], stance="supporter",
         relationship_owner=cast.lena)  # fmt: skip
    breadth = health(cast.account).parts[1]
    assert breadth.points == 20
    assert "On our side 2 of our people hold them: alice, lena." in breadth.explanation


def test_a_champion_gone_quiet_no_longer_counts_as_warm_breadth(cast, people, frozen):
    frozen.shift(dt.timedelta(days=53))  # 60 days since the champion's last touchpoint
    result = health(cast.account)
    assert "champion_inactive" in result.codes
    breadth = result.parts[1]
    assert breadth.points == 13  # 2 of 3 warm people
    assert "Not counted, no touchpoint for 60 days or more: 王总." in breadth.explanation
    assert "王总" not in breadth.explanation.split("Warm:")[1]
    assert result.score < 96


def test_score_sentences_pluralise_on_the_total(cast):
    only = make_contact(account=cast.account, name="孤总")
    seat(cast.account, only, buying_roles=["approver", "decision_maker"], stance="champion")
    rules = RelationshipRules.current()
    rules.required_roles = ["approver"]
    rules.save()
    parts = health(cast.account).parts
    assert parts[0].explanation.startswith("0 of 1 decision role has someone touched")
    assert parts[3].explanation.startswith("0 of 1 person on the buying centre touched")
