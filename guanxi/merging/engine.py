"""The generic mover under every merge: find every row that points at a record, re-point it,
resolve uniqueness clashes, and write down enough to put it all back.

References are discovered, not listed: every foreign key and one-to-one of every installed model
that points at the record's model (``_meta.get_fields(include_hidden=True)``, which includes the
rows of many-to-many tables), so an app added later is covered without touching this module.
Audit-history tables are left alone (they record what was, under the old ids), and so are the
merge records themselves.

A clash is a row that would break a unique constraint once re-pointed (two buying-centre seats
for one person, the same tag twice, two open tasks with one key). It is **folded**: the rows
pointing at the losing row are re-pointed to the winning one (recursively, with their own
clashes), then the loser is deleted. Nothing is deleted without its snapshot, every clash is
listed, every moved row is recorded with its old value; `restore` and `Recorder` are what undo
reads back. `audit_moves` gives every moved row of an audited model its own history row (by the
acting user, with the merge as the reason), in bulk: one read and one insert per chunk.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Field, Model, Q, UniqueConstraint
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history import utils as history_utils
from simple_history.models import HistoricalChanges, HistoricalRecords

from guanxi.core import bulk

#: A model's label → a function (row on the merged-away side, row on the survivor's side) →
#: True when the merged-away side's row should be the one kept (e.g. the richer seat).
Prefer = dict[str, Callable[[Model, Model], bool]]
CHUNK = 5000


@dataclass(frozen=True)
class Ref:
    """A foreign key (or one-to-one) of ``model`` that points at the merged model."""

    model: type[Model]
    field: Field

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def is_history(model: type[Model]) -> bool:
    return issubclass(model, HistoricalChanges)


def references(target: type[Model]) -> list[Ref]:
    """Every foreign key and one-to-one of an installed model that points at ``target``, the
    tables behind many-to-many fields included; history tables and merge records excluded."""
    refs = []
    for rel in target._meta.get_fields(include_hidden=True):
        if rel.concrete or not rel.auto_created or not rel.is_relation or rel.many_to_many:
            continue
        model = rel.related_model
        if is_history(model) or model._meta.app_label == "merging" or model._meta.proxy:
            continue
        refs.append(Ref(model, rel.field))
    return sorted(refs, key=lambda r: (r.label, r.field.name))


def unique_sets(ref: Ref) -> list[tuple[tuple[str, ...], Q | None]]:
    """The unique constraints that include the reference: (field names, condition or None)."""
    meta, name = ref.model._meta, ref.field.name
    sets: list[tuple[tuple[str, ...], Q | None]] = []
    if ref.field.unique:
        sets.append(((name,), None))
    sets += [(tuple(u), None) for u in meta.unique_together if name in u]
    sets += [
        (tuple(c.fields), c.condition)
        for c in meta.constraints
        if isinstance(c, UniqueConstraint) and c.fields and name in c.fields
    ]
    return sets


def kind_label(model: type[Model]) -> str:
    """What a person calls rows of ``model``: its plural name, or for the table behind a
    many-to-many field, its field's name and owner ("tags of the account", "客户的标签")."""
    meta = model._meta
    if meta.auto_created:
        owner = meta.auto_created
        for m2m in owner._meta.many_to_many:
            if m2m.remote_field.through is model:
                return _("%(field)s of the %(owner)s") % {
                    "field": m2m.verbose_name,
                    "owner": owner._meta.verbose_name,
                }
    return str(meta.verbose_name_plural)


# --- Snapshots -------------------------------------------------------------------------------


def snapshot(obj: Model, why: str = "") -> dict[str, Any]:
    """Every concrete column of ``obj`` as JSON (full precision: no rounding of times)."""
    values = {}
    for f in obj._meta.concrete_fields:
        value = getattr(obj, f.attname)
        values[f.attname] = None if value is None else f.value_to_string(obj)
    return {"model": obj._meta.label_lower, "pk": obj.pk, "fields": values, "why": why}


def decoded(snap: dict[str, Any]) -> dict[str, Any]:
    model = apps.get_model(snap["model"])
    by_attname = {f.attname: f for f in model._meta.concrete_fields}
    return {
        name: None if value is None else by_attname[name].to_python(value)
        for name, value in snap["fields"].items()
        if name in by_attname
    }


def restore(snap: dict[str, Any]) -> Model:
    """Insert the row back exactly as it was (its pk, its timestamps: a raw save skips
    auto_now and the audit signal; the caller writes the audit row)."""
    model = apps.get_model(snap["model"])
    obj = model(**decoded(snap))
    obj.save_base(raw=True, force_insert=True)
    return obj


# --- Moving ------------------------------------------------------------------------------------


@dataclass
class Recorder:
    """What a merge did, in the order it did it."""

    actor: Any = None
    reason: str = ""
    prefer: Prefer = field(default_factory=dict)
    skip: frozenset[str] = frozenset()  # model labels handled by the caller (derived rows)
    moves: list[dict[str, Any]] = field(default_factory=list)
    clashes: list[dict[str, Any]] = field(default_factory=list)
    deleted: list[dict[str, Any]] = field(default_factory=list)

    def delete(self, obj: Model, why: str) -> None:
        self.deleted.append(snapshot(obj, why))
        obj._history_user = self.actor
        obj._change_reason = self.reason
        obj.delete()


def repoint(target: type[Model], old: int, new: int, rec: Recorder) -> None:
    """Point every row that references ``target`` row ``old`` at ``new``, clashes resolved."""
    for ref in references(target):
        if ref.label not in rec.skip:
            _move(ref, old, new, rec)


def _move(ref: Ref, old: int, new: int, rec: Recorder) -> None:
    manager = ref.model._base_manager
    attname = ref.field.attname
    for fields, condition in unique_sets(ref):
        _fold_clashes(ref, fields, condition, old, new, rec)
    rows = manager.filter(**{attname: old})
    if ref.model is ref.field.related_model:
        rows = rows.exclude(pk=new)  # the survivor itself (its own parent): the caller decides
    pks = sorted(rows.values_list("pk", flat=True))
    if not pks:
        return
    for chunk in bulk.chunks(pks, CHUNK):
        manager.filter(pk__in=chunk).update(**{attname: new})
    to = ref.field.related_model._meta.label_lower
    rec.moves.append(
        {"model": ref.label, "field": attname, "to": to, "old": old, "new": new, "pks": pks}
    )


def _fold_clashes(
    ref: Ref, fields: tuple[str, ...], condition: Q | None, old: int, new: int, rec: Recorder
) -> None:
    manager = ref.model._base_manager
    attname = ref.field.attname
    rest = [ref.model._meta.get_field(n).attname for n in fields if n != ref.field.name]
    mine = manager.filter(**{attname: old})
    theirs = manager.filter(**{attname: new})
    if condition is not None:
        mine, theirs = mine.filter(condition), theirs.filter(condition)
    index = {tuple(key): pk for pk, *key in theirs.values_list("pk", *rest)}
    if not index:
        return
    for pk, *key in list(mine.values_list("pk", *rest)):
        match = index.get(tuple(key))
        if match is None or any(k is None for k in key):
            continue  # NULLs never clash
        loser, winner = pk, match
        keep_mine = rec.prefer.get(ref.label)
        if keep_mine and keep_mine(manager.get(pk=pk), manager.get(pk=match)):
            loser, winner = match, pk
            index[tuple(key)] = pk
        fold(ref.model, loser, winner, rec, why=", ".join(fields))


def fold(model: type[Model], loser: int, winner: int, rec: Recorder, *, why: str) -> None:
    """Merge row ``loser`` into row ``winner`` of the same model: what points at the loser
    points at the winner, then the loser is deleted (its snapshot kept)."""
    rec.clashes.append(
        {"model": model._meta.label_lower, "kept": winner, "folded": loser, "why": why}
    )
    repoint(model, loser, winner, rec)
    rec.delete(model._base_manager.get(pk=loser), why)


def audit_moves(moves: Iterable[dict[str, Any]], *, actor: Any, reason: str) -> int:
    """One audit row ("changed", by ``actor``, the merge or its undo as the reason) per moved
    row of a model with history, showing where it points now. In bulk: per model the moved
    rows are read and their history rows inserted a chunk at a time (a row moved twice, by a
    fold and by the move proper, gets one). Returns the number of history rows written."""
    pks_by_model: dict[str, set[int]] = {}
    for move in moves:
        pks_by_model.setdefault(move["model"], set()).update(move["pks"])
    when, written = timezone.now(), 0
    for label, pks in sorted(pks_by_model.items()):
        model = apps.get_model(label)
        if not getattr(model._meta, "simple_history_manager_attribute", None):
            continue
        for chunk in bulk.chunks(sorted(pks), CHUNK):
            rows = list(model._base_manager.filter(pk__in=chunk).order_by("pk"))
            history_rows(
                model, rows, update=True, default_user=actor, default_change_reason=reason,
                default_date=when, batch_size=CHUNK,
            )  # fmt: skip
            written += len(rows)
    return written


def history_rows(model: type[Model], rows: list[Model], **options: Any) -> list[Model]:
    """simple_history's ``bulk_history_create`` for ``rows``, plus what it leaves out: the
    many-to-many snapshot of each history row (an account's tags and co-owners), so the row
    does not read as "tags → none" in the account's history."""
    history = getattr(model, model._meta.simple_history_manager_attribute)
    made = history.bulk_history_create(rows, **options)
    fields = getattr(history.model, "_history_m2m_fields", ())
    if not fields or not made:
        return made
    by_pk = {getattr(h, model._meta.pk.attname): h for h in made}
    for m2m in fields:
        snapshot = HistoricalRecords.m2m_models[m2m]
        through = m2m.remote_field.through
        own = history_utils.get_m2m_field_name(m2m)
        names = [f.attname for f in through._meta.fields]
        links = through.objects.filter(**{f"{own}__in": list(by_pk)}).values(*names)
        snapshot.objects.bulk_create(
            [snapshot(history=by_pk[link[f"{own}_id"]], **link) for link in links],
            batch_size=CHUNK,
        )
    return made
