"""The relationship side of the demo: restaurant regulars, discounts, touchpoints, special days.

Runs after the hotel's transactions are drawn (`DemoGenerator.generate`), from its own seeded
generator, so the hotel's rows (and what the analytics tests find in them) do not move. It adds:

- **Restaurant members (餐饮会员)** with their dining, discounts and monthly settlements
  (`dining`): a believable pyramid of the restaurant's monthly tiers.
- **Special days**: a few members' and key accounts' contacts have their birthday in the coming
  week and some a wedding anniversary in the next weeks, so Today has them on first login.
- **Touchpoints** logged by the owners over the last six months (`touchpoints`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import numpy as np

from guanxi.demo.dining import (
    MEMBER_TAG,
    MEMBER_TAG_DESCRIPTION,
    DiningPlanner,
    month_window,
    tier_categories,
)
from guanxi.demo.draw import Dice, Window, anniversary
from guanxi.demo.rows import (
    AccountRow,
    ContactRow,
    KeyDateRow,
    PaymentRow,
    TouchpointRow,
    TxRow,
)
from guanxi.demo.scenarios import Pattern
from guanxi.demo.touchpoints import TouchpointsPlanner

RELATIONS_SEED = 404

__all__ = [  # the restaurant's names, long imported from here
    "MEMBER_TAG",
    "MEMBER_TAG_DESCRIPTION",
    "RelationsPlanner",
    "month_window",
    "tier_categories",
]


class RelationsPlanner:
    def __init__(self, *, seed: int, window: Window):
        self.window = window
        self.as_of = window.as_of
        self.dice = Dice(np.random.default_rng([seed, RELATIONS_SEED]))
        self.dining = DiningPlanner(self.dice, window)

    def plan(
        self,
        accounts: list[AccountRow],
        contacts: list[ContactRow],
        key_dates: list[KeyDateRow],
        txs: list[TxRow],
        payments: list[PaymentRow],
    ) -> list[TouchpointRow]:
        """Add the members' dining to ``txs`` and ``payments``, move some birthdays into the
        coming week and add wedding anniversaries to ``key_dates``; return the touchpoints."""
        people: dict[int, list[ContactRow]] = defaultdict(list)
        for c in contacts:
            people[c.account_idx].append(c)
        self.dining.members(accounts, txs)
        for acc in accounts:
            if acc.idx in self.dining.member_tier:
                acc.tags.append(MEMBER_TAG)
                rows = self.dining.dining(acc, people[acc.idx])
                txs.extend(rows)
                payments.extend(self.dining.settlements(acc, rows))
        self._special_days(accounts, people, key_dates)
        planner = TouchpointsPlanner(self.dice, self.window, self.dining.member_tier)
        return planner.touchpoints(accounts, people, key_dates)

    def _special_days(
        self,
        accounts: list[AccountRow],
        people: dict[int, list[ContactRow]],
        key_dates: list[KeyDateRow],
    ) -> None:
        """Birthdays in the coming week and wedding anniversaries in the coming weeks, for the
        members of a tier and the most valuable other accounts."""
        dice, tier = self.dice, self.dining.member_tier
        important = [a for a in accounts if tier.get(a.idx, "l")[0] in "abc"]
        important += sorted(
            (a for a in accounts if a.idx not in tier and a.pattern != Pattern.CHURNED),
            key=lambda a: -a.annual,
        )[: max(2, len(accounts) // 30)]
        chosen = [important[int(i)] for i in dice.rng.permutation(len(important))]
        n_birthdays = max(2, len(accounts) // 30)
        for acc in chosen[:n_birthdays]:
            person = next((p for p in people[acc.idx] if p.is_active and p.birthday), None)
            if person is None:
                continue
            soon = self.as_of + dt.timedelta(days=dice.randint(1, 7))
            person.birthday = anniversary(soon, person.birthday.year)
        for acc in chosen[n_birthdays : n_birthdays + max(1, len(accounts) // 60)]:
            person = next((p for p in people[acc.idx] if p.is_active and p.birthday), None)
            if person is None:
                continue
            soon = self.as_of + dt.timedelta(days=dice.randint(3, 20))
            married = person.birthday.year + dice.randint(24, 32)
            if married < self.as_of.year:
                day = anniversary(soon, married)
                key_dates.append(KeyDateRow(person.idx, "wedding", day, "结婚纪念日"))
