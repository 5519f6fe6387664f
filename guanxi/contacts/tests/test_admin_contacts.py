"""Contact admin: profile groups as forms with provenance, verification, access per role."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from guanxi.contacts.forms import fact_field_name
from guanxi.contacts.models import Contact, KeyDate, ProfileFact, RelatedPerson
from guanxi.contacts.services import profile_facts_update
from tests.support import make_contact


@pytest.fixture
def contact(cast):
    return make_contact(
        account=cast.account, name="孙立", title="副总经理", birthday=dt.date(1976, 8, 8)
    )


def _url(contact):
    return reverse("admin:contacts_contact_change", args=(contact.pk,))


def _post_data(contact, **extra):
    data = {
        "code": contact.code,
        "account": contact.account_id,
        "name": contact.name,
        "title": contact.title,
        "birthday": contact.birthday.isoformat() if contact.birthday else "",
        "gender": contact.gender,
        "is_active": "on",
        "fact_source": "sales_visit",
        "related_people-TOTAL_FORMS": "0",
        "related_people-INITIAL_FORMS": "0",
        "key_dates-TOTAL_FORMS": "0",
        "key_dates-INITIAL_FORMS": "0",
        "_continue": "Save",
    }
    data.update(extra)
    return data


def test_change_page_shows_profile_groups_as_fields_and_derived_signs(client, cast, contact):
    client.force_login(cast.alice)
    response = client.get(_url(contact))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert fact_field_name("taboos", "dietary") in form.fields
    assert fact_field_name("basic", "education") in form.fields
    body = response.content.decode()
    assert "Leo" in body or "狮子座" in body  # 8 August
    assert "Dragon" in body or "龙" in body  # 1976


def test_saving_profile_fields_records_facts_with_provenance(client, cast, contact):
    client.force_login(cast.alice)
    response = client.post(
        _url(contact),
        _post_data(
            contact,
            **{
                fact_field_name("taboos", "dietary"): "猪肉, 海鲜",
                fact_field_name("basic", "height_cm"): "176",
                fact_field_name("basic", "education"): "master",
            },
        ),
    )
    assert response.status_code == 302
    facts = {(f.group, f.key): f for f in ProfileFact.objects.filter(contact=contact)}
    assert facts[("taboos", "dietary")].value == ["猪肉", "海鲜"]
    assert facts[("basic", "height_cm")].value == 176
    assert facts[("basic", "education")].value == "master"
    for fact in facts.values():
        assert (fact.recorded_by, fact.source, fact.verified) == (cast.alice, "sales_visit", False)
    assert facts[("taboos", "dietary")].history.first().history_user == cast.alice


def test_unchanged_profile_fields_keep_their_provenance(client, cast, contact):
    profile_facts_update(
        contact=contact, group="taboos", values={"dietary": "猪肉"}, actor=cast.lena
    )
    client.force_login(cast.alice)
    response = client.post(
        _url(contact),
        _post_data(contact, **{fact_field_name("taboos", "dietary"): "猪肉", "title": "总经理"}),
    )
    assert response.status_code == 302
    fact = ProfileFact.objects.get(contact=contact, key="dietary")
    assert fact.recorded_by == cast.lena
    contact.refresh_from_db()
    assert contact.title == "总经理"


def test_clearing_a_profile_field_removes_the_fact(client, cast, contact):
    profile_facts_update(
        contact=contact, group="basic", values={"religion": "佛教"}, actor=cast.alice
    )
    client.force_login(cast.alice)
    response = client.post(
        _url(contact), _post_data(contact, **{fact_field_name("basic", "religion"): ""})
    )
    assert response.status_code == 302
    assert not ProfileFact.objects.filter(contact=contact, key="religion").exists()


def test_invalid_profile_value_is_a_form_error_and_writes_nothing(client, cast, contact):
    client.force_login(cast.alice)
    response = client.post(
        _url(contact), _post_data(contact, **{fact_field_name("basic", "height_cm"): "-3"})
    )
    assert response.status_code == 200
    assert fact_field_name("basic", "height_cm") in response.context["adminform"].form.errors
    assert not ProfileFact.objects.filter(contact=contact).exists()


def test_provenance_table_and_verify_button(client, cast, contact):
    [fact] = profile_facts_update(
        contact=contact, group="taboos", values={"dietary": "猪肉"}, actor=cast.alice,
        source="front_line",
    )  # fmt: skip
    client.force_login(cast.lena)
    body = client.get(_url(contact)).content.decode()
    assert 'data-fact="taboos.dietary"' in body and "alice" in body
    verify = reverse("admin:contacts_contact_verify_fact", args=(contact.pk, fact.pk))
    assert verify in body
    response = client.post(verify)
    assert response.status_code == 302
    fact.refresh_from_db()
    assert fact.verified and fact.verified_by == cast.lena


def test_verify_is_404_for_invisible_contact_and_get_is_refused(client, cast, contact):
    [fact] = profile_facts_update(
        contact=contact, group="taboos", values={"dietary": "猪肉"}, actor=cast.alice
    )
    verify = reverse("admin:contacts_contact_verify_fact", args=(contact.pk, fact.pk))
    client.force_login(cast.bob)
    assert client.post(verify).status_code == 404
    client.force_login(cast.alice)
    assert client.get(verify).status_code == 405
    fact.refresh_from_db()
    assert not fact.verified


@pytest.mark.parametrize("who,status", [("alice", 200), ("bob", 404), ("charlie", 404),
                                        ("lena", 200), ("mia", 200)])  # fmt: skip
def test_contact_page_is_404_outside_the_visible_set(client, cast, contact, who, status):
    client.force_login(getattr(cast, who))
    assert client.get(_url(contact)).status_code == status
    history = reverse("admin:contacts_contact_history", args=(contact.pk,))
    assert client.get(history).status_code == status


def test_changelist_and_search_are_scoped(client, cast, contact):
    other = make_contact(account=cast.west_account, name="孙立平")
    url = reverse("admin:contacts_contact_changelist")
    for user, expected in ((cast.alice, {contact.pk}), (cast.charlie, {other.pk}),
                           (cast.bob, set()), (cast.mia, {contact.pk, other.pk})):  # fmt: skip
        client.force_login(user)
        response = client.get(url, {"q": "孙立"})
        assert {c.pk for c in response.context["cl"].result_list} == expected, user.username


def test_adding_a_contact_to_an_invisible_account_is_rejected(client, cast):
    client.force_login(cast.alice)
    data = _post_data(Contact(code="NEW1", name="新人", account=cast.west_account), is_active="on")
    response = client.post(reverse("admin:contacts_contact_add"), data)
    assert response.status_code == 200
    assert "account" in response.context["adminform"].form.errors
    assert not Contact.objects.filter(code="NEW1").exists()


def test_adding_a_contact_with_profile_and_driver(client, cast):
    client.force_login(cast.alice)
    data = _post_data(
        Contact(code="NEW2", name="新人", account=cast.account),
        **{
            fact_field_name("product_needs", "taste"): "偏清淡",
            "related_people-TOTAL_FORMS": "1",
            "related_people-0-relation": "driver",
            "related_people-0-name": "老张",
            "related_people-0-phone": "13900000000",
        },
    )
    response = client.post(reverse("admin:contacts_contact_add"), data)
    assert response.status_code == 302
    created = Contact.objects.get(code="NEW2")
    assert RelatedPerson.objects.get(contact=created).name == "老张"
    fact = ProfileFact.objects.get(contact=created, key="taste")
    assert (fact.value, fact.recorded_by) == ("偏清淡", cast.alice)


def test_contact_page_lists_recent_changes(client, cast, contact):
    profile_facts_update(
        contact=contact, group="taboos", values={"dietary": "猪肉"}, actor=cast.alice
    )
    profile_facts_update(
        contact=contact, group="taboos", values={"dietary": "牛肉"}, actor=cast.lena
    )
    client.force_login(cast.alice)
    body = client.get(_url(contact)).content.decode()
    assert "猪肉" in body and "牛肉" in body and "lena" in body


def test_related_people_admin_is_scoped(client, cast, contact):
    person = RelatedPerson.objects.create(contact=contact, relation="driver", name="老张")
    url = reverse("admin:contacts_relatedperson_change", args=(person.pk,))
    client.force_login(cast.alice)
    assert client.get(url).status_code == 200
    client.force_login(cast.charlie)
    assert client.get(url).status_code == 404
    listed = client.get(reverse("admin:contacts_relatedperson_changelist")).context["cl"]
    assert list(listed.result_list) == []


def _history_url(contact):
    return reverse("admin:contacts_contact_history", args=(contact.pk,))


def test_saving_only_profile_facts_writes_no_empty_contact_history_row(client, cast, contact):
    before = contact.history.count()
    client.force_login(cast.alice)
    response = client.post(
        _url(contact), _post_data(contact, **{fact_field_name("taboos", "dietary"): "猪肉"})
    )
    assert response.status_code == 302
    assert contact.history.count() == before
    assert ProfileFact.objects.get(contact=contact, key="dietary").value == ["猪肉"]
    response = client.post(_url(contact), _post_data(contact, title="总经理"))
    assert response.status_code == 302
    assert contact.history.count() == before + 1
    assert Contact.objects.get(pk=contact.pk).title == "总经理"


def test_history_page_lists_facts_verifications_related_people_and_key_dates(client, cast, contact):
    profile_facts_update(
        contact=contact, group="taboos", values={"dietary": "猪肉"}, actor=cast.alice
    )
    person = RelatedPerson(contact=contact, relation="driver", name="老张")
    person._history_user = cast.alice
    person.save()
    person.name = "老王"
    person._history_user = cast.lena
    person.save()
    key_date = KeyDate(contact=contact, kind=KeyDate._meta.get_field("kind").choices[0][0],
                       date=dt.date(2026, 12, 24), label="结婚纪念日")  # fmt: skip
    key_date._history_user = cast.alice
    key_date.save()
    client.force_login(cast.alice)
    dietary = {fact_field_name("taboos", "dietary"): "猪肉"}
    client.post(_url(contact), _post_data(contact, title="总经理", **dietary))
    fact = ProfileFact.objects.get(contact=contact, key="dietary")
    client.post(reverse("admin:contacts_contact_verify_fact", args=(contact.pk, fact.pk)))

    response = client.get(_history_url(contact))
    assert response.status_code == 200
    log = response.context["change_log"]
    changes = {(c.old, c.new) for e in log for c in e.changes}
    assert ("副总经理", "总经理") in changes  # the contact's own field
    assert ("—", "猪肉") in changes  # a fact
    assert ("老张", "老王") in changes  # a related person
    assert ("—", "2026-12-24") in changes  # a key date
    assert ("否", "是") in changes  # the verification, as 是/否
    assert {e.user for e in log} >= {cast.alice, cast.lena}
    body = response.content.decode()
    assert "老王" in body and "2026-12-24" in body and "结婚纪念日" in body
    assert re.search(r">\s*None\s*<", body) is None  # change reason blank, not "None"
    # The contact page links to the full log.
    assert _history_url(contact) in client.get(_url(contact)).content.decode()


def test_history_page_is_404_outside_the_visible_set(client, cast, contact):
    client.force_login(cast.charlie)
    assert client.get(_history_url(contact)).status_code == 404
