"""What one purchase occasion of the hotel looks like, line by line.

A MICE event books meeting space, rooms and F&B on the same days (会议带动住宿+餐饮); a wedding
books the banquet, the hall and the bridal rooms; a family dines; an OTA sends a batch of room
nights. The purchases planner places the occasions in time; the organisations planner needs their
mean value to give every account enough purchases to show its lifecycle pattern.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable

import numpy as np

from guanxi.demo.draw import Dice
from guanxi.demo.rows import AccountRow

# One line of an occasion: (day offset, hour, minute, category, amount, head count, text).
Line = tuple[int, int, int, str, float, int | None, str]

# The kinds of occasion of each account type, with their weights.
KINDS_OF_TYPE: dict[str, tuple[tuple[str, float], ...]] = {
    "mice": (
        ("mice_event", 0.55),
        ("room_stay", 0.2),
        ("business_banquet", 0.15),
        ("other", 0.1),
    ),
    "gov_ent": (
        ("gov_meeting", 0.35),
        ("room_stay", 0.3),
        ("business_banquet", 0.25),
        ("annual_party", 0.03),
        ("other", 0.07),
    ),
    "corporate": (
        ("room_stay", 0.5),
        ("fnb_visit", 0.15),
        ("business_banquet", 0.15),
        ("travel", 0.04),
        ("small_meeting", 0.06),
        ("annual_party", 0.03),
        ("other", 0.07),
    ),
    "ota": (("ota_batch", 0.93), ("travel", 0.07)),
    "travel_agency": (("ta_group", 0.6), ("travel", 0.3), ("room_stay", 0.1)),
    "wedding": (("wedding", 0.7), ("family_banquet", 0.3)),
    "individual": (
        ("fnb_visit", 0.6),
        ("room_stay", 0.2),
        ("family_banquet", 0.08),
        ("business_banquet", 0.07),
        ("other", 0.05),
    ),
}


def occasion_kinds(acc: AccountRow) -> tuple[tuple[str, float], ...]:
    if acc.subkind == "wedding_family":
        return (("wedding", 1.0),)
    return KINDS_OF_TYPE[acc.account_type]


def occasion(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    """One purchase occasion as its lines."""
    return OCCASIONS.get(kind, _other)(dice, kind, day)


class OccasionMeans:
    """Mean value of one purchase occasion by kind of account (Monte Carlo, cached, from its own
    seeded generator so it does not disturb any pass's draws)."""

    def __init__(self, seed: int):
        self.seed = seed
        self._mean: dict[str, float] = {}

    def of(self, acc: AccountRow) -> float:
        key = f"{acc.account_type}/{acc.subkind}"
        if key not in self._mean:
            dice = Dice(np.random.default_rng([self.seed, 7]))
            total = 0.0
            n = 300
            kinds = occasion_kinds(acc)
            for _ in range(n):
                kind = dice.pick_weighted(kinds)
                total += sum(line[4] for line in occasion(dice, kind, dt.date(2025, 5, 12)))
            self._mean[key] = total / n
        return self._mean[key]


# --------------------------------------------------------------------------- the kinds


def _meeting(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    """MICE events, government meetings and small meetings: the hall, meals and rooms for every
    day, the attendees arriving the evening before."""
    u, r = dice.uniform, dice.randint
    if kind == "mice_event":
        # most events ¥50k–800k; big congresses are short (one or two days)
        people = int(min(500, max(60, dice.rng.lognormal(math.log(130), 0.55))))
        days = dice.pick_weighted(((1, 35), (2, 45), (3, 17), (4, 3)))
        days = min(days, 2) if people > 300 else days
        hall, per_head, rate, stay = (70, 140), (100, 240), (420, 800), (0.3, 0.7)
        theme = dice.pick(
            ("学术年会", "经销商大会", "新品发布会", "客户答谢会", "行业论坛", "培训会", "研讨会")
        )
    elif kind == "gov_meeting":
        people = r(30, 200)
        days = dice.pick_weighted(((1, 55), (2, 45)))
        hall, per_head, rate, stay = (40, 80), (80, 150), (380, 550), (0.3, 0.6)
        theme = dice.pick(("工作会议", "业务培训班", "座谈会", "招商推介会", "专家评审会"))
    else:
        people = r(15, 60)
        days = 1
        hall, per_head, rate, stay = (60, 120), (100, 220), (450, 800), (0.0, 0.4)
        theme = dice.pick(("季度会议", "内部培训", "客户交流会"))
    name = f"{day.year}年{theme}"
    lines: list[Line] = []
    hall_day = round(people * u(*hall), -2) + r(3, 12) * 1000
    head_rate = u(*per_head)
    rooms = math.ceil(people * u(*stay) / 1.5)
    room_rate = round(u(*rate), -1)
    for d in range(days):
        lines.append((d, 8, 30, "meeting", hall_day, people, f"{name} · 会场 第{d + 1}天"))
        lines.append((d, 12, 0, "fnb", people * head_rate, people, f"{name} · 会议餐 第{d + 1}天"))
        if rooms:
            # attendees arrive the evening before: one line per night
            lines.append(
                (d - 1, 18, 0, "rooms", rooms * room_rate, rooms, f"{name} · 客房 {rooms}间")
            )
    if kind == "mice_event" and dice.chance(0.4):
        lines.append((0, 19, 0, "fnb", people * u(200, 400), people, f"{name} · 欢迎晚宴"))
    if kind == "mice_event" and dice.chance(0.15):
        tourists = max(10, people // 3)
        lines.append(
            (days, 9, 0, "travel", tourists * u(300, 800), tourists, f"{name} · 会后考察游")
        )
    return lines


def _room_stay(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    u, r = dice.uniform, dice.randint
    rooms = dice.pick_weighted(((1, 70), (2, 20), (3, 10)))
    nights = dice.pick_weighted(((1, 40), (2, 30), (3, 20), (4, 10)))
    rate = round(u(1500, 2000) if dice.chance(0.08) else u(500, 1200), -1)
    lines: list[Line] = [
        (
            0,
            r(14, 21),
            r(0, 59),
            "rooms",
            rooms * nights * rate,
            rooms * dice.pick((1, 1, 2)),
            f"客房 {rooms}间×{nights}晚 ¥{rate:.0f}",
        )
    ]
    if dice.chance(0.15):
        lines.append(
            (
                nights,
                10,
                r(0, 59),
                "other",
                u(80, 600),
                None,
                dice.pick(("洗衣", "商务中心", "迷你吧", "停车")),
            )
        )
    return lines


def _fnb_visit(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    heads = dice.pick_weighted(
        ((2, 25), (3, 15), (4, 20), (6, 15), (8, 10), (10, 8), (12, 4), (20, 3))
    )
    lunch = dice.chance(0.4)
    per_head = dice.uniform(40, 200)
    meal = "午餐" if lunch else "晚餐"
    return [(0, 12 if lunch else 18, dice.randint(0, 50), "fnb", heads * per_head, heads,
             f"{meal} {heads}位")]  # fmt: skip


def _business_banquet(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    heads = dice.randint(8, 30)
    return [(0, 18, dice.randint(0, 45), "fnb", heads * dice.uniform(200, 500), heads,
             f"商务宴请 {math.ceil(heads / 10)}桌")]  # fmt: skip


def _annual_party(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    u, year = dice.uniform, day.year
    heads = dice.randint(100, 500)
    return [
        (0, 14, 0, "meeting", round(u(10_000, 40_000), -2), heads, f"{year}年会 · 宴会厅"),
        (0, 18, 0, "fnb", heads * u(200, 400), heads, f"{year}年会 · 晚宴 {heads // 10}桌"),
    ]


def _wedding(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    u, r = dice.uniform, dice.randint
    tables = r(10, 40)
    per_table = r(28, 68) * 100 + 88
    rooms = r(3, 15)
    return [
        (0, 11, 18, "fnb", tables * per_table, tables * 10, f"婚宴 {tables}桌"),
        (0, 8, 0, "meeting", round(u(5_000, 30_000), -2), tables * 10, "宴会厅场地布置"),
        (-1, 17, 0, "rooms", rooms * round(u(500, 900), -1), rooms, f"婚房及亲友用房 {rooms}间"),
    ]


def _family_banquet(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    r = dice.randint
    tables = r(3, 12)
    event = dice.pick(("寿宴", "满月宴", "升学宴", "订婚宴", "家宴"))
    return [(0, 17, 30, "fnb", tables * (r(18, 38) * 100 + 88), tables * 10,
             f"{event} {tables}桌")]  # fmt: skip


def _travel(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    people = dice.randint(10, 60)
    trip = dice.pick(("青岛二日游", "崂山一日游", "团建拓展", "海岛休闲游", "胶东半岛三日游"))
    return [(0, 8, 0, "travel", people * dice.uniform(800, 3500), people, f"{trip} {people}人")]


def _ta_group(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    u = dice.uniform
    rooms = dice.randint(10, 40)
    nights = dice.pick((1, 1, 2))
    people = rooms * 2
    lines: list[Line] = [(0, 16, 0, "rooms", rooms * nights * round(u(300, 550), -1), people,
                          f"旅游团 {rooms}间×{nights}晚")]  # fmt: skip
    for d in range(nights):
        lines.append((d, 18, 0, "fnb", people * u(40, 80), people, f"团餐 {people}位"))
    return lines


def _ota_batch(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    nights = dice.randint(3, 30)
    return [(0, 23, 30, "rooms", nights * round(dice.uniform(400, 1100), -1), nights,
             f"OTA 订单汇总 {nights}间夜")]  # fmt: skip


def _other(dice: Dice, kind: str, day: dt.date) -> list[Line]:
    """Parking, laundry, gift shop, business centre."""
    r = dice.randint
    return [(0, r(9, 20), r(0, 59), "other", dice.uniform(100, 3000), None,
             dice.pick(("礼品", "商务中心", "洗衣", "停车", "鲜花布置")))]  # fmt: skip


OCCASIONS: dict[str, Callable[[Dice, str, dt.date], list[Line]]] = {
    "mice_event": _meeting,
    "gov_meeting": _meeting,
    "small_meeting": _meeting,
    "room_stay": _room_stay,
    "fnb_visit": _fnb_visit,
    "business_banquet": _business_banquet,
    "annual_party": _annual_party,
    "wedding": _wedding,
    "family_banquet": _family_banquet,
    "travel": _travel,
    "ta_group": _ta_group,
    "ota_batch": _ota_batch,
}
