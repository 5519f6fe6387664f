"""Admin pages of the buying centre, stages, organisation relationship and risk rules: writes go
through the services, broken rules are form errors (never a 500), access follows the rules."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from guanxi.accounts.selectors import account_is_visible
from guanxi.core.models import User
from guanxi.relationships.forms import TouchpointChoiceField
from guanxi.relationships.models import (
    AccountRelationship,
    BuyingCentreMember,
    RelationshipRules,
    RelationshipStageEvent,
)
from guanxi.relationships.services import buying_centre_member_set
from guanxi.touchpoints.models import Touchpoint, TouchpointKind
from tests.support import make_account, make_contact

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ADD = "admin:relationships_buyingcentremember_add"


def change_url(seat) -> str:
    return reverse("admin:relationships_buyingcentremember_change", args=(seat.pk,))


def errors(response) -> str:
    form = response.context["adminform"].form
    return " ".join([str(form.errors)])


@pytest.fixture
def people(cast):
    ceo = make_contact(account=cast.account, name="王总")
    cfo = make_contact(account=cast.account, name="李财务")
    buyer = make_contact(account=cast.account, name="张采购")
    kw = {"account": cast.account, "actor": cast.alice}
    seats = {
        "ceo": buying_centre_member_set(contact=ceo, **kw),
        "cfo": buying_centre_member_set(contact=cfo, reports_to=ceo, **kw),
        "buyer": buying_centre_member_set(contact=buyer, reports_to=cfo, **kw),
    }
    return ceo, cfo, buyer, seats


def seat_form(seat, **changes) -> dict:
    data = {
        "buying_roles": seat.buying_roles,
        "stance": seat.stance,
        "influence": seat.influence,
        "reports_to": seat.reports_to_id or "",
        "relationship_owner": seat.relationship_owner_id or "",
        "notes": seat.notes,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- seats --------------------------------------------------------------------------------------


def test_a_person_is_added_through_the_service_and_back_to_the_map(client, cast, people):
    newcomer = make_contact(account=cast.account, name="刘总监")
    client.force_login(cast.alice)
    back = reverse("admin:relationships_buyingcentremember_map", args=(cast.account.pk,))
    url = reverse(ADD) + f"?account={cast.account.pk}&contact={newcomer.pk}&next={back}"
    page = client.get(url)
    assert page.status_code == 200
    choices = {c.pk for c in page.context["adminform"].form.fields["reports_to"].queryset}
    assert choices == {people[0].pk, people[1].pk, people[2].pk, newcomer.pk}
    response = client.post(url, {
        "account": cast.account.pk, "contact": newcomer.pk,
        "buying_roles": ["influencer", "decision_maker"], "stance": "champion", "influence": 4,
        "reports_to": people[1].pk, "relationship_owner": cast.lena.pk, "notes": "",
    })  # fmt: skip
    assert response.status_code == 302 and response["Location"] == back
    seat = BuyingCentreMember.objects.get(contact=newcomer)
    assert seat.buying_roles == ["decision_maker", "influencer"]
    assert (seat.stance, seat.influence, seat.reports_to, seat.relationship_owner) == (
        "champion",
        4,
        people[1],
        cast.lena,
    )
    assert seat.history.first().history_user == cast.alice


def test_a_reporting_loop_is_a_form_error_not_a_500(client, cast, people):
    ceo, _cfo, buyer, seats = people
    client.force_login(cast.alice)
    response = client.post(change_url(seats["ceo"]), seat_form(seats["ceo"], reports_to=buyer.pk))
    assert response.status_code == 200
    assert "张采购 already reports, directly or not, to 王总." in errors(response)
    seats["ceo"].refresh_from_db()
    assert seats["ceo"].reports_to is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"influence": 9}, "Select a valid choice"),
        ({"buying_roles": ["boss"]}, "Select a valid choice"),
        ({"stance": "friendly"}, "Select a valid choice"),
    ],
)
def test_bad_input_is_a_message(client, cast, people, changes, message):
    seat = people[3]["cfo"]
    client.force_login(cast.alice)
    response = client.post(change_url(seat), seat_form(seat, **changes))
    assert response.status_code == 200
    assert message in errors(response)


def test_a_boss_from_another_organisation_is_refused(client, cast, people):
    outsider = make_contact(account=make_account(owner=cast.alice), name="外人")
    seat = people[3]["cfo"]
    client.force_login(cast.alice)
    response = client.post(change_url(seat), seat_form(seat, reports_to=outsider.pk))
    assert response.status_code == 200
    assert "Choose someone from this account or already on its buying centre." in errors(response)


def test_only_staff_who_see_the_account_may_own_a_relationship(client, cast, people):
    customer = User.objects.create_user("guest", password="x", is_staff=False)
    seat = people[3]["cfo"]
    client.force_login(cast.alice)
    page = client.get(change_url(seat))
    owners = set(page.context["adminform"].form.fields["relationship_owner"].queryset)
    # alice owns it, lena leads its team, mia is a manager; bob and charlie cannot see it.
    assert owners == {cast.alice, cast.lena, cast.mia}
    assert owners == {
        u for u in User.objects.filter(is_staff=True) if account_is_visible(u, cast.account)
    }
    for outsider in (customer, cast.bob):
        response = client.post(change_url(seat), seat_form(seat, relationship_owner=outsider.pk))
        assert "Choose one of our staff who may see this account." in errors(response)
    seat.refresh_from_db()
    assert seat.relationship_owner is None
    cast.account.co_owners.add(cast.bob)  # a co-owner sees the account
    response = client.post(change_url(seat), seat_form(seat, relationship_owner=cast.bob.pk))
    assert response.status_code == 302
    seat.refresh_from_db()
    assert seat.relationship_owner == cast.bob


def chooser(response):
    """The step-1 page of an add form (AccountFirstMixin), or None for the full form."""
    names = [t.name for t in response.templates]
    if "admin/relationships/choose_account.html" not in names:
        return None
    return response.context["form"]


def test_the_seat_add_page_asks_for_the_account_first_then_fills_its_lists(client, cast, people):
    client.force_login(cast.alice)
    back = reverse("admin:relationships_buyingcentremember_map", args=(cast.account.pk,))
    step1 = client.get(reverse(ADD) + f"?next={back}")
    assert step1.status_code == 200
    assert list(chooser(step1).fields) == ["account"]
    body = step1.content.decode()
    assert 'data-step="choose-account"' in body and 'method="get"' in body
    assert f'name="next" value="{back}"' in body  # kept for step 2
    assert "adminform" not in step1.context
    step2 = client.get(reverse(ADD) + f"?account={cast.account.pk}&next={back}")
    assert chooser(step2) is None
    form = step2.context["adminform"].form
    assert set(form.fields["reports_to"].queryset) == {people[0], people[1], people[2]}
    assert set(form.fields["relationship_owner"].queryset) == {cast.alice, cast.lena, cast.mia}
    assert "admin/relationships/_account_reload.html" in [t.name for t in step2.templates]
    assert [form.fields[f].label for f in ("buying_roles", "reports_to")] == [
        "Buying roles",
        "Reports to",
    ]


def test_a_seat_form_that_fails_keeps_the_posted_accounts_lists(client, cast, people):
    newcomer = make_contact(account=cast.account, name="刘总监")
    client.force_login(cast.alice)
    response = client.post(reverse(ADD), {
        "account": cast.account.pk, "contact": "", "stance": "neutral", "influence": 3,
        "reports_to": people[0].pk, "relationship_owner": cast.lena.pk, "notes": "",
    })  # fmt: skip
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "contact" in form.errors
    assert newcomer in form.fields["reports_to"].queryset
    assert set(form.fields["relationship_owner"].queryset) == {cast.alice, cast.lena, cast.mia}
    assert form["reports_to"].value() == str(people[0].pk)  # the choice is kept too


def test_an_account_the_user_cannot_see_is_asked_for_again(client, cast):
    client.force_login(cast.alice)
    for url in (reverse(ADD), reverse("admin:relationships_relationshipstageevent_add")):
        for raw in (cast.west_account.pk, 999999, "x", "9" * 30):
            form = chooser(client.get(f"{url}?account={raw}"))
            assert form.errors["account"] == ["Choose one of the accounts you can see."]


def test_the_chooser_offers_only_visible_accounts(client, cast):
    client.force_login(cast.alice)
    form = chooser(client.get(reverse(ADD)))
    accounts = set(form.fields["account"].queryset)
    assert cast.account in accounts and cast.west_account not in accounts
    assert all(account_is_visible(cast.alice, a.pk) for a in accounts)


STAGE_ADD = "admin:relationships_relationshipstageevent_add"


def test_a_stage_is_recorded_with_evidence_from_the_account(client, cast, people):
    cfo = people[1]
    tp = Touchpoint.objects.create(account=cast.account, kind=TouchpointKind.BANQUET,
                                   occurred_at=timezone.now())  # fmt: skip
    tp.contacts.add(cfo)
    other = Touchpoint.objects.create(
        account=make_account(owner=cast.alice), kind=TouchpointKind.CALL, occurred_at=timezone.now()
    )
    client.force_login(cast.alice)
    url = reverse(STAGE_ADD) + f"?account={cast.account.pk}"
    form = client.get(url).context["adminform"].form
    assert set(form.fields["evidence"].queryset) == {tp}
    data = {"account": cast.account.pk, "contact": cfo.pk, "stage": "trust",
            "reached_on": timezone.localdate().isoformat(), "note": ""}  # fmt: skip
    refused = client.post(url, {**data, "evidence": other.pk})
    assert "That touchpoint does not involve 李财务: choose one that does." in errors(refused)
    future = (timezone.localdate() + dt.timedelta(days=2)).isoformat()
    refused = client.post(url, {**data, "reached_on": future})
    assert "cannot be in the future" in errors(refused)
    assert client.post(url, {**data, "evidence": tp.pk}).status_code == 302
    event = RelationshipStageEvent.objects.get()
    assert (event.stage, event.evidence, event.recorded_by) == ("trust", tp, cast.alice)


def test_evidence_lists_only_touchpoints_of_the_person_when_they_are_known(client, cast, people):
    ceo, cfo = people[0], people[1]
    with_cfo = Touchpoint.objects.create(account=cast.account, kind=TouchpointKind.CALL,
                                         occurred_at=timezone.now())  # fmt: skip
    with_cfo.contacts.add(cfo, ceo)
    ceo_only = Touchpoint.objects.create(account=cast.account, kind=TouchpointKind.VISIT,
                                         occurred_at=timezone.now())  # fmt: skip
    ceo_only.contacts.add(ceo)
    client.force_login(cast.alice)
    url = reverse(STAGE_ADD) + f"?account={cast.account.pk}&contact={cfo.pk}"
    evidence = client.get(url).context["adminform"].form.fields["evidence"]
    assert set(evidence.queryset) == {with_cfo}
    assert "involved 李财务" in str(evidence.help_text)
    # A bound form follows the person posted.
    response = client.post(url, {
        "account": cast.account.pk, "contact": ceo.pk, "stage": "goodwill",
        "reached_on": "", "evidence": ceo_only.pk, "note": "",
    })  # fmt: skip
    assert set(response.context["adminform"].form.fields["evidence"].queryset) == {
        with_cfo,
        ceo_only,
    }


def test_without_a_person_each_evidence_option_names_who_took_part(client, cast, people):
    ceo, cfo = people[0], people[1]
    call = Touchpoint.objects.create(account=cast.account, kind=TouchpointKind.CALL,
                                     occurred_at=timezone.now(), subject="报价")  # fmt: skip
    call.contacts.add(cfo, ceo)
    client.force_login(cast.alice)
    page = client.get(reverse(STAGE_ADD) + f"?account={cast.account.pk}")
    labels = [label for _value, label in page.context["adminform"].form.fields["evidence"].choices]
    day = timezone.localdate().isoformat()
    assert f"{day} · {call.get_kind_display()} · 李财务, 王总 · 报价" in labels
    with translation.override("zh-hans"):
        assert "李财务、王总" in TouchpointChoiceField(
            Touchpoint.objects.all()
        ).label_from_instance(Touchpoint.objects.prefetch_related("contacts").get(pk=call.pk))


def test_evidence_must_involve_the_person(client, cast, people):
    tp = Touchpoint.objects.create(account=cast.account, kind=TouchpointKind.CALL,
                                   occurred_at=timezone.now())  # fmt: skip
    tp.contacts.add(people[0])
    client.force_login(cast.alice)
    response = client.post(reverse(STAGE_ADD) + f"?account={cast.account.pk}", {
        "account": cast.account.pk, "contact": people[1].pk, "stage": "trust",
        "reached_on": timezone.localdate().isoformat(), "evidence": tp.pk, "note": "",
    })  # fmt: skip
    assert response.status_code == 200
    assert "does not involve 李财务" in errors(response)


def test_the_stage_add_page_asks_for_the_account_first_then_lists_its_people(client, cast,
                                                                             people):  # fmt: skip
    client.force_login(cast.alice)
    step1 = client.get(reverse(STAGE_ADD))
    assert list(chooser(step1).fields) == ["account"]
    assert 'data-step="choose-account"' in step1.content.decode()
    step2 = client.get(reverse(STAGE_ADD) + f"?account={cast.account.pk}")
    assert chooser(step2) is None
    form = step2.context["adminform"].form
    assert set(form.fields["contact"].queryset) == {people[0], people[1], people[2]}


def test_a_stage_form_that_fails_keeps_the_posted_accounts_people(client, cast, people):
    client.force_login(cast.alice)
    response = client.post(reverse(STAGE_ADD), {
        "account": cast.account.pk, "contact": people[1].pk, "stage": "",
        "reached_on": timezone.localdate().isoformat(), "evidence": "", "note": "",
    })  # fmt: skip
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "stage" in form.errors and "contact" not in form.errors
    assert set(form.fields["contact"].queryset) == {people[0], people[1], people[2]}


def test_a_posted_invisible_account_lists_nobody(client, cast, people):
    make_contact(account=cast.west_account, name="西部王")
    client.force_login(cast.alice)
    response = client.post(reverse(STAGE_ADD), {"account": cast.west_account.pk, "stage": "trust"})
    form = response.context["adminform"].form
    assert "account" in form.errors
    assert list(form.fields["contact"].queryset) == []


# --- organisation relationship ------------------------------------------------------------------


def test_the_organisation_relationship_is_set_and_kept_in_history(client, cast):
    client.force_login(cast.alice)
    add = reverse("admin:relationships_accountrelationship_add")
    response = client.post(add, {"account": cast.account.pk, "supplier_stage": "main",
                                 "kotler_level": "reactive", "notes": ""})  # fmt: skip
    assert response.status_code == 302
    row = AccountRelationship.objects.get(account=cast.account)
    url = reverse("admin:relationships_accountrelationship_change", args=(row.pk,))
    client.post(url, {"supplier_stage": "strategic", "kotler_level": "partnership", "notes": ""})
    row.refresh_from_db()
    assert row.supplier_stage == "strategic"
    assert row.history.count() == 2
    history = reverse("admin:relationships_accountrelationship_history", args=(row.pk,))
    assert client.get(history).status_code == 200
    client.force_login(cast.charlie)
    assert client.get(history).status_code == 404


def test_a_second_organisation_relationship_for_an_account_is_refused(client, cast):
    AccountRelationship.objects.create(account=cast.account)
    client.force_login(cast.alice)
    response = client.post(reverse("admin:relationships_accountrelationship_add"), {
        "account": cast.account.pk, "supplier_stage": "main", "kotler_level": "basic",
        "notes": "",
    })  # fmt: skip
    assert response.status_code == 200
    assert "already exists" in errors(response)


# --- risk rules ---------------------------------------------------------------------------------


def rules_url(row) -> str:
    return reverse("admin:relationships_relationshiprules_change", args=(row.pk,))


RULES_FORM = {"required_roles": ["approver", "user"], "current_within_days": 30,
              "champion_inactive_days": 45, "decision_maker_stage": "interest"}  # fmt: skip


def test_the_rules_list_opens_the_one_row(client, cast):
    client.force_login(cast.alice)
    response = client.get(reverse("admin:relationships_relationshiprules_changelist"))
    row = RelationshipRules.objects.get()
    assert response.status_code == 302 and response["Location"] == rules_url(row)


def test_staff_read_the_rules_and_managers_change_them(client, cast):
    row = RelationshipRules.current()
    client.force_login(cast.alice)
    page = client.get(rules_url(row), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    body = page.content.decode()  # the roles in words, not the stored list
    assert "decision approver" in body and "decision_maker" not in body
    assert client.post(rules_url(row), RULES_FORM).status_code == 403
    client.force_login(cast.mia)
    page = client.get(rules_url(row))
    assert 'type="checkbox"' in page.content.decode()
    assert client.post(rules_url(row), RULES_FORM).status_code == 302
    row.refresh_from_db()
    assert (row.required_roles, row.current_within_days) == (["approver", "user"], 30)


def test_the_rules_cannot_be_added_twice_or_deleted(client, cast):
    row = RelationshipRules.current()
    client.force_login(cast.mia)
    assert client.get(reverse("admin:relationships_relationshiprules_add")).status_code == 403
    delete = reverse("admin:relationships_relationshiprules_delete", args=(row.pk,))
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RelationshipRules.objects.count() == 1


def test_bad_rule_values_are_messages(client, cast):
    row = RelationshipRules.current()
    client.force_login(cast.mia)
    response = client.post(rules_url(row), {**RULES_FORM, "current_within_days": 0,
                                            "required_roles": ["boss"]})  # fmt: skip
    assert response.status_code == 200
    text = errors(response)
    assert "At least one day." in text and "Select a valid choice" in text


# --- every page opens ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize(
    "name",
    [
        "admin:relationships_buyingcentremember_changelist",
        "admin:relationships_buyingcentremember_add",
        "admin:relationships_relationshipstageevent_changelist",
        "admin:relationships_relationshipstageevent_add",
        "admin:relationships_accountrelationship_changelist",
        "admin:relationships_accountrelationship_add",
    ],
)
def test_every_page_opens_in_both_languages(client, cast, people, name, language):
    client.force_login(cast.alice)
    url = reverse(name) + f"?account={cast.account.pk}"
    assert client.get(url, HTTP_ACCEPT_LANGUAGE=language).status_code == 200


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("name", [ADD, "admin:relationships_relationshipstageevent_add"])
def test_the_account_step_opens_in_both_languages(client, cast, name, language):
    client.force_login(cast.alice)
    response = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200 and chooser(response) is not None


def test_people_of_other_organisations_are_found_by_search_only_when_visible(client, cast):
    association = make_account(owner=cast.alice, name="会展行业协会")
    make_contact(account=association, name="赵会长")
    make_contact(account=cast.west_account, name="赵西部")
    client.force_login(cast.alice)
    response = client.get(reverse("admin:autocomplete"), {
        "app_label": "relationships", "model_name": "buyingcentremember",
        "field_name": "contact", "term": "赵",
    })  # fmt: skip
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["赵会长"]
