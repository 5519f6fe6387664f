"""One key account's buying centre, its story, and our relationship with the organisation.

A buying centre of 4–12 people from the account's contacts, with people added where the
archive has too few (总经理, 采购总监, 财务总监, 前台…): buying roles, attitude, influence,
reporting lines (a tree: no loops), a rising star, our relationship owners (only people who may see
the account), the key people's relationship stages (好感 → 信任 → 利益 → 情感) dated in the past
with the touchpoint that shows each, and the organisation relationship (supplier stage, Kotler
level).

A healthy centre has its approver and a decision maker at trust or beyond, several warm people
owned by several of us, everyone warm touched within the last weeks. A story bends that picture so
that one relationship risk of `guanxi.relationships.risks` shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from guanxi.demo.keypeople import (
    APPROVER,
    DECISION_MAKER,
    GATEKEEPER,
    INFLUENCER,
    OLD_TOUCH,
    RECENT_TOUCH,
    USER,
    KeyPeople,
)
from guanxi.demo.people import title_set
from guanxi.demo.rows import AccountRow, ContactRow, OrgRow, SeatRow

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
MAX_SEATS = 12

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


def top_rank(title: str) -> int | None:
    """How high a title ranks at the top of an organisation (0 highest); None if not the top."""
    if title.startswith("副"):
        return None
    return next((i for i, w in enumerate(TOP_WORDS) if w in title), None)


def roles_for(title: str, seniority: int) -> list[str]:
    """The buying roles an archive contact most likely plays, by title and seniority."""
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


@dataclass
class _Centre:
    """One buying centre while it is being built; the top person's seniority is 3 until the
    reporting lines are drawn, so that no one outranks them."""

    acc: AccountRow
    story: str
    kam: str
    lead: str
    colleague: str
    seats: list[SeatRow] = field(default_factory=list)
    people: dict[int, ContactRow] = field(default_factory=dict)  # contact idx → person
    added: set[int] = field(default_factory=set)  # contact idx of the people we added
    stage_of: dict[int, str | None] = field(default_factory=dict)  # contact idx → stage

    def seat(self, person: ContactRow, roles: list[str] | tuple[str, ...], seniority: int,
             new: bool) -> SeatRow:  # fmt: skip
        s = SeatRow(self.acc.idx, person.idx, list(roles), seniority=seniority)
        self.seats.append(s)
        self.people[person.idx] = person
        if new:
            self.added.add(person.idx)
        return s


class CentrePlanner:
    def __init__(self, kp: KeyPeople):
        self.kp = kp
        self.dice = kp.dice

    def centre(self, acc: AccountRow, story: str, externals: list[AccountRow]) -> None:
        """The account's buying centre as ``story`` tells it (`HEALTHY` or one of `STORIES`),
        with an outside influencer from one of ``externals`` if there is room."""
        c = _Centre(acc, story, *self.kp.owners(acc))
        top = self._approver(c)
        self._more_people(c)
        champion = self._champion(c, top)
        rest = [s for s in c.seats if s is not top and s is not champion]
        supporter = next((s for s in rest if s.seniority >= 1 and GATEKEEPER not in s.roles),
                         rest[0] if rest else None)  # fmt: skip
        self._reporting_lines(c, top)
        top.seniority = 2  # back to the archive's scale
        self._stances(c, top, champion, supporter, rest)
        self._bend(c, top, champion)
        self._stage_plan(c, top, champion)
        self._history(c, champion)
        for ext in [e for e in externals if e.idx != acc.idx][:1]:
            if len(c.seats) < MAX_SEATS:
                self.kp.external(acc, ext, c.seats, c.kam)
        self.kp.out.seats.extend(c.seats)
        self._relationship(acc, story)

    # ---- who sits in it

    def _approver(self, c: _Centre) -> SeatRow:
        """Seat the archive's active people, the highest-ranking top person as the approver
        (added if the archive has none); returns the approver's seat."""
        archive = [p for p in self.kp.people[c.acc.idx] if p.is_active]
        ranked = sorted(
            (p for p in archive if top_rank(p.title) is not None),
            key=lambda p: (top_rank(p.title), p.idx),
        )
        top_person = ranked[0] if ranked else None
        for p in archive:
            roles = [APPROVER] if p is top_person else roles_for(p.title, p.seniority)
            c.seat(p, roles, 3 if p is top_person else p.seniority, False)
        if top_person is None:
            title, dept = TOP_TITLE[title_set(c.acc)]
            top_person = self.kp.add_contact(c.acc, title, dept, seniority=2)
            c.seat(top_person, [APPROVER], 3, True)
        return next(s for s in c.seats if s.contact_idx == top_person.idx)

    def _more_people(self, c: _Centre) -> None:
        """5–10 people (the story may add one or two more, never beyond 12): a decision maker
        and a gatekeeper first, then whoever the KAM has come to know."""
        dice = self.dice
        extras = EXTRA_PEOPLE.get(title_set(c.acc), EXTRA_PEOPLE["default"])
        size = dice.randint(5, 8) if dice.chance(0.75) else dice.randint(9, 10)
        pool = [
            e for e in extras if not any(c.people[s.contact_idx].title == e[0] for s in c.seats)
        ]
        pool.sort(key=lambda e: (DECISION_MAKER not in e[3], GATEKEEPER not in e[3]))
        pool = pool[:2] + [pool[2:][int(i)] for i in dice.rng.permutation(len(pool[2:]))]
        for title, dept, seniority, roles in pool:
            if len(c.seats) >= size and any(DECISION_MAKER in s.roles for s in c.seats):
                break
            person = self.kp.add_contact(c.acc, title, dept, seniority=seniority)
            c.seat(person, roles, seniority, True)

    def _champion(self, c: _Centre, top: SeatRow) -> SeatRow:
        """The champion: someone we added (the archive's people are the ones who book), never
        the approver; a decision maker unless the story needs the decision makers cold."""
        decision = [s for s in c.seats if s is not top and DECISION_MAKER in s.roles]
        others = [s for s in c.seats if s is not top and DECISION_MAKER not in s.roles
                  and GATEKEEPER not in s.roles]  # fmt: skip
        if c.story == "decision_maker_stage":
            pool = [s for s in others if s.contact_idx in c.added] or others
        else:
            pool = [s for s in decision if s.contact_idx in c.added] or decision
        if not pool:
            person = self.kp.add_contact(c.acc, "采购总监", "采购部", seniority=1)
            pool = [c.seat(person, [DECISION_MAKER], 1, True)]
        champion = pool[0]
        if c.story in {"champion_left", "champion_inactive"} and not [
            s for s in decision if s is not champion
        ]:
            # someone else decides with the champion, so the decision role stays covered
            title, dept = TOP_TITLE[title_set(c.acc)]
            person = self.kp.add_contact(c.acc, f"副{title}", dept, seniority=2)
            c.seat(person, [DECISION_MAKER], 2, True)
        return champion

    def _reporting_lines(self, c: _Centre, top: SeatRow) -> None:
        """A tree under the top person (to someone a level higher, always), and influence by
        seniority."""
        bosses = {}
        for s in c.seats:
            above = [b for b in c.seats if b.seniority > s.seniority]
            if s is top or not above:
                bosses[id(s)] = None
                continue
            # the head of their own department if there is one, else someone a level up
            dept = c.people[s.contact_idx].department
            same = [b for b in above if c.people[b.contact_idx].department == dept]
            nearest = min(b.seniority for b in same or above)
            level = [b for b in same or above if b.seniority == nearest]
            bosses[id(s)] = self.dice.pick(level).contact_idx
        for s in c.seats:
            s.reports_to_idx = bosses[id(s)]
            s.influence = {3: 5, 2: 4, 1: 3, 0: 2}[s.seniority]
            if GATEKEEPER in s.roles and s.seniority == 0:
                s.influence = 1

    def _stances(
        self, c: _Centre, top: SeatRow, champion: SeatRow, supporter: SeatRow | None,
        rest: list[SeatRow],
    ) -> None:  # fmt: skip
        """The healthy picture: who is for us, who owns the relationship, a rising star."""
        dice, kam, colleague = self.dice, c.kam, c.colleague
        champion.stance, champion.owner = "champion", kam
        champion.influence = max(champion.influence, 4)
        top.stance, top.owner = "supporter", c.lead
        if supporter is not None:
            supporter.stance, supporter.owner = "supporter", colleague
        for s in rest:
            if s is supporter:
                continue
            s.stance = dice.pick(("neutral", "neutral", "neutral", "supporter", "sceptic"))
            if s.stance == "supporter":
                s.owner = dice.pick((kam, colleague))
            elif dice.chance(0.5):
                s.owner = kam
        stars = [s for s in rest if s.seniority == 1 and s is not supporter]
        if stars and dice.chance(0.6):
            star = dice.pick(stars)
            star.rising_star = True
            star.notes = "年轻有冲劲，明年有望接任部门负责人"

    def _bend(self, c: _Centre, top: SeatRow, champion: SeatRow) -> None:
        """The story bends the healthy picture."""
        if c.story == "single_contact":
            top.stance, top.owner = "champion", c.kam
            top.notes = "所有合作都通过总负责人本人拍板，其他人几乎不认识我们"
            for s in c.seats:
                if s is not top:
                    s.stance = "neutral" if s is not champion else "sceptic"
                    s.owner = None
            champion.notes = "对我们的价格有疑虑"
        elif c.story == "single_owner":
            for s in c.seats:
                if s.stance in {"champion", "supporter"}:
                    s.owner = c.colleague
            name = self.kp.staff.name_of.get(c.colleague, c.colleague)
            top.notes = f"关系一直由{name}维护，其他同事很少接触"
        elif c.story == "uncovered_role":
            top.roles = [DECISION_MAKER]
            top.notes = "最终审批在上级集团总部，审批人尚未接触"
        elif c.story == "champion_left":
            person = c.people[champion.contact_idx]
            person.is_active = False
            person.notes = "已离职（跳槽至同行），关系需要重建"
            champion.notes = "原内部支持者，已离职"
        elif c.story == "champion_inactive":
            champion.notes = "调岗到外地项目后很少联系"

    # ---- how far we have come with them

    def _stage_plan(self, c: _Centre, top: SeatRow, champion: SeatRow) -> None:
        """The stage each person has reached (`c.stage_of`), as the story has it."""
        pick = self.dice.pick
        c.stage_of = {s.contact_idx: None for s in c.seats}
        c.stage_of[champion.contact_idx] = pick(("interest", "emotion"))
        c.stage_of[top.contact_idx] = pick(("trust", "trust", "interest"))
        for s in c.seats:
            if s is champion or s is top:
                continue
            if s.stance == "supporter":
                c.stage_of[s.contact_idx] = pick(("trust", "trust", "interest"))
            elif DECISION_MAKER in s.roles:
                c.stage_of[s.contact_idx] = pick(("goodwill", "trust", "trust"))
            elif self.dice.chance(0.5):
                c.stage_of[s.contact_idx] = "goodwill"
        if c.story == "single_contact":
            c.stage_of = {k: ("goodwill" if v else None) for k, v in c.stage_of.items()}
            c.stage_of[top.contact_idx] = "interest"
        elif c.story == "decision_maker_stage":
            self._cold_deciders(c, top, champion)

    def _cold_deciders(self, c: _Centre, top: SeatRow, champion: SeatRow) -> None:
        """The decision makers stay cold; the warm people are below them: a second one, owned by
        a colleague."""
        for s in c.seats:
            if APPROVER in s.roles or DECISION_MAKER in s.roles:
                c.stage_of[s.contact_idx] = "goodwill" if s is top else None
                s.stance = "neutral" if s is not top else "sceptic"
        top.notes = "更看重价格，对我们仍在观望"
        helpers = [
            s
            for s in c.seats
            if s is not champion and not ({APPROVER, DECISION_MAKER} & set(s.roles))
        ]
        if not helpers:
            person = self.kp.add_contact(c.acc, "行政经理", "行政部", seniority=1)
            helpers = [c.seat(person, [INFLUENCER, USER], 1, True)]
            helpers[0].reports_to_idx = top.contact_idx
            c.stage_of[person.idx] = None
        helper = helpers[0]
        helper.stance, helper.owner = "supporter", c.colleague
        c.stage_of[helper.contact_idx] = "trust"

    def _history(self, c: _Centre, champion: SeatRow) -> None:
        """Stage events with their evidence, and each person's latest touchpoint: recent for the
        warm and the deciding, months back for a champion who left or went quiet."""
        kp, acc = self.kp, c.acc
        for s in c.seats:
            person = c.people[s.contact_idx]
            by = s.owner or c.kam
            stage = c.stage_of[s.contact_idx]
            inactive = s is champion and c.story in {"champion_inactive", "champion_left"}
            if stage:
                kp.stages(acc, s, person, stage, by, last_before=150 if inactive else 20)
            warm_or_deciding = s.stance in {"champion", "supporter"} or (
                APPROVER in s.roles or DECISION_MAKER in s.roles
            )
            if inactive:
                kind, subject = self.dice.pick(OLD_TOUCH)
                kp.touch(acc, person.idx, kp.ago(105, 140), kind,
                         subject.format(name=person.name), by)  # fmt: skip
            elif warm_or_deciding:
                kind, subject = self.dice.pick(RECENT_TOUCH)
                kp.touch(acc, person.idx, kp.ago(5, 45), kind,
                         subject.format(name=person.name), by)  # fmt: skip
            elif self.dice.chance(0.5):
                kind, subject = self.dice.pick(OLD_TOUCH)
                kp.touch(acc, person.idx, kp.ago(20, 170), kind,
                         subject.format(name=person.name), by)  # fmt: skip

    def _relationship(self, acc: AccountRow, story: str) -> None:
        """The organisation relationship: supplier stage and Kotler level."""
        pick = self.dice.pick
        if story == HEALTHY:
            stage = pick(("core", "core", "strategic", "main"))
        else:
            stage = pick(("main", "main", "core", "general"))
        # both picks are drawn whatever the stage (the draws stay in step)
        kotler = {
            "general": "reactive",
            "main": pick(("accountable", "reactive")),
            "core": pick(("proactive", "accountable")),
            "strategic": "partnership",
        }[stage]
        notes = {
            "general": "偶尔合作，尚未进入对方主要供应商名录",
            "main": "主要供应商之一，与两三家酒店轮换",
            "core": "核心供应商，年度会议大部分在我店举办",
            "strategic": "战略合作伙伴，签有年度框架协议并共同策划活动",
        }[stage]
        self.kp.out.relationships.append(OrgRow(acc.idx, stage, kotler, notes))
