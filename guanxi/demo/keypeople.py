"""What the planners of the key-accounts pass share: its dice and Faker, the plan they fill, and the
steps each of them takes with the people of a key account: add a person the archive lacks, log a
touchpoint with them, date their relationship stages with evidence, seat an outside influencer.

Every planner of the pass (`centres`, `group`, `accountplans`) works through one `KeyPeople`, so
they draw from one generator in the order the pass runs them and add to the same lists of the
demo's contacts and touchpoints.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from faker import Faker

from guanxi.demo.draw import Dice, Window
from guanxi.demo.rows import (
    AccountRow,
    ContactRow,
    KeyAccountsPlan,
    SeatRow,
    StageRow,
    TouchpointRow,
)
from guanxi.demo.staff import Staff

STAGES = ("goodwill", "trust", "interest", "emotion")
APPROVER, DECISION_MAKER, SUPPORTER, INFLUENCER, USER, GATEKEEPER = (
    "approver", "decision_maker", "supporter", "influencer", "user", "gatekeeper",
)  # fmt: skip

# The external influencer added to a government body or association: (title, department).
EXTERNAL_TITLE = {
    "government": ("会展业促进处处长", "会展业促进处"),
    "association": ("副会长", "理事会"),
}
# What a stage's evidence looks like: (touchpoint kind, subject with {name}, cost range or None).
EVIDENCE = {
    "goodwill": (
        ("visit", "初次拜访{name}，介绍酒店会议场地", None),
        ("event", "邀请{name}参加酒店开放日", None),
        ("banquet", "{name}来店考察，午宴接待", (600, 1500)),
    ),
    "trust": (
        ("banquet", "宴请{name}，沟通年度合作", (1200, 3000)),
        ("visit", "与{name}面谈会议方案，对方采纳建议", None),
        ("visit", "{name}主动介绍内部采购流程", None),
    ),
    "interest": (
        ("visit", "与{name}确定年度框架协议", None),
        ("event", "{name}牵头，在我店举办答谢会", None),
        ("banquet", "{name}推荐新项目，宴请致谢", (1500, 4000)),
    ),
    "emotion": (
        ("gift", "{name}家人生日，送上定制蛋糕和花", (300, 800)),
        ("trip", "陪同{name}一家崂山周末游", (1500, 4000)),
        ("banquet", "{name}家宴，总经理亲自作陪", (2000, 5000)),
    ),
}
NOTE_OF_STAGE = {
    "goodwill": "对酒店印象好，愿意继续交流",
    "trust": "认可我们的专业，愿意听取建议",
    "interest": "合作对其本人工作有实际帮助，双方利益一致",
    "emotion": "私人情谊深厚，逢年过节互相问候",
}
RECENT_TOUCH = (
    ("visit", "拜访{name}，沟通近期会议安排"),
    ("wechat", "微信与{name}确认下月活动细节"),
    ("email", "发送季度会议方案给{name}"),
    ("visit", "{name}来店考察宴会厅"),
)
OLD_TOUCH = (
    ("visit", "拜访{name}"),
    ("wechat", "微信问候{name}"),
    ("event", "{name}参加酒店客户答谢会"),
)


class KeyPeople:
    def __init__(
        self,
        dice: Dice,
        fake: Faker,
        window: Window,
        staff: Staff,
        contacts: list[ContactRow],
        touchpoints: list[TouchpointRow],
    ):
        self.dice = dice
        self.fake = fake
        self.window = window
        self.as_of = window.as_of
        self.staff = staff
        self.out = KeyAccountsPlan()
        self.contacts = contacts  # the demo's contacts: people added here are appended
        self.touchpoints = touchpoints  # likewise the demo's touchpoints
        self.people: dict[int, list[ContactRow]] = defaultdict(list)  # by account idx
        self.names: dict[int, set[str]] = defaultdict(set)  # names taken, by account idx
        for c in contacts:
            self.people[c.account_idx].append(c)
            self.names[c.account_idx].add(c.name)

    def ago(self, lo: int, hi: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.dice.randint(lo, hi))

    # ---- our people

    def visible(self, acc: AccountRow) -> list[str]:
        """Our people who may see the account (`accounts.selectors.account_is_visible`): its
        owner, its co-owners, the lead of its team and the managers, in that order."""
        lead = self.staff.lead_of_team.get(acc.team)
        return list(dict.fromkeys([acc.owner, *acc.co_owners, *([lead] if lead else []),
                                   *self.staff.managers]))  # fmt: skip

    def owners(self, acc: AccountRow) -> tuple[str, str, str]:
        """(the KAM, the team lead, a colleague): our people who can own relationships and plan
        actions here, all of whom may see the account. A team lead's own account is backed by
        the sales manager; the colleague is a co-owner, else (in turn) the manager or the lead."""
        kam = acc.owner
        managers = self.staff.managers
        manager = managers[0] if managers else kam
        lead = self.staff.lead_of_team.get(acc.team) or manager
        if lead == kam:
            lead = manager
        co = [u for u in acc.co_owners if u not in {kam, lead}]
        colleague = co[0] if co else (manager if acc.idx % 2 else lead)
        return kam, lead, colleague

    # ---- their people

    def _person_name(self, account_idx: int, gender: str) -> str:
        """A name no one else at the account has."""
        for _ in range(50):
            f = self.fake
            given = f.first_name_male() if gender == "male" else f.first_name_female()
            name = f.last_name() + given
            if name not in self.names[account_idx]:
                self.names[account_idx].add(name)
                return name
        name = f"{name}{len(self.names[account_idx])}"
        self.names[account_idx].add(name)
        return name

    def add_contact(
        self, acc: AccountRow, title: str, department: str, *, seniority: int,
        birthday: bool = True,
    ) -> ContactRow:  # fmt: skip
        """A person of the account the archive did not have, added to the demo's contacts."""
        dice = self.dice
        gender = "male" if dice.chance(0.6 if seniority >= 2 else 0.48) else "female"
        name = self._person_name(acc.idx, gender)
        idx = len(self.contacts)
        age = dice.randint(26, 34) if seniority == 0 else dice.randint(35, 58)
        bday = None
        if birthday and dice.chance(0.6):
            year = self.as_of.year - age
            bday = dt.date(year, dice.randint(1, 12), dice.randint(1, 28))
        surname = name[0]
        nickname = (
            surname + ("总" if "总" in title or "董事长" in title else "主任" if "主任" in title
                       else "处" if "处长" in title else "局" if "局长" in title else "经理")
            if seniority
            else "小" + surname
        )  # fmt: skip
        row = ContactRow(
            idx=idx,
            account_idx=acc.idx,
            code=f"DM-C{idx + 1:05d}",
            name=name,
            gender=gender,
            birthday=bday,
            title=title,
            department=department,
            seniority=seniority,
            nickname=nickname,
            mobile=f"1{dice.pick((3, 5, 8))}{dice.randint(0, 9)}"
            f"{dice.randint(1000_0000, 9999_9999)}",
            email=f"{self.fake.user_name()}{dice.randint(1, 99)}@{acc.domain}"
            if acc.domain
            else "",
            wechat=f"wxid_{self.fake.pystr(min_chars=10, max_chars=10).lower()}",
        )
        self.contacts.append(row)
        self.people[acc.idx].append(row)
        return row

    # ---- what we did with them

    def touch(
        self, acc: AccountRow, contact: int, day: dt.date, kind: str, subject: str, by: str,
        cost: tuple[int, int] | None = None, others: tuple[int, ...] = (),
    ) -> TouchpointRow:  # fmt: skip
        """A touchpoint logged by ``by`` (never on or after `as_of`), added to the demo's."""
        dice = self.dice
        day = min(day, self.as_of - dt.timedelta(days=1))
        hour = 18 if kind == "banquet" else 9 if kind == "trip" else dice.randint(9, 17)
        row = TouchpointRow(
            account_idx=acc.idx,
            kind=kind,
            occurred_at=self.window.at(day, hour, dice.randint(0, 59)),
            logged_by=by,
            subject=subject,
            cost=None if cost is None else Decimal(dice.randint(*cost) // 10 * 10),
            contact_idx=contact,
            others=others,
        )
        self.touchpoints.append(row)
        return row

    def stages(
        self, acc: AccountRow, seat: SeatRow, person: ContactRow, upto: str, by: str,
        *, last_before: int = 20,
    ) -> dt.date:  # fmt: skip
        """Stage events from goodwill up to ``upto``, the last one at least ``last_before`` days
        ago, each with its evidence touchpoint; returns the day of the last."""
        dice = self.dice
        n = STAGES.index(upto) + 1
        last = self.as_of - dt.timedelta(days=last_before + dice.randint(0, 25))
        gaps = [dice.randint(45, 140) for _ in range(n - 1)]
        day = last - dt.timedelta(days=sum(gaps))
        for i, stage in enumerate(STAGES[:n]):
            kind, subject, cost = dice.pick(EVIDENCE[stage])
            evidence = self.touch(acc, person.idx, day, kind, subject.format(name=person.name),
                                  by, cost)  # fmt: skip
            self.out.stages.append(
                StageRow(acc.idx, person.idx, stage, day, evidence, NOTE_OF_STAGE[stage], by)
            )
            if i < n - 1:
                day += dt.timedelta(days=gaps[i])
        return last

    def external(self, acc: AccountRow, ext: AccountRow, seats: list[SeatRow], kam: str) -> None:
        """A person of a government body or association who sways this account's decisions,
        known through our colleague who owns that account when they may see this one too, else
        through the sales manager."""
        title, dept = EXTERNAL_TITLE[ext.subkind]
        person = next(
            (p for p in self.people[ext.idx] if p.title == title and p.is_active), None
        ) or self.add_contact(ext, title, dept, seniority=1)
        # their own owner if they may see this account too, else the sales manager
        owner = ext.owner if ext.owner in self.visible(acc) else (self.staff.managers or [kam])[0]
        s = SeatRow(acc.idx, person.idx, [INFLUENCER], stance="supporter", influence=4,
                    owner=owner, seniority=1,
                    notes=f"{ext.name}：对其会议选址有话语权")  # fmt: skip
        seats.append(s)
        self.stages(acc, s, person, "trust", owner, last_before=30)
        kind, subject = self.dice.pick(RECENT_TOUCH)
        self.touch(acc, person.idx, self.ago(5, 40), kind, subject.format(name=person.name), owner)
