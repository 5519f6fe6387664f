"""Which accounts an agreement covers: its account and the subsidiaries chosen on it.

A group agreement counts its chosen subsidiaries and never a sister company, nor a subsidiary
that was not chosen (seed 000: 集团协议 covers the companies it names)."""

from __future__ import annotations

from collections.abc import Iterable

from guanxi.agreements.models import Agreement


def covered_account_ids(agreement: Agreement) -> list[int]:
    """The agreement's account first, then the covered subsidiaries by id."""
    chosen = sorted(agreement.covered_accounts.values_list("id", flat=True))
    return [agreement.account_id, *(i for i in chosen if i != agreement.account_id)]


def covered_accounts_of(agreements: Iterable[Agreement]) -> dict[int, list[int]]:
    """agreement id → covered account ids, for many agreements in one query."""
    agreements = list(agreements)
    result = {a.id: [a.account_id] for a in agreements}
    through = Agreement.covered_accounts.through.objects.filter(
        agreement_id__in=list(result)
    ).order_by("agreement_id", "account_id")
    for agreement_id, account_id in through.values_list("agreement_id", "account_id"):
        if account_id not in result[agreement_id]:
            result[agreement_id].append(account_id)
    return result
