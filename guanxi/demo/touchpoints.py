"""The touchpoints the owners logged over the last six months, part of the relations pass.

Calls and visits at about the cadence the account's tier asks for (a restaurant member's planned
tier, else its value rank), WeChat messages, gifts before birthdays and wedding anniversaries
(with their cost), banquets (with their cost), the C members' yearly trip, invitations to the VIP
group, greetings on arrival. Some accounts are neglected: nothing logged for well beyond their
cadence, so the policy engine and the cost-to-serve figures have something to find.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from guanxi.demo.draw import Dice, Window, anniversary
from guanxi.demo.rows import AccountRow, ContactRow, KeyDateRow, TouchpointRow

HISTORY_DAYS = 183  # touchpoints are logged for about the last six months
# Cadence (call, visit) in days the owner keeps, by planned restaurant tier, else by value rank.
CADENCE = {"a": (3, 10), "b": (5, 15), "c": (7, 30)}
VALUE_CADENCE = ((0.05, (14, 30)), (0.20, (30, 90)), (0.60, (60, 180)), (1.01, (90, None)))
GIFT_COST = {"a": 100, "b": 80, "c": 50, "top": 300, "value": 150}
NEGLECTED_SHARE = 0.08
BANQUET_MONTHS = {"a": 3, "b": 6, "c": 3}  # the restaurant's privileges (等级特权)
BANQUET_TABLE = {"a": 700, "b": 500, "c": 300}
VIP_GROUP = "VIP客户微信群"

CALL_SUBJECTS = ("例行电话问候", "确认下周用餐安排", "电话回访用餐体验", "节前电话问候",
                 "询问近期会议需求", "电话沟通年度合作")  # fmt: skip
VISIT_SUBJECTS = ("登门拜访", "到访客户公司", "拜访并赠送新品菜单", "拜访，沟通年度会议计划",
                  "拜访客户，了解满意度")  # fmt: skip
WECHAT_SUBJECTS = ("微信推送新菜品", "微信节日祝福", "微信确认订位", "发送宴会厅照片")
GREETING_SUBJECTS = ("总经理到店问候", "店长迎宾问候", "经理进店问候")


class _Log:
    """One account's touchpoints as its owner logs them, with its main contact unless another
    is named."""

    def __init__(self, dice: Dice, window: Window, acc: AccountRow, main: int | None):
        self.dice, self.window, self.acc, self.main = dice, window, acc, main
        self.rows: list[TouchpointRow] = []

    def add(
        self, kind: str, day: dt.date, subject: str, *, cost: int | None = None,
        contact: int | None = None, hour: int | None = None, group: str = "",
    ) -> None:  # fmt: skip
        at = self.window.at(day, hour or self.dice.randint(9, 18), self.dice.randint(0, 59))
        self.rows.append(
            TouchpointRow(
                account_idx=self.acc.idx, kind=kind, occurred_at=at, logged_by=self.acc.owner,
                subject=subject, group=group, cost=None if cost is None else Decimal(cost),
                contact_idx=self.main if contact is None else contact,
            )
        )  # fmt: skip


class TouchpointsPlanner:
    def __init__(self, dice: Dice, window: Window, member_tier: dict[int, str]):
        self.dice = dice
        self.window = window
        self.as_of = window.as_of
        self.member_tier = member_tier  # account idx → the restaurant tier planned for it

    def touchpoints(
        self,
        accounts: list[AccountRow],
        people: dict[int, list[ContactRow]],
        key_dates: list[KeyDateRow],
    ) -> list[TouchpointRow]:
        by_value = sorted(accounts, key=lambda a: -a.annual)
        rank = {a.idx: i / len(accounts) for i, a in enumerate(by_value)}
        weddings: dict[int, list[KeyDateRow]] = defaultdict(list)
        for k in key_dates:
            if k.kind == "wedding":
                weddings[k.contact_idx].append(k)
        out: list[TouchpointRow] = []
        for acc in accounts:
            out += self._of_account(acc, rank[acc.idx], people[acc.idx], weddings)
        out.sort(key=lambda t: (t.occurred_at, t.account_idx, t.kind))
        return out

    def _level(self, acc: AccountRow) -> str:
        """a, b or c for a restaurant member of that planned tier, l for anyone else."""
        return self.member_tier.get(acc.idx, "l")[0]

    def _cadence(self, acc: AccountRow, rank: float) -> tuple[int, int | None]:
        level = self._level(acc)
        if level in CADENCE:
            return CADENCE[level]
        return next(c for limit, c in VALUE_CADENCE if rank < limit)

    def _series(self, cadence: int, neglected: bool) -> list[dt.date]:
        """Days of one kind of touchpoint over the history (at least one cadence long), newest
        first: the last one within the cadence (a few just beyond it), earlier ones about a
        cadence apart."""
        horizon = max(HISTORY_DAYS, cadence * 1.1)
        if neglected:
            back = cadence * self.dice.uniform(1.6, 3.0) + self.dice.randint(5, 20)
        else:
            back = cadence * self.dice.uniform(0.05, 1.08)
        days = []
        while back <= horizon:
            days.append(self.as_of - dt.timedelta(days=max(1, round(back))))
            back += cadence * self.dice.uniform(0.75, 1.15)
        return days

    def _days_ago(self, lo: int, hi: int = HISTORY_DAYS) -> dt.date:
        return self.as_of - dt.timedelta(days=self.dice.randint(lo, hi))

    def _of_account(
        self,
        acc: AccountRow,
        rank: float,
        people: list[ContactRow],
        weddings: dict[int, list[KeyDateRow]],
    ) -> list[TouchpointRow]:
        dice = self.dice
        call, visit = self._cadence(acc, rank)
        neglected = dice.chance(NEGLECTED_SHARE)
        active = [p for p in people if p.is_active] or people
        log = _Log(dice, self.window, acc, active[0].idx if active else None)
        for day in self._series(call, neglected):
            log.add("call", day, dice.pick(CALL_SUBJECTS))
        if visit:
            for day in self._series(visit, neglected):
                log.add("visit", day, dice.pick(VISIT_SUBJECTS), hour=dice.randint(9, 16))
        level = self._level(acc)
        top = rank < 0.05
        if neglected:
            return log.rows
        for _ in range(dice.randint(0, 5 if level in "abc" or top else 1)):
            log.add("wechat", self._days_ago(1), dice.pick(WECHAT_SUBJECTS),
                    hour=dice.randint(8, 21))  # fmt: skip
        gift = GIFT_COST.get(level) or (GIFT_COST["top"] if top else None)
        if gift is None and rank < 0.20:
            gift = GIFT_COST["value"]
        if gift:
            self._gifts(log, gift, active, weddings)
        banquet = BANQUET_MONTHS.get(level) or (6 if top else 12 if rank < 0.20 else None)
        if banquet:
            # hosted by the general manager, the store manager or the duty manager
            for day in self._series(banquet * 30, neglected=False):
                tables = dice.randint(1, 3)
                cost = BANQUET_TABLE.get(level, 1000) * tables + dice.randint(0, 9) * 10
                log.add("banquet", day, f"宴请 {tables}桌", cost=cost, hour=18)
        self._privileges(log, level)
        return log.rows

    def _gifts(
        self,
        log: _Log,
        cost: int,
        active: list[ContactRow],
        weddings: dict[int, list[KeyDateRow]],
    ) -> None:
        """A gift a day or three before each birthday and wedding anniversary in the history."""
        history_start = self.as_of - dt.timedelta(days=HISTORY_DAYS)
        for p in active:
            if p.birthday is None:
                continue
            for year in (self.as_of.year - 1, self.as_of.year):
                day = anniversary(p.birthday, year)
                if history_start <= day < self.as_of:
                    log.add("gift", day - dt.timedelta(days=self.dice.randint(1, 3)),
                            f"{p.name}生日礼物", cost=cost, contact=p.idx)  # fmt: skip
            for k in weddings[p.idx]:
                day = anniversary(k.date, self.as_of.year)
                if history_start <= day < self.as_of:
                    log.add("gift", day - dt.timedelta(days=self.dice.randint(1, 3)),
                            f"{p.name}结婚纪念日礼物", cost=cost, contact=p.idx)  # fmt: skip

    def _privileges(self, log: _Log, level: str) -> None:
        """The restaurant tiers' privileges: C members' yearly trip (旅游), A members' VIP group,
        A and B members greeted on arrival."""
        dice = self.dice
        if level == "c":
            for day in self._series(365, neglected=dice.chance(0.1)):
                persons = dice.randint(2, 6)
                log.add("trip", day, f"会员旅游 {persons}人", cost=500 * persons, hour=8)
        if level == "a" and dice.chance(0.8):
            log.add("group_invite", self._days_ago(30), f"邀请加入{VIP_GROUP}", group=VIP_GROUP)
        if level in "ab":
            for _ in range(dice.randint(2, 6)):
                log.add("greeting", self._days_ago(1),
                        dice.pick(GREETING_SUBJECTS[:2] if level == "a" else GREETING_SUBJECTS[1:]),
                        hour=dice.pick((12, 18)))  # fmt: skip
