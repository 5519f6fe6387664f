"""The key accounts of the demo: buying centres, relationship stages, organisation relationships and
account plans (issue 5, seeds 000, 001, 004).

Runs after the relations pass (`DemoGenerator.generate`), from its own seeded generator, so every
row drawn before it stays what it was for the seed. It adds:

- **Key accounts**: the most valuable organisations that still buy (about a tenth of the demo,
  12–40), each demo KAM's best one among them. Each gets a buying centre of 4–12 people from its
  contacts (people are added where the archive has too few: 总经理, 采购总监, 财务总监, 前台…)
  with buying roles, attitude, influence, reporting lines (a tree: no loops), rising stars, our
  relationship owners (the KAM, the team lead, a colleague), and an external influencer on some
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
  key account among them): situation analysis, competitors with seed 004's six questions, goals
  of every measure kind, actions owned by the KAM and colleagues (done, overdue and upcoming), and
  the quarterly reviews held so far.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np
from faker import Faker

from guanxi.demo import catalog as C
from guanxi.demo.relations import TouchpointRow
from guanxi.demo.scenarios import Pattern

if TYPE_CHECKING:
    from guanxi.demo.generator import AccountRow, ContactRow, DemoGenerator, TxRow

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

COMPETITORS = (
    "琴海国际大酒店", "金沙湾国际会议中心", "崂山湾度假酒店", "海天云庭酒店", "蓝岸商务酒店",
    "浮山湾会展酒店",
)  # fmt: skip

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


@dataclass
class SeatRow:
    account_idx: int
    contact_idx: int
    roles: list[str]
    stance: str = "neutral"
    influence: int = 3
    reports_to_idx: int | None = None
    rising_star: bool = False
    owner: str | None = None  # username of our relationship owner; None: the account's owner
    notes: str = ""
    seniority: int = 1  # for building the tree; not written


@dataclass
class StageRow:
    account_idx: int
    contact_idx: int
    stage: str
    reached_on: dt.date
    evidence: TouchpointRow | None
    note: str
    recorded_by: str


@dataclass
class OrgRow:
    account_idx: int
    supplier_stage: str
    kotler_level: str
    notes: str = ""


@dataclass
class CompetitorRow:
    name: str
    positioning: str
    market_strategy: str
    relationship_strategy: str
    relationship_means: str
    strongholds: str
    organisation: str
    share_estimate: int | None


@dataclass
class GoalRow:
    description: str
    measure: str
    target_value: Decimal | None = None
    target_stage: str = ""
    contact_idx: int | None = None
    manual_value: Decimal | None = None


@dataclass
class ActionRow:
    title: str
    owner: str
    due_on: dt.date
    status: str = "open"
    done_on: dt.date | None = None
    notes: str = ""
    goal: int | None = None  # position of its goal in PlanRow.goals


@dataclass
class ReviewRow:
    held_on: dt.date
    period: str
    attendees: str
    minutes: str
    decisions: str
    recorded_by: str


@dataclass
class PlanRow:
    account_idx: int
    year: int
    title: str
    owner: str
    challenges_macro: str
    challenges_business: str
    challenges_suppliers: str
    challenges_competitors: str
    challenges_customers: str
    customer_strategy: str
    decision_factors: str
    strategy: str
    wallet_size: Decimal | None
    review_cadence: str = "quarterly"
    status: str = "active"
    competitors: list[CompetitorRow] = field(default_factory=list)
    goals: list[GoalRow] = field(default_factory=list)
    actions: list[ActionRow] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)


@dataclass
class KeyAccountsPlan:
    key_accounts: list[int] = field(default_factory=list)  # account idx, most valuable first
    group_idx: int | None = None
    stories: dict[str, int] = field(default_factory=dict)  # story → account idx
    seats: list[SeatRow] = field(default_factory=list)
    stages: list[StageRow] = field(default_factory=list)
    relationships: list[OrgRow] = field(default_factory=list)
    plans: list[PlanRow] = field(default_factory=list)


class KeyAccountsPlanner:
    def __init__(self, gen: DemoGenerator):
        self.gen = gen
        self.as_of = gen.as_of
        self.rng = np.random.default_rng([gen.seed, KEY_SEED])
        self.fake = Faker("zh_CN")
        self.fake.seed_instance(gen.seed * 1000 + KEY_SEED)
        self.team_of: dict[str, int | None] = {u: team for u, _f, _g, _r, team, _p in C.STAFF}
        self.role_of: dict[str, str] = {u: role for u, _f, _g, role, _t, _p in C.STAFF}
        self.name_of: dict[str, str] = {u: f + g for u, f, g, _r, _t, _p in C.STAFF}
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
        start = self.gen.at(self.as_of - dt.timedelta(days=364), 0)
        earlier = self.gen.at(self.as_of - dt.timedelta(days=729), 0)
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
        from guanxi.demo.generator import ContactRow

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

    def _owners(self, acc: AccountRow) -> tuple[str, str, str]:
        """(the KAM, the team lead, a colleague): our people who can own relationships here."""
        kam = acc.owner
        team = self.team_of.get(kam)
        lead = self.gen.lead_of_team.get(acc.team, kam)
        colleagues = [u for u in acc.co_owners if u != kam] or [
            u for u in self.gen.staff_by_team.get(acc.team, []) if u != kam
        ]
        colleague = colleagues[0] if colleagues else lead
        if lead == kam:  # a team lead's own account: a KAM of the team is the second person
            lead = colleague
            others = [u for u in self.gen.staff_by_team.get(team or acc.team, []) if u != lead]
            colleague = others[-1] if others else lead
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
            occurred_at=self.gen.at(day, hour, self.ri(0, 59)),
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
        title_set = self.gen._title_set(acc)
        extras = EXTRA_PEOPLE.get(title_set, EXTRA_PEOPLE["default"])
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
            title, dept = TOP_TITLE[title_set]
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
            title, dept = TOP_TITLE[title_set]
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
        known through our colleague who owns that account."""
        title, dept = EXTERNAL_TITLE[ext.subkind]
        person = next(
            (p for p in self.people[ext.idx] if p.title == title and p.is_active), None
        ) or self._add_contact(ext, title, dept, seniority=1)
        owner = ext.owner if ext.owner != acc.owner else kam
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
        self.gen.used_names.discard(group.name)
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
        team_people = [u for u in self.gen.staff_by_team.get(acc.team, []) if u not in {kam}]
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
        owners = [kam, lead, colleague, *team_people]
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
        year_ago = self.gen.at(self.as_of - dt.timedelta(days=365), 0)
        revenue: dict[int, float] = defaultdict(float)
        margin: dict[int, float] = defaultdict(float)
        count: dict[int, int] = defaultdict(int)
        wanted = {a.idx for a in chosen}
        for t in txs:
            if t.account_idx in wanted and t.occurred_at >= year_ago:
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
        for n, acc in enumerate(chosen):
            self.out.plans.append(
                self._plan(
                    acc,
                    n,
                    revenue[acc.idx],
                    margin[acc.idx],
                    count[acc.idx],
                    seats_of[acc.idx],
                    stage_of,
                    org.get(acc.idx),
                    by_idx,
                )  # fmt: skip
            )

    def _plan(
        self, acc: AccountRow, n: int, revenue: float, margin: float, count: int,
        seats: list[SeatRow], stage_of: dict[tuple[int, int], str], org: OrgRow | None,
        by_idx: dict[int, ContactRow],
    ) -> PlanRow:  # fmt: skip
        year = self.as_of.year
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
        plan = PlanRow(
            account_idx=acc.idx,
            year=year,
            title=f"{short} {year}年度客户关系计划（一企一策）",
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
        )
        for name in self._sample(COMPETITORS, self.ri(1, 2)):
            plan.competitors.append(self._competitor(name))
        stage_now = org.supplier_stage if org else "general"
        kotler_now = org.kotler_level if org else "basic"
        supplier_order = ("general", "main", "core", "strategic")
        kotler_order = ("basic", "reactive", "accountable", "proactive", "partnership")
        revenue_target = round(revenue * self.u(1.1, 1.3), -4)
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
        plan.actions = self._actions(plan, kam, lead, colleague, gm, target_person, by_idx)
        plan.reviews = self._reviews(plan, kam, lead, colleague, short)
        return plan

    def _sample(self, seq, k: int):
        return [seq[int(i)] for i in self.rng.choice(len(seq), size=min(k, len(seq)),
                                                      replace=False)]  # fmt: skip

    def _competitor(self, name: str) -> CompetitorRow:
        return CompetitorRow(
            name=name,
            positioning=self.pick((
                "定位高端商务会议，目标三年内成为本市会议接待第一品牌",
                "主打性价比，抢占中型企业会议与培训市场",
                "依托新开业的会议中心，力争成为大型学术会议首选场地",
            )),
            market_strategy=self.pick((
                "以低于我方 10%–15% 的会议套餐价格切入，捆绑客房优惠",
                "与会务公司签返点协议，由会务公司推荐客户",
                "重点投放行业展会和线上渠道，主推一站式会议服务",
            )),
            relationship_strategy=self.pick((
                "销售总监定期拜访对方高层，逢节必访",
                "邀请对方决策人参加酒店高端品鉴活动",
                "为对方行政人员提供积分和个人消费优惠",
            )),
            relationship_means=self.pick((
                "组织对方员工家庭日、体育联谊活动",
                "通过行业协会活动结识对方中层",
                "为对方提供免费场地试用和会务咨询",
            )),
            strongholds=self.pick((
                "与行政部关系较好，但高层接触少；服务稳定性有投诉",
                "价格优势明显，但会议设施老旧，大型会议承接能力不足",
                "与采购部关系密切；缺少客房资源，大型会议需外包住宿",
            )),
            organisation=self.pick((
                "销售总监牵头，配一名会议销售专员和一名宴会经理",
                "由区域销售经理负责，总经理只在签约时出面",
                "大客户小组三人：客户经理、会议统筹、餐饮经理",
            )),
            share_estimate=self.ri(15, 40),
        )  # fmt: skip

    def _actions(
        self, plan: PlanRow, kam: str, lead: str, colleague: str, gm: str,
        target_person, by_idx: dict[int, ContactRow],
    ) -> list[ActionRow]:  # fmt: skip
        position = {g.measure: i for i, g in enumerate(plan.goals)}
        person = by_idx[target_person[0].contact_idx].name if target_person else gm
        items = [
            ("提交年度会议框架协议报价", kam, "revenue", "done"),
            (f"邀请{gm}参加酒店客户答谢晚宴", lead, "supplier_stage", "done"),
            (f"拜访{person}，汇报上半年合作情况", kam, "contact_stage", "overdue"),
            ("组织对方行政团队酒店体验日", colleague, "coverage", "upcoming"),
            ("与采购部确认协议价续签条款", kam, "transactions", "upcoming"),
            ("整理对方全年会议日历，提前锁定场地", colleague, "share_of_wallet", "done"),
            ("季度满意度回访并形成改进清单", kam, "margin", "overdue"),
            ("总经理与对方高层互访", lead, "kotler_level", "upcoming"),
        ]
        out = []
        for title, owner, measure, when in items:
            if when == "done":
                due = self.ago(25, 160)
                done = due - dt.timedelta(days=self.ri(-3, 6))
                done = min(done, self.as_of - dt.timedelta(days=1))
                out.append(ActionRow(title, owner, due, "done", done, goal=position.get(measure)))
            elif when == "overdue":
                out.append(ActionRow(title, owner, self.ago(3, 30), goal=position.get(measure),
                                     notes="对方负责人出差，待改期"))  # fmt: skip
            else:
                soon = not any(a.due_on >= self.as_of for a in out)  # one due this week
                due = self.as_of + dt.timedelta(days=self.ri(1, 6) if soon else self.ri(10, 90))
                out.append(ActionRow(title, owner, due, goal=position.get(measure)))
        return out

    def _reviews(
        self, plan: PlanRow, kam: str, lead: str, colleague: str, short: str
    ) -> list[ReviewRow]:
        year = plan.year
        ends = [dt.date(year, 3, 31), dt.date(year, 6, 30), dt.date(year, 9, 30)]
        attendees = "、".join(dict.fromkeys(self.name_of.get(u, u) for u in (kam, lead, colleague)))
        out = []
        for q, end in enumerate(ends, start=1):
            held = end + dt.timedelta(days=self.ri(5, 15))
            if held >= self.as_of:
                break
            out.append(
                ReviewRow(
                    held_on=held,
                    period=f"{year} Q{q}",
                    attendees=attendees,
                    minutes=self.pick(REVIEW_MINUTES).format(short=short, q=q),
                    decisions=self.pick(REVIEW_DECISIONS).format(short=short),
                    recorded_by=kam,
                )
            )
        if not out:
            held = min(dt.date(year, 1, 12), self.as_of - dt.timedelta(days=1))
            out.append(
                ReviewRow(
                    held,
                    f"{year} 启动",
                    attendees,
                    f"{short}年度计划启动会：回顾上一年合作，确认今年目标和分工。",
                    "按季度复盘；下月内完成高层拜访。",
                    kam,
                )  # fmt: skip
            )
        return out[-3:]


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
REVIEW_MINUTES = (
    "回顾{short} Q{q}：已承接会议按计划完成，客户满意度较高；"
    "与财务部的接触仍然偏少，钱包份额提升低于预期。",
    "Q{q}复盘：{short}两场大型会议落地，营收完成季度目标的九成；竞品在报价上持续施压。",
    "Q{q}复盘：与{short}高层互动顺利，关系明显升温；行政部人员调整，需要尽快认识新负责人。",
)
REVIEW_DECISIONS = (
    "一、下季度安排总经理拜访对方高层；二、为财务总监单独准备成本对比方案；三、月底前提交年会报价。",
    "一、会议套餐价格不跟降，改为增加增值服务；二、指定专人对接采购部；三、下次复盘检查行动完成率。",
    "一、尽快拜访新任行政负责人；二、把关系负责人分散到三位同事；三、准备年度框架协议续签。",
)
