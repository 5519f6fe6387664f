"""The key accounts of the demo: buying centres, relationship stages, organisation relationships and
account plans (issue 5, seeds 000, 001, 004).

Runs after the relations pass (`DemoGenerator.generate`), from its own seeded generator, so every
row drawn before it stays what it was for the seed. It adds:

- **Key accounts**: the most valuable organisations that still buy (about a tenth of the demo,
  12–40), each demo KAM's best one among them. Each gets a buying centre of 4–12 people from its
  contacts (people are added where the archive has too few: 总经理, 采购总监, 财务总监, 前台…)
  with buying roles, attitude, influence, reporting lines (a tree: no loops), rising stars, our
  relationship owners (the KAM, the team lead, a co-owner or the sales manager: only people who
  may see the account), and an external influencer on some
  (a new contact of a government body or association account of the demo, e.g. 青岛市商务局).
  The key decision makers' relationship stages (好感 → 信任 → 利益 → 情感) are dated in the past,
  each with the touchpoint that shows it, and the organisation relationship (supplier stage,
  Kotler level) is set.
- **Stories**: one key account each where a relationship risk shows (the risk codes of
  `guanxi.relationships.risks`): the champion left (contact marked as left), the champion has had
  no touchpoint for 100+ days, every warm relationship runs through one person, every warm
  relationship is owned by the same colleague, no approver is mapped, no decision maker has reached
  trust. The other key accounts are healthy: approver and decision maker at trust or beyond,
  several warm people owned by several of us, everyone warm touched within the last weeks.
- **The group** (`GROUP_NAME`): the most valuable group parent is renamed 华彩医药集团 (its
  subsidiaries follow) and gets exactly `GROUP_SIZE` contacts, all on its buying centre, in a
  reporting tree five levels deep (董事长 → 总裁/副总裁 → 总监 → 经理 → 主管), with stages and
  touchpoints on a good share of them: the relationship map's benchmark account.
- **Account plans** (一企一策) for the current year of about ten key accounts (every KAM's first
  key account among them): situation analysis, rivals fitting the account (hotels and venues,
  guest houses, OTA and business-travel channels, caterers, wedding venues) with seed 004's six
  questions, goals of every measure kind, actions owned by people who may see the account, and
  the reviews held so far, whose minutes read the account's revenue against the target. The plans
  stand differently: on track, one action behind, one badly behind, one started late in the year
  (few actions due); last year's plans of older customers are closed, next year's are drafted
  from November, and a plan started late is still a draft in January.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import numpy as np
from faker import Faker

from guanxi.demo import catalog as C
from guanxi.demo.draw import Window
from guanxi.demo.people import title_set
from guanxi.demo.rows import (
    AccountRow,
    ActionRow,
    CompetitorRow,
    ContactRow,
    GoalRow,
    KeyAccountsPlan,
    OrgRow,
    PlanRow,
    ReviewRow,
    SeatRow,
    StageRow,
    TouchpointRow,
    TxRow,
)
from guanxi.demo.scenarios import Pattern
from guanxi.demo.staff import Staff

KEY_SEED = 505
GROUP_NAME = "华彩医药集团股份有限公司"
GROUP_SHORT = "华彩医药"
GROUP_SIZE = 200
MIN_ACCOUNTS_FOR_GROUP = 20
MAX_KEY_ACCOUNTS = 40
PLANS = 10

# The stories, in the order they are handed out (one account each); the rest are healthy.
STORIES = (
    "single_contact",
    "champion_inactive",
    "single_owner",
    "uncovered_role",
    "champion_left",
    "decision_maker_stage",
)
HEALTHY = "healthy"

STAGES = ("goodwill", "trust", "interest", "emotion")
APPROVER, DECISION_MAKER, SUPPORTER, INFLUENCER, USER, GATEKEEPER = (
    "approver", "decision_maker", "supporter", "influencer", "user", "gatekeeper",
)  # fmt: skip

# The top person of an organisation by its title (the first word found wins; 副… never is).
TOP_WORDS = ("董事长", "局长", "院长", "秘书长", "总经理", "区域经理")
# Who is missing at the top of each kind of organisation: (title, department).
TOP_TITLE = {
    "government": ("局长", "局领导"),
    "institution": ("院长", "院办"),
    "soe": ("董事长", "董事会"),
    "association": ("秘书长", "秘书处"),
    "mice_corporate": ("总经理", "总经办"),
    "corporate": ("总经理", "总经办"),
    "ota": ("区域总监", "酒店事业部"),
    "travel_agency": ("总经理", "总经办"),
    "wedding": ("总经理", "总经办"),
}
# People the KAM maps beyond the archive: (title, department, seniority, roles).
EXTRA_PEOPLE = {
    "government": (
        ("财务科科长", "财务科", 1, (DECISION_MAKER,)),
        ("办公室副主任", "办公室", 1, (GATEKEEPER, INFLUENCER)),
        ("前台接待", "办公室", 0, (GATEKEEPER,)),
        ("会务科科员", "办公室", 0, (USER,)),
        ("后勤服务中心主任", "后勤服务中心", 1, (INFLUENCER, USER)),
    ),
    "institution": (
        ("财务处处长", "财务处", 1, (DECISION_MAKER,)),
        ("后勤处处长", "后勤处", 1, (INFLUENCER,)),
        ("院办秘书", "院办", 0, (GATEKEEPER,)),
        ("会务干事", "院办", 0, (USER,)),
    ),
    "association": (
        ("财务负责人", "秘书处", 1, (DECISION_MAKER,)),
        ("会员部主任", "会员部", 1, (INFLUENCER,)),
        ("秘书处前台", "秘书处", 0, (GATEKEEPER,)),
        ("学术部主任", "学术部", 1, (INFLUENCER, USER)),
    ),
    "default": (
        ("采购总监", "采购部", 1, (DECISION_MAKER,)),
        ("财务总监", "财务部", 1, (DECISION_MAKER, INFLUENCER)),
        ("前台", "行政部", 0, (GATEKEEPER,)),
        ("总经理助理", "总经办", 1, (GATEKEEPER, INFLUENCER)),
        ("行政主管", "行政部", 0, (USER,)),
        ("人力资源经理", "人力资源部", 1, (INFLUENCER, USER)),
        ("市场总监", "市场部", 1, (INFLUENCER,)),
        ("工会主席", "工会", 1, (INFLUENCER, USER)),
    ),
}
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

WIN_BACK_SUBJECTS = ("挽回电话：了解采购减少的原因", "回访：询问近期会议和住宿安排",
                     "电话沟通新的会议套餐优惠", "挽回电话：邀请来店体验新菜品")  # fmt: skip

# Group tree: (director title, department, manager titles) under each vice president.
GROUP_VPS = (
    ("副总裁（分管营销）", (
        ("市场总监", "市场部", ("品牌经理", "会务经理", "数字营销经理")),
        ("销售总监", "销售部", ("华东区销售经理", "华北区销售经理", "大客户经理")),
        ("医学事务总监", "医学部", ("医学联络经理", "学术推广经理", "医学信息经理")),
        ("商务拓展总监", "商务拓展部", ("渠道经理", "合作伙伴经理", "招商经理")),
    )),
    ("副总裁（分管财务）", (
        ("财务总监", "财务部", ("财务经理", "预算经理", "费用控制经理")),
        ("审计总监", "审计部", ("内审经理", "合规经理", "风险经理")),
        ("投资总监", "投资部", ("投资经理", "证券事务经理", "资金经理")),
    )),
    ("副总裁（分管行政与采购）", (
        ("行政总监", "行政部", ("行政经理", "接待经理", "后勤经理")),
        ("采购总监", "采购部", ("采购经理", "供应商管理经理", "招标经理")),
        ("人力资源总监", "人力资源部", ("培训经理", "招聘经理", "薪酬经理")),
        ("信息总监", "信息部", ("IT经理", "数据经理", "网络安全经理")),
    )),
    ("副总裁（分管研发）", (
        ("研发总监", "研发中心", ("项目经理", "制剂研发经理", "分析研发经理")),
        ("临床研究总监", "临床研究部", ("临床运营经理", "临床监查经理", "数据管理经理")),
        ("注册事务总监", "注册部", ("注册经理", "药政事务经理", "知识产权经理")),
    )),
    ("副总裁（分管生产）", (
        ("生产总监", "生产部", ("车间经理", "生产计划经理", "设备经理")),
        ("质量总监", "质量部", ("质量保证经理", "质量控制经理", "验证经理")),
        ("供应链总监", "供应链部", ("物流经理", "仓储经理", "计划经理")),
        ("EHS总监", "EHS部", ("安全经理", "环保经理", "职业健康经理")),
    )),
)  # fmt: skip
GROUP_PRESIDENT_DIRECTORS = (
    ("战略发展总监", "战略发展部", ("战略规划经理", "投资者关系经理", "品牌公关经理")),
    ("总裁办主任", "总裁办", ("总裁秘书", "会议管理经理", "行政接待经理")),
)  # fmt: skip


class KeyAccountsPlanner:
    def __init__(self, *, seed: int, window: Window, staff: Staff, used_names: set[str]):
        self.window = window
        self.staff = staff
        self.used_names = used_names
        self.as_of = window.as_of
        self.rng = np.random.default_rng([seed, KEY_SEED])
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(seed * 1000 + KEY_SEED)
        self.team_of: dict[str, int | None] = {u: team for u, _f, _g, _r, team, _p in C.STAFF}
        self.role_of: dict[str, str] = {u: role for u, _f, _g, role, _t, _p in C.STAFF}
        self.name_of: dict[str, str] = {u: f + g for u, f, g, _r, _t, _p in C.STAFF}
        self.managers: list[str] = [u for u, _f, _g, role, _t, _p in C.STAFF if role == "manager"]
        self.out = KeyAccountsPlan()
        self.contacts: list[ContactRow] = []
        self.touchpoints: list[TouchpointRow] = []
        self.people: dict[int, list[ContactRow]] = defaultdict(list)
        self.names: dict[int, set[str]] = defaultdict(set)

    # ---- helpers on our own generator
    def u(self, lo: float, hi: float) -> float:
        return float(self.rng.uniform(lo, hi))

    def ri(self, lo: int, hi: int) -> int:
        return int(self.rng.integers(lo, hi + 1))

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def pick(self, seq):
        return seq[int(self.rng.integers(len(seq)))]

    def ago(self, lo: int, hi: int) -> dt.date:
        return self.as_of - dt.timedelta(days=self.ri(lo, hi))

    # ---- the whole pass
    def plan(
        self,
        accounts: list[AccountRow],
        contacts: list[ContactRow],
        touchpoints: list[TouchpointRow],
        txs: list[TxRow],
    ) -> KeyAccountsPlan:
        self.accounts, self.contacts, self.touchpoints = accounts, contacts, touchpoints
        for c in contacts:
            self.people[c.account_idx].append(c)
            self.names[c.account_idx].add(c.name)
        keys = self._key_accounts(accounts)
        if not keys:
            return self.out
        group = self._group(accounts, keys)
        externals = self._external_accounts(accounts)
        candidates = self._interleaved([a for a in keys if a.idx != self.out.group_idx])
        for acc, story in zip(candidates, STORIES, strict=False):
            self.out.stories[story] = acc.idx
        story_of = {idx: story for story, idx in self.out.stories.items()}
        for n, acc in enumerate(keys):
            if group is not None and acc.idx == group.idx:
                self._group_centre(acc, externals)
                continue
            story = story_of.get(acc.idx, HEALTHY)
            external = externals and story == HEALTHY and (n % 3 == 0)
            self._centre(acc, story, externals if external else [])
        self._plans(keys, txs)
        self._win_back_calls(accounts, txs)
        return self.out

    # ---- lifecycle: the win-back calls of accounts in decline
    def _win_back_calls(self, accounts: list[AccountRow], txs: list[TxRow]) -> None:
        """The owners call the accounts whose revenue fell by 30% or more (seed 001's decline
        stage, whose policy asks for a win-back call every 14 days) about every two weeks over
        the last months; a few are let slide. Revenue as the lifecycle metric reads it: the 365
        days up to `as_of` against the 365 before."""
        start = self.window.at(self.as_of - dt.timedelta(days=364), 0)
        earlier = self.window.at(self.as_of - dt.timedelta(days=729), 0)
        recent: dict[int, float] = defaultdict(float)
        before: dict[int, float] = defaultdict(float)
        for t in txs:
            if t.occurred_at >= start:
                recent[t.account_idx] += float(t.amount)
            elif t.occurred_at >= earlier:
                before[t.account_idx] += float(t.amount)
        for acc in accounts:
            if not before[acc.idx] or recent[acc.idx] > 0.75 * before[acc.idx]:
                continue  # (a margin below the 30% fall: a few more calls never hurt)
            person = next((p for p in self.people[acc.idx] if p.is_active), None)
            if person is None:
                continue
            back = self.ri(20, 45) if self.chance(0.12) else self.ri(1, 12)
            while back <= 120:
                self._touch(acc, person.idx, self.as_of - dt.timedelta(days=back), "call",
                            self.pick(WIN_BACK_SUBJECTS), acc.owner)  # fmt: skip
                back += self.ri(10, 14)

    # ---- choosing the key accounts
    def _key_accounts(self, accounts: list[AccountRow]) -> list[AccountRow]:
        eligible = sorted(
            (
                a
                for a in accounts
                if a.kind == "organisation" and a.pattern not in {Pattern.CHURNED, Pattern.ONE_OFF}
            ),
            key=lambda a: (-a.annual, a.idx),
        )
        wanted = min(MAX_KEY_ACCOUNTS, max(12, len(accounts) // 10), len(eligible))
        chosen: list[AccountRow] = []
        for username, _f, _g, _role, _team, _p in C.STAFF:  # every owner's best one first
            best = next((a for a in eligible if a.owner == username), None)
            if best is not None and len(chosen) < wanted:
                chosen.append(best)
        for acc in eligible:
            if len(chosen) >= wanted:
                break
            if acc not in chosen:
                chosen.append(acc)
        chosen.sort(key=lambda a: (-a.annual, a.idx))
        self.out.key_accounts = [a.idx for a in chosen]
        return chosen

    def _interleaved(self, accounts: list[AccountRow]) -> list[AccountRow]:
        """One account per owner in turn (owners in the staff list's order), so the stories are
        spread over the KAMs."""
        by_owner: dict[str, list[AccountRow]] = defaultdict(list)
        for acc in accounts:
            by_owner[acc.owner].append(acc)
        order = [u for u, *_r in C.STAFF if u in by_owner]
        out: list[AccountRow] = []
        while any(by_owner[u] for u in order):
            for u in order:
                if by_owner[u]:
                    out.append(by_owner[u].pop(0))
        return out

    def _external_accounts(self, accounts: list[AccountRow]) -> list[AccountRow]:
        """Government bodies and associations whose people can sway our key accounts (商务局,
        文化和旅游局, 贸促会 and associations first)."""
        preferred = ("商务局", "文化和旅游局", "贸促会", "会展业协会", "旅游饭店")
        pool = [a for a in accounts if a.subkind in EXTERNAL_TITLE]
        pool.sort(key=lambda a: (not any(w in a.name for w in preferred), a.idx))
        return pool[:3]

    # ---- people
    def _person_name(self, account_idx: int, gender: str) -> str:
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

    def _add_contact(
        self, acc: AccountRow, title: str, department: str, *, seniority: int,
        birthday: bool = True,
    ) -> ContactRow:  # fmt: skip
        gender = "male" if self.chance(0.6 if seniority >= 2 else 0.48) else "female"
        name = self._person_name(acc.idx, gender)
        idx = len(self.contacts)
        age = self.ri(26, 34) if seniority == 0 else self.ri(35, 58)
        bday = None
        if birthday and self.chance(0.6):
            year = self.as_of.year - age
            bday = dt.date(year, self.ri(1, 12), self.ri(1, 28))
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
            mobile=f"1{self.pick((3, 5, 8))}{self.ri(0, 9)}{self.ri(1000_0000, 9999_9999)}",
            email=f"{self.fake.user_name()}{self.ri(1, 99)}@{acc.domain}" if acc.domain else "",
            wechat=f"wxid_{self.fake.pystr(min_chars=10, max_chars=10).lower()}",
        )
        self.contacts.append(row)
        self.people[acc.idx].append(row)
        return row

    def _visible(self, acc: AccountRow) -> list[str]:
        """Our people who may see the account (`accounts.selectors.account_is_visible`): its
        owner, its co-owners, the lead of its team and the managers, in that order."""
        lead = self.staff.lead_of_team.get(acc.team)
        return list(dict.fromkeys([acc.owner, *acc.co_owners, *([lead] if lead else []),
                                   *self.managers]))  # fmt: skip

    def _owners(self, acc: AccountRow) -> tuple[str, str, str]:
        """(the KAM, the team lead, a colleague): our people who can own relationships and plan
        actions here, all of whom may see the account. A team lead's own account is backed by
        the sales manager; the colleague is a co-owner, else (in turn) the manager or the lead."""
        kam = acc.owner
        manager = self.managers[0] if self.managers else kam
        lead = self.staff.lead_of_team.get(acc.team) or manager
        if lead == kam:
            lead = manager
        co = [u for u in acc.co_owners if u not in {kam, lead}]
        colleague = co[0] if co else (manager if acc.idx % 2 else lead)
        return kam, lead, colleague

    def _touch(
        self, acc: AccountRow, contact: int, day: dt.date, kind: str, subject: str, by: str,
        cost: tuple[int, int] | None = None, others: tuple[int, ...] = (),
    ) -> TouchpointRow:  # fmt: skip
        day = min(day, self.as_of - dt.timedelta(days=1))
        hour = 18 if kind == "banquet" else 9 if kind == "trip" else self.ri(9, 17)
        row = TouchpointRow(
            account_idx=acc.idx,
            kind=kind,
            occurred_at=self.window.at(day, hour, self.ri(0, 59)),
            logged_by=by,
            subject=subject,
            cost=None if cost is None else Decimal(self.ri(*cost) // 10 * 10),
            contact_idx=contact,
            others=others,
        )
        self.touchpoints.append(row)
        return row

    def _stages(
        self, acc: AccountRow, seat: SeatRow, person: ContactRow, upto: str, by: str,
        *, last_before: int = 20,
    ) -> dt.date:  # fmt: skip
        """Stage events from goodwill up to ``upto``, the last one at least ``last_before`` days
        ago, each with its evidence touchpoint; returns the day of the last."""
        n = STAGES.index(upto) + 1
        last = self.as_of - dt.timedelta(days=last_before + self.ri(0, 25))
        gaps = [self.ri(45, 140) for _ in range(n - 1)]
        day = last - dt.timedelta(days=sum(gaps))
        for i, stage in enumerate(STAGES[:n]):
            kind, subject, cost = self.pick(EVIDENCE[stage])
            evidence = self._touch(acc, person.idx, day, kind, subject.format(name=person.name),
                                   by, cost)  # fmt: skip
            self.out.stages.append(
                StageRow(acc.idx, person.idx, stage, day, evidence, NOTE_OF_STAGE[stage], by)
            )
            if i < n - 1:
                day += dt.timedelta(days=gaps[i])
        return last

    # ---- one key account's buying centre
    @staticmethod
    def _top_rank(title: str) -> int | None:
        if title.startswith("副"):
            return None
        return next((i for i, w in enumerate(TOP_WORDS) if w in title), None)

    @staticmethod
    def _roles_for(title: str, seniority: int) -> list[str]:
        if seniority >= 2:
            return [DECISION_MAKER]
        if any(w in title for w in ("采购", "财务")):
            return [DECISION_MAKER] if seniority else [USER, INFLUENCER]
        if any(w in title for w in ("前台", "助理", "秘书")):
            return [GATEKEEPER]
        if "办公室主任" in title:
            return [GATEKEEPER, INFLUENCER]
        if seniority == 1:
            return [INFLUENCER, USER] if any(w in title for w in ("会务", "行政")) else [INFLUENCER]
        return [USER]

    def _centre(self, acc: AccountRow, story: str, externals: list[AccountRow]) -> None:
        kam, lead, colleague = self._owners(acc)
        titles = title_set(acc)
        extras = EXTRA_PEOPLE.get(titles, EXTRA_PEOPLE["default"])
        seats: list[SeatRow] = []
        people: dict[int, ContactRow] = {}
        added: set[int] = set()

        def seat(person: ContactRow, roles, seniority: int, new: bool) -> SeatRow:
            s = SeatRow(acc.idx, person.idx, list(roles), seniority=seniority)
            seats.append(s)
            people[person.idx] = person
            if new:
                added.add(person.idx)
            return s

        archive = [p for p in self.people[acc.idx] if p.is_active]
        ranked = sorted(
            (p for p in archive if self._top_rank(p.title) is not None),
            key=lambda p: (self._top_rank(p.title), p.idx),
        )
        top_person = ranked[0] if ranked else None
        for p in archive:
            roles = [APPROVER] if p is top_person else self._roles_for(p.title, p.seniority)
            seat(p, roles, 3 if p is top_person else p.seniority, False)
        if top_person is None:
            title, dept = TOP_TITLE[titles]
            top_person = self._add_contact(acc, title, dept, seniority=2)
            seat(top_person, [APPROVER], 3, True)
        top = next(s for s in seats if s.contact_idx == top_person.idx)
        # 5–10 people; the story may add one or two more (never beyond 12)
        size = self.ri(5, 8) if self.chance(0.75) else self.ri(9, 10)
        pool = [e for e in extras if not any(people[s.contact_idx].title == e[0] for s in seats)]
        # a decision maker and a gatekeeper first, then whoever the KAM has come to know
        pool.sort(key=lambda e: (DECISION_MAKER not in e[3], GATEKEEPER not in e[3]))
        pool = pool[:2] + [pool[2:][int(i)] for i in self.rng.permutation(len(pool[2:]))]
        for title, dept, seniority, roles in pool:
            if len(seats) >= size and any(DECISION_MAKER in s.roles for s in seats):
                break
            seat(self._add_contact(acc, title, dept, seniority=seniority), roles, seniority, True)
        # the champion: someone we added (the archive's people are the ones who book), never the
        # approver; a decision maker unless the story needs the decision makers cold
        decision = [s for s in seats if s is not top and DECISION_MAKER in s.roles]
        others = [s for s in seats if s is not top and DECISION_MAKER not in s.roles
                  and GATEKEEPER not in s.roles]  # fmt: skip
        if story == "decision_maker_stage":
            pool_c = [s for s in others if s.contact_idx in added] or others
        else:
            pool_c = [s for s in decision if s.contact_idx in added] or decision
        if not pool_c:
            person = self._add_contact(acc, "采购总监", "采购部", seniority=1)
            pool_c = [seat(person, [DECISION_MAKER], 1, True)]
        champion = pool_c[0]
        if story in {"champion_left", "champion_inactive"} and not [
            s for s in decision if s is not champion
        ]:
            # someone else decides with the champion, so the decision role stays covered
            title, dept = TOP_TITLE[titles]
            person = self._add_contact(acc, f"副{title}", dept, seniority=2)
            seat(person, [DECISION_MAKER], 2, True)
        rest = [s for s in seats if s is not top and s is not champion]
        supporter = next((s for s in rest if s.seniority >= 1 and GATEKEEPER not in s.roles),
                         rest[0] if rest else None)  # fmt: skip

        # reporting lines: a tree under the top person (to someone a level higher, always)
        bosses = {}
        for s in seats:
            above = [b for b in seats if b.seniority > s.seniority]
            if s is top or not above:
                bosses[id(s)] = None
                continue
            # the head of their own department if there is one, else someone a level up
            dept = people[s.contact_idx].department
            same = [b for b in above if people[b.contact_idx].department == dept]
            nearest = min(b.seniority for b in same or above)
            level = [b for b in same or above if b.seniority == nearest]
            bosses[id(s)] = self.pick(level).contact_idx
        for s in seats:
            s.reports_to_idx = bosses[id(s)]
            s.influence = {3: 5, 2: 4, 1: 3, 0: 2}[s.seniority]
            if GATEKEEPER in s.roles and s.seniority == 0:
                s.influence = 1
        top.seniority = 2  # back to the archive's scale
        champion.stance, champion.owner, champion.influence = (
            "champion",
            kam,
            max(champion.influence, 4),
        )
        top.stance, top.owner = "supporter", lead
        if supporter is not None:
            supporter.stance, supporter.owner = "supporter", colleague
        for s in rest:
            if s is supporter:
                continue
            s.stance = self.pick(("neutral", "neutral", "neutral", "supporter", "sceptic"))
            if s.stance == "supporter":
                s.owner = self.pick((kam, colleague))
            elif self.chance(0.5):
                s.owner = kam
        stars = [s for s in rest if s.seniority == 1 and s is not supporter]
        if stars and self.chance(0.6):
            star = self.pick(stars)
            star.rising_star = True
            star.notes = "年轻有冲劲，明年有望接任部门负责人"

        # the stories bend the healthy picture
        last_touch_days = (5, 45)
        if story == "single_contact":
            top.stance, top.owner = "champion", kam
            top.notes = "所有合作都通过总负责人本人拍板，其他人几乎不认识我们"
            for s in seats:
                if s is not top:
                    s.stance = "neutral" if s is not champion else "sceptic"
                    s.owner = None
            champion.notes = "对我们的价格有疑虑"
        elif story == "single_owner":
            for s in seats:
                if s.stance in {"champion", "supporter"}:
                    s.owner = colleague
            top.notes = f"关系一直由{self.name_of.get(colleague, colleague)}维护，其他同事很少接触"
        elif story == "uncovered_role":
            top.roles = [DECISION_MAKER]
            top.notes = "最终审批在上级集团总部，审批人尚未接触"
        elif story == "champion_left":
            person = people[champion.contact_idx]
            person.is_active = False
            person.notes = "已离职（跳槽至同行），关系需要重建"
            champion.notes = "原内部支持者，已离职"
        elif story == "champion_inactive":
            champion.notes = "调岗到外地项目后很少联系"

        # stages, evidence and recent touchpoints
        stage_of = {s.contact_idx: None for s in seats}
        stage_of[champion.contact_idx] = self.pick(("interest", "emotion"))
        stage_of[top.contact_idx] = self.pick(("trust", "trust", "interest"))
        for s in seats:
            if s is champion or s is top:
                continue
            if s.stance == "supporter":
                stage_of[s.contact_idx] = self.pick(("trust", "trust", "interest"))
            elif DECISION_MAKER in s.roles:
                stage_of[s.contact_idx] = self.pick(("goodwill", "trust", "trust"))
            elif self.chance(0.5):
                stage_of[s.contact_idx] = "goodwill"
        if story == "single_contact":
            stage_of = {k: ("goodwill" if v else None) for k, v in stage_of.items()}
            stage_of[top.contact_idx] = "interest"
        elif story == "decision_maker_stage":
            for s in seats:
                if APPROVER in s.roles or DECISION_MAKER in s.roles:
                    stage_of[s.contact_idx] = "goodwill" if s is top else None
                    s.stance = "neutral" if s is not top else "sceptic"
            top.notes = "更看重价格，对我们仍在观望"
            # the warm people are below the decision makers: a second one, owned by a colleague
            helpers = [
                s
                for s in seats
                if s is not champion and not ({APPROVER, DECISION_MAKER} & set(s.roles))
            ]
            if not helpers:
                person = self._add_contact(acc, "行政经理", "行政部", seniority=1)
                helpers = [seat(person, [INFLUENCER, USER], 1, True)]
                helpers[0].reports_to_idx = top.contact_idx
                stage_of[person.idx] = None
            helper = helpers[0]
            helper.stance, helper.owner = "supporter", colleague
            stage_of[helper.contact_idx] = "trust"
        for s in seats:
            person = people[s.contact_idx]
            by = s.owner or kam
            stage = stage_of[s.contact_idx]
            inactive = s is champion and story in {"champion_inactive", "champion_left"}
            if stage:
                self._stages(acc, s, person, stage, by, last_before=150 if inactive else 20)
            warm_or_deciding = s.stance in {"champion", "supporter"} or (
                APPROVER in s.roles or DECISION_MAKER in s.roles
            )
            if inactive:
                kind, subject = self.pick(OLD_TOUCH)
                self._touch(acc, person.idx, self.ago(105, 140), kind,
                            subject.format(name=person.name), by)  # fmt: skip
            elif warm_or_deciding:
                kind, subject = self.pick(RECENT_TOUCH)
                self._touch(acc, person.idx, self.ago(*last_touch_days), kind,
                            subject.format(name=person.name), by)  # fmt: skip
            elif self.chance(0.5):
                kind, subject = self.pick(OLD_TOUCH)
                self._touch(acc, person.idx, self.ago(20, 170), kind,
                            subject.format(name=person.name), by)  # fmt: skip
        for ext in [e for e in externals if e.idx != acc.idx][:1]:
            if len(seats) < 12:
                self._external(acc, ext, seats, kam)
        self.out.seats.extend(seats)
        self._relationship(acc, story)

    def _external(self, acc: AccountRow, ext: AccountRow, seats: list[SeatRow], kam: str) -> None:
        """A person of a government body or association who sways this account's decisions,
        known through our colleague who owns that account when they may see this one too, else
        through the sales manager."""
        title, dept = EXTERNAL_TITLE[ext.subkind]
        person = next(
            (p for p in self.people[ext.idx] if p.title == title and p.is_active), None
        ) or self._add_contact(ext, title, dept, seniority=1)
        # their own owner if they may see this account too, else the sales manager
        owner = ext.owner if ext.owner in self._visible(acc) else (self.managers or [kam])[0]
        s = SeatRow(acc.idx, person.idx, [INFLUENCER], stance="supporter", influence=4,
                    owner=owner, seniority=1,
                    notes=f"{ext.name}：对其会议选址有话语权")  # fmt: skip
        seats.append(s)
        self._stages(acc, s, person, "trust", owner, last_before=30)
        kind, subject = self.pick(RECENT_TOUCH)
        self._touch(acc, person.idx, self.ago(5, 40), kind, subject.format(name=person.name), owner)

    def _relationship(self, acc: AccountRow, story: str) -> None:
        if story == HEALTHY:
            stage = self.pick(("core", "core", "strategic", "main"))
        else:
            stage = self.pick(("main", "main", "core", "general"))
        kotler = {
            "general": "reactive",
            "main": self.pick(("accountable", "reactive")),
            "core": self.pick(("proactive", "accountable")),
            "strategic": "partnership",
        }[stage]
        notes = {
            "general": "偶尔合作，尚未进入对方主要供应商名录",
            "main": "主要供应商之一，与两三家酒店轮换",
            "core": "核心供应商，年度会议大部分在我店举办",
            "strategic": "战略合作伙伴，签有年度框架协议并共同策划活动",
        }[stage]
        self.out.relationships.append(OrgRow(acc.idx, stage, kotler, notes))

    # ---- the group with 200 people
    def _group(self, accounts: list[AccountRow], keys: list[AccountRow]) -> AccountRow | None:
        if len(accounts) < MIN_ACCOUNTS_FOR_GROUP:
            return None
        parents = {a.parent_idx for a in accounts if a.parent_idx is not None}
        groups = sorted(
            (a for a in accounts if a.idx in parents and a.kind == "organisation"
             and a.pattern not in {Pattern.CHURNED, Pattern.ONE_OFF}),
            key=lambda a: (-a.annual, a.idx),
        )  # fmt: skip
        group = next(iter(groups), None) or next(
            (a for a in keys if a.subkind in {"soe", "corporate", "mice_corporate"}), None
        )
        if group is None:
            return None
        if group not in keys:  # a group is a key account, whatever its revenue
            keys.append(group)
            keys.sort(key=lambda a: (-a.annual, a.idx))
            self.out.key_accounts = [a.idx for a in keys]
        self.out.group_idx = group.idx
        self.used_names.discard(group.name)
        group.name, group.short_name = GROUP_NAME, GROUP_SHORT
        group.english_name = "Huacai Pharmaceutical Group Co., Ltd."
        group.domain, group.website = "huacaipharma.com.cn", "https://www.huacaipharma.com.cn"
        group.industry, group.scale, group.organisation_form = "pharma", "group", "company"
        group.enterprise_nature = "private"
        group.organisation_structure = (
            "董事会下设总裁办；五位副总裁分管营销、财务、行政与采购、研发、生产"
        )
        for child in accounts:
            if child.parent_idx == group.idx:
                city = child.city.removesuffix("市")
                child.name = f"华彩医药（{city}）有限公司"
                child.short_name = f"华彩{city}"
                child.domain, child.website = group.domain, group.website
                child.industry, child.enterprise_nature = "pharma", "private"
        # a second subsidiary in the same city is another line of the business
        seen: dict[str, int] = {}
        lines = ("销售", "物流", "研发", "医药商业", "健康产业")
        for child in accounts:
            if child.parent_idx == group.idx:
                n = seen[child.name] = seen.get(child.name, 0) + 1
                if n > 1:
                    child.name = child.name.replace("）有限公司", f"）{lines[(n - 2) % 5]}有限公司")
        return group

    def _group_tree(self) -> list[tuple[int, str, str, int]]:
        """The group's positions: (level 1–5, title, department, index of the boss position)."""
        slots: list[tuple[int, str, str, int]] = [(1, "董事长", "董事会", -1)]
        slots.append((2, "总裁", "总裁办", 0))
        directors: list[tuple[int, tuple[str, str, tuple[str, ...]]]] = []
        for d in GROUP_PRESIDENT_DIRECTORS:
            directors.append((1, d))
        for vp_title, ds in GROUP_VPS:
            slots.append((2, vp_title, "集团领导", 0))
            for d in ds:
                directors.append((len(slots) - 1, d))
        managers: list[tuple[int, str, str]] = []
        for boss, (title, dept, manager_titles) in directors:
            slots.append((3, title, dept, boss))
            d_idx = len(slots) - 1
            for m in manager_titles:
                managers.append((d_idx, m, dept))
        m_slots: list[tuple[int, str]] = []
        for boss, title, dept in managers:
            slots.append((4, title, dept, boss))
            m_slots.append((len(slots) - 1, title))
        # the supervisors fill the rest: two under most managers, one under the last ones
        i = 0
        while len(slots) < GROUP_SIZE:
            boss, title = m_slots[i % len(m_slots)]
            dept = slots[boss][2]
            base = title[:-2] if title.endswith("经理") else dept.removesuffix("部")
            slots.append((5, f"{base}主管", dept, boss))
            i += 1
        # the reception desk of the president's office (总裁办前台)
        slots[-1] = (
            5,
            "前台",
            "总裁办",
            next(k for k, s in enumerate(slots) if s[1] == "总裁办主任"),
        )
        return slots[:GROUP_SIZE]

    def _group_centre(self, acc: AccountRow, externals: list[AccountRow]) -> None:
        kam, lead, colleague = self._owners(acc)
        others = [u for u in self._visible(acc) if u not in {kam, lead, colleague}]
        slots = self._group_tree()
        # the archive's people take positions of their level; new people fill the others
        archive = list(self.people[acc.idx])
        level_of_archive = {}
        for p in archive:
            if "董事长" in p.title and not p.title.startswith("副"):
                level = 1
            else:
                level = {2: 2, 1: 4}.get(p.seniority, 5)
            level_of_archive[p.idx] = level
        taken: dict[int, ContactRow] = {}
        for p in sorted(archive, key=lambda p: (level_of_archive[p.idx], p.idx)):
            level = level_of_archive[p.idx]
            free = [k for k, s in enumerate(slots) if s[0] == level and k not in taken
                    and s[1] not in {"总裁", "前台"}]  # fmt: skip
            if free:
                taken[free[-1] if level > 1 else free[0]] = p
        person_at: dict[int, ContactRow] = {}
        for k, (level, title, dept, _boss) in enumerate(slots):
            if k in taken:
                person_at[k] = taken[k]
            else:
                seniority = {1: 2, 2: 2, 3: 1, 4: 1, 5: 0}[level]
                person_at[k] = self._add_contact(acc, title, dept, seniority=seniority,
                                                 birthday=level <= 3)  # fmt: skip
        owners = [kam, kam, lead, colleague, *others]  # only people who may see the group
        for k, (level, title, _dept, boss) in enumerate(slots):
            person = person_at[k]
            if k == 0:
                roles = [APPROVER]
            elif level == 2:
                roles = [DECISION_MAKER]
            elif any(w in title for w in ("采购", "财务", "行政总监", "医学事务")) and level <= 4:
                roles = [DECISION_MAKER] if level == 3 else [INFLUENCER]
            elif title in {"前台", "总裁秘书"} or "总裁办主任" in title:
                roles = [GATEKEEPER]
            elif level == 3:
                roles = [INFLUENCER]
            elif level == 4:
                roles = [INFLUENCER, USER] if self.chance(0.4) else [USER]
            else:
                roles = [USER]
            influence = {1: 5, 2: 5 if title == "总裁" else 4, 3: 3, 4: 2, 5: 1}[level]
            stance = self.pick(
                ("champion", "supporter", "supporter", "neutral", "neutral", "neutral", "sceptic")
                if level <= 3
                else (
                    "supporter",
                    "neutral",
                    "neutral",
                    "neutral",
                    "neutral",
                    "neutral",
                    "neutral",
                    "sceptic",
                )  # fmt: skip
            )
            if k == 0:
                stance = "supporter"
            if not person.is_active:  # left before we mapped the group: no relationship
                stance = "neutral"
            if level <= 2:
                owner = lead if k <= 1 else self.pick(owners[:3])
            else:
                owner = self.pick(owners) if self.chance(0.7) else None
            s = SeatRow(
                acc.idx, person.idx, roles, stance=stance, influence=influence,
                reports_to_idx=person_at[boss].idx if boss >= 0 else None,
                rising_star=level in {3, 4} and self.chance(0.06), owner=owner,
                seniority=level,
            )  # fmt: skip
            self.out.seats.append(s)
            by = owner or kam
            warm = stance in {"champion", "supporter"}
            stage = None
            if k <= 1:
                stage = "interest" if k == 0 else "trust"
            elif warm:
                stage = self.pick(("goodwill", "trust", "trust", "interest", "emotion")
                                  if stance == "champion" else ("goodwill", "trust"))  # fmt: skip
            elif level <= 4 and self.chance(0.35):
                stage = "goodwill"
            if stage and person.is_active:
                self._stages(acc, s, person, stage, by, last_before=self.ri(10, 60))
            if (warm or level <= 2) and person.is_active:
                kind, subject = self.pick(RECENT_TOUCH)
                self._touch(acc, person.idx, self.ago(3, 45), kind,
                            subject.format(name=person.name), by)  # fmt: skip
        # meetings with several of them at once
        for _ in range(6):
            director = self.pick([k for k, s in enumerate(slots) if s[0] == 3])
            team = [person_at[k].idx for k, s in enumerate(slots) if s[3] == director][:4]
            self._touch(acc, person_at[director].idx, self.ago(10, 300), "visit",
                        f"与{slots[director][2]}团队座谈年度会议需求", kam,
                        others=tuple(team))  # fmt: skip
        for ext in [e for e in externals if e.idx != acc.idx][:2]:
            self._external(acc, ext, self.out.seats, kam)
        self.out.relationships.append(
            OrgRow(acc.idx, "core", "proactive", "集团核心供应商；目标两年内成为战略伙伴")
        )

    # ---- account plans
    def _plans(self, keys: list[AccountRow], txs: list[TxRow]) -> None:
        """This year's plans of about ten key accounts, each in its own state (`PROFILES`): on
        track, one overdue, badly behind, or started late with few actions due yet; last year's
        closed plans of a few of them, and next year's drafts once the year is ending."""
        chosen: list[AccountRow] = []
        for username, *_rest in C.STAFF:  # every KAM's first key account
            first = next((a for a in keys if a.owner == username), None)
            if first is not None and self.role_of[username] == "kam" and len(chosen) < PLANS:
                chosen.append(first)
        for acc in keys:
            if len(chosen) >= PLANS:
                break
            if acc not in chosen:
                chosen.append(acc)
        year_ago = self.window.at(self.as_of - dt.timedelta(days=365), 0)
        revenue: dict[int, float] = defaultdict(float)
        margin: dict[int, float] = defaultdict(float)
        count: dict[int, int] = defaultdict(int)
        wanted = {a.idx for a in chosen}
        self.monthly: dict[tuple[int, int, int], float] = defaultdict(float)
        for t in txs:
            if t.account_idx not in wanted:
                continue
            day = t.occurred_at.date()
            self.monthly[(t.account_idx, day.year, day.month)] += float(t.amount)
            if t.occurred_at >= year_ago:
                revenue[t.account_idx] += float(t.amount)
                margin[t.account_idx] += float(t.amount - t.cost)
                count[t.account_idx] += 1
        seats_of: dict[int, list[SeatRow]] = defaultdict(list)
        for s in self.out.seats:
            seats_of[s.account_idx].append(s)
        stage_of: dict[tuple[int, int], str] = {}
        for st in sorted(self.out.stages, key=lambda st: st.reached_on):
            stage_of[(st.account_idx, st.contact_idx)] = st.stage
        org = {r.account_idx: r for r in self.out.relationships}
        by_idx = {c.idx: c for c in self.contacts}
        # the newest customer's plan started late in the year; of the others one is badly
        # behind and the rest on track or one action behind
        newest = max(chosen, key=lambda a: (a.customer_since or dt.date.min, a.idx))
        rest = ["behind", *(("on_track", "steady") * PLANS)][: len(chosen) - 1]
        rest = [rest[int(i)] for i in self.rng.permutation(len(rest))]
        profiles = [("fresh" if a is newest else rest.pop()) for a in chosen]
        self.used_rivals: dict[str, int] = defaultdict(int)
        self.used_answers: set[tuple[str, ...]] = set()
        year = self.as_of.year
        early = self.as_of < dt.date(year, 2, 1)  # plans are still being written in January
        for n, (acc, profile) in enumerate(zip(chosen, profiles, strict=True)):
            args = (revenue[acc.idx], margin[acc.idx], count[acc.idx], seats_of[acc.idx],
                    stage_of, org.get(acc.idx), by_idx)  # fmt: skip
            status = "draft" if early and profile == "fresh" else "active"
            plan = self._plan(acc, n, *args, year=year, profile=profile, status=status)
            self.out.plans.append(plan)
            since = acc.customer_since or self.as_of
            if n < 5 and profile != "fresh" and since < dt.date(year - 1, 1, 1):
                # a customer since before last year: last year's plan, closed
                self.out.plans.append(
                    self._plan(acc, n, *args, year=year - 1, profile="closed", status="closed")
                )
            if self.as_of.month >= 11 and profile == "on_track" and n < 6:
                self.out.plans.append(
                    self._plan(acc, n, *args, year=year + 1, profile="next", status="draft")
                )

    def _plan(
        self, acc: AccountRow, n: int, revenue: float, margin: float, count: int,
        seats: list[SeatRow], stage_of: dict[tuple[int, int], str], org: OrgRow | None,
        by_idx: dict[int, ContactRow], *, year: int, profile: str, status: str,
    ) -> PlanRow:  # fmt: skip
        kam, lead, colleague = self._owners(acc)
        short = acc.short_name or acc.name
        sector = (
            "government"
            if acc.subkind in {"government", "institution"}
            else "association"
            if acc.subkind in {"association", "organiser"}
            else "business"
        )
        text = SITUATION[sector]
        top = next((s for s in seats if APPROVER in s.roles), None) or (seats[0] if seats else None)
        deciders = [
            s for s in seats if DECISION_MAKER in s.roles and by_idx[s.contact_idx].is_active
        ]
        target_person = None
        for s in [*deciders, *(s for s in seats if s.stance == "champion")]:
            current = stage_of.get((acc.idx, s.contact_idx))
            if current != "emotion" and by_idx[s.contact_idx].is_active:
                target_person = (s, current)
                break
        gm = by_idx[top.contact_idx].name if top else "对方负责人"
        share = self.u(0.25, 0.5)
        revenue = max(revenue, 50_000.0)
        wallet = Decimal(round(revenue / share, -5) or 100_000)
        current_share = round(100 * revenue / float(wallet))
        titled = {"fresh": f"{short} {year}年度客户关系计划（新晋重点客户，下半年启动）"}
        plan = PlanRow(
            account_idx=acc.idx,
            year=year,
            title=titled.get(profile, f"{short} {year}年度客户关系计划（一企一策）"),
            owner=kam,
            challenges_macro=text["macro"],
            challenges_business=text["business"].format(short=short),
            challenges_suppliers=text["suppliers"],
            challenges_competitors=text["competitors"],
            challenges_customers=text["customers"],
            customer_strategy=text["strategy"].format(short=short),
            decision_factors=text["decision"].format(gm=gm),
            strategy=OUR_STRATEGY.format(short=short, gm=gm),
            wallet_size=wallet,
            review_cadence="monthly" if n == 0 and len(seats) > 50 else "quarterly",
            status=status,
        )
        plan.competitors = self._competitors(acc, self.ri(1, 3))
        stage_now = org.supplier_stage if org else "general"
        kotler_now = org.kotler_level if org else "basic"
        supplier_order = ("general", "main", "core", "strategic")
        kotler_order = ("basic", "reactive", "accountable", "proactive", "partnership")
        growth = {"closed": self.u(0.9, 1.1), "next": self.u(1.15, 1.35)}.get(
            profile, self.u(1.1, 1.3)
        )
        if profile == "closed":  # last year's target, about what was reached
            reached = self._revenue(acc.idx, dt.date(year, 1, 1), dt.date(year, 12, 31))
            revenue_target = round(max(reached, 50_000.0) * growth, -4)
        else:
            revenue_target = round(revenue * growth, -4)
        goals = [
            GoalRow(f"全年营收达到 ¥{revenue_target:,.0f}", "revenue", Decimal(revenue_target)),
            GoalRow("毛利率稳定，毛利额同比增长 10%", "margin",
                    Decimal(round(max(margin, 10_000) * 1.1, -3))),
            GoalRow("消费笔数（会议、客房、餐饮）同比增长 10%", "transactions",
                    Decimal(max(10, round(count * 1.1)))),
            GoalRow("钱包份额提升 10 个百分点", "share_of_wallet",
                    Decimal(min(90, current_share + 10))),
        ]  # fmt: skip
        if target_person is not None:
            s, current = target_person
            nxt = STAGES[min(STAGES.index(current) + 1, 3)] if current else "goodwill"
            person = by_idx[s.contact_idx]
            goals.append(
                GoalRow(
                    f"与{person.title}{person.name}的关系达到“{STAGE_WORDS[nxt]}”",
                    "contact_stage",
                    target_stage=nxt,
                    contact_idx=person.idx,
                )
            )
        nxt_supplier = supplier_order[min(supplier_order.index(stage_now) + 1, 3)]
        goals.append(GoalRow(f"成为对方的{SUPPLIER_WORDS[nxt_supplier]}", "supplier_stage",
                             target_stage=nxt_supplier))  # fmt: skip
        if n == 0 or self.chance(0.7):
            nxt_k = kotler_order[min(kotler_order.index(kotler_now) + 1, 4)]
            goals.append(GoalRow(f"关系水平提升到{KOTLER_WORDS[nxt_k]}", "kotler_level",
                                 target_stage=nxt_k))  # fmt: skip
        if n == 0 or self.chance(0.7):
            goals.append(GoalRow("决策链覆盖评分达到 80 分", "coverage", Decimal(80)))
        if n == 0 or self.chance(0.6):
            target = self.ri(4, 10)
            goals.append(GoalRow(f"全年承接对方会议 {target} 场", "manual", Decimal(target),
                                 manual_value=Decimal(self.ri(1, target - 1))))  # fmt: skip
        plan.goals = goals
        people = {"kam": kam, "lead": lead, "colleague": colleague,
                  "manager": (self.managers or [lead])[0]}  # fmt: skip
        person = by_idx[target_person[0].contact_idx].name if target_person else gm
        words = {"gm": gm, "person": person, "rival": plan.competitors[0].name}
        plan.actions = self._actions(plan, profile, people, words)
        plan.reviews = self._reviews(plan, profile, people, words, short, sector, revenue_target)
        return plan

    def _sample(self, seq, k: int):
        return [seq[int(i)] for i in self.rng.choice(len(seq), size=min(k, len(seq)),
                                                      replace=False)]  # fmt: skip

    def _competitors(self, acc: AccountRow, k: int) -> list[CompetitorRow]:
        """Rivals for this kind of account (hotels and venues, a government guest house, OTA and
        business-travel channels, caterers and wedding venues), the least used names first, each
        with its own answers to seed 004's six questions."""
        kinds = RIVALS_OF.get(acc.subkind, RIVALS_OF["default"])
        out: list[CompetitorRow] = []
        for kind in self._sample(kinds, k):
            names = [r for r in RIVALS[kind] if r not in {c.name for c in out}]
            least = min(self.used_rivals[r] for r in names)
            name = self.pick([r for r in names if self.used_rivals[r] == least])
            self.used_rivals[name] += 1
            answers = {**RIVAL_ANSWERS[RIVAL_STYLE[kind]], **RIVAL_ANSWERS_OF_KIND.get(kind, {})}
            for _ in range(20):  # every rival's answers differ from those of the others
                picked = tuple(self.pick(answers[q]) for q in RIVAL_QUESTIONS)
                if picked not in self.used_answers:
                    break
            self.used_answers.add(picked)
            low, high = RIVAL_SHARE[kind]
            out.append(CompetitorRow(name, *picked, share_estimate=self.ri(low, high)))
        return out

    def _actions(
        self, plan: PlanRow, profile: str, people: dict[str, str], words: dict[str, str]
    ) -> list[ActionRow]:
        """The plan's actions spread over its year. Past their due date they are done (on track),
        all but one done (steady), mostly overdue (behind); a plan started late has few due yet;
        last year's are all done or cancelled; next year's draft has its first steps only."""
        position = {g.measure: i for i, g in enumerate(plan.goals)}
        year = plan.year
        start, end = dt.date(year, 1, 10), dt.date(year, 12, 15)
        k = {"behind": 9, "next": self.ri(3, 4), "fresh": self.ri(5, 6)}.get(profile)
        if profile == "fresh":
            start = max(dt.date(year, 1, 5), self.as_of - dt.timedelta(days=self.ri(35, 55)))
            end = max(end, start + dt.timedelta(days=150))
        elif profile == "next":
            end = dt.date(year, 4, 30)
        items = [ACTION_FIRST, *self._sample(ACTIONS, (k or self.ri(6, 8)) - 1)]
        span = (end - start).days - 10
        offsets = sorted(self.ri(10, span) for _ in items)
        if profile == "fresh":  # the first steps come soon after the start
            offsets = sorted([self.ri(8, 16), *offsets[1:]])
        dues = [start + dt.timedelta(days=d) for d in offsets]
        if profile != "closed" and len(dues) > 3 and dues[-2] < self.as_of:
            # a running plan always has a next step or two: one this week, one within weeks
            dues[-2:] = [self.as_of + dt.timedelta(days=self.ri(1, 6)),
                         self.as_of + dt.timedelta(days=self.ri(10, 40))]  # fmt: skip
        past = [i for i, d in enumerate(dues) if d < self.as_of]
        if profile == "behind":
            slipped = set(past[max(1, len(past) // 3) :])
        elif profile in {"steady", "next"} and past:
            slipped = {self.pick(past[-3:])}
        else:
            slipped = set()
        cancelled = self.pick(past[:-1]) if len(past) > 3 and self.chance(0.3) else None
        out = []
        for i, ((title, role, measure), due) in enumerate(zip(items, dues, strict=True)):
            owner, goal = people[role], position.get(measure)
            title = title.format(**words)
            if i == cancelled and i not in slipped:
                out.append(ActionRow(title, owner, due, "cancelled", goal=goal,
                                     notes=self.pick(CANCEL_NOTES)))  # fmt: skip
            elif due >= self.as_of:
                out.append(ActionRow(title, owner, due, goal=goal))
            elif i in slipped:
                out.append(ActionRow(title, owner, due, goal=goal, notes=self.pick(LATE_NOTES)))
            else:
                done = due - dt.timedelta(days=self.ri(-3, 6))
                done = max(min(done, self.as_of - dt.timedelta(days=1)), start)
                out.append(ActionRow(title, owner, due, "done", done, goal=goal))
        upcoming = [a for a in out if a.status == "open" and a.due_on >= self.as_of]
        this_week = self.as_of + dt.timedelta(days=6)
        if (
            upcoming
            and not any(a.due_on <= this_week for a in upcoming)
            and year == self.as_of.year
        ):
            upcoming[0].due_on = self.as_of + dt.timedelta(days=self.ri(1, 6))  # due this week
        return out

    def _revenue(self, acc_idx: int, first: dt.date, last: dt.date) -> float:
        total, (y, m) = 0.0, (first.year, first.month)
        while (y, m) <= (last.year, last.month):
            total += self.monthly.get((acc_idx, y, m), 0.0)
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return total

    def _reviews(
        self, plan: PlanRow, profile: str, people: dict[str, str], words: dict[str, str],
        short: str, sector: str, target: float,
    ) -> list[ReviewRow]:  # fmt: skip
        """The reviews held so far, each with its own minutes (revenue against the target read
        from the transactions, the meetings held, people, rivals) and decisions."""
        year, kam = plan.year, people["kam"]
        names = {role: self.name_of.get(u, u) for role, u in people.items()}
        attendees = "、".join(dict.fromkeys(names[r] for r in ("kam", "lead", "colleague")))
        if profile == "next":
            return []
        first_due = min((a.due_on for a in plan.actions), default=dt.date(year, 1, 20))
        if profile == "fresh":
            held = min(first_due - dt.timedelta(days=self.ri(3, 7)), self.as_of - dt.timedelta(1))
            return [ReviewRow(held, f"{year} 启动", attendees,
                              self.pick(KICKOFF_MINUTES).format(short=short, **words),
                              self._decisions(names, words, 2, held), kam)]  # fmt: skip
        ends = [dt.date(year, 3, 31), dt.date(year, 6, 30), dt.date(year, 9, 30),
                dt.date(year, 12, 31)]  # fmt: skip
        out: list[ReviewRow] = []
        for q, end in enumerate(ends, start=1):
            held = end + dt.timedelta(days=self.ri(5, 15))
            if held >= self.as_of:
                break
            done = self._revenue(plan.account_idx, dt.date(year, 1, 1), end)
            part = self._revenue(plan.account_idx, end.replace(day=1) - dt.timedelta(days=58), end)
            pct = round(100 * done / target) if target else 0
            pace = "进度超前" if pct >= 25 * q + 5 else "基本符合进度" if pct >= 25 * q - 8 else (
                "低于进度，需要追赶")  # fmt: skip
            late = sum(1 for a in plan.actions if a.status == "open" and a.due_on <= end)
            lines = [f"{short} Q{q}营收 ¥{part:,.0f}，累计 ¥{done:,.0f}，"
                     f"完成全年目标的 {pct}%，{pace}。"]  # fmt: skip
            topics = [self.pick(MEETINGS[sector]), self.pick(PEOPLE_NOTES), self.pick(RIVAL_NOTES)]
            lines += [t.format(short=short, n=self.ri(2, 6) * 10, **words)
                      for t in self._sample(topics, 2)]  # fmt: skip
            if late:
                lines.append(self.pick(BEHIND_NOTES).format(k=late))
            elif profile in {"on_track", "closed"}:
                lines.append(self.pick(ON_TRACK_NOTES))
            decisions = self._decisions(names, words, self.ri(2, 3), held)
            out.append(ReviewRow(held, f"{year} Q{q}", attendees, "".join(lines), decisions, kam))
        if not out:
            held = min(dt.date(year, 1, 12), self.as_of - dt.timedelta(days=1))
            out.append(ReviewRow(held, f"{year} 启动", attendees,
                                 self.pick(KICKOFF_MINUTES).format(short=short, **words),
                                 self._decisions(names, words, 2, held), kam))  # fmt: skip
        if profile == "behind" and len(out) >= 2:
            out.pop()  # the latest review has slipped too
        return out if profile == "closed" else out[-3:]

    def _decisions(
        self, names: dict[str, str], words: dict[str, str], k: int, held: dt.date
    ) -> str:
        items = self._sample(DECISIONS, k)
        month = held.month % 12 + 1
        filled = [d.format(month=month, **names, **words) for d in items]
        return "".join(f"{'一二三'[i]}、{d}；" for i, d in enumerate(filled)).rstrip("；") + "。"


STAGE_WORDS = {"goodwill": "好感", "trust": "信任", "interest": "利益", "emotion": "情感"}
SUPPLIER_WORDS = {"general": "一般供应商", "main": "主要供应商", "core": "核心供应商",
                  "strategic": "战略伙伴"}  # fmt: skip
KOTLER_WORDS = {"basic": "基本型", "reactive": "被动型", "accountable": "负责型",
                "proactive": "能动型", "partnership": "伙伴型"}  # fmt: skip

SITUATION = {
    "business": {
        "macro": "行业监管趋严，差旅与会议费用管控加强；经济增速放缓，企业普遍压缩非必要开支。",
        "business": (
            "{short}今年推进降本增效，会议数量不减但单场预算下调约 10%，更看重性价比和服务质量。"
        ),
        "suppliers": "对方正在精简供应商名录，每类服务保留两到三家，年度集中招标。",
        "competitors": "对方的主要竞争对手加大了市场活动投入，对方需要更多高规格的客户活动来应对。",
        "customers": (
            "对方的客户（经销商、医院和终端客户）更重视学术和体验，要求活动更专业、更有特色。"
        ),
        "strategy": (
            "{short}计划三年内进入华东、华北新市场，组织上设立大客户部，新产品上市节奏加快，"
            "对会议和培训的需求随之增加。"
        ),
        "decision": (
            "民营控股，创始人家族持股过半；{gm}拥有最终审批权，采购部组织比价，"
            "财务部把控预算，行政部负责执行和评价。"
        ),
    },
    "government": {
        "macro": "过紧日子要求持续，公务接待和会议标准严格执行，会议费实行定额管理。",
        "business": "今年承担的全市性会议和招商活动增多，但单次会议预算标准不变。",
        "suppliers": "会议定点饭店实行政府采购，每年公开招标确定定点名单。",
        "competitors": "兄弟城市的同类部门在招商推介上投入更大，对会议规格和效果要求提高。",
        "customers": "服务对象是企业和市民，对会议的组织效率和对外形象要求高。",
        "strategy": "围绕年度重点工作举办推介会、培训班和专家评审会，推动会议活动规范化、数字化。",
        "decision": "财政预算单位；{gm}审批，办公室负责会务和定点采购，财务科按标准审核结算。",
    },
    "association": {
        "macro": "学术会议管理规范化，医药企业赞助收紧，会议资金更多依赖注册费。",
        "business": "年会规模逐年扩大，分会场和卫星会增多，对场地和客房的一次性承接能力要求高。",
        "suppliers": "会务由合作会议公司执行，场地由秘书处推荐、会长办公会确定。",
        "competitors": "其他城市和兄弟学会争办大型年会，比拼城市吸引力和接待条件。",
        "customers": "会员和参会专家看重学术水平、交通便利和住宿体验。",
        "strategy": "打造品牌年会，扩大会员规模，推动线上线下融合办会。",
        "decision": "{gm}牵头，会长办公会集体决策；秘书处负责比选，合作会务公司影响较大。",
    },
}
OUR_STRATEGY = (
    "巩固与{gm}的高层关系，把{short}从“比价采购”转向“年度框架合作”：以会议 + 住宿 + 餐饮的"
    "一站式方案和专属服务团队锁定全年会议；扩大与采购、财务、行政各层级的接触面，避免关系只系于一人；"
    "每季度复盘一次目标和行动。"
)
# Rivals of our hotels, by kind (all names made up), and the kinds each kind of account weighs.
RIVALS = {
    "hotel": ("琴海国际大酒店", "崂山湾度假酒店", "海天云庭酒店", "蓝岸商务酒店", "浮山湾会展酒店",
              "东方海悦大酒店", "鲁港商务酒店", "云栖山庄度假村"),
    "tmc": ("途程商旅（企业差旅平台）", "行云商旅 TMC"),
    "venue": ("金沙湾国际会议中心", "银湖会议中心", "奥帆海景会展中心", "崂山科创会议中心"),
    "guesthouse": ("琴岛迎宾馆", "市机关会议培训中心", "黄海饭店（定点饭店）"),
    "ota": ("易游网酒店频道", "悠途旅行 App", "畅行旅行网"),
    "caterer": ("鲜味坊餐饮（外烩）", "百福团餐管理公司", "金穗宴会酒楼"),
    "wedding": ("禧悦婚礼会馆", "海韵宴会中心", "花嫁里婚礼堂"),
}  # fmt: skip
RIVALS_OF = {
    "government": ("guesthouse", "venue", "hotel"),
    "institution": ("guesthouse", "venue", "hotel"),
    "association": ("venue", "hotel", "hotel"),
    "organiser": ("venue", "hotel", "tmc"),
    "ota": ("hotel", "ota", "hotel"),
    "travel_agency": ("hotel", "ota", "hotel"),
    "wedding": ("wedding", "caterer", "hotel"),
    "wedding_family": ("wedding", "caterer"),
    "default": ("hotel", "venue", "tmc", "caterer"),
}
RIVAL_STYLE = {"hotel": "hotel", "guesthouse": "hotel", "venue": "venue", "ota": "ota",
               "tmc": "ota", "caterer": "caterer", "wedding": "caterer"}  # fmt: skip
RIVAL_SHARE = {"hotel": (15, 40), "guesthouse": (20, 45), "venue": (10, 30), "ota": (5, 20),
               "tmc": (5, 20), "caterer": (5, 15), "wedding": (10, 30)}  # fmt: skip
RIVAL_QUESTIONS = ("positioning", "market_strategy", "relationship_strategy",
                   "relationship_means", "strongholds", "organisation")  # fmt: skip
# Seed 004's six questions about a rival, answered for each style of rival.
RIVAL_ANSWERS = {
    "hotel": {
        "positioning": (
            "定位高端商务会议，目标三年内成为本市会议接待第一品牌",
            "主打性价比，抢占中型企业会议与培训市场",
            "主推会奖旅游和团建一体化产品，抢年会和奖励旅游",
            "新开业，急于做出量，以价格换市场份额",
        ),
        "market_strategy": (
            "以低于我方 10%–15% 的会议套餐价格切入，捆绑客房优惠",
            "与会务公司签返点协议，由会务公司推荐客户",
            "会议室免费升级、赠送茶歇，吸引首单",
            "按年度消费额返还房券和餐券",
        ),
        "relationship_strategy": (
            "销售总监定期拜访对方高层，逢节必访",
            "邀请对方决策人参加酒店高端品鉴活动",
            "为对方行政人员提供积分和个人消费优惠",
            "总经理亲自对接对方一把手",
        ),
        "relationship_means": (
            "组织对方员工家庭日、体育联谊活动",
            "通过行业协会活动结识对方中层",
            "为对方提供免费场地试用和会务咨询",
            "节日寄送月饼、海鲜礼盒",
        ),
        "strongholds": (
            "与行政部关系较好，但高层接触少；服务稳定性有投诉",
            "价格优势明显，但会议设施老旧，大型会议承接能力不足",
            "景观和客房好，但离市区远，交通不便",
            "与采购部关系密切；宴会出品不稳定",
        ),
        "organisation": (
            "销售总监牵头，配一名会议销售专员和一名宴会经理",
            "由区域销售经理负责，总经理只在签约时出面",
            "大客户小组三人：客户经理、会议统筹、餐饮经理",
            "只有一名销售跟进，人员流动频繁",
        ),
    },
    "venue": {
        "positioning": (
            "专业会展场馆，主攻千人以上的大会和展览",
            "政府背景的会议中心，承接全市重点会议",
            "依托新开业的会议中心，力争成为大型学术会议首选场地",
        ),
        "market_strategy": (
            "场租打包价，大会免收搭建费",
            "联合周边酒店推出“会议 + 住宿”联票",
            "重点投放行业展会和线上渠道，主推一站式会议服务",
        ),
        "relationship_strategy": (
            "借主管部门推荐进入对方视野",
            "与对方学术部、会务组长期合作，按届锁定",
            "为对方领导安排参观和专题汇报",
        ),
        "relationship_means": (
            "举办行业论坛并邀请对方领导致辞",
            "通过合作会务公司维系关系",
            "免费提供会前踩点和方案设计",
        ),
        "strongholds": (
            "场地大、设施新，但餐饮和客房要外包，服务链条长",
            "大会经验丰富，但中小型会议价格偏高",
            "档期紧张，旺季常无法满足对方日期",
        ),
        "organisation": (
            "会展部负责，销售按行业分组",
            "由场馆运营公司的客户总监统一对接",
            "项目制团队，每个大会配一名项目经理",
        ),
    },
    "ota": {
        "positioning": (
            "线上酒店分销渠道，以低价和便利吸引散客和小团",
            "在线旅游平台，主推“机票 + 酒店”打包产品",
            "移动端预订平台，靠会员折扣和直播带货引流",
        ),
        "market_strategy": (
            "给对方差旅负责人提供统一结算和月结账期",
            "以平台补贴压低房价，比我方协议价低 5%–8%",
            "免费差旅管理系统，绑定对方的审批流程",
        ),
        "relationship_strategy": (
            "与对方财务部和人力资源部建立合作，纳入差旅制度",
            "大客户经理驻场服务，随叫随到",
            "高层签署年度战略合作协议",
        ),
        "relationship_means": (
            "差旅数据报告，每季度向对方管理层汇报节省金额",
            "为对方员工提供个人出行优惠",
            "举办差旅管理研讨会",
        ),
        "strongholds": (
            "流程方便、报销省事，但会议和宴会服务薄弱",
            "价格透明，但没有现场服务，遇到问题响应慢",
            "覆盖城市多，但对本地大型活动没有资源",
        ),
        "organisation": (
            "区域大客户经理一人，后台客服支持",
            "按行业划分的客户团队，总部统一定价",
            "驻场顾问加线上客服",
        ),
    },
    "caterer": {
        "positioning": (
            "专做企业年会、团餐和外烩，价格灵活",
            "连锁宴会酒楼，主推本帮海鲜宴",
            "团餐公司，从员工食堂延伸到会议餐和活动餐",
        ),
        "market_strategy": (
            "按桌报价，比酒店宴会低 20% 左右，免场租",
            "承接企业年会按人头包价，含节目和场地布置",
            "节假日推出团购宴席套餐",
        ),
        "relationship_strategy": (
            "老板亲自维护，和对方行政负责人私交好",
            "给介绍人返点，靠口碑和转介绍获客",
            "为对方员工活动提供免费试菜",
        ),
        "relationship_means": (
            "逢年过节送礼、请客",
            "赞助对方工会活动的餐饮",
            "在社交平台组织客户回访和评价",
        ),
        "strongholds": (
            "灵活、价格低，但没有会议场地和客房",
            "菜品口碑好，但大型活动的服务和安全保障不足",
            "出品稳定，但没有住宿，外地参会人员要另找酒店",
        ),
        "organisation": (
            "老板加两名销售，厨房外包团队",
            "门店经理负责，总部统一营销",
            "婚宴顾问团队四人，按档期分工",
        ),
    },
}
# Where a kind of rival answers differently from its style.
RIVAL_ANSWERS_OF_KIND = {
    "guesthouse": {
        "positioning": ("政府定点饭店，承接机关会议和公务接待",
                        "机关事务系统的会议培训中心，价格严格按标准"),
        "strongholds": ("按标准报价、结算方便，但设施陈旧，餐饮单一",
                        "与机关各部门熟悉，但服务意识和会议技术支持弱"),
    },
    "tmc": {
        "positioning": ("企业差旅平台，主攻大中型企业的差旅集中管理",
                        "差旅管理公司（TMC），把差旅和会议打包托管"),
    },
    "wedding": {
        "positioning": ("婚宴和家宴专门店，主打仪式感和性价比",
                        "一站式婚礼会馆，场地、婚庆、宴席全包"),
        "market_strategy": ("与婚庆公司、摄影机构捆绑套餐",
                            "淡季婚宴立减，赠送婚房和仪式布置"),
        "strongholds": ("装修新、仪式感强，但停车和交通不便",
                        "套餐划算，但厅小桌数少，大型婚宴容纳不下"),
    },
}  # fmt: skip

# Plan actions: (title, owner role, the measure of the goal it serves); the first is in every plan.
ACTION_FIRST = ("提交年度会议框架协议报价", "kam", "revenue")
ACTIONS = (
    ("邀请{gm}参加酒店客户答谢晚宴", "lead", "supplier_stage"),
    ("拜访{person}，汇报合作情况并听取意见", "kam", "contact_stage"),
    ("组织对方行政团队酒店体验日", "colleague", "coverage"),
    ("与采购部确认协议价续签条款", "kam", "transactions"),
    ("整理对方全年会议日历，提前锁定场地", "colleague", "share_of_wallet"),
    ("季度满意度回访并形成改进清单", "kam", "margin"),
    ("总经理与对方高层互访", "manager", "kotler_level"),
    ("为{person}定制下半年会议套餐方案", "kam", "revenue"),
    ("邀请{person}参加新菜品品鉴会", "colleague", "contact_stage"),
    ("梳理对方财务审批流程，认识财务负责人", "kam", "coverage"),
    ("针对{rival}的报价准备成本对比材料", "lead", "share_of_wallet"),
    ("年会场地踩点与方案演示", "kam", "manual"),
    ("与对方签订年度框架协议", "lead", "supplier_stage"),
    ("安排{gm}参观新装修的宴会厅", "manager", "kotler_level"),
)
LATE_NOTES = ("对方负责人出差，待改期", "报价在等我方总经理审批", "对方年度预算未批，暂缓",
              "人手紧张，尚未安排", "对方人员调整，联系人待确认")  # fmt: skip
CANCEL_NOTES = ("对方取消了该活动", "与其他行动合并", "对方改为线上会议，不再需要")

KICKOFF_MINUTES = (
    "{short}年度计划启动会：回顾上一年合作，确认今年目标和分工。",
    "{short}新列为重点客户，计划启动：梳理决策链，先与{person}建立联系，了解对方全年会议安排。",
    "启动会：{short}今年会议需求增加，{rival}也在争取；先拿下年会，再谈年度框架协议。",
)
MEETINGS = {
    "business": (
        "承接{short}经销商大会，约 {n}0 人，会后反馈良好；",
        "{short}新品发布会在我店举办；",
        "{short}管理层培训班在我店连办三天；",
        "{short}客户答谢宴 {n} 桌顺利完成；",
    ),
    "government": (
        "承办{short}招商推介会，规格高、流程顺；",
        "{short}专家评审会在我店召开，共 {n} 人；",
        "{short}全市培训班在我店举办，食宿一体；",
    ),
    "association": (
        "{short}理事会在我店召开，为年会选址打下基础；",
        "{short}学术年会筹备会在我店举行，约 {n} 人；",
        "{short}卫星会和继续教育培训落地我店；",
    ),
}
PEOPLE_NOTES = (
    "与{person}的关系明显升温，对方主动介绍内部采购安排；",
    "{gm}对我们的服务表示认可，但提醒要控制成本；",
    "对方行政部人员调整，需要尽快认识新负责人；",
    "{person}近期很少回复，需要找机会当面沟通；",
    "与财务部的接触仍然偏少，钱包份额提升低于预期；",
)
RIVAL_NOTES = (
    "{rival}报价比我方低约一成，对方采购部有所动摇；",
    "{rival}邀请对方高层参加品鉴活动，需要关注；",
    "对方部分散客预订转到了{rival}；",
    "{rival}服务出现投诉，对方对我们的评价更高；",
)
BEHIND_NOTES = (
    "计划行动有 {k} 项未按期完成，主要因为人手紧张；",
    "{k} 项行动逾期，对方年度预算未批，多项安排推迟；",
)
ON_TRACK_NOTES = ("计划行动全部按期完成。", "行动按计划推进，无逾期。")
DECISIONS = (
    "{month}月内由{lead}拜访{gm}",
    "针对{rival}的报价，不跟降价格，改为增加增值服务",
    "{colleague}负责对接采购部，每月通一次气",
    "月底前由{kam}提交年会报价",
    "为{person}单独准备成本对比方案",
    "把关系负责人分散到更多同事，避免只靠{kam}一人",
    "请{manager}出面邀请对方高层来店考察",
    "下次复盘检查行动完成率",
)
