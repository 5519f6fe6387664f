"""The demo's bulk writes, in one place: batched inserts and their "created" audit rows.

Tens of thousands of demo rows go in through `bulk_create` in batches of `BATCH` (their ids are
needed next), and their audit history through the shared bulk module (`core.bulk.insert_rows`:
COPY on PostgreSQL, executemany on SQLite) instead of the ORM's per-row saves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from django.db import connection, models

from guanxi.core import bulk
from guanxi.core.models import User

BATCH = 2000
M = TypeVar("M", bound=models.Model)


def chunks(items: Sequence[Any], size: int = BATCH) -> Iterable[Sequence[Any]]:
    return bulk.chunks(items, size)


def bulk_insert(model: type[M], objs: Iterable[M]) -> list[M]:
    """``objs`` inserted in batches, with their primary keys set."""
    return model._default_manager.bulk_create(list(objs), batch_size=BATCH)


def bulk_insert_with_history(
    model: type[M],
    objs: Sequence[M],
    *,
    user: User,
    date: dt.datetime,
    reason: str,
    progress: Callable[[int], Any] | None = None,
) -> list[M]:
    """``objs`` and their "created" audit rows, batch by batch; ``progress`` gets each batch's
    size."""
    saved: list[M] = []
    for chunk in chunks(objs):
        rows = bulk_insert(model, chunk)
        history_insert(model, rows, user=user, date=date, reason=reason)
        saved.extend(rows)
        if progress is not None:
            progress(len(chunk))
    return saved


def history_insert(
    model: type[models.Model],
    objs: Sequence[models.Model],
    *,
    user: User,
    date: dt.datetime,
    reason: str,
) -> None:
    """The "created" audit rows of `objs`, as simple_history's bulk_history_create writes them
    (history_type "+", ``user`` as the user, ``reason`` as the change reason), written through
    the bulk module: the ORM's per-value SQL compilation would double the load time."""
    history_model = model.history.model  # type: ignore[attr-defined]
    tracked = history_model.tracked_fields
    ops = connection.ops

    def adapter(f: models.Field) -> Any:
        if isinstance(f, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(f, models.DateField):
            return ops.adapt_datefield_value
        if isinstance(f, models.DecimalField):
            return lambda v: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)
        if isinstance(f, models.JSONField):
            return lambda v: f.get_db_prep_save(v, connection)
        return None

    adapters = [(f.attname, adapter(f)) for f in tracked]
    columns = [history_model._meta.get_field(f.name).column for f in tracked]
    columns += ["history_date", "history_change_reason", "history_type", "history_user_id"]
    tail = (ops.adapt_datetimefield_value(date), reason, "+", user.pk)
    rows = []
    for obj in objs:
        values = []
        for attname, adapt in adapters:
            value = getattr(obj, attname)
            values.append(adapt(value) if adapt is not None and value is not None else value)
        rows.append((*values, *tail))
    bulk.insert_rows(history_model._meta.db_table, columns, rows)


def history_bulk_create(
    model: type[M],
    objs: Sequence[M],
    *,
    user: User,
    date: dt.datetime,
    reason: str,
) -> list[models.Model]:
    """simple_history's own bulk "created" records (for a model whose m2m history must follow
    them), returned so that the m2m history rows can point at them."""
    return model.history.bulk_history_create(  # type: ignore[attr-defined]
        list(objs),
        batch_size=BATCH,
        default_user=user,
        default_change_reason=reason,
        default_date=date,
    )
