"""The demo data as plain Python rows (`rows.DemoPlan`), generated without touching the database.

Three passes, each drawing from its own seeded generator in a fixed order, so the same seed and
`as_of` always give the same rows and a later pass never moves an earlier pass's rows:

1. the hotel: accounts (`organisations`, `identities`), their people and profiles (`people`,
   `profiles`), their purchases and payments (`purchases`, `occasions`): one
   `numpy.random.Generator(seed)` and one `Faker("zh_CN")` seeded with the same seed;
2. the relations: restaurant members, special days, touchpoints (`relations`);
3. the key accounts: buying centres, stages, account plans (`keyaccounts`);

then a few companies are renamed as entered twice (`twins`), for the duplicates queue.

The writer (`writer.demo_write`) turns the rows into model instances and bulk-inserts them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import numpy as np
from faker import Faker

from guanxi.demo.draw import Dice, Window
from guanxi.demo.identities import IdentityPlanner
from guanxi.demo.keyaccounts import KeyAccountsPlanner
from guanxi.demo.occasions import OccasionMeans
from guanxi.demo.organisations import OrganisationsPlanner
from guanxi.demo.people import ContactsPlanner
from guanxi.demo.profiles import ProfilesPlanner
from guanxi.demo.purchases import PurchasesPlanner
from guanxi.demo.relations import RelationsPlanner
from guanxi.demo.rows import (
    ContactRow,
    DemoPlan,
    FactRow,
    KeyDateRow,
    PaymentRow,
    RelatedRow,
    TxRow,
)
from guanxi.demo.staff import Staff
from guanxi.demo.twins import plan_twins


class DemoGenerator:
    def __init__(self, *, accounts: int, seed: int, as_of: dt.date, tz: str = "Asia/Shanghai"):
        if accounts < 1:
            raise ValueError("accounts must be at least 1")
        self.n = accounts
        self.seed = seed
        self.as_of = as_of
        self.window = Window(as_of, tz)
        self.staff = Staff()
        # the hotel's pass: one generator and one Faker shared by its planners, in this order
        dice = Dice(np.random.default_rng(seed))
        fake = Faker("zh_CN")
        fake.seed_instance(seed)
        self.identities = IdentityPlanner(dice, fake)
        self.organisations = OrganisationsPlanner(
            accounts, dice, self.window, self.staff, self.identities, OccasionMeans(seed)
        )
        self.people = ContactsPlanner(dice, fake, as_of)
        self.profiles = ProfilesPlanner(dice, fake, self.window, self.staff)
        self.purchases = PurchasesPlanner(dice, self.window, self.organisations.means)

    def generate(self, progress: Callable[[int], None] | None = None) -> DemoPlan:
        accounts = self.organisations.accounts()
        contacts: list[ContactRow] = []
        facts: list[FactRow] = []
        related: list[RelatedRow] = []
        key_dates: list[KeyDateRow] = []
        txs: list[TxRow] = []
        payments: list[PaymentRow] = []
        for acc in accounts:
            people = self.people.contacts(acc, start_idx=len(contacts))
            contacts.extend(people)
            for person in people:
                facts.extend(self.profiles.facts(acc, person))
                rel, dates = self.profiles.family_and_dates(acc, person)
                related.extend(rel)
                key_dates.extend(dates)
            rows = self.purchases.transactions(acc, people)
            if rows:
                acc.customer_since = min(
                    acc.customer_since or self.as_of, rows[0].occurred_at.date()
                )
            payments.extend(self.purchases.payments(acc, rows))
            txs.extend(rows)
            if progress:
                progress(1)
        # Restaurant members, discounts, touchpoints and special days: drawn afterwards from a
        # generator of their own, so the hotel's rows stay what they were for this seed.
        touchpoints = RelationsPlanner(seed=self.seed, window=self.window).plan(
            accounts, contacts, key_dates, txs, payments
        )
        # Buying centres, stages and plans of the key accounts: also from a generator of their
        # own, after everything else (they add people and touchpoints, never change a purchase).
        key_accounts = KeyAccountsPlanner(
            seed=self.seed,
            window=self.window,
            staff=self.staff,
            used_names=self.identities.used_names,
        ).plan(accounts, contacts, touchpoints, txs)
        # A few companies entered twice, for the duplicates queue: renamed last, nothing added.
        plan_twins(accounts, contacts, key_accounts)
        txs.sort(key=lambda r: (r.occurred_at, r.account_idx, r.category, r.description))
        for i, row in enumerate(txs, start=1):
            row.external_id = f"DM-T{i:07d}"
        payments.sort(key=lambda p: (p.received_at, p.account_idx, p.reference))
        for i, pay in enumerate(payments, start=1):
            pay.external_id = f"DM-P{i:06d}"
        return DemoPlan(
            as_of=self.as_of,
            seed=self.seed,
            accounts=accounts,
            contacts=contacts,
            facts=facts,
            related=related,
            key_dates=key_dates,
            transactions=txs,
            payments=payments,
            touchpoints=touchpoints,
            key_accounts=key_accounts,
        )
