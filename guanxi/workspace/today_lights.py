"""Today's warning lights (see `today.py`): the red and yellow lights lit on the accounts of
the user's book (`loyalty.AccountLight`, raised each night) that still wait for the KAM (open or
acknowledged), red first, then the account's standing, newest first; the reason in words. The
KAM records their feedback on the row (it posts to the light's page and comes back)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guanxi.accounts.models import Account
from guanxi.core.idlists import ids_in
from guanxi.loyalty.models import AccountLight, LightColour, LightStatus
from guanxi.loyalty.words import reason_words
from guanxi.workspace.today_rows import Section, Standing, priority_key


@dataclass
class LightItem:
    """A warning light on one of the user's accounts, with the reason in words."""

    light: AccountLight
    account: Account
    standing: Standing
    reason: str


def warning_lights(ctx: Any, *, window: slice) -> Section:
    rows = list(
        AccountLight.objects.filter(
            ids_in("account_id", ctx.account_ids),
            cleared_at__isnull=True,
            status__in=[LightStatus.OPEN, LightStatus.ACKNOWLEDGED],
        )
        .order_by()
        .values_list("pk", "account_id", "colour", "raised_at")
    )
    stand = ctx.stand

    def key(row: tuple) -> tuple:
        pk, account_id, colour, raised_at = row
        red = 0 if colour == LightColour.RED else 1
        standing = stand.get(account_id) or Standing()
        return (red, priority_key(standing, 0), -raised_at.timestamp(), -pk)

    rows.sort(key=key)
    shown = rows[window]
    lights = AccountLight.objects.select_related("account", "rule").in_bulk([r[0] for r in shown])
    items = []
    for pk, account_id, _colour, _raised in shown:
        light = lights.get(pk)
        if light is None:
            continue
        items.append(
            LightItem(
                light=light,
                account=light.account,
                standing=stand.get(account_id) or Standing(),
                reason=reason_words(light),
            )
        )
    return Section(items, total=len(rows), offset=window.start or 0)
