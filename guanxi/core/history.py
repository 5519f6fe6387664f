"""Readable audit trails from django-simple-history: who changed which field, old → new.

Used by the 360° page, the contact page and the contact's History page (which adds the
changes of the contact's facts, related people and key dates to simple-history's own list).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from guanxi.core.formatting import join_words

_EXCLUDED = {"updated_at", "created_at"}
_TYPE_LABELS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    user: Any
    action: str
    object_label: str
    model_label: str
    changes: list[FieldChange] = field(default_factory=list)


def _plain(value: Any) -> str:
    """A value for people: local time to the minute, dates, yes/no, lists in the reader's
    language."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return date_format(value, "Y-m-d H:i")
    if isinstance(value, dt.date):
        return date_format(value, "Y-m-d")
    if isinstance(value, (list, tuple)):
        return join_words(_plain(v) for v in value) or "—"
    return str(value)


class _Names:
    """The names of the objects a page of history entries refers to (foreign keys and
    many-to-many values), read in one query per related model, not one per value."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = {}
        self.names: dict[type[models.Model], dict[Any, str]] = {}

    def want(self, model: type[models.Model], name: str, value: Any) -> None:
        f = _field(model, name)
        if f is None or value is None or value == "" or value == []:
            return
        if isinstance(f, models.ManyToManyField):
            self.wanted.setdefault(f.related_model, set()).update(_m2m_ids(f, value))
        elif isinstance(f, models.ForeignKey) and not isinstance(value, models.Model):
            self.wanted.setdefault(f.related_model, set()).add(value)

    def read(self) -> None:
        for rel, ids in self.wanted.items():
            found = rel._default_manager.filter(pk__in=ids)
            self.names[rel] = {o.pk: str(o) for o in found}

    def of(self, rel: type[models.Model], pk: Any) -> str | None:
        return self.names.get(rel, {}).get(pk)


def _field(model: type[models.Model], name: str) -> Any:
    try:
        return model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field dropped since the record was written
        return None


def _m2m_ids(f: Any, value: Any) -> list[Any]:
    return [row.get(f.m2m_reverse_field_name()) if isinstance(row, dict) else row for row in value]


def _display(model: type[models.Model], name: str, value: Any, names: _Names) -> str:
    if value is None or value == "" or value == []:
        return "—"
    f = _field(model, name)
    if f is None:
        return _plain(value)
    if getattr(f, "choices", None):
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.ManyToManyField):
        found = [names.of(f.related_model, pk) for pk in _m2m_ids(f, value)]
        return join_words(n for n in found if n is not None) or "—"
    if isinstance(f, models.ForeignKey):
        if isinstance(value, models.Model):
            return str(value)
        found = names.of(f.related_model, value)
        return found if found is not None else f"#{value}"
    return _plain(value)


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except Exception:  # noqa: BLE001
        return name


def _previous(rows: list[Any]) -> dict[int, Any]:
    """history_id → the record before it of the same object: the next older row read, else
    (the oldest row of an object) asked for."""
    before: dict[int, Any] = {}
    last_of: dict[Any, Any] = {}
    for rec in reversed(rows):  # oldest first
        key = getattr(rec, rec.instance_type._meta.pk.attname)
        if key in last_of:
            before[rec.history_id] = last_of[key]
        last_of[key] = rec
    for rec in rows:
        if rec.history_type == "~" and rec.history_id not in before:
            before[rec.history_id] = rec.prev_record
    return before


def _m2m_rows(rows: list[Any], previous: dict[int, Any]) -> dict[tuple[str, int], list]:
    """(m2m field, history_id) → its sorted related ids, for every record and its previous one,
    in one query per many-to-many field (simple-history asks twice per field and record)."""
    if not rows:
        return {}
    records = {r.history_id: r for r in (*rows, *(p for p in previous.values() if p))}
    out: dict[tuple[str, int], list] = {}
    for f in getattr(rows[0], "_history_m2m_fields", []):
        reverse = f.m2m_reverse_field_name()
        manager = getattr(rows[0], f.name)
        for key in records:
            out[(f.name, key)] = []
        through = manager.model.objects.filter(history_id__in=list(records))
        for history_id, value in through.values_list("history_id", reverse).order_by(reverse):
            out[(f.name, history_id)].append(value)
    return out


def _changes(rec: Any, prev: Any, m2m: dict, created_fields: tuple[str, ...]) -> list[tuple]:
    """(field, old, new) of one record, raw."""
    if rec.history_type == "+":
        return [(name, None, getattr(rec, name, None)) for name in created_fields]
    if rec.history_type != "~" or prev is None:
        return []
    m2m_names = [f.name for f in getattr(rec, "_history_m2m_fields", [])]
    delta = rec.diff_against(prev, excluded_fields=m2m_names)
    out = [(ch.field, ch.old, ch.new) for ch in delta.changes if ch.field not in _EXCLUDED]
    for name in m2m_names:
        old, new = m2m.get((name, prev.history_id), []), m2m.get((name, rec.history_id), [])
        if old != new:
            out.append((name, old, new))
    return out


def history_entries(
    records: models.QuerySet,
    *,
    limit: int = 10,
    label_field: str | None = None,
    created_fields: tuple[str, ...] = (),
) -> list[HistoryEntry]:
    """The latest `limit` history records of `records` (one history model), each diffed
    against the record before it of the same object; for creations, `created_fields` are
    shown as — → value. A fixed number of queries, whatever the number of records: the
    records (one more each object), the many-to-many rows once per field and the names of
    the objects the changes name once per model."""
    # Saves that changed nothing worth showing are skipped, so read a few more than asked.
    rows = list(
        records.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 3]
    )
    model = records.model.instance_type
    previous = _previous(rows)
    m2m = _m2m_rows(rows, previous)
    raw = []
    for rec in rows:
        changes = _changes(rec, previous.get(rec.history_id), m2m, created_fields)
        if rec.history_type == "~" and not changes:
            continue  # a save that changed no shown field: nothing to tell anyone
        raw.append((rec, changes))
        if len(raw) == limit:
            break
    names = _Names()
    for _rec, changes in raw:
        for name, old, new in changes:
            names.want(model, name, old)
            names.want(model, name, new)
    names.read()
    entries: list[HistoryEntry] = []
    for rec, changes in raw:
        obj_label = getattr(rec, label_field) if label_field else str(rec.instance)
        entries.append(
            HistoryEntry(
                when=rec.history_date,
                user=rec.history_user,
                action=str(_TYPE_LABELS.get(rec.history_type, rec.history_type)),
                object_label=str(obj_label),
                model_label=str(capfirst(model._meta.verbose_name)),
                changes=[
                    FieldChange(_label(model, name), _display(model, name, old, names),
                                _display(model, name, new, names))
                    for name, old, new in changes
                ],  # fmt: skip
            )
        )
    return entries


def merge_entries(*lists: list[HistoryEntry], limit: int = 10) -> list[HistoryEntry]:
    merged = [e for entries in lists for e in entries]
    merged.sort(key=lambda e: e.when, reverse=True)
    return merged[:limit]
