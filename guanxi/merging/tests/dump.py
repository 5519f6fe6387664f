"""Every table's rows, for comparing the database before a merge and after its undo; a merge's
preview against what the merge then did."""

from __future__ import annotations

import json
from typing import Any

from django.apps import apps
from django.db.models import Model

from guanxi.merging.engine import is_history
from guanxi.merging.models import Merge

#: Tables a merge and its undo write on purpose: the merge record, the audit history.
SKIPPED = {Merge}


def tables() -> list[type[Model]]:
    return [
        m
        for m in apps.get_models(include_auto_created=True)
        if not is_history(m) and m not in SKIPPED and not m._meta.proxy and m._meta.managed
    ]


def dump() -> dict[str, list[str]]:
    """Table → its rows (every concrete column, as JSON text), in pk order."""
    out = {}
    for model in tables():
        names = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values_list(*names)
        out[model._meta.label_lower] = [_text(row) for row in rows]
    return out


def _text(row: tuple[Any, ...]) -> str:
    return json.dumps(row, sort_keys=True, default=repr, ensure_ascii=False)


def differences(before: dict, after: dict) -> dict[str, tuple[list, list]]:
    """Table → (rows only before, rows only after) where the two differ."""
    diff = {}
    for table in before:
        old, new = set(before[table]), set(after[table])
        if old != new:
            diff[table] = (sorted(old - new)[:5], sorted(new - old)[:5])
    return diff


def assert_same(preview, done) -> None:
    """The preview says what the merge did: rows moved per kind, the clashes and how each was
    resolved, the rows deleted, the survivor's changed fields."""
    assert [(m.model, m.count) for m in preview.moved] == [(m.model, m.count) for m in done.moved]
    key = lambda c: (c.model, c.kept, c.folded, c.why)  # noqa: E731
    assert sorted(map(key, preview.clashes)) == sorted(map(key, done.clashes))
    assert preview.deleted == done.deleted
    assert [vars(c) for c in preview.changed] == [vars(c) for c in done.changed]
