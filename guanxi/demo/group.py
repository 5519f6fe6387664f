"""The group (`GROUP_NAME`): the relationship map's benchmark account.

The most valuable group parent of the demo is renamed 华彩医药集团 (its subsidiaries follow) and
gets exactly `GROUP_SIZE` contacts, all on its buying centre, in a reporting tree five levels deep
(董事长 → 总裁/副总裁 → 总监 → 经理 → 主管), with stages and touchpoints on a good share of them.
"""

from __future__ import annotations

from guanxi.demo.keypeople import (
    APPROVER,
    DECISION_MAKER,
    GATEKEEPER,
    INFLUENCER,
    RECENT_TOUCH,
    USER,
    KeyPeople,
)
from guanxi.demo.rows import AccountRow, ContactRow, OrgRow, SeatRow
from guanxi.demo.scenarios import Pattern

GROUP_NAME = "华彩医药集团股份有限公司"
GROUP_SHORT = "华彩医药"
GROUP_SIZE = 200
MIN_ACCOUNTS_FOR_GROUP = 20

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
BUSINESS_LINES = ("销售", "物流", "研发", "医药商业", "健康产业")
STANCES_HIGH = ("champion", "supporter", "supporter", "neutral", "neutral", "neutral", "sceptic")
STANCES_LOW = ("supporter", *("neutral",) * 6, "sceptic")

Slot = tuple[int, str, str, int]  # (level 1–5, title, department, index of the boss slot)


def group_tree() -> list[Slot]:
    """The group's positions, the chairman first."""
    slots: list[Slot] = [(1, "董事长", "董事会", -1)]
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
    slots[-1] = (5, "前台", "总裁办", next(k for k, s in enumerate(slots) if s[1] == "总裁办主任"))
    return slots[:GROUP_SIZE]


class GroupPlanner:
    def __init__(self, kp: KeyPeople, used_names: set[str]):
        self.kp = kp
        self.dice = kp.dice
        self.used_names = used_names  # the demo's account names: the group's old name is freed

    def choose(self, accounts: list[AccountRow], keys: list[AccountRow]) -> AccountRow | None:
        """The most valuable group parent still buying (else a company among the key accounts),
        renamed with its subsidiaries and added to ``keys`` if it is not one yet."""
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
            self.kp.out.key_accounts = [a.idx for a in keys]
        self.kp.out.group_idx = group.idx
        self._rename(group, accounts)
        return group

    def _rename(self, group: AccountRow, accounts: list[AccountRow]) -> None:
        self.used_names.discard(group.name)
        group.name, group.short_name = GROUP_NAME, GROUP_SHORT
        group.english_name = "Huacai Pharmaceutical Group Co., Ltd."
        group.domain, group.website = "huacaipharma.com.cn", "https://www.huacaipharma.com.cn"
        group.industry, group.scale, group.organisation_form = "pharma", "group", "company"
        group.enterprise_nature = "private"
        group.organisation_structure = (
            "董事会下设总裁办；五位副总裁分管营销、财务、行政与采购、研发、生产"
        )
        children = [child for child in accounts if child.parent_idx == group.idx]
        for child in children:
            city = child.city.removesuffix("市")
            child.name = f"华彩医药（{city}）有限公司"
            child.short_name = f"华彩{city}"
            child.domain, child.website = group.domain, group.website
            child.industry, child.enterprise_nature = "pharma", "private"
        # a second subsidiary in the same city is another line of the business
        seen: dict[str, int] = {}
        for child in children:
            n = seen[child.name] = seen.get(child.name, 0) + 1
            if n > 1:
                line = BUSINESS_LINES[(n - 2) % 5]
                child.name = child.name.replace("）有限公司", f"）{line}有限公司")

    def centre(self, acc: AccountRow, externals: list[AccountRow]) -> None:
        """All `GROUP_SIZE` people on the group's buying centre, meetings with a director's team
        at once, two outside influencers, a core-supplier relationship."""
        kp = self.kp
        kam, lead, colleague = kp.owners(acc)
        others = [u for u in kp.visible(acc) if u not in {kam, lead, colleague}]
        slots = group_tree()
        person_at = self._place(acc, slots)
        owners = [kam, kam, lead, colleague, *others]  # only people who may see the group
        for k, slot in enumerate(slots):
            self._seat(acc, k, slot, person_at, owners)
        # meetings with several of them at once
        for _ in range(6):
            director = self.dice.pick([k for k, s in enumerate(slots) if s[0] == 3])
            team = [person_at[k].idx for k, s in enumerate(slots) if s[3] == director][:4]
            kp.touch(acc, person_at[director].idx, kp.ago(10, 300), "visit",
                     f"与{slots[director][2]}团队座谈年度会议需求", kam,
                     others=tuple(team))  # fmt: skip
        for ext in [e for e in externals if e.idx != acc.idx][:2]:
            kp.external(acc, ext, kp.out.seats, kam)
        kp.out.relationships.append(
            OrgRow(acc.idx, "core", "proactive", "集团核心供应商；目标两年内成为战略伙伴")
        )

    def _place(self, acc: AccountRow, slots: list[Slot]) -> dict[int, ContactRow]:
        """The person at each slot: the archive's people take positions of their level, new
        people fill the others."""
        archive = list(self.kp.people[acc.idx])
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
                person_at[k] = self.kp.add_contact(acc, title, dept, seniority=seniority,
                                                   birthday=level <= 3)  # fmt: skip
        return person_at

    def _roles(self, k: int, level: int, title: str) -> list[str]:
        if k == 0:
            return [APPROVER]
        if level == 2:
            return [DECISION_MAKER]
        if any(w in title for w in ("采购", "财务", "行政总监", "医学事务")) and level <= 4:
            return [DECISION_MAKER] if level == 3 else [INFLUENCER]
        if title in {"前台", "总裁秘书"} or "总裁办主任" in title:
            return [GATEKEEPER]
        if level == 3:
            return [INFLUENCER]
        if level == 4:
            return [INFLUENCER, USER] if self.dice.chance(0.4) else [USER]
        return [USER]

    def _seat(
        self, acc: AccountRow, k: int, slot: Slot, person_at: dict[int, ContactRow],
        owners: list[str],
    ) -> None:  # fmt: skip
        """The seat at slot ``k`` with its stage events and latest touchpoint."""
        dice, kp = self.dice, self.kp
        level, title, _dept, boss = slot
        person = person_at[k]
        kam, lead = owners[0], owners[2]
        roles = self._roles(k, level, title)
        influence = {1: 5, 2: 5 if title == "总裁" else 4, 3: 3, 4: 2, 5: 1}[level]
        stance = dice.pick(STANCES_HIGH if level <= 3 else STANCES_LOW)
        if k == 0:
            stance = "supporter"
        if not person.is_active:  # left before we mapped the group: no relationship
            stance = "neutral"
        if level <= 2:
            owner = lead if k <= 1 else dice.pick(owners[:3])
        else:
            owner = dice.pick(owners) if dice.chance(0.7) else None
        s = SeatRow(
            acc.idx, person.idx, roles, stance=stance, influence=influence,
            reports_to_idx=person_at[boss].idx if boss >= 0 else None,
            rising_star=level in {3, 4} and dice.chance(0.06), owner=owner,
            seniority=level,
        )  # fmt: skip
        kp.out.seats.append(s)
        by = owner or kam
        warm = stance in {"champion", "supporter"}
        stage = None
        if k <= 1:
            stage = "interest" if k == 0 else "trust"
        elif warm:
            stage = dice.pick(("goodwill", "trust", "trust", "interest", "emotion")
                              if stance == "champion" else ("goodwill", "trust"))  # fmt: skip
        elif level <= 4 and dice.chance(0.35):
            stage = "goodwill"
        if stage and person.is_active:
            kp.stages(acc, s, person, stage, by, last_before=dice.randint(10, 60))
        if (warm or level <= 2) and person.is_active:
            kind, subject = dice.pick(RECENT_TOUCH)
            kp.touch(acc, person.idx, kp.ago(3, 45), kind, subject.format(name=person.name), by)
