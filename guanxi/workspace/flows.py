"""Steps that cross apps: one app's write, then what it means for an app on a higher floor.

Each flow calls the owning app's service first, then the follow-up, in one transaction where
the follow-up belongs to the same write, or on commit where it must read the committed data.
Pages and endpoints call these instead of the bare service whenever the follow-up applies:

- record or change a sale → check it against the account's tier discount floor (tiers) and
  against the negotiated rates of the agreements covering the account (agreements);
- import a file → hold the imported discounts below the floor, and the sales priced off an
  agreement, for review (tiers, agreements);
- set or clear a tier by hand → re-plan the account's policy tasks (activities).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction as db_transaction

from guanxi.accounts.models import Account
from guanxi.activities.services import policy_tasks_follow
from guanxi.agreements.rates import rate_check, rate_reviews_flag
from guanxi.core.models import User
from guanxi.imports.models import ImportRun
from guanxi.imports.report import ImportReport
from guanxi.tiers.models import AccountTier, Tier, TierScheme
from guanxi.tiers.services import (
    account_tier_override,
    account_tier_override_clear,
    discount_check,
    discount_reviews_flag,
)
from guanxi.transactions import services as transaction_services
from guanxi.transactions.models import Transaction

# --- sales and the discount floor ---------------------------------------------------------------


@db_transaction.atomic
def transaction_record(*, actor: User, **fields: Any) -> Transaction:
    """Record a sale (`transactions.services.transaction_create`, same arguments); a discount
    below the account's tier floor is held for review, not silently accepted."""
    tx = transaction_services.transaction_create(actor=actor, **fields)
    discount_check(transaction=tx)
    rate_check(transaction=tx)
    return tx


@db_transaction.atomic
def transaction_change(*, actor: User, transaction: Transaction, **fields: Any) -> Transaction:
    """Change a sale (`transactions.services.transaction_update`), then check it against the
    floor again: a corrected discount drops its pending review, a new one may need one."""
    tx = transaction_services.transaction_update(actor=actor, transaction=transaction, **fields)
    discount_check(transaction=tx)
    rate_check(transaction=tx)
    return tx


def transaction_saved(*, transaction: Transaction) -> None:
    """A sale the admin form saved itself: check it against the floor and the agreed rates."""
    discount_check(transaction=transaction)
    rate_check(transaction=transaction)


# --- imports -----------------------------------------------------------------------------------


def _flag_imported_discounts(run: ImportRun, created: int, updated: int) -> None:
    # Updated rows keep their created_at, so then every unreviewed row is looked at.
    discount_reviews_flag(since=None if updated else run.started_at)
    rate_reviews_flag(since=None if updated else run.started_at)


def file_import(**options: Any) -> ImportReport:
    """Import a file (`imports.services.import_file`, same options). After transactions were
    written, the discounts below their account's tier floor and the sales priced off an
    agreement's rates are held for review, inside the import's own error handling (a failure
    there is reported like any failure of the import)."""
    # deferred: the importer pulls in polars, which every command and page load would otherwise
    # pay for at start-up (Django imports the admin modules that call this).
    from guanxi.imports.services import import_file

    after: Callable[[ImportRun, int, int], None] | None = None
    if options.get("kind") == "transactions":
        after = _flag_imported_discounts
    return import_file(**options, after_write=after)


# --- tiers set by hand and the tasks that follow them ---------------------------------------------


@db_transaction.atomic
def tier_set_by_hand(
    *,
    account: Account,
    scheme: TierScheme,
    tier: Tier,
    reason: str,
    until: dt.date | None,
    actor: User,
) -> AccountTier:
    """Put the account in ``tier`` by hand (`tiers.services.account_tier_override`); its calls,
    visits and gifts follow the new tier at once instead of at the nightly run."""
    row = account_tier_override(
        account=account, scheme=scheme, tier=tier, reason=reason, until=until, actor=actor
    )
    policy_tasks_follow(account_id=account.pk)
    return row


@db_transaction.atomic
def tier_by_hand_cleared(
    *, account: Account, scheme: TierScheme, actor: User
) -> AccountTier | None:
    """End an override (`tiers.services.account_tier_override_clear`); when there was one, the
    account's policy tasks follow the rules' tier at once. None when there was nothing to clear."""
    row = account_tier_override_clear(account=account, scheme=scheme, actor=actor)
    if row is not None:
        policy_tasks_follow(account_id=account.pk)
    return row
