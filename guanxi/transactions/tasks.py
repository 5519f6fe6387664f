"""Background jobs of the ledgers, steps of the nightly chain (guanxi.workspace.tasks): the
per-account rollups as of the new day, and the transaction ledger's monthly partitions ahead (a
no-op unless the ledger is partitioned)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from guanxi.transactions.partitions import ledger_partitions_ensure
from guanxi.transactions.rollups import ledger_rollups_refresh


def ledger_rollups_job(*, as_of: dt.date | None = None, progress: bool = False) -> dict[str, Any]:
    """Every account's rollup row rebuilt from the ledger as of ``as_of`` (default today): the
    12-month window, this year and this month move with the calendar, and a full rebuild also
    mends rows a write outside the services (raw SQL, a killed import) left behind. The month
    rows do not move with the calendar; every write keeps them."""
    as_of = as_of or timezone.localdate()
    return {"as_of": as_of.isoformat(), **ledger_rollups_refresh(as_of=as_of, months=False)}


def ledger_partitions_job(
    *, as_of: dt.date | None = None, progress: bool = False
) -> dict[str, Any]:
    """Partitions for the months ahead, and for any month the default partition holds rows of.
    Rows never wait for this step: a month without its partition lands in the default one."""
    return ledger_partitions_ensure(as_of=as_of, progress=progress)
