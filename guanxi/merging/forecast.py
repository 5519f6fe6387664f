"""What `engine.repoint` would do, counted by index without moving a row: the merge preview.

It walks the same registry of references as the mover (`engine.references`, `engine.unique_sets`,
the caller's ``skip`` and ``prefer``), in the same order, so a relation added later is counted
by one exactly when it is moved by the other. Per relation it asks:

- **the clashes**, per unique constraint: one query returning only the merged-away side's rows
  that have a twin on the survivor's side (same other columns), each with its twin's id;
- **the rows that would move**: one grouped COUNT on the foreign key (its index), less the rows
  a clash would delete; all of them sent together at the end (one UNION ALL, a round trip
  rather than one per relation), each as it read at its turn.

A clash is folded as the mover folds it (the richer row kept where ``prefer`` says so), and what
points at the folded row is forecast in turn, all folds of one constraint at once, so the number
of queries depends on the relations, not on the number of rows. What earlier steps changed is
carried along instead of written: the ids of rows a fold would delete, and for each foreign key
already re-pointed the old → new map, read through a CASE where a later constraint compares it
(a model with two keys to the record: a duplicate pair, a referral).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    Expression,
    F,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from guanxi.core import bulk
from guanxi.merging.engine import Prefer, Ref, references, unique_sets

#: Folds forecast at once (a CASE of this many branches, an IN list of this many ids).
BATCH = 500
#: Counts sent in one query (SQLite allows 500 terms in a compound SELECT).
UNION = 100


@dataclass
class Forecast:
    """What a merge would do, in the shapes of `engine.Recorder` (a move has a ``count``
    instead of its ids)."""

    prefer: Prefer = field(default_factory=dict)
    skip: frozenset[str] = frozenset()
    moves: list[dict[str, Any]] = field(default_factory=list)
    clashes: list[dict[str, Any]] = field(default_factory=list)
    #: model label → ids of the rows a fold would delete
    deleted: dict[str, set[int]] = field(default_factory=dict)
    #: (model label, column) → {old id: new id} for keys already re-pointed
    remapped: dict[tuple[str, str], dict[int, int]] = field(default_factory=dict)
    #: the counts to ask, in the mover's order: (reference, old → new, grouped count)
    counts: list[tuple[Ref, dict[int, int], QuerySet]] = field(default_factory=list)


def forecast(
    target: type[Model], old: int, new: int, *, skip: frozenset[str], prefer: Prefer
) -> Forecast:
    """What ``repoint(target, old, new, …)`` would move, fold and delete."""
    fc = Forecast(prefer=prefer, skip=skip)
    top: list[dict[str, Any]] = []
    _repoint(target, {old: new}, fc, {old: top})
    fc.clashes = list(_flatten(top))
    _count(fc)
    return fc


def _count(fc: Forecast) -> None:
    """Ask every count at once (a UNION ALL of grouped counts, tagged by their turn)."""
    found: dict[tuple[int, int], int] = {}
    asks = [qs.annotate(_turn=Value(turn)).values_list("_turn", "_key").annotate(n=Count("*"))
            for turn, (_ref, _pairs, qs) in enumerate(fc.counts)]  # fmt: skip
    for chunk in bulk.chunks(asks, UNION):
        query = chunk[0].union(*chunk[1:], all=True) if len(chunk) > 1 else chunk[0]
        found.update({(turn, key): n for turn, key, n in query})
    for turn, (ref, pairs, _qs) in enumerate(fc.counts):
        to = ref.field.related_model._meta.label_lower
        for old, new in pairs.items():
            if found.get((turn, old)):
                fc.moves.append({"model": ref.label, "field": ref.field.attname, "to": to,
                                 "old": old, "new": new, "count": found[(turn, old)]})  # fmt: skip


def _flatten(nodes: list[dict[str, Any]]):
    """The clashes in the mover's order: each fold, then what its folding clashed."""
    for node in nodes:
        children = node.pop("children")
        yield node
        yield from _flatten(children)


def _repoint(
    target: type[Model], pairs: dict[int, int], fc: Forecast, parents: dict[int, list]
) -> None:
    for ref in references(target):
        if ref.label not in fc.skip:
            _move(ref, pairs, fc, parents)


def _effective(ref_model: type[Model], attname: str, fc: Forecast) -> Expression:
    """A column as it would read once the earlier steps were done."""
    mapping = fc.remapped.get((ref_model._meta.label_lower, attname))
    if not mapping:
        return F(attname)
    whens = [When(**{attname: old}, then=Value(new)) for old, new in mapping.items()]
    return Case(*whens, default=F(attname), output_field=BigIntegerField())


def _alive(ref: Ref, fc: Forecast) -> QuerySet:
    rows = ref.model._base_manager.all()
    gone = fc.deleted.get(ref.label)
    return rows.exclude(pk__in=sorted(gone)) if gone else rows


def _move(ref: Ref, pairs: dict[int, int], fc: Forecast, parents: dict[int, list]) -> None:
    for fields, condition in unique_sets(ref):
        for chunk in bulk.chunks(sorted(pairs), BATCH):
            part = {old: pairs[old] for old in chunk}
            _fold_clashes(ref, fields, condition, part, fc, parents)
    attname = ref.field.attname
    for chunk in bulk.chunks(sorted(pairs), BATCH):
        rows = _alive(ref, fc).annotate(_key=_effective(ref.model, attname, fc))
        rows = rows.filter(_key__in=list(chunk))
        if ref.model is ref.field.related_model:
            rows = rows.exclude(pk__in=[pairs[old] for old in chunk])  # the survivor itself
        fc.counts.append((ref, {old: pairs[old] for old in chunk}, rows.order_by()))
    _remember(fc, (ref.label, attname), pairs)


def _remember(fc: Forecast, key: tuple[str, str], pairs: dict[int, int]) -> None:
    """Rows whose column reads ``old`` would read ``new`` from now on (chains followed)."""
    mapping = fc.remapped.setdefault(key, {})
    for old, new in mapping.items():
        if new in pairs:
            mapping[old] = pairs[new]
    for old, new in pairs.items():
        mapping.setdefault(old, new)


def _clash_rows(
    ref: Ref, fields: tuple[str, ...], condition: Q | None, pairs: dict[int, int], fc: Forecast
) -> list[tuple[int, int, int]]:
    """(row on the merged-away side, the id it points at, its twin on the survivor's side) for
    every row that would break the unique constraint ``fields``: one query."""
    meta, attname = ref.model._meta, ref.field.attname
    rest = [meta.get_field(n).attname for n in fields if n != ref.field.name]
    columns = {f"_r{i}": _effective(ref.model, name, fc) for i, name in enumerate(rest)}
    key = _effective(ref.model, attname, fc)
    theirs = _alive(ref, fc).annotate(_key=key, **columns)
    mine = _alive(ref, fc).annotate(_key=key, **columns)
    if condition is not None:
        theirs, mine = theirs.filter(condition), mine.filter(condition)
    theirs = theirs.filter(_key=OuterRef("_to"), **{c: OuterRef(c) for c in columns})
    whens = [When(_key=old, then=Value(new)) for old, new in pairs.items()]
    mine = mine.filter(_key__in=list(pairs)).annotate(
        _to=Case(*whens, output_field=BigIntegerField())
    )
    mine = mine.annotate(_twin=Subquery(theirs.order_by("pk").values("pk")[:1]))
    rows = mine.filter(_twin__isnull=False).order_by("pk").values_list("pk", "_key", "_twin")
    return list(rows)


def _fold_clashes(
    ref: Ref,
    fields: tuple[str, ...],
    condition: Q | None,
    pairs: dict[int, int],
    fc: Forecast,
    parents: dict[int, list],
) -> None:
    found = _clash_rows(ref, fields, condition, pairs, fc)
    if not found:
        return
    keep_mine = fc.prefer.get(ref.label)
    rows = {}
    if keep_mine:  # the two rows of each clash, read once for the preference
        ids = {pk for mine, _old, twin in found for pk in (mine, twin)}
        rows = ref.model._base_manager.in_bulk(sorted(ids))
    folds: dict[int, int] = {}
    children: dict[int, list] = {}
    for mine, old, twin in found:
        loser, winner = mine, twin
        if keep_mine and keep_mine(rows[mine], rows[twin]):
            loser, winner = twin, mine
        node = {"model": ref.label, "kept": winner, "folded": loser, "why": ", ".join(fields),
                "children": []}  # fmt: skip
        parents[old].append(node)
        folds[loser], children[loser] = winner, node["children"]
    _repoint(ref.model, folds, fc, children)
    fc.deleted.setdefault(ref.label, set()).update(folds)
