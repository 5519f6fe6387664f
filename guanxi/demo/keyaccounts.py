"""The key accounts of the demo: buying centres, relationship stages, organisation relationships and
account plans (issue 5, seeds 000, 001, 004), and the win-back calls of accounts in decline.

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

import numpy as np
from faker import Faker

from guanxi.demo.accountplans import AccountPlansPlanner
from guanxi.demo.centres import HEALTHY, STORIES, CentrePlanner
from guanxi.demo.draw import Dice, Window
from guanxi.demo.group import GROUP_NAME, GROUP_SIZE, GroupPlanner
from guanxi.demo.keypeople import EXTERNAL_TITLE, KeyPeople
from guanxi.demo.rows import AccountRow, ContactRow, KeyAccountsPlan, TouchpointRow, TxRow
from guanxi.demo.scenarios import Pattern
from guanxi.demo.staff import Staff

KEY_SEED = 505
MAX_KEY_ACCOUNTS = 40
WIN_BACK_SUBJECTS = ("挽回电话：了解采购减少的原因", "回访：询问近期会议和住宿安排",
                     "电话沟通新的会议套餐优惠", "挽回电话：邀请来店体验新菜品")  # fmt: skip

__all__ = ["GROUP_NAME", "GROUP_SIZE", "KEY_SEED", "STORIES", "KeyAccountsPlanner"]


class KeyAccountsPlanner:
    def __init__(self, *, seed: int, window: Window, staff: Staff, used_names: set[str]):
        self.seed = seed
        self.window = window
        self.as_of = window.as_of
        self.staff = staff
        self.used_names = used_names

    def plan(
        self,
        accounts: list[AccountRow],
        contacts: list[ContactRow],
        touchpoints: list[TouchpointRow],
        txs: list[TxRow],
    ) -> KeyAccountsPlan:
        """The key accounts' plan; the people and touchpoints it adds are appended to
        ``contacts`` and ``touchpoints``."""
        dice = Dice(np.random.default_rng([self.seed, KEY_SEED]))
        fake = Faker("zh_CN")
        fake.seed_instance(self.seed * 1000 + KEY_SEED)
        kp = KeyPeople(dice, fake, self.window, self.staff, contacts, touchpoints)
        out = kp.out
        keys = self._key_accounts(accounts, out)
        if not keys:
            return out
        groups = GroupPlanner(kp, self.used_names)
        group = groups.choose(accounts, keys)
        externals = self._external_accounts(accounts)
        candidates = self._interleaved([a for a in keys if a.idx != out.group_idx])
        for acc, story in zip(candidates, STORIES, strict=False):
            out.stories[story] = acc.idx
        story_of = {idx: story for story, idx in out.stories.items()}
        centres = CentrePlanner(kp)
        for n, acc in enumerate(keys):
            if group is not None and acc.idx == group.idx:
                groups.centre(acc, externals)
                continue
            story = story_of.get(acc.idx, HEALTHY)
            external = externals and story == HEALTHY and (n % 3 == 0)
            centres.centre(acc, story, externals if external else [])
        AccountPlansPlanner(kp).plans(keys, txs)
        self._win_back_calls(kp, accounts, txs)
        return out

    # ---- choosing the key accounts

    def _key_accounts(self, accounts: list[AccountRow], out: KeyAccountsPlan) -> list[AccountRow]:
        """The most valuable organisations that still buy, every owner's best one among them."""
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
        for username in self.staff.usernames:  # every owner's best one first
            best = next((a for a in eligible if a.owner == username), None)
            if best is not None and len(chosen) < wanted:
                chosen.append(best)
        for acc in eligible:
            if len(chosen) >= wanted:
                break
            if acc not in chosen:
                chosen.append(acc)
        chosen.sort(key=lambda a: (-a.annual, a.idx))
        out.key_accounts = [a.idx for a in chosen]
        return chosen

    def _interleaved(self, accounts: list[AccountRow]) -> list[AccountRow]:
        """One account per owner in turn (owners in the staff list's order), so the stories are
        spread over the KAMs."""
        by_owner: dict[str, list[AccountRow]] = defaultdict(list)
        for acc in accounts:
            by_owner[acc.owner].append(acc)
        order = [u for u in self.staff.usernames if u in by_owner]
        out: list[AccountRow] = []
        while any(by_owner[u] for u in order):
            for u in order:
                if by_owner[u]:
                    out.append(by_owner[u].pop(0))
        return out

    @staticmethod
    def _external_accounts(accounts: list[AccountRow]) -> list[AccountRow]:
        """Government bodies and associations whose people can sway our key accounts (商务局,
        文化和旅游局, 贸促会 and associations first)."""
        preferred = ("商务局", "文化和旅游局", "贸促会", "会展业协会", "旅游饭店")
        pool = [a for a in accounts if a.subkind in EXTERNAL_TITLE]
        pool.sort(key=lambda a: (not any(w in a.name for w in preferred), a.idx))
        return pool[:3]

    # ---- lifecycle: the win-back calls of accounts in decline

    def _win_back_calls(self, kp: KeyPeople, accounts: list[AccountRow], txs: list[TxRow]) -> None:
        """The owners call the accounts whose revenue fell by 30% or more (seed 001's decline
        stage, whose policy asks for a win-back call every 14 days) about every two weeks over
        the last months; a few are let slide. Revenue as the lifecycle metric reads it: the 365
        days up to `as_of` against the 365 before."""
        dice = kp.dice
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
            person = next((p for p in kp.people[acc.idx] if p.is_active), None)
            if person is None:
                continue
            back = dice.randint(20, 45) if dice.chance(0.12) else dice.randint(1, 12)
            while back <= 120:
                kp.touch(acc, person.idx, self.as_of - dt.timedelta(days=back), "call",
                         dice.pick(WIN_BACK_SUBJECTS), acc.owner)  # fmt: skip
                back += dice.randint(10, 14)
