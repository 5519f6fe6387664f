import datetime as dt

from guanxi.contacts.selectors import contact_fact_rows, upcoming_birthdays
from guanxi.contacts.services import profile_facts_update
from guanxi.core.testing import make_contact


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


def test_fact_rows_follow_schema_order_with_labels(cast):
    c = make_contact(account=cast.account)
    profile_facts_update(
        contact=c, group="taboos", values={"dietary": "猪肉, 羊肉"}, actor=cast.alice
    )
    profile_facts_update(contact=c, group="basic", values={"ethnicity": "回族"}, actor=cast.alice)
    rows = contact_fact_rows(c)
    assert [r.fact.key for r in rows] == ["ethnicity", "dietary"]
    assert rows[1].display == "猪肉、羊肉"
