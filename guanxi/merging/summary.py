"""A merge (or its dry run's forecast) in words and numbers, for the preview page, the record page
and the API: rows moved per kind, each clash and how it was resolved, the survivor's changed
fields, the tier after the merge (or, for the preview, that it is recomputed after it)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import DecimalField, Field, Model
from django.utils.translation import get_language

from guanxi.core.formatting import money
from guanxi.merging.engine import decoded, kind_label
from guanxi.merging.forecast import Forecast
from guanxi.merging.models import Merge
from guanxi.merging.outcome import TierOutcome


@dataclass
class Moved:
    model: str  # label, e.g. transactions.transaction
    kind: str  # what a person calls them
    count: int


@dataclass
class Clash:
    model: str
    kind: str
    kept: int
    folded: int
    why: str
    fields: str = ""  # the unique constraint's fields, "account, key" (the pages' `admin_clashes`)


@dataclass
class Changed:
    field: str
    label: str
    before: str
    after: str


@dataclass
class Summary:
    moved: list[Moved] = field(default_factory=list)
    clashes: list[Clash] = field(default_factory=list)
    changed: list[Changed] = field(default_factory=list)
    deleted: int = 0
    tiers: list[TierOutcome] = field(default_factory=list)
    survivor: Model | None = None  # the preview: the survivor with the chosen values (unsaved)
    derived: list[str] = field(default_factory=list)  # the preview: kinds recomputed after


def display(f: Field, value: Any) -> str:
    """A field's value as a person reads it (the choice's label, the related record's name)."""
    if value is None or value == "":
        return "—"
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if f.is_relation:
        row = f.related_model._base_manager.filter(pk=value).first()
        return str(row) if row is not None else str(value)
    if isinstance(f, DecimalField):  # the accounts' and contacts' only sums are in yuan
        return money(value)
    return str(value)


def changed_fields(changed: dict[str, list], model: type[Model]) -> list[Changed]:
    """A merge's ``changed`` (attname → [before, after] as text) as a person reads it."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    out = []
    for side, index in (("before", 0), ("after", 1)):
        values = decoded({"model": model._meta.label_lower, "fields": {
            name: pair[index] for name, pair in changed.items() if name != "updated_at"
        }})  # fmt: skip
        for i, (name, value) in enumerate(values.items()):
            if side == "before":
                f = fields[name]
                out.append(Changed(f.name, str(f.verbose_name), display(f, value), ""))
            else:
                out[i].after = display(fields[name], value)
    return out


def _field_words(model: type[Model], names: str) -> str:
    """The fields of a clash's unique constraint ("account, scheme") in the page's language."""
    words = []
    for name in names.split(", "):
        f = model._meta.get_field(name)
        words.append(str(f.related_model._meta.verbose_name if f.is_relation else f.verbose_name))
    return "、".join(words) if (get_language() or "").startswith("zh") else ", ".join(words)


def _moved(moves: list[dict[str, Any]], target: str, other_id: int) -> list[Moved]:
    """Rows that pointed at the merged-away record, per kind (rows moved from a folded clash
    row are counted under the clash). A forecast's move has a count, a merge's its ids."""
    counts: dict[str, int] = {}
    for move in moves:
        if move["to"] == target and move["old"] == other_id:
            n = move["count"] if "count" in move else len(move["pks"])
            counts[move["model"]] = counts.get(move["model"], 0) + n
    moved = [Moved(label, kind_label(apps.get_model(label)), n) for label, n in counts.items()]
    return sorted(moved, key=lambda m: m.kind)


def _clashes(clashes: list[dict[str, Any]]) -> list[Clash]:
    return [
        Clash(c["model"], kind_label(apps.get_model(c["model"])), c["kept"], c["folded"],
              _field_words(apps.get_model(c["model"]), c["why"]), c["why"])
        for c in clashes
    ]  # fmt: skip


def summarise(merge: Merge, model: type[Model], tiers: list[TierOutcome] | None = None) -> Summary:
    """What ``merge`` moved, folded and changed."""
    return Summary(
        moved=_moved(merge.moves, model._meta.label_lower, merge.other_id),
        clashes=_clashes(merge.clashes),
        changed=changed_fields(merge.changed, model),
        deleted=max(len(merge.deleted) - 1, 0),
        tiers=tiers or [],
    )


def summarise_forecast(
    fc: Forecast,
    model: type[Model],
    other_id: int,
    changed: list[Changed],
    tiers: list[TierOutcome] | None = None,
) -> Summary:
    """What merging ``other_id`` would do, from its forecast (nothing moved)."""
    return Summary(
        moved=_moved(fc.moves, model._meta.label_lower, other_id),
        clashes=_clashes(fc.clashes),
        changed=changed,
        deleted=sum(len(pks) for pks in fc.deleted.values()),
        tiers=tiers or [],
    )
