"""What the KAMs know about a contact: profile facts with their provenance, the people around them
(driver, secretary, spouse, children) and their key dates.

A profile is built the way a KAM builds it over time (seed 004's 客户信息统计表): more facts for
senior people, primary contacts and valuable accounts, each recorded by one of the people who
look after the account, from a source, and more than half of them verified later by the team lead
or the owner.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from faker import Faker

from guanxi.demo import catalog as C
from guanxi.demo.draw import Dice, Window, city, person_name
from guanxi.demo.people import birthday
from guanxi.demo.rows import AccountRow, ContactRow, FactRow, KeyDateRow, RelatedRow
from guanxi.demo.staff import Staff

FACT_SOURCES = (
    ("conversation", 30), ("sales_visit", 25), ("front_line", 15), ("event", 10),
    ("colleague", 10), ("social_media", 7), ("public", 3),
)  # fmt: skip
DRIVER_NOTES = ("开黑色奥迪A6", "开商务车", "喜欢抽烟，备烟灰缸")
CHILD_STAGES = ((6, "上幼儿园"), (12, "在读小学"), (18, "在读中学"), (22, "大学在读"),
                (200, "已工作"))  # fmt: skip

Candidate = tuple[str, str, Any]  # (group, key, value) of a profile fact


class ProfilesPlanner:
    def __init__(self, dice: Dice, fake: Faker, window: Window, staff: Staff):
        self.dice = dice
        self.fake = fake
        self.window = window
        self.as_of = window.as_of
        self.staff = staff

    # ------------------------------------------------------------------ profile facts

    def facts(self, acc: AccountRow, person: ContactRow) -> list[FactRow]:
        """A profile as a KAM builds it over time (004 客户信息统计表), with provenance."""
        dice, lead = self.dice, self.staff.lead_of_team.get(acc.team, acc.owner)
        collectors = [acc.owner, *acc.co_owners, lead]
        verifiers = [lead, acc.owner]
        candidates = self._candidates(acc, person)
        depth = 3 + 2 * person.seniority + (4 if acc.annual > 300_000 else 0)
        depth += 3 if person.is_primary else 0
        chosen = [
            candidates[int(i)]
            for i in sorted(
                dice.rng.choice(len(candidates), size=min(depth, len(candidates)), replace=False)
            )
        ]
        since = max(self.window.start, acc.customer_since or self.window.start)
        since = min(since, self.as_of - dt.timedelta(days=2))
        rows: list[FactRow] = []
        seen: set[tuple[str, str]] = set()
        for group, key, value in chosen:
            if (group, key) in seen:
                continue
            seen.add((group, key))
            recorded = self.window.at(
                dice.day_between(since, self.window.last_day),
                dice.randint(9, 20),
                dice.randint(0, 59),
            )
            row = FactRow(
                contact_idx=person.idx,
                group=group,
                key=key,
                value=value,
                source=dice.pick_weighted(FACT_SOURCES),
                recorded_by=dice.pick(collectors),
                recorded_at=recorded,
            )
            if dice.chance(0.6):
                verified = recorded + dt.timedelta(
                    days=dice.randint(1, 60), hours=dice.randint(0, 6)
                )
                row.verified_at = min(verified, self.window.at(self.window.last_day, 21))
                row.verified_by = dice.pick(verifiers)
            rows.append(row)
        return rows

    def _candidates(self, acc: AccountRow, person: ContactRow) -> list[Candidate]:
        """Every fact the KAM could know about the person; `facts` keeps some of them."""
        dice = self.dice
        ethnicity = dice.pick_weighted(C.ETHNICITIES)
        province, home = city(dice)
        out: list[Candidate] = [
            ("basic", "native_place", f"{province}{home}" if province != home else home),
            ("basic", "ethnicity", ethnicity),
            ("basic", "education", dice.pick(C.EDUCATION)),
            ("basic", "appearance", "，".join(dice.sample(C.APPEARANCE, dice.randint(1, 3)))),
            ("basic", "personality", dice.pick(C.PERSONALITY)),
            ("experience", "hometown_food", C.CUISINE.get(province, "家常菜")),
            ("experience", "background", dice.pick(C.BACKGROUNDS)),
            ("product_needs", "taste", dice.pick(C.TASTES)),
            ("product_needs", "environment", dice.pick(C.ENVIRONMENTS)),
            ("product_needs", "room_preferences", dice.pick(C.ROOM_PREFS)),
            ("preferences", "sports", dice.sample(C.SPORTS, dice.randint(1, 2))),
            ("preferences", "favourite_dishes", dice.sample(C.DISHES, dice.randint(1, 3))),
            ("preferences", "favourite_drinks", dice.sample(C.DRINKS, dice.randint(1, 2))),
            ("preferences", "brands", dice.sample(C.BRANDS, dice.randint(1, 2))),
            ("preferences", "habits", dice.pick(C.HABITS)),
            (
                "life",
                "marital_status",
                "married" if person.seniority or dice.chance(0.5) else "single",
            ),
        ]
        if person.gender == "male" or dice.chance(0.4):
            out += [
                ("basic", "height_cm", dice.randint(158, 186)),
                ("basic", "weight_kg", dice.randint(50, 92)),
            ]
        if ethnicity == "回族":
            # the course's own example (004): a Hui customer who must never be served pork
            out += [("taboos", "dietary", ["猪肉"]), ("basic", "religion", "伊斯兰教")]
        else:
            out.append(("taboos", "dietary", dice.sample(C.DIETARY, 1)))
            if dice.chance(0.1):
                out.append(("basic", "religion", dice.pick(C.RELIGIONS)))
        out += [
            ("taboos", "allergies", dice.sample(C.ALLERGIES, 1)),
            ("taboos", "other", dice.pick(C.OTHER_TABOOS)),
            ("preferences", "colours", dice.sample(C.COLOURS, 1)),
            ("preferences", "reading", dice.sample(C.READING, dice.randint(1, 2))),
            ("product_needs", "service_speed", dice.pick(C.SERVICE_SPEED)),
        ]
        if acc.kind == "organisation":
            out += self._work_candidates(acc)
        return out + self._life_candidates(home)

    def _work_candidates(self, acc: AccountRow) -> list[Candidate]:
        dice, year = self.dice, self.as_of.year
        out: list[Candidate] = [
            ("work", "responsibilities", dice.pick(C.RESPONSIBILITIES)),
            ("work", "business_trips", dice.pick(C.TRIPS)),
            (
                "work",
                "promotions",
                dice.pick(C.PROMOTIONS).format(year=dice.randint(year - 6, year - 1)),
            ),
            (
                "work",
                "company_events",
                dice.pick(C.COMPANY_EVENTS).format(year=dice.randint(year - 2, year + 1)),
            ),
        ]
        if acc.account_type in {"mice", "gov_ent"}:
            out.append(("product_needs", "meeting_preferences", dice.pick(C.MEETING_PREFS)))
        return out

    def _life_candidates(self, home: str) -> list[Candidate]:
        dice, year = self.dice, self.as_of.year
        return [
            (
                "life",
                "family_events",
                dice.pick(C.FAMILY_EVENTS).format(year=dice.randint(year - 1, year + 1)),
            ),
            ("life", "home_address", f"{home}{self.fake.street_address()}"),
            ("value", "spend_per_visit", str(dice.randint(8, 60) * 100)),
            ("value", "visits_per_month", dice.randint(1, 8)),
            ("value", "previous_venues", dice.pick(C.PREVIOUS_VENUES)),
            ("value", "distance_km", f"{dice.uniform(0.5, 25):.1f}"),
        ]

    # ------------------------------------------------------------------ family and key dates

    def family_and_dates(
        self, acc: AccountRow, person: ContactRow
    ) -> tuple[list[RelatedRow], list[KeyDateRow]]:
        """The people around the contact and their key dates (wedding anniversary, the day their
        company was founded, the first deal with us)."""
        dice = self.dice
        related: list[RelatedRow] = []
        dates: list[KeyDateRow] = []
        if person.seniority == 2 and acc.kind == "organisation":
            related += self._aides(acc, person)
        married = person.seniority > 0 or dice.chance(0.5)
        if married and dice.chance(0.55) and person.birthday:
            self._household(person, person.birthday, related, dates)
        if person.is_primary and acc.kind == "organisation" and dice.chance(0.3):
            founded = dt.date(dice.randint(1985, 2018), dice.randint(1, 12), dice.randint(1, 28))
            dates.append(
                KeyDateRow(
                    person.idx, "company", founded, f"{acc.short_name or acc.name}成立纪念日"
                )
            )
        if person.is_primary and acc.customer_since and dice.chance(0.25):
            dates.append(KeyDateRow(person.idx, "first_visit", acc.customer_since, "首次合作"))
        return related, dates

    def _aides(self, acc: AccountRow, person: ContactRow) -> list[RelatedRow]:
        """A senior person's driver, secretary and (in government) office director."""
        f, dice = self.fake, self.dice
        out: list[RelatedRow] = []
        if dice.chance(0.6):
            out.append(
                RelatedRow(
                    person.idx,
                    "driver",
                    person_name(f, "male"),
                    f.phone_number(),
                    notes=dice.pick(DRIVER_NOTES),
                )  # fmt: skip
            )
        if dice.chance(0.5):
            out.append(
                RelatedRow(
                    person.idx,
                    "secretary",
                    person_name(f, "female"),
                    f.phone_number(),
                    notes="日程安排找她",
                )  # fmt: skip
            )
        if acc.subkind == "government" and dice.chance(0.3):
            out.append(
                RelatedRow(person.idx, "office_director", person_name(f, ""), f.phone_number())
            )
        return out

    def _household(
        self,
        person: ContactRow,
        born: dt.date,
        related: list[RelatedRow],
        dates: list[KeyDateRow],
    ) -> None:
        """Spouse, wedding anniversary and children of a married contact born on ``born``."""
        f, dice, this_year = self.fake, self.dice, self.as_of.year
        spouse = person_name(f, "female") if person.gender == "male" else person_name(f, "male")
        related.append(
            RelatedRow(
                person.idx,
                "spouse",
                spouse,
                f.phone_number(),
                birthday=birthday(dice, self.as_of, this_year - born.year + dice.randint(-3, 3)),
            )
        )
        wedding_year = born.year + dice.randint(24, 32)
        if wedding_year < this_year and dice.chance(0.6):
            month = dice.randint(1, 12)
            dates.append(
                KeyDateRow(
                    person.idx,
                    "wedding",
                    dt.date(wedding_year, month, dice.randint(1, 28)),
                    "结婚纪念日",
                )
            )
        children = dice.pick((0, 1, 1, 1, 2)) if wedding_year < this_year else 0
        surname = (person.name if person.gender == "male" else spouse)[0]
        for _c in range(children):
            child_age = max(1, this_year - wedding_year - dice.randint(1, 8))
            stage = next(text for limit, text in CHILD_STAGES if child_age < limit)
            related.append(
                RelatedRow(
                    person.idx,
                    "child",
                    surname + f.first_name(),
                    birthday=birthday(dice, self.as_of, child_age),
                    notes=stage,
                )
            )
