import datetime as dt

from django.utils import translation

from guanxi.contacts.models import KeyDate, RelatedPerson
from guanxi.contacts.selectors import contact_fact_rows, contact_history, upcoming_birthdays
from guanxi.contacts.services import profile_facts_update
from tests.support import make_contact


def test_birthdays_across_the_year_end_soonest_first(cast):
    make_contact(account=cast.account, name="一月", birthday=dt.date(1970, 1, 5))
    make_contact(account=cast.account, name="年末", birthday=dt.date(1985, 12, 30))
    make_contact(account=cast.account, name="太远", birthday=dt.date(1985, 2, 20))
    make_contact(account=cast.account, name="离职", birthday=dt.date(1985, 12, 29), is_active=False)
    make_contact(account=cast.west_account, name="看不见", birthday=dt.date(1985, 12, 28))
    result = upcoming_birthdays(cast.alice, today=dt.date(2024, 12, 20), days=30)
    assert [(d, c.name) for d, c in result] == [
        (dt.date(2024, 12, 30), "年末"),
        (dt.date(2025, 1, 5), "一月"),
    ]


def test_leap_day_birthday_is_celebrated_on_28_february(cast):
    make_contact(account=cast.account, name="闰日", birthday=dt.date(1988, 2, 29))
    result = upcoming_birthdays(cast.alice, today=dt.date(2025, 2, 20), days=30)
    assert [(d, c.name) for d, c in result] == [(dt.date(2025, 2, 28), "闰日")]


def test_birthdays_are_sorted_and_cut_in_the_database(cast, django_assert_max_num_queries):
    # In a common year 29 February joins 28 February's birthdays, sorted by name among them.
    make_contact(account=cast.account, name="乙", birthday=dt.date(1988, 2, 29))
    make_contact(account=cast.account, name="甲", birthday=dt.date(1980, 2, 28))
    make_contact(account=cast.account, name="丙", birthday=dt.date(1980, 3, 1))
    make_contact(account=cast.account, name="丁", birthday=dt.date(1980, 2, 27))
    with django_assert_max_num_queries(1):
        result = upcoming_birthdays(cast.alice, today=dt.date(2025, 2, 27), days=30, limit=3)
    assert [(d, c.name) for d, c in result] == [
        (dt.date(2025, 2, 27), "丁"),
        (dt.date(2025, 2, 28), "乙"),
        (dt.date(2025, 2, 28), "甲"),
    ]
    leap = upcoming_birthdays(cast.alice, today=dt.date(2024, 2, 28), days=1)
    assert [(d, c.name) for d, c in leap] == [
        (dt.date(2024, 2, 28), "甲"),
        (dt.date(2024, 2, 29), "乙"),
    ]


def test_fact_rows_follow_schema_order_with_labels(cast):
    c = make_contact(account=cast.account)
    profile_facts_update(
        contact=c, group="taboos", values={"dietary": "猪肉, 羊肉"}, actor=cast.alice
    )
    profile_facts_update(contact=c, group="basic", values={"ethnicity": "回族"}, actor=cast.alice)
    rows = contact_fact_rows(c)
    assert [r.fact.key for r in rows] == ["ethnicity", "dietary"]
    assert rows[1].display == "猪肉、羊肉"


def test_contact_history_covers_facts_related_people_and_key_dates(cast):
    contact = make_contact(account=cast.account, name="孙立")
    profile_facts_update(
        contact=contact, group="taboos", values={"dietary": "猪肉"}, actor=cast.alice
    )
    driver = RelatedPerson(contact=contact, relation="driver", name="老刘")
    driver._history_user = cast.alice
    driver.save()
    day = KeyDate(contact=contact, kind="wedding", date=dt.date(2001, 5, 20))
    day._history_user = cast.bob
    day.save()
    with translation.override("en"):
        entries = contact_history(contact, limit=10)
    assert len(entries) == 4  # the contact's creation, the fact, the driver, the anniversary
    assert len({e.model_label for e in entries}) == 4
    assert {e.user for e in entries if e.user} == {cast.alice, cast.bob}
