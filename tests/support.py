"""Test helpers: the cast every access test uses (after healthchecks' alice/bob/charlie).

- alice: KAM, team East, owns `account`
- bob:   KAM, team East (alice's teammate), owns nothing here
- charlie: KAM, team West: an outsider
- lena:  team lead of East: sees the team's accounts
- mia:   manager: sees everything
"""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.utils import timezone

from guanxi.accounts.models import Account, AccountType
from guanxi.contacts.models import Contact
from guanxi.core.models import Role, Team, User
from guanxi.transactions.models import Payment, ProductCategory, Transaction
from guanxi.transactions.rollups import ledger_rollups_refresh

PASSWORD = "correct-horse-battery"
JSON = "application/json"
# Who may open alice's account: the owner, her team lead and the manager; not bob or charlie.
ROLES_SEE_ALICES = [("alice", 200), ("bob", 404), ("charlie", 404), ("lena", 200), ("mia", 200)]
_seq = itertools.count(1)


def make_user(username: str, *, role: str = Role.KAM, team: Team | None = None, **extra) -> User:
    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        role=role,
        team=team,
        is_staff=True,
        **extra,
    )
    return user


def make_account(*, owner: User, name: str | None = None, **fields) -> Account:
    n = next(_seq)
    fields.setdefault("code", f"T{n:05d}")
    fields.setdefault("account_type", AccountType.CORPORATE)
    fields.setdefault("team", owner.team)
    return Account.objects.create(owner=owner, name=name or f"测试客户{n}", **fields)


def make_contact(*, account: Account, name: str | None = None, **fields) -> Contact:
    n = next(_seq)
    fields.setdefault("code", f"C{n:05d}")
    return Contact.objects.create(account=account, name=name or f"联系人{n}", **fields)


def make_transaction(
    *, account: Account, amount: str | Decimal = "100.00", when: dt.datetime | None = None, **fields
) -> Transaction:
    if "category" not in fields:
        # The migration seeds the category, but a transactional test flushes it for the next one.
        fields["category"], _ = ProductCategory.objects.get_or_create(
            code="fnb", defaults={"name": "餐饮", "name_en": "Food & beverage", "sort_order": 20}
        )
    fields.setdefault("external_id", f"X{next(_seq)}")
    tx = Transaction.objects.create(
        account=account,
        amount=Decimal(amount),
        occurred_at=when or timezone.now(),
        **fields,
    )
    ledger_rollups_refresh([account.pk])  # as every write of the ledger does
    return tx


def make_payment(*, account: Account, amount: str | Decimal = "100.00", **fields) -> Payment:
    fields.setdefault("received_at", timezone.now())
    return Payment.objects.create(account=account, amount=Decimal(amount), **fields)


@dataclass
class Cast:
    east: Team
    west: Team
    alice: User
    bob: User
    charlie: User
    lena: User
    mia: User
    account: Account  # alice's
    west_account: Account  # charlie's


def make_cast() -> Cast:
    east = Team.objects.create(name="East")
    west = Team.objects.create(name="West")
    alice = make_user("alice", team=east)
    bob = make_user("bob", team=east)
    charlie = make_user("charlie", team=west)
    lena = make_user("lena", role=Role.TEAM_LEAD, team=east)
    mia = make_user("mia", role=Role.MANAGER)
    account = make_account(owner=alice, name="华东会展集团")
    west_account = make_account(owner=charlie, name="西部旅行社")
    return Cast(east, west, alice, bob, charlie, lena, mia, account, west_account)


def api_client_for(user: User) -> Client:
    """A test client that calls the API with a fresh bearer token of `user`, in English."""
    from guanxi.core.services import api_token_create

    _, key = api_token_create(user=user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}", HTTP_ACCEPT_LANGUAGE="en")


def analyze_count(table: str) -> int | None:
    """How often PostgreSQL has ANALYZEd ``table`` (by hand, not autovacuum); None on SQLite.
    The statistics snapshot is cleared first: within a transaction it is otherwise cached."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s", [table])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def watch_analyze(monkeypatch, module) -> list[str]:
    """The tables ``module`` asks `core.bulk.analyze` to refresh (the call still runs)."""
    seen: list[str] = []
    real = module.analyze

    def spy(*tables) -> None:
        seen.extend(t if isinstance(t, str) else t._meta.db_table for t in tables)
        real(*tables)

    monkeypatch.setattr(module, "analyze", spy)
    return seen


def plan_of(queryset, *, seqscan: bool = True) -> str:
    """PostgreSQL's plan for ``queryset`` (EXPLAIN, no ANALYZE); ``seqscan=False`` tells it to
    avoid sequential scans, which it prefers on a test database's handful of rows."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        if not seqscan:
            cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def index_expression(index: str) -> str:
    """The expression an index is built on, as PostgreSQL prints it in a plan, to check that a
    query's condition is the indexed one whichever index the planner picks on a few rows."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_indexdef(%s::regclass, 1, false)", [index])
        return cursor.fetchone()[0]
