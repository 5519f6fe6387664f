"""The contacts of an account: the person themselves for an individual, else one to five people of
the organisation with titles of its kind (`catalog.TITLES`), the one who books first.

How a KAM addresses them (称呼: 王总, 李局, 小刘…) and their birthdays are drawn here too; the key
accounts' planners reuse `title_set` and the birthday rule for the people they add.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math

from faker import Faker

from guanxi.demo import catalog as C
from guanxi.demo.draw import Dice, person_name
from guanxi.demo.rows import AccountRow, ContactRow

FREE_MAIL = ("163.com", "126.com", "qq.com", "sina.com")
INDIVIDUAL_TITLES = ("企业主", "董事长", "自由职业", "医生", "律师", "总经理")
TITLE_SET = {
    "government": "government",
    "institution": "institution",
    "soe": "soe",
    "association": "association",
    "organiser": "association",
    "mice_corporate": "mice_corporate",
    "corporate": "corporate",
    "ota": "ota",
    "travel_agency": "travel_agency",
    "wedding": "wedding",
}
# How a title is shortened when addressing its holder: the first word found wins.
ADDRESS_SUFFIX = (
    ("局长", "局"),
    ("院长", "院长"),
    ("主任", "主任"),
    ("处长", "处"),
    ("秘书长", "秘书长"),
    ("科长", "科长"),
    ("董事长", "董"),
    ("总", "总"),
)


def title_set(acc: AccountRow) -> str:
    """Which list of titles (`catalog.TITLES`) the people of an organisation hold."""
    return TITLE_SET[acc.subkind]


def address_as(name: str, title: str, seniority: int) -> str:
    """How the KAM addresses them (称呼): 王总, 李局, 张主任, 小刘…"""
    surname = name[0]
    for word, suffix in ADDRESS_SUFFIX:
        if word in title:
            return surname + suffix
    return surname + "经理" if seniority else "小" + surname


def birthday(dice: Dice, as_of: dt.date, age: int) -> dt.date:
    """A birthday of someone ``age`` years old this year."""
    year = as_of.year - age
    month = dice.randint(1, 12)
    return dt.date(year, month, dice.randint(1, calendar.monthrange(year, month)[1]))


class ContactsPlanner:
    def __init__(self, dice: Dice, fake: Faker, as_of: dt.date):
        self.dice = dice
        self.fake = fake
        self.as_of = as_of

    def contacts(self, acc: AccountRow, start_idx: int) -> list[ContactRow]:
        """The account's people, numbered from ``start_idx`` (their index in the whole demo)."""
        if acc.kind == "individual":
            return [self._the_person(acc, start_idx)]
        titles = C.TITLES[title_set(acc)]
        size = 1 + min(
            4, int(math.log10(max(acc.annual, 1) / 20_000) * 1.6 + self.dice.rng.random())
        )
        size = max(1, min(5, size, len(titles)))
        chosen = self.dice.sample(titles, size)
        # the primary contact is the one who books: a mid-level title if there is one
        chosen.sort(key=lambda t: (t[2] != 1, -t[2]))
        people: list[ContactRow] = []
        for j, (title, department, seniority) in enumerate(chosen):
            person = self._staff_member(acc, start_idx + len(people), j, title, department,
                                        seniority)  # fmt: skip
            people.append(person)
            if not person.is_active:
                person.notes = "已离职，交接给" + (people[0].name if people else "同事")
        return people

    def _the_person(self, acc: AccountRow, idx: int) -> ContactRow:
        """An individual account's one contact: the customer themselves."""
        f, dice = self.fake, self.dice
        gender = acc.person_gender or "male"
        acc.notes = "婚宴客户" if acc.subkind == "wedding_family" else ""
        age = dice.randint(32, 62)
        return ContactRow(
            idx=idx,
            account_idx=acc.idx,
            code=f"DM-C{idx + 1:05d}",
            name=acc.name,
            gender=gender,
            birthday=birthday(dice, self.as_of, age),
            title=dice.pick(INDIVIDUAL_TITLES),
            department="",
            seniority=2,
            nickname=acc.name[0] + ("总" if gender == "male" else "姐"),
            mobile=f.phone_number(),
            email=f.free_email(),
            wechat=f"{f.user_name()}{dice.randint(10, 99)}",
            is_primary=True,
        )

    def _staff_member(
        self, acc: AccountRow, idx: int, j: int, title: str, department: str, seniority: int
    ) -> ContactRow:
        """The ``j``-th person of an organisation (the first is the primary contact)."""
        f, dice = self.fake, self.dice
        gender = "male" if dice.chance(0.62 if seniority == 2 else 0.45) else "female"
        name = person_name(f, gender)
        age = dice.randint(26, 35) if seniority == 0 else dice.randint(32, 59)
        return ContactRow(
            idx=idx,
            account_idx=acc.idx,
            code=f"DM-C{idx + 1:05d}",
            name=name,
            gender=gender,
            birthday=birthday(dice, self.as_of, age) if dice.chance(0.85) else None,
            title=title,
            department=department,
            seniority=seniority,
            nickname=address_as(name, title, seniority),
            mobile=f.phone_number(),
            phone=f"{acc.phone.split('-')[0]}-{dice.randint(6000_0000, 8999_9999)}"
            if acc.phone
            else "",
            email=f"{f.user_name()}@{acc.domain or dice.pick(FREE_MAIL)}"
            if dice.chance(0.8)
            else "",
            wechat=f"wxid_{f.pystr(min_chars=10, max_chars=10).lower()}"
            if dice.chance(0.5)
            else f"{f.user_name()}{dice.randint(1, 999)}",
            is_primary=j == 0,
            is_active=j == 0 or dice.chance(0.94),
        )
