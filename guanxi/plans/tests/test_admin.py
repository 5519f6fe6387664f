"""The plan admin: list with progress, add/change with the services' rules as form errors, the
progress panel, the printable plan in en and zh-hans, the 360° card, and the access rule."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from guanxi.plans.models import (
    AccountPlan,
    ActionStatus,
    PlanAction,
    PlanCompetitor,
    PlanGoal,
    PlanReview,
)
from guanxi.plans.services import action_create, goal_add, plan_competitor_set, review_record
from guanxi.plans.tests.conftest import local
from tests.support import make_contact, make_transaction

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

LIST = "admin:plans_accountplan_changelist"
ADD = "admin:plans_accountplan_add"
CHANGE = "admin:plans_accountplan_change"
PRINT = "admin:plans_accountplan_print_plan"


def form_data(response) -> dict:
    """The POST body the page would send unchanged: main form and every inline."""
    data: dict = {}

    def add(form) -> None:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            data[form.add_prefix(name)] = "on" if value is True else value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            add(form)
    return data


def errors_of(response) -> str:
    parts = [str(response.context["adminform"].form.errors)]
    for inline in response.context["inline_admin_formsets"]:
        parts.append(str(inline.formset.non_form_errors()))
        parts.extend(str(f.errors) for f in inline.formset.forms)
    return " ".join(parts)


def prefix_of(response, model) -> str:
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no inline for {model}")


def add_row(data: dict, prefix: str, **fields) -> None:
    n = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = n + 1
    for key, value in fields.items():
        data[f"{prefix}-{n}-{key}"] = value


@pytest.fixture
def filled(cast, plan):
    cfo = make_contact(account=cast.account, name="李财务")
    goal_add(plan=plan, actor=cast.alice, description="Grow revenue", measure="revenue",
             target_value="1000")  # fmt: skip
    goal_add(plan=plan, actor=cast.alice, description="Trust with the CFO",
             measure="contact_stage", contact=cfo, target_stage="trust")  # fmt: skip
    action_create(plan=plan, actor=cast.alice, title="Invite the CFO to dinner", owner=cast.alice,
                  due_on=dt.date(2026, 6, 1))  # fmt: skip
    plan_competitor_set(plan=plan, actor=cast.alice, name="锦江国际", positioning="Price leader",
                        share_estimate=40)  # fmt: skip
    review_record(plan=plan, actor=cast.alice, held_on=dt.date(2026, 4, 2), period="2026 Q1",
                  decisions="Add a second contact in finance")  # fmt: skip
    make_transaction(account=cast.account, amount="750", when=local(2026, 3, 3))
    return plan


# --- list and access ------------------------------------------------------------------------


def test_the_list_shows_progress_and_is_scoped(client, cast, filled, english):
    client.force_login(cast.alice)
    response = client.get(reverse(LIST))
    body = response.content.decode()
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [filled]
    assert "华东会展集团" in body and "0 of 1" in body and 'data-overdue="1"' in body
    assert "0 / 2" in body  # goals reached
    assert "2026-07-02" in body  # next review: 2 April + a quarter
    client.force_login(cast.charlie)
    assert list(client.get(reverse(LIST)).context["cl"].result_list) == []
    for params in ({"year": "2026"}, {"status__exact": "draft"}, {"q": "华东"}):
        client.force_login(cast.mia)
        assert list(client.get(reverse(LIST), params).context["cl"].result_list) == [filled]
    assert list(client.get(reverse(LIST), {"year": "2025"}).context["cl"].result_list) == []


@pytest.mark.parametrize(("who", "status"), [("alice", 200), ("bob", 404), ("charlie", 404),
                                             ("lena", 200), ("mia", 200)])  # fmt: skip
def test_only_those_who_see_the_account_open_or_print_the_plan(client, cast, filled, who,
                                                               status):  # fmt: skip
    client.force_login(getattr(cast, who))
    assert client.get(reverse(CHANGE, args=(filled.pk,))).status_code == status
    assert client.get(reverse(PRINT, args=(filled.pk,))).status_code == status
    data = {"title": "hijack"}
    if status == 404:
        assert client.post(reverse(CHANGE, args=(filled.pk,)), data).status_code == 404
        assert AccountPlan.objects.get(pk=filled.pk).title == "2026 华东会展"


# --- change page ------------------------------------------------------------------------------


def test_the_change_page_has_tabs_and_a_progress_panel(client, cast, filled, english):
    client.force_login(cast.alice)
    response = client.get(reverse(CHANGE, args=(filled.pk,)))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-panel="plan-progress"' in body
    assert "Situation analysis" in body and "Our strategy" in body
    # The situation analysis's directions and the competitors' six questions, by field.
    assert 'name="challenges_macro"' in body and 'name="challenges_customers"' in body
    competitors = prefix_of(response, PlanCompetitor)
    assert f'name="{competitors}-0-positioning"' in body
    assert "75.0%" in body and "¥750" in body  # revenue goal read from the transactions
    assert "no stage recorded with 李财务" in body
    assert reverse(PRINT, args=(filled.pk,)) in body
    zh = client.get(reverse(CHANGE, args=(filled.pk,)), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert zh.status_code == 200 and 'lang="zh-hans"' in zh.content.decode()
    assert 'data-panel="plan-progress"' in zh.content.decode()


def test_a_change_with_a_bad_goal_shows_the_rule_and_saves_nothing(client, cast, filled, english):
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(filled.pk,))
    page = client.get(url)
    data = form_data(page)
    add_row(data, prefix_of(page, PlanGoal), description="Core supplier",
            measure="supplier_stage", target_stage="trust", position="5")  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Choose the stage to reach" in errors_of(response)
    assert filled.goals.count() == 2


def test_a_change_with_a_future_review_or_an_outsider_owner_is_refused(client, cast, filled,
                                                                        english):  # fmt: skip
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(filled.pk,))
    page = client.get(url)
    data = form_data(page)
    add_row(data, prefix_of(page, PlanReview), held_on="2026-07-01", period="Q3")
    add_row(data, prefix_of(page, PlanAction), title="Visit", owner=cast.charlie.pk,
            due_on="2026-07-01", status="open")  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    errors = errors_of(response)
    assert "cannot be recorded before it is held" in errors
    # charlie cannot see the account: not offered, and refused when posted anyway.
    assert "Select a valid choice" in errors and 'id="id_actions-1-owner_error"' in errors
    assert filled.reviews.count() == 1 and filled.actions.count() == 1


def test_a_valid_change_saves_goals_actions_and_reviews(client, cast, filled, english):
    client.force_login(cast.lena)  # the team lead works alice's plan too
    url = reverse(CHANGE, args=(filled.pk,))
    page = client.get(url)
    data = form_data(page)
    data["status"] = "active"
    add_row(data, prefix_of(page, PlanGoal), description="Share", measure="share_of_wallet",
            target_value="30", position="3")  # fmt: skip
    add_row(data, prefix_of(page, PlanAction), title="Quarterly review lunch",
            owner=cast.alice.pk, due_on="2026-06-30", status="done")  # fmt: skip
    add_row(data, prefix_of(page, PlanReview), held_on="2026-06-15", period="2026 Q2",
            decisions="Push the MICE package")  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    filled.refresh_from_db()
    assert filled.status == "active"
    assert filled.goals.filter(measure="share_of_wallet").exists()
    lunch = filled.actions.get(title="Quarterly review lunch")
    assert (lunch.status, lunch.done_on) == (ActionStatus.DONE, dt.date(2026, 6, 15))
    assert filled.reviews.get(period="2026 Q2").recorded_by == cast.lena


# --- add page -----------------------------------------------------------------------------------


def test_create_this_years_plan_is_prefilled_from_the_account(client, cast, english):
    client.force_login(cast.lena)
    response = client.get(reverse(ADD), {"account": cast.account.pk})
    form = response.context["adminform"].form
    assert response.status_code == 200
    assert form.initial["account"] == str(cast.account.pk)
    assert form.initial["year"] == 2026 and form.initial["owner"] == cast.alice.pk
    # An account the user cannot see is not offered.
    client.force_login(cast.bob)
    form = client.get(reverse(ADD), {"account": cast.account.pk}).context["adminform"].form
    assert cast.account not in form.fields["account"].queryset


def test_create_opens_the_existing_plan_when_there_is_one(client, cast, plan, english):
    client.force_login(cast.alice)
    response = client.get(reverse(ADD), {"account": cast.account.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse(CHANGE, args=(plan.pk,))


def _add_data(client, cast, **changes) -> tuple[str, dict]:
    url = reverse(ADD)
    page = client.get(url)
    data = form_data(page)
    data.update({"account": cast.account.pk, "year": "2026", "owner": cast.alice.pk,
                 "status": "draft", "review_cadence": "quarterly", **changes})  # fmt: skip
    return url, data


def test_adding_a_plan_saves_it_with_its_creator(client, cast, english):
    client.force_login(cast.alice)
    url, data = _add_data(client, cast, title="Plan", wallet_size="200000")
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    plan = AccountPlan.objects.get(account=cast.account, year=2026)
    assert (plan.owner, plan.created_by, plan.wallet_size) == (
        cast.alice, cast.alice, Decimal("200000"))  # fmt: skip


def test_adding_a_duplicate_plan_or_a_bad_owner_is_a_form_error(client, cast, plan, english):
    client.force_login(cast.mia)
    url, data = _add_data(client, cast)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "already has a plan for 2026" in errors_of(response)
    url, data = _add_data(client, cast, year="2027", owner=cast.charlie.pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "cannot see the account" in errors_of(response)
    client.force_login(cast.alice)
    url, data = _add_data(client, cast, year="2027", owner=cast.lena.pk)
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in errors_of(response)  # alice may not name her lead
    assert AccountPlan.objects.count() == 1


def test_a_share_of_wallet_goal_on_a_new_plan_needs_the_wallet_size(client, cast, english):
    client.force_login(cast.alice)
    url, data = _add_data(client, cast)
    page = client.get(url)
    add_row(data, prefix_of(page, PlanGoal), description="Share", measure="share_of_wallet",
            target_value="30", position="0")  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert "needs the plan&#x27;s wallet size" in errors_of(response)
    assert not AccountPlan.objects.exists()


# --- print --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "words"), [
    ("en", ["Account plan 2026: 华东会展集团", "Plan owner", "Grow revenue", "75.0%",
            "Invite the CFO to dinner", "锦江国际", "Add a second contact in finance",
            "Last review", 'lang="en"']),
    ("zh-hans", ["华东会展集团", "Grow revenue", "锦江国际", "Add a second contact in finance",
                 'lang="zh-hans"']),
])  # fmt: skip
def test_the_printable_plan_is_one_page_in_the_users_language(client, cast, filled, language,
                                                              words):  # fmt: skip
    client.force_login(cast.alice)
    response = client.get(reverse(PRINT, args=(filled.pk,)), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 200
    for word in words:
        assert word in body, word
    assert "@page { size: A4" in body and "@media print" in body
    assert ".toolbar { display: none" in body  # buttons are not printed
    assert "sidebar" not in body and "http://" not in body and "https://" not in body
    with translation.override(language):
        from guanxi.plans.models import PlanStatus

        assert str(PlanStatus.DRAFT.label) in body


# --- the 360° card ------------------------------------------------------------------------------

CARD = Template("{% load plans_tags %}{% account_plan_card account %}")


def render_card(cast, account, user, language="en") -> str:
    request = RequestFactory().get("/")
    request.user = user
    with translation.override(language):
        return CARD.render(Context({"account": account, "request": request}))


def test_the_card_shows_this_years_plan_and_its_next_actions(cast, filled):
    for i, day in enumerate((20, 25, 28, 30)):
        action_create(plan=filled, actor=cast.alice, title=f"Step {i}", owner=cast.alice,
                      due_on=dt.date(2026, 7, day))  # fmt: skip
    html = render_card(cast, cast.account, cast.alice)
    assert 'data-card="account-plan"' in html
    assert f'data-plan="{filled.pk}"' in html and "2026 华东会展" in html
    assert 'data-figure="actions">0 of 1' in html and 'data-overdue="1"' in html
    assert 'data-figure="goals">0 / 2' in html and "2026-07-02" in html
    assert "Invite the CFO to dinner" in html and "Step 0" in html and "Step 1" in html
    assert "Step 2" not in html  # the next three open actions only
    assert reverse(PRINT, args=(filled.pk,)) in html
    assert "2026 华东会展" in render_card(cast, cast.account, cast.alice, "zh-hans")


def test_the_card_offers_to_create_this_years_plan(cast, db, clock):
    html = render_card(cast, cast.account, cast.alice)
    assert "data-create-plan" in html
    assert f"{reverse(ADD)}?account={cast.account.pk}" in html
    assert "No account plan for 2026 yet." in html


def test_the_card_shows_nothing_to_an_outsider(cast, filled):
    assert render_card(cast, cast.account, cast.charlie).strip() == ""


# --- the trial's fixes: old rows, constraints, choices, wording -------------------------------


def _lost_sight_action(filled, cast) -> PlanAction:
    """An action whose owner (bob) cannot see the account (e.g. the account was handed over
    after the action was given to him): written straight to the table, as history leaves it."""
    return PlanAction.objects.create(plan=filled, title="Bob's old visit", owner=cast.bob,
                                     due_on=dt.date(2026, 5, 1))  # fmt: skip


def row_index(page, model, pk) -> int:
    for inline in page.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            for i, form in enumerate(inline.formset.forms):
                if form.instance.pk == pk:
                    return i
    raise AssertionError(f"no row {pk}")


def test_an_old_action_whose_owner_lost_sight_of_the_account_does_not_block_saving(
    client, cast, filled, english
):
    old = _lost_sight_action(filled, cast)
    dinner = filled.actions.get(title="Invite the CFO to dinner")
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(filled.pk,))
    page = client.get(url)
    data = form_data(page)
    prefix = prefix_of(page, PlanAction)
    data[f"{prefix}-{row_index(page, PlanAction, dinner.pk)}-status"] = "done"  # complete one
    add_row(data, prefix_of(page, PlanReview), held_on="2026-06-10", period="June")
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    dinner.refresh_from_db()
    assert (dinner.status, dinner.done_on) == ("done", dt.date(2026, 6, 15))
    assert filled.reviews.filter(period="June").exists()
    # Bob's own row changes too, as long as its owner is not what changes.
    page = client.get(url)
    data = form_data(page)
    data[f"{prefix}-{row_index(page, PlanAction, old.pk)}-status"] = "done"
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    old.refresh_from_db()
    assert (old.owner, old.status) == (cast.bob, "done")


def test_an_action_owner_set_or_changed_must_see_the_account(client, cast, filled, english):
    dinner = filled.actions.get(title="Invite the CFO to dinner")
    client.force_login(cast.mia)  # mia may name anyone; bob still cannot see the account
    url = reverse(CHANGE, args=(filled.pk,))
    page = client.get(url)
    owners = set(page.context["inline_admin_formsets"][2].formset.form.base_fields["owner"]
                 .queryset)  # fmt: skip
    assert owners == {cast.alice, cast.lena, cast.mia}  # those who see the account
    _lost_sight_action(filled, cast)
    page = client.get(url)
    data = form_data(page)
    prefix = prefix_of(page, PlanAction)
    data[f"{prefix}-{row_index(page, PlanAction, dinner.pk)}-owner"] = cast.bob.pk
    response = client.post(url, data)
    assert response.status_code == 200
    assert "bob cannot see the account 华东会展集团, so cannot own its actions" in errors_of(
        response
    )
    assert filled.actions.get(pk=dinner.pk).owner == cast.alice


@pytest.mark.parametrize(("who", "offered"), [
    ("alice", {"alice"}),  # a KAM: herself (the account's owner)
    ("lena", {"alice", "lena"}),  # a lead: her team's members who see the account
    ("mia", {"alice", "lena", "mia"}),  # a manager: anyone who sees the account
])  # fmt: skip
def test_the_plan_owner_drop_down_offers_only_whom_the_rule_allows(client, cast, filled, who,
                                                                   offered):  # fmt: skip
    client.force_login(getattr(cast, who))
    form = client.get(reverse(CHANGE, args=(filled.pk,))).context["adminform"].form
    assert {u.username for u in form.fields["owner"].queryset} == offered


def test_an_unchanged_plan_owner_who_lost_sight_of_the_account_stays(client, cast, filled,
                                                                     english):  # fmt: skip
    AccountPlan.objects.filter(pk=filled.pk).update(owner=cast.bob)
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(filled.pk,))
    data = form_data(client.get(url))
    data["title"] = "Renamed"
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    filled.refresh_from_db()
    assert (filled.title, filled.owner) == ("Renamed", cast.bob)


def test_a_stage_goal_without_a_person_says_so_on_the_person_field(client, cast, filled,
                                                                    english):  # fmt: skip
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(filled.pk,))
    page = client.get(url)
    data = form_data(page)
    add_row(data, prefix_of(page, PlanGoal), description="Trust with the CEO",
            measure="contact_stage", target_stage="trust", position="4")  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    goals = next(i.formset for i in response.context["inline_admin_formsets"]
                 if i.formset.model is PlanGoal)  # fmt: skip
    assert goals.forms[-1].errors == {
        "contact": ["Choose the person the relationship stage is with."]
    }
    assert "onstraint" not in errors_of(response)
    assert filled.goals.count() == 2


#: Every check constraint of the plan models, and what the admin form does when it would break.
CONSTRAINT_CASES = {
    "contact_stage_goal_has_contact": "the person field says what to choose (test above)",
    "done_action_has_date": "an action ticked done without a day is done today (test below)",
    "uniq_plan_account_year": "the year field names the existing plan (duplicate test above)",
}


def test_every_plan_constraint_is_reported_by_the_rules_not_the_database():
    from django.apps import apps

    names = {c.name for m in apps.get_app_config("plans").get_models()
             for c in m._meta.constraints}  # fmt: skip
    assert names == set(CONSTRAINT_CASES), "a new constraint needs its form rule and a test"


def test_a_done_action_without_a_day_is_done_today_not_a_constraint_error(client, cast, filled,
                                                                          english):  # fmt: skip
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(filled.pk,))
    page = client.get(url)
    data = form_data(page)
    add_row(data, prefix_of(page, PlanAction), title="Call", owner=cast.alice.pk,
            due_on="2026-06-01", status="done", done_on="")  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert filled.actions.get(title="Call").done_on == dt.date(2026, 6, 15)


def test_goal_people_are_the_accounts_own_not_every_visible_contact(client, cast, filled):
    elsewhere = make_contact(account=cast.west_account, name="西部某人")
    client.force_login(cast.mia)  # sees every contact
    page = client.get(reverse(CHANGE, args=(filled.pk,)))
    goals = next(i.formset for i in page.context["inline_admin_formsets"]
                 if i.formset.model is PlanGoal)  # fmt: skip
    people = set(goals.form.base_fields["contact"].queryset)
    assert {c.name for c in people} == {"李财务"} and elsewhere not in people
    assert "西部某人" not in page.content.decode()


def test_wording_names_the_goals_tab_and_the_breadcrumb_says_plans_once(client, cast, plan,
                                                                         english):  # fmt: skip
    client.force_login(cast.alice)
    body = client.get(reverse(CHANGE, args=(plan.pk,))).content.decode()
    assert "No goals yet: add them in the “Goals and measures” tab." in body
    assert body.count("Account plans") <= 2  # sidebar entry + the breadcrumb's list step, once
    zh = client.get(reverse(CHANGE, args=(plan.pk,)), HTTP_ACCEPT_LANGUAGE="zh-hans")
    crumbs = zh.content.decode().split('id="content"')[0]
    assert crumbs.count("客户计划（一企一策）") <= 2  # sidebar entry + breadcrumb, not 3


def test_an_unchanged_goal_that_todays_rules_would_refuse_does_not_block_saving(
    client, cast, filled, english
):
    # The person left the buying centre after the goal was set: the goal stays as it was.
    outsider = make_contact(account=cast.west_account, name="前任采购")
    PlanGoal.objects.create(
        plan=filled,
        description="Keep the old buyer",
        position=9,
        measure="contact_stage",
        target_stage="trust",
        contact=outsider,
    )
    client.force_login(cast.alice)
    url = reverse(CHANGE, args=(filled.pk,))
    data = form_data(client.get(url))
    data["status"] = "active"
    response = client.post(url, data)
    assert response.status_code == 302, errors_of(response)
    assert AccountPlan.objects.get(pk=filled.pk).status == "active"


def test_the_printable_plan_is_built_to_fit_one_a4_page(client, cast, filled, english):
    from guanxi.plans.services import plan_update

    plan_update(plan=filled, actor=cast.alice, challenges_macro="MICE demand recovers " * 20,
                decision_factors="State-owned")  # fmt: skip
    client.force_login(cast.alice)
    body = client.get(reverse(PRINT, args=(filled.pk,))).content.decode()
    situation = body.split('data-section="situation"')[1].split("</div>\n</div>")[0]
    assert "Macro environment" in situation and "State-owned" in situation
    assert "Their suppliers" not in situation  # empty directions are left out
    print_css = body.split("@media print")[1].split("</style>")[0]
    assert "-webkit-line-clamp: 2" in print_css and "font-size: 8pt" in print_css
    assert '<div class="clamp-2"><span class="label">Macro environment' in body
    assert 'class="columns" data-list="competitors"' in body  # two columns, not a wide table
    assert "40% of the wallet" in body
    assert "0 done of 1 due so far" in body


# --- one count of actions everywhere; money as money ------------------------------------------


def test_list_panel_card_print_and_api_agree_on_an_action_done_early(
    client, cast, filled, english, as_user
):
    from guanxi.plans.services import action_complete

    early = action_create(plan=filled, actor=cast.alice, title="Visit in September",
                          owner=cast.alice, due_on=dt.date(2026, 9, 1))  # fmt: skip
    action_complete(action=early, actor=cast.alice)  # done today, 15 June
    action_create(plan=filled, actor=cast.alice, title="Later", owner=cast.alice,
                  due_on=dt.date(2026, 10, 1))  # fmt: skip
    client.force_login(cast.alice)
    listed = client.get(reverse(LIST)).content.decode()
    panel = client.get(reverse(CHANGE, args=(filled.pk,))).content.decode()
    printed = client.get(reverse(PRINT, args=(filled.pk,))).content.decode()
    card = render_card(cast, cast.account, cast.alice)
    api = as_user("alice").get(f"/api/plans/{filled.pk}").json()["progress"]
    # 1 done (early) of 2 due so far (the overdue dinner and the early one), not "1 of 1" or
    # "1 of 0"; the October action is neither.
    assert "1 of 2" in listed
    assert '<div class="font-semibold text-lg">1 of 2</div>' in panel
    assert "1 done of 2 due so far" in printed
    assert 'data-figure="actions">1 of 2' in card
    assert (api["actions_done"], api["actions_due"], api["actions_total"]) == (1, 2, 3)


def test_money_targets_and_values_show_as_money_but_inputs_stay_plain(client, cast, filled,
                                                                      english):  # fmt: skip
    goal_add(plan=filled, actor=cast.alice, description="Margin", measure="margin",
             target_value="432000.00")  # fmt: skip
    client.force_login(cast.alice)
    response = client.get(reverse(CHANGE, args=(filled.pk,)))
    panel = response.content.decode()
    printed = client.get(reverse(PRINT, args=(filled.pk,))).content.decode()
    for body in (panel, printed):
        assert "¥432,000" in body and "¥1,000" in body  # margin and revenue targets
        assert "¥750" in body  # revenue so far
        assert "432000.00" not in body and "1000.00" not in body.replace("1000000.00", "")
    assert "¥1,000,000" in printed  # the wallet size
    goals = next(i.formset for i in response.context["inline_admin_formsets"]
                 if i.formset.model is PlanGoal)  # fmt: skip
    assert sorted(f["target_value"].value() for f in goals.forms if f.instance.target_value) == [
        Decimal("1000"), Decimal("432000")]  # fmt: skip
    assert '_value" value="432000"' in panel  # no ".00": the box fits the Goals tab at 1400 px
