"""A fresh demo's duplicates queue: real pairs (companies entered twice, one person twice), and
none of the bodies of different cities the matching key once took for one (深圳市财政局 /
青岛市财政局: the trial's queue held 23 such pairs and nothing else). Scored on the plan, as
the nightly finder scores the stored rows (blocked by the key's pinyin, then `matching`)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from itertools import combinations

from guanxi.accounts.names import places_differ
from guanxi.accounts.normalise import account_forms, mobile_key
from guanxi.demo.generator import DemoGenerator
from guanxi.demo.services import DEFAULT_ACCOUNTS, DEFAULT_SEED
from guanxi.duplicates.matching import THRESHOLD, AccountFacts, score_accounts

AS_OF = dt.date(2026, 12, 7)


def test_the_demo_queue_holds_real_pairs_and_no_different_places():
    plan = DemoGenerator(accounts=DEFAULT_ACCOUNTS, seed=DEFAULT_SEED, as_of=AS_OF).generate()
    blocks = defaultdict(list)
    for row in plan.accounts:
        forms = account_forms(row.name)
        facts = AccountFacts(row.idx, row.name, forms["name_key"], forms["key_pinyin"],
                             phone=row.phone, city=row.city, address=row.address)  # fmt: skip
        blocks[forms["key_pinyin"]].append((row, facts))
    pairs = []
    for block in blocks.values():
        for (ra, a), (rb, b) in combinations(block, 2):
            linked = ra.parent_idx == rb.idx or rb.parent_idx == ra.idx or (
                ra.parent_idx is not None and ra.parent_idx == rb.parent_idx)  # fmt: skip
            if not linked and score_accounts(a, b)[0] >= THRESHOLD:
                pairs.append((ra.name, rb.name))
    assert len(pairs) >= 3, pairs
    assert not [p for p in pairs if places_differ(*p)], pairs
    mobiles = defaultdict(set)
    for person in plan.contacts:
        if person.mobile:
            mobiles[mobile_key(person.mobile)].add((person.account_idx, person.name))
    assert any(len({a for a, _n in people}) == 2 for people in mobiles.values())
