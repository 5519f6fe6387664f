"""Background jobs of the ledger: the nightly refresh of the per-account rollups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.transactions.rollups import ledger_rollups_refresh


def ledger_rollups_job(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Every account's rollup row rebuilt from the ledger as of ``as_of`` (default today): the
    12-month window, this year and this month move with the calendar, and a full rebuild also
    mends rows a write outside the services (raw SQL, a killed import) left behind. The month
    rows do not move with the calendar; every write keeps them."""
    as_of = as_of or timezone.localdate()
    return {"as_of": as_of.isoformat(), **ledger_rollups_refresh(as_of=as_of, months=False)}
