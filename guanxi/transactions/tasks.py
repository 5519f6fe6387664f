"""Background jobs of the ledgers: keep the transaction ledger's monthly partitions ahead (a
step of the nightly chain, guanxi.workspace.tasks; a no-op unless the ledger is partitioned)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from guanxi.transactions.partitions import ledger_partitions_ensure


def ledger_partitions_job(
    *, as_of: dt.date | None = None, progress: bool = False
) -> dict[str, Any]:
    """Partitions for the months ahead, and for any month the default partition holds rows of.
    Rows never wait for this step: a month without its partition lands in the default one."""
    return ledger_partitions_ensure(as_of=as_of, progress=progress)
