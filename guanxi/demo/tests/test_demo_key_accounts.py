"""The demo's key accounts: buying centres with reporting trees, owners and external influencers,
relationship stages with evidence, the 200-person group, account plans with goals of every
measure kind, and a story for every relationship risk next to healthy accounts."""

from __future__ import annotations

import datetime as dt
import importlib.util
from collections import Counter, defaultdict

import pytest
from django.db import transaction
from django.db.models import Count, Max

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_is_visible
from guanxi.contacts.models import Contact
from guanxi.core.models import Role, User
from guanxi.demo.generator import DemoGenerator
from guanxi.demo.keyaccounts import GROUP_NAME, GROUP_SIZE, STORIES
from guanxi.demo.services import demo_build
from guanxi.plans.models import AccountPlan, ActionStatus, GoalMeasure, PlanAction, PlanStatus
from guanxi.plans.selectors import plan_progress
from guanxi.relationships.models import (
    AccountRelationship,
    BuyingCentreMember,
    BuyingRole,
    RelationshipStageEvent,
)
from guanxi.touchpoints.models import Touchpoint

AS_OF = dt.date(2026, 6, 30)
N = 40
SEED = 7


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield demo_build(accounts=N, seed=SEED, as_of=AS_OF)
        transaction.set_rollback(True)


def story_accounts() -> dict[str, int]:
    """story → account id, read back from the generator's plan (the stories are not stored)."""
    plan = DemoGenerator(accounts=N, seed=SEED, as_of=AS_OF).generate()
    codes = {a.idx: a.code for a in plan.accounts}
    ids = dict(Account.objects.values_list("code", "pk"))
    return {story: ids[codes[idx]] for story, idx in plan.key_accounts.stories.items()}


def depth(lines: dict[int, int | None], contact_id: int) -> int:
    n, seen = 1, {contact_id}
    while (contact_id := lines.get(contact_id)) is not None:
        assert contact_id not in seen, "reporting lines loop"
        seen.add(contact_id)
        n += 1
    return n


def test_key_accounts_have_buying_centres_with_roles_trees_owners_and_outsiders(demo, db):
    assert demo.buying_centres >= 12
    members = list(BuyingCentreMember.objects.select_related("contact", "account"))
    by_account = defaultdict(list)
    for m in members:
        by_account[m.account_id].append(m)
    group = Account.objects.get(name=GROUP_NAME)
    stories = story_accounts()
    kam_accounts = set()
    for account_id, seats in by_account.items():
        account = seats[0].account
        if account_id != group.pk:
            assert 4 <= len(seats) <= 12, account
        seated = {m.contact_id for m in seats}
        lines = {m.contact_id: m.reports_to_id for m in seats}
        for m in seats:
            assert m.buying_roles and set(m.buying_roles) <= set(BuyingRole.values)
            assert 1 <= m.influence <= 5
            assert m.reports_to_id is None or m.reports_to_id in seated
            depth(lines, m.contact_id)  # no loops
        roots = [m for m in seats if m.reports_to_id is None and m.contact.account_id == account_id]
        assert len(roots) == 1, account  # one tree of the account's own people
        assert any(BuyingRole.DECISION_MAKER in m.buying_roles for m in seats)
        owners = {m.relationship_owner_id or account.owner_id for m in seats}
        if account_id != stories["single_contact"]:
            assert len(owners) >= 2, account  # the KAM and colleagues
        kam_accounts.add(account.owner.username)
        assert AccountRelationship.objects.filter(account=account).exists()
    assert "wangfang" in kam_accounts
    assert sum(m.rising_star for m in members) >= 3
    # external influencers: people of a government body or an association
    outsiders = [m for m in members if m.contact.account_id != m.account_id]
    assert outsiders
    assert {m.contact.account.enterprise_nature for m in outsiders} & {"government", "institution"}
    assert {"champion", "supporter", "neutral", "sceptic"} <= {m.stance for m in members}


def test_stages_climb_in_order_with_evidence_on_the_account_involving_the_person(demo, db):
    events = list(RelationshipStageEvent.objects.select_related("evidence").order_by("reached_on"))
    assert len(events) > 100
    order = ["goodwill", "trust", "interest", "emotion"]
    assert Counter(e.stage for e in events).keys() == set(order)
    links = set(Touchpoint.contacts.through.objects.values_list("touchpoint_id", "contact_id"))
    climbed = defaultdict(list)
    for e in events:
        assert e.reached_on < AS_OF
        assert e.evidence is not None and e.evidence.account_id == e.account_id
        assert (e.evidence_id, e.contact_id) in links
        assert e.evidence.occurred_at.date() <= e.reached_on + dt.timedelta(days=1)
        climbed[(e.account_id, e.contact_id)].append(e.stage)
    for stages in climbed.values():
        assert stages == order[: len(stages)]  # goodwill first, no stage skipped


def test_the_group_has_200_contacts_all_on_its_map_in_a_five_level_tree(demo, db):
    group = Account.objects.get(name=GROUP_NAME)
    assert demo.group == GROUP_NAME and group.subsidiaries.exists()
    contacts = set(Contact.objects.filter(account=group).values_list("pk", flat=True))
    assert len(contacts) == GROUP_SIZE
    seats = BuyingCentreMember.objects.filter(account=group)
    own = {m.contact_id: m.reports_to_id for m in seats if m.contact_id in contacts}
    assert set(own) == contacts
    depths = Counter(depth(own, c) for c in own)
    assert max(depths) == 5 and depths[1] == 1
    titles = set(Contact.objects.filter(account=group).values_list("title", flat=True))
    assert {"董事长", "总裁", "采购总监", "财务总监"} <= titles
    staged = set(
        RelationshipStageEvent.objects.filter(account=group).values_list("contact_id", flat=True)
    )
    assert len(staged & contacts) >= GROUP_SIZE // 4
    touched = set(
        Touchpoint.contacts.through.objects.filter(touchpoint__account=group).values_list(
            "contact_id", flat=True
        )
    )
    assert len(touched & contacts) >= GROUP_SIZE // 3


def test_plans_of_the_year_have_goals_of_every_measure_actions_and_reviews(demo, db):
    plans = AccountPlan.objects.filter(year=AS_OF.year).select_related("account", "owner")
    assert 8 <= plans.count() <= 10
    kams = set(
        User.objects.filter(role=Role.KAM, owned_accounts__buying_centre__isnull=False).values_list(
            "username", flat=True
        )
    )
    assert kams and kams <= {p.owner.username for p in plans}
    measures = Counter()
    for plan in plans:
        assert plan.owner_id == plan.account.owner_id and plan.status == "active"
        for text in (plan.challenges_macro, plan.challenges_business, plan.challenges_suppliers,
                     plan.challenges_competitors, plan.challenges_customers,
                     plan.customer_strategy, plan.decision_factors):  # fmt: skip
            assert text
        competitors = list(plan.competitors.all())
        assert 1 <= len(competitors) <= 3
        for c in competitors:
            assert all((c.positioning, c.market_strategy, c.relationship_strategy,
                        c.relationship_means, c.strongholds, c.organisation))  # fmt: skip
        goals = list(plan.goals.all())
        measures.update(g.measure for g in goals)
        if any(g.measure == GoalMeasure.SHARE_OF_WALLET for g in goals):
            assert plan.wallet_size
        for g in goals:
            if g.measure == GoalMeasure.CONTACT_STAGE:
                assert g.contact_id and g.target_stage
        reviews = list(plan.reviews.all())
        assert 1 <= len(reviews) <= 3
        assert all(r.minutes and r.decisions and r.held_on < AS_OF for r in reviews)
    assert set(measures) == set(GoalMeasure.values)
    actions = PlanAction.objects.filter(plan__in=plans)
    assert actions.filter(status=ActionStatus.DONE, done_on__isnull=False).exists()
    assert actions.filter(status=ActionStatus.OPEN, due_on__lt=AS_OF).exists()  # overdue
    assert actions.filter(status=ActionStatus.OPEN, due_on__gte=AS_OF).exists()  # upcoming
    owners = Counter((a.owner_id == a.plan.owner_id) for a in actions.select_related("plan"))
    assert owners[True] and owners[False]  # the KAM and colleagues


def test_each_story_has_the_data_that_tells_it(demo, db):
    stories = story_accounts()
    assert set(stories) == set(STORIES)
    seats = defaultdict(list)
    for m in BuyingCentreMember.objects.select_related("contact", "account"):
        seats[m.account_id].append(m)
    last = dict(
        Touchpoint.contacts.through.objects.values("contact_id")
        .annotate(last=Max("touchpoint__occurred_at"))
        .values_list("contact_id", "last")
    )
    warm = {"champion", "supporter"}

    def warm_seats(account_id):
        return [m for m in seats[account_id] if m.stance in warm and m.contact.is_active]

    left = [m for m in seats[stories["champion_left"]] if m.stance == "champion"]
    assert left and not left[0].contact.is_active
    quiet = [m for m in seats[stories["champion_inactive"]] if m.stance == "champion"]
    assert quiet and (AS_OF - last[quiet[0].contact_id].date()).days >= 100
    assert len(warm_seats(stories["single_contact"])) == 1
    owned = warm_seats(stories["single_owner"])
    assert len(owned) >= 2 and len({m.relationship_owner_id for m in owned}) == 1
    assert owned[0].relationship_owner_id != owned[0].account.owner_id
    assert not any(BuyingRole.APPROVER in m.buying_roles for m in seats[stories["uncovered_role"]])
    deciders = [
        m.contact_id
        for m in seats[stories["decision_maker_stage"]]
        if {BuyingRole.APPROVER, BuyingRole.DECISION_MAKER} & set(m.buying_roles)
    ]
    assert deciders and not RelationshipStageEvent.objects.filter(
        account_id=stories["decision_maker_stage"], contact_id__in=deciders,
        stage__in=["trust", "interest", "emotion"],
    ).exists()  # fmt: skip


@pytest.mark.skipif(
    importlib.util.find_spec("guanxi.relationships.risks") is None,
    reason="relationship risks not there yet",
)
def test_every_risk_shows_on_its_story_account_and_other_key_accounts_are_healthy(demo, db):
    from guanxi.relationships.risks import RISK_CODES, relationship_health_for

    ids = list(
        BuyingCentreMember.objects.values_list("account_id", flat=True)
        .annotate(n=Count("id"))
        .distinct()
    )
    health = relationship_health_for(ids, today=AS_OF)
    fired = {r.code for h in health.values() for r in h.risks}
    assert fired == set(RISK_CODES)
    for story, account_id in story_accounts().items():
        assert story in health[account_id].codes, (story, health[account_id].risks)
    healthy = [h for h in health.values() if not h.risks]
    assert len(healthy) >= 3
    assert all(h.score >= 80 for h in healthy)


def test_relationship_and_action_owners_are_people_who_may_see_the_account(demo, db):
    seats = list(
        BuyingCentreMember.objects.filter(relationship_owner__isnull=False).select_related(
            "relationship_owner", "account"
        )
    )
    assert len(seats) > 100
    blind = [m for m in seats if not account_is_visible(m.relationship_owner, m.account_id)]
    assert not blind, [(m.account.name, m.relationship_owner.username) for m in blind[:5]]
    actions = list(PlanAction.objects.select_related("owner", "plan"))
    assert actions
    blind = [a for a in actions if not account_is_visible(a.owner, a.plan.account_id)]
    assert not blind, [(a.plan.title, a.owner.username) for a in blind[:5]]
    # and still a variety: the KAMs, the team leads and the sales manager own relationships
    roles = {m.relationship_owner.role for m in seats}
    assert {Role.KAM, Role.TEAM_LEAD, Role.MANAGER} <= roles
    per_account = defaultdict(set)
    for m in seats:
        per_account[m.account_id].add(m.relationship_owner_id)
    assert sum(len(owners) >= 3 for owners in per_account.values()) >= 3


def test_plans_progress_differently_and_their_texts_are_their_own(demo, db):
    plans = list(AccountPlan.objects.filter(year=AS_OF.year).select_related("account"))
    progress = [plan_progress(p, today=AS_OF) for p in plans]
    shapes = {(p.actions_done, p.actions_due, p.actions_overdue) for p in progress}
    assert len(shapes) >= 4, shapes
    on_track = [p for p in progress if p.actions_due and not p.actions_overdue]
    assert len(on_track) >= 2 and all(p.actions_done == p.actions_due for p in on_track)
    assert max(p.actions_overdue for p in progress) >= 3  # one badly behind
    assert min(p.actions_due for p in progress) <= 2  # one started late: few actions due yet
    competitors = [c for p in plans for c in p.competitors.all()]
    names = Counter(c.name for c in competitors)
    assert len(names) >= len(plans) and max(names.values()) <= 3
    questions = ("positioning", "market_strategy", "relationship_strategy",
                 "relationship_means", "strongholds", "organisation")  # fmt: skip
    answers = [tuple(getattr(c, q) for q in questions) for c in competitors]
    assert len(set(answers)) == len(answers)
    reviews = [r for p in plans for r in p.reviews.all()]
    assert len({r.minutes for r in reviews}) == len(reviews)
    assert len({r.decisions for r in reviews}) >= 0.8 * len(reviews)
    for p in plans:  # the minutes speak of this account
        short = p.account.short_name or p.account.name
        assert any(short in r.minutes for r in p.reviews.all()), p


def test_last_years_plans_are_closed_with_every_action_settled(demo, db):
    closed = AccountPlan.objects.filter(year=AS_OF.year - 1)
    assert closed.exists()
    assert set(closed.values_list("status", flat=True)) == {PlanStatus.CLOSED}
    assert not PlanAction.objects.filter(plan__in=closed, status=ActionStatus.OPEN).exists()
    assert all(p.reviews.count() == 4 for p in closed)


def test_plan_statuses_follow_the_time_of_year():
    def plans(as_of):
        gen = DemoGenerator(accounts=N, seed=SEED, as_of=as_of)
        return gen.generate().key_accounts.plans

    november = plans(dt.date(2026, 11, 24))
    assert {(p.year - 2026, p.status) for p in november} == {(-1, "closed"), (0, "active"),
                                                             (1, "draft")}  # fmt: skip
    assert all(a.status == "open" for p in november if p.year == 2027 for a in p.actions)
    january = plans(dt.date(2026, 1, 15))
    this_year = [p for p in january if p.year == 2026]
    assert {p.status for p in this_year} == {"active", "draft"}
    assert not any(p.year == 2027 for p in january)
    due = [a for p in this_year for a in p.actions if a.due_on < dt.date(2026, 1, 15)]
    assert len(due) <= len(this_year)  # early in the year little is due yet
