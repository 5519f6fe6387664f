"""The agreement facts tier rules read (has an active strategic agreement, commitment attained
%): agreements stand above tiers, so they hand their facts down through `agreement_facts_store`
each night, before tiering, and `tiers.metrics` reads them from `AccountAgreementFact`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction

from guanxi.core.bulk import insert_rows
from guanxi.tiers.models import AccountAgreementFact


@transaction.atomic
def agreement_facts_store(
    facts: Mapping[int, tuple[bool, Decimal | None]], *, as_of: dt.date
) -> int:
    """Replace every account's agreement facts by ``facts`` (account id → (strategic active,
    commitment attained % or None)); an account left out has none (no row, so its metrics are
    "no" and None). Returns the number of rows written."""
    AccountAgreementFact.objects.all().delete()
    table = AccountAgreementFact._meta.db_table
    insert_rows(
        table,
        ["account_id", "strategic_active", "commitment_attained_pct", "as_of"],
        ((pk, bool(s), pct, as_of) for pk, (s, pct) in sorted(facts.items())),
    )
    return len(facts)
