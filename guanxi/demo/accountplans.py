"""Account plans (一企一策) of about ten key accounts (every KAM's first key account among them).

Each plan has the situation analysis, rivals fitting the account (hotels and venues, guest houses,
OTA and business-travel channels, caterers, wedding venues) with seed 004's six questions, goals of
every measure kind, actions owned by people who may see the account, and the reviews held so far,
whose minutes read the account's revenue against the target. The plans stand differently: on
track, one action behind, one badly behind, one started late in the year (few actions due); last
year's plans of older customers are closed, next year's are drafted from November, and a plan
started late is still a draft in January.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from guanxi.demo.keypeople import APPROVER, DECISION_MAKER, STAGES, KeyPeople
from guanxi.demo.plan_words import (
    ACTION_FIRST,
    ACTIONS,
    BEHIND_NOTES,
    CANCEL_NOTES,
    DECISIONS,
    KICKOFF_MINUTES,
    KOTLER_WORDS,
    LATE_NOTES,
    MEETINGS,
    ON_TRACK_NOTES,
    OUR_STRATEGY,
    PEOPLE_NOTES,
    RIVAL_ANSWERS,
    RIVAL_ANSWERS_OF_KIND,
    RIVAL_NOTES,
    RIVAL_QUESTIONS,
    RIVAL_SHARE,
    RIVAL_STYLE,
    RIVALS,
    RIVALS_OF,
    SITUATION,
    STAGE_WORDS,
    SUPPLIER_WORDS,
)
from guanxi.demo.rows import (
    AccountRow,
    ActionRow,
    CompetitorRow,
    ContactRow,
    GoalRow,
    OrgRow,
    PlanRow,
    ReviewRow,
    SeatRow,
    TxRow,
)

PLANS = 10
SUPPLIER_ORDER = ("general", "main", "core", "strategic")
KOTLER_ORDER = ("basic", "reactive", "accountable", "proactive", "partnership")


class AccountPlansPlanner:
    def __init__(self, kp: KeyPeople):
        self.kp = kp
        self.dice = kp.dice
        self.as_of = kp.as_of
        self.monthly: dict[tuple[int, int, int], float] = defaultdict(float)  # (acc, y, m) → ¥
        self.used_rivals: dict[str, int] = defaultdict(int)
        self.used_answers: set[tuple[str, ...]] = set()
        self.stage_of: dict[tuple[int, int], str] = {}  # (account, contact) → latest stage
        self.by_idx: dict[int, ContactRow] = {}

    def plans(self, keys: list[AccountRow], txs: list[TxRow]) -> None:
        """This year's plans of about ten key accounts, each in its own state (its profile): on
        track, one overdue, badly behind, or started late with few actions due yet; last year's
        closed plans of a few of them, and next year's drafts once the year is ending."""
        out = self.kp.out
        chosen = self._chosen(keys)
        revenue, margin, count = self._figures(chosen, txs)
        seats_of: dict[int, list[SeatRow]] = defaultdict(list)
        for s in out.seats:
            seats_of[s.account_idx].append(s)
        for st in sorted(out.stages, key=lambda st: st.reached_on):
            self.stage_of[(st.account_idx, st.contact_idx)] = st.stage
        org = {r.account_idx: r for r in out.relationships}
        self.by_idx = {c.idx: c for c in self.kp.contacts}
        profiles = self._profiles(chosen)
        year = self.as_of.year
        early = self.as_of < dt.date(year, 2, 1)  # plans are still being written in January
        for n, (acc, profile) in enumerate(zip(chosen, profiles, strict=True)):
            args = (revenue[acc.idx], margin[acc.idx], count[acc.idx], seats_of[acc.idx],
                    org.get(acc.idx))  # fmt: skip
            status = "draft" if early and profile == "fresh" else "active"
            out.plans.append(self._plan(acc, n, *args, year=year, profile=profile, status=status))
            since = acc.customer_since or self.as_of
            if n < 5 and profile != "fresh" and since < dt.date(year - 1, 1, 1):
                # a customer since before last year: last year's plan, closed
                out.plans.append(
                    self._plan(acc, n, *args, year=year - 1, profile="closed", status="closed")
                )
            if self.as_of.month >= 11 and profile == "on_track" and n < 6:
                out.plans.append(
                    self._plan(acc, n, *args, year=year + 1, profile="next", status="draft")
                )

    def _chosen(self, keys: list[AccountRow]) -> list[AccountRow]:
        """Every KAM's first key account, then the most valuable others, `PLANS` in all."""
        chosen: list[AccountRow] = []
        for username in self.kp.staff.usernames:
            first = next((a for a in keys if a.owner == username), None)
            if (
                first is not None
                and self.kp.staff.role_of[username] == "kam"
                and len(chosen) < PLANS
            ):
                chosen.append(first)
        for acc in keys:
            if len(chosen) >= PLANS:
                break
            if acc not in chosen:
                chosen.append(acc)
        return chosen

    def _figures(
        self, chosen: list[AccountRow], txs: list[TxRow]
    ) -> tuple[dict[int, float], dict[int, float], dict[int, int]]:
        """Revenue, margin and number of transactions over the last year by account, and the
        revenue by month (`monthly`) that the reviews read."""
        year_ago = self.kp.window.at(self.as_of - dt.timedelta(days=365), 0)
        revenue: dict[int, float] = defaultdict(float)
        margin: dict[int, float] = defaultdict(float)
        count: dict[int, int] = defaultdict(int)
        wanted = {a.idx for a in chosen}
        for t in txs:
            if t.account_idx not in wanted:
                continue
            day = t.occurred_at.date()
            self.monthly[(t.account_idx, day.year, day.month)] += float(t.amount)
            if t.occurred_at >= year_ago:
                revenue[t.account_idx] += float(t.amount)
                margin[t.account_idx] += float(t.amount - t.cost)
                count[t.account_idx] += 1
        return revenue, margin, count

    def _profiles(self, chosen: list[AccountRow]) -> list[str]:
        """The newest customer's plan started late in the year; of the others one is badly
        behind and the rest on track or one action behind."""
        newest = max(chosen, key=lambda a: (a.customer_since or dt.date.min, a.idx))
        rest = ["behind", *(("on_track", "steady") * PLANS)][: len(chosen) - 1]
        rest = [rest[int(i)] for i in self.dice.rng.permutation(len(rest))]
        return [("fresh" if a is newest else rest.pop()) for a in chosen]

    # ---- one plan

    def _plan(
        self, acc: AccountRow, n: int, revenue: float, margin: float, count: int,
        seats: list[SeatRow], org: OrgRow | None, *, year: int, profile: str, status: str,
    ) -> PlanRow:  # fmt: skip
        kam, lead, colleague = self.kp.owners(acc)
        short = acc.short_name or acc.name
        sector = (
            "government"
            if acc.subkind in {"government", "institution"}
            else "association"
            if acc.subkind in {"association", "organiser"}
            else "business"
        )
        top = next((s for s in seats if APPROVER in s.roles), None) or (seats[0] if seats else None)
        target = self._target_person(acc, seats)
        gm = self.by_idx[top.contact_idx].name if top else "对方负责人"
        revenue = max(revenue, 50_000.0)
        plan = self._head(acc, n, len(seats), revenue, short, sector, gm, year=year,
                          profile=profile, status=status, kam=kam)  # fmt: skip
        plan.competitors = self._competitors(acc, self.dice.randint(1, 3))
        revenue_target = self._revenue_target(acc, revenue, year, profile)
        plan.goals = self._goals(n, revenue, margin, count, plan, org, target, revenue_target)
        people = {"kam": kam, "lead": lead, "colleague": colleague,
                  "manager": (self.kp.staff.managers or [lead])[0]}  # fmt: skip
        person = self.by_idx[target[0].contact_idx].name if target else gm
        words = {"gm": gm, "person": person, "rival": plan.competitors[0].name}
        plan.actions = self._actions(plan, profile, people, words)
        plan.reviews = self._reviews(plan, profile, people, words, short, sector, revenue_target)
        return plan

    def _target_person(
        self, acc: AccountRow, seats: list[SeatRow]
    ) -> tuple[SeatRow, str | None] | None:
        """The first active decision maker (else champion) not yet at the last stage, with the
        stage they have reached."""
        by_idx = self.by_idx
        deciders = [
            s for s in seats if DECISION_MAKER in s.roles and by_idx[s.contact_idx].is_active
        ]
        for s in [*deciders, *(s for s in seats if s.stance == "champion")]:
            current = self.stage_of.get((acc.idx, s.contact_idx))
            if current != "emotion" and by_idx[s.contact_idx].is_active:
                return s, current
        return None

    def _head(
        self, acc: AccountRow, n: int, n_seats: int, revenue: float, short: str, sector: str,
        gm: str, *, year: int, profile: str, status: str, kam: str,
    ) -> PlanRow:  # fmt: skip
        """The plan's title, situation analysis and strategy, and the account's wallet."""
        text = SITUATION[sector]
        share = self.dice.uniform(0.25, 0.5)
        wallet = Decimal(round(revenue / share, -5) or 100_000)
        titled = {"fresh": f"{short} {year}年度客户关系计划（新晋重点客户，下半年启动）"}
        return PlanRow(
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
            review_cadence="monthly" if n == 0 and n_seats > 50 else "quarterly",
            status=status,
        )

    def _revenue_target(self, acc: AccountRow, revenue: float, year: int, profile: str) -> float:
        u = self.dice.uniform
        # all three growth rates are drawn whatever the profile (the draws stay in step)
        growth = {"closed": u(0.9, 1.1), "next": u(1.15, 1.35)}.get(profile, u(1.1, 1.3))
        if profile == "closed":  # last year's target, about what was reached
            reached = self._revenue(acc.idx, dt.date(year, 1, 1), dt.date(year, 12, 31))
            return round(max(reached, 50_000.0) * growth, -4)
        return round(revenue * growth, -4)

    def _goals(
        self, n: int, revenue: float, margin: float, count: int, plan: PlanRow,
        org: OrgRow | None, target: tuple[SeatRow, str | None] | None, revenue_target: float,
    ) -> list[GoalRow]:  # fmt: skip
        """A goal of every measure kind: money, the target person's stage, supplier stage,
        Kotler level, coverage and a manual count."""
        dice = self.dice
        assert plan.wallet_size is not None
        current_share = round(100 * revenue / float(plan.wallet_size))
        goals = [
            GoalRow(f"全年营收达到 ¥{revenue_target:,.0f}", "revenue", Decimal(revenue_target)),
            GoalRow("毛利率稳定，毛利额同比增长 10%", "margin",
                    Decimal(round(max(margin, 10_000) * 1.1, -3))),
            GoalRow("消费笔数（会议、客房、餐饮）同比增长 10%", "transactions",
                    Decimal(max(10, round(count * 1.1)))),
            GoalRow("钱包份额提升 10 个百分点", "share_of_wallet",
                    Decimal(min(90, current_share + 10))),
        ]  # fmt: skip
        if target is not None:
            s, current = target
            nxt = STAGES[min(STAGES.index(current) + 1, 3)] if current else "goodwill"
            person = self.by_idx[s.contact_idx]
            description = f"与{person.title}{person.name}的关系达到“{STAGE_WORDS[nxt]}”"
            goals.append(
                GoalRow(description, "contact_stage", target_stage=nxt, contact_idx=person.idx)
            )
        stage_now = org.supplier_stage if org else "general"
        kotler_now = org.kotler_level if org else "basic"
        nxt_supplier = SUPPLIER_ORDER[min(SUPPLIER_ORDER.index(stage_now) + 1, 3)]
        goals.append(GoalRow(f"成为对方的{SUPPLIER_WORDS[nxt_supplier]}", "supplier_stage",
                             target_stage=nxt_supplier))  # fmt: skip
        if n == 0 or dice.chance(0.7):
            nxt_k = KOTLER_ORDER[min(KOTLER_ORDER.index(kotler_now) + 1, 4)]
            goals.append(GoalRow(f"关系水平提升到{KOTLER_WORDS[nxt_k]}", "kotler_level",
                                 target_stage=nxt_k))  # fmt: skip
        if n == 0 or dice.chance(0.7):
            goals.append(GoalRow("决策链覆盖评分达到 80 分", "coverage", Decimal(80)))
        if n == 0 or dice.chance(0.6):
            meetings = dice.randint(4, 10)
            goals.append(GoalRow(f"全年承接对方会议 {meetings} 场", "manual", Decimal(meetings),
                                 manual_value=Decimal(dice.randint(1, meetings - 1))))  # fmt: skip
        if n == 0:  # the agreements' goals (协议); no draw, so the other plans stay as they were
            goals.append(GoalRow("签订并履行战略合作协议", "strategic_agreements", Decimal(1)))
            goals.append(GoalRow("协议承诺量完成 100%", "commitment_attained", Decimal(100)))
        return goals

    def _competitors(self, acc: AccountRow, k: int) -> list[CompetitorRow]:
        """Rivals for this kind of account (hotels and venues, a government guest house, OTA and
        business-travel channels, caterers and wedding venues), the least used names first, each
        with its own answers to seed 004's six questions."""
        dice = self.dice
        kinds = RIVALS_OF.get(acc.subkind, RIVALS_OF["default"])
        out: list[CompetitorRow] = []
        for kind in dice.sample(kinds, k):
            names = [r for r in RIVALS[kind] if r not in {c.name for c in out}]
            least = min(self.used_rivals[r] for r in names)
            name = dice.pick([r for r in names if self.used_rivals[r] == least])
            self.used_rivals[name] += 1
            answers = {**RIVAL_ANSWERS[RIVAL_STYLE[kind]], **RIVAL_ANSWERS_OF_KIND.get(kind, {})}
            for _ in range(20):  # every rival's answers differ from those of the others
                picked = tuple(dice.pick(answers[q]) for q in RIVAL_QUESTIONS)
                if picked not in self.used_answers:
                    break
            self.used_answers.add(picked)
            low, high = RIVAL_SHARE[kind]
            out.append(CompetitorRow(name, *picked, share_estimate=dice.randint(low, high)))
        return out

    # ---- what was done and said

    def _actions(
        self, plan: PlanRow, profile: str, people: dict[str, str], words: dict[str, str]
    ) -> list[ActionRow]:
        """The plan's actions spread over its year. Past their due date they are done (on track),
        all but one done (steady), mostly overdue (behind); a plan started late has few due yet;
        last year's are all done or cancelled; next year's draft has its first steps only."""
        dice = self.dice
        position = {g.measure: i for i, g in enumerate(plan.goals)}
        items, dues, start = self._schedule(plan.year, profile)
        past = [i for i, d in enumerate(dues) if d < self.as_of]
        if profile == "behind":
            slipped = set(past[max(1, len(past) // 3) :])
        elif profile in {"steady", "next"} and past:
            slipped = {dice.pick(past[-3:])}
        else:
            slipped = set()
        cancelled = dice.pick(past[:-1]) if len(past) > 3 and dice.chance(0.3) else None
        out = []
        for i, ((title, role, measure), due) in enumerate(zip(items, dues, strict=True)):
            owner, goal = people[role], position.get(measure)
            title = title.format(**words)
            if i == cancelled and i not in slipped:
                out.append(ActionRow(title, owner, due, "cancelled", goal=goal,
                                     notes=dice.pick(CANCEL_NOTES)))  # fmt: skip
            elif due >= self.as_of:
                out.append(ActionRow(title, owner, due, goal=goal))
            elif i in slipped:
                out.append(ActionRow(title, owner, due, goal=goal, notes=dice.pick(LATE_NOTES)))
            else:
                done = due - dt.timedelta(days=dice.randint(-3, 6))
                done = max(min(done, self.as_of - dt.timedelta(days=1)), start)
                out.append(ActionRow(title, owner, due, "done", done, goal=goal))
        upcoming = [a for a in out if a.status == "open" and a.due_on >= self.as_of]
        this_week = self.as_of + dt.timedelta(days=6)
        if (
            upcoming
            and not any(a.due_on <= this_week for a in upcoming)
            and plan.year == self.as_of.year
        ):
            upcoming[0].due_on = self.as_of + dt.timedelta(days=dice.randint(1, 6))  # this week
        return out

    def _schedule(
        self, year: int, profile: str
    ) -> tuple[list[tuple[str, str, str]], list[dt.date], dt.date]:
        """The actions (title, owner role, measure), their due dates and the plan's start."""
        dice = self.dice
        start, end = dt.date(year, 1, 10), dt.date(year, 12, 15)
        k = {"behind": 9, "next": dice.randint(3, 4), "fresh": dice.randint(5, 6)}.get(profile)
        if profile == "fresh":
            start = max(dt.date(year, 1, 5), self.as_of - dt.timedelta(days=dice.randint(35, 55)))
            end = max(end, start + dt.timedelta(days=150))
        elif profile == "next":
            end = dt.date(year, 4, 30)
        items = [ACTION_FIRST, *dice.sample(ACTIONS, (k or dice.randint(6, 8)) - 1)]
        span = (end - start).days - 10
        offsets = sorted(dice.randint(10, span) for _ in items)
        if profile == "fresh":  # the first steps come soon after the start
            offsets = sorted([dice.randint(8, 16), *offsets[1:]])
        dues = [start + dt.timedelta(days=d) for d in offsets]
        if profile != "closed" and len(dues) > 3 and dues[-2] < self.as_of:
            # a running plan always has a next step or two: one this week, one within weeks
            dues[-2:] = [self.as_of + dt.timedelta(days=dice.randint(1, 6)),
                         self.as_of + dt.timedelta(days=dice.randint(10, 40))]  # fmt: skip
        return items, dues, start

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
        dice, year, kam = self.dice, plan.year, people["kam"]
        names = {role: self.kp.staff.name_of.get(u, u) for role, u in people.items()}
        attendees = "、".join(dict.fromkeys(names[r] for r in ("kam", "lead", "colleague")))
        if profile == "next":
            return []
        first_due = min((a.due_on for a in plan.actions), default=dt.date(year, 1, 20))
        if profile == "fresh":
            held = min(first_due - dt.timedelta(days=dice.randint(3, 7)),
                       self.as_of - dt.timedelta(1))  # fmt: skip
            return [ReviewRow(held, f"{year} 启动", attendees,
                              dice.pick(KICKOFF_MINUTES).format(short=short, **words),
                              self._decisions(names, words, 2, held), kam)]  # fmt: skip
        ends = [dt.date(year, 3, 31), dt.date(year, 6, 30), dt.date(year, 9, 30),
                dt.date(year, 12, 31)]  # fmt: skip
        out: list[ReviewRow] = []
        for q, end in enumerate(ends, start=1):
            held = end + dt.timedelta(days=dice.randint(5, 15))
            if held >= self.as_of:
                break
            minutes = self._minutes(plan, q, end, profile, words, short, sector, target)
            decisions = self._decisions(names, words, dice.randint(2, 3), held)
            out.append(ReviewRow(held, f"{year} Q{q}", attendees, minutes, decisions, kam))
        if not out:
            held = min(dt.date(year, 1, 12), self.as_of - dt.timedelta(days=1))
            out.append(ReviewRow(held, f"{year} 启动", attendees,
                                 dice.pick(KICKOFF_MINUTES).format(short=short, **words),
                                 self._decisions(names, words, 2, held), kam))  # fmt: skip
        if profile == "behind" and len(out) >= 2:
            out.pop()  # the latest review has slipped too
        return out if profile == "closed" else out[-3:]

    def _minutes(
        self, plan: PlanRow, q: int, end: dt.date, profile: str, words: dict[str, str],
        short: str, sector: str, target: float,
    ) -> str:  # fmt: skip
        """A quarter's minutes: revenue against the target, then two topics and how the
        actions stand."""
        dice, acc_idx = self.dice, plan.account_idx
        done = self._revenue(acc_idx, dt.date(plan.year, 1, 1), end)
        part = self._revenue(acc_idx, end.replace(day=1) - dt.timedelta(days=58), end)
        pct = round(100 * done / target) if target else 0
        pace = "进度超前" if pct >= 25 * q + 5 else "基本符合进度" if pct >= 25 * q - 8 else (
            "低于进度，需要追赶")  # fmt: skip
        late = sum(1 for a in plan.actions if a.status == "open" and a.due_on <= end)
        lines = [f"{short} Q{q}营收 ¥{part:,.0f}，累计 ¥{done:,.0f}，"
                 f"完成全年目标的 {pct}%，{pace}。"]  # fmt: skip
        topics = [dice.pick(MEETINGS[sector]), dice.pick(PEOPLE_NOTES), dice.pick(RIVAL_NOTES)]
        lines += [t.format(short=short, n=dice.randint(2, 6) * 10, **words)
                  for t in dice.sample(topics, 2)]  # fmt: skip
        if late:
            lines.append(dice.pick(BEHIND_NOTES).format(k=late))
        elif profile in {"on_track", "closed"}:
            lines.append(dice.pick(ON_TRACK_NOTES))
        return "".join(lines)

    def _decisions(
        self, names: dict[str, str], words: dict[str, str], k: int, held: dt.date
    ) -> str:
        items = self.dice.sample(DECISIONS, k)
        month = held.month % 12 + 1
        filled = [d.format(month=month, **names, **words) for d in items]
        return "".join(f"{'一二三'[i]}、{d}；" for i, d in enumerate(filled)).rstrip("；") + "。"
