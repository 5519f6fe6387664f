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


def _display(model: type[models.Model], name: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    try:
        f = model._meta.get_field(name)
    except Exception:  # noqa: BLE001 - a field dropped since the record was written
        return _plain(value)
    if getattr(f, "choices", None):
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.ManyToManyField):
        rel = f.related_model
        ids = [
            row.get(f.m2m_reverse_field_name()) if isinstance(row, dict) else row for row in value
        ]
        names = [str(o) for o in rel.objects.filter(pk__in=ids)]
        return join_words(names) or "—"
    if isinstance(f, models.ForeignKey):
        if isinstance(value, models.Model):
            return str(value)
        obj = f.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj is not None else f"#{value}"
    return _plain(value)


def _label(model: type[models.Model], name: str) -> str:
    try:
        return str(capfirst(model._meta.get_field(name).verbose_name))
    except Exception:  # noqa: BLE001
        return name


def history_entries(
    records: models.QuerySet,
    *,
    limit: int = 10,
    label_field: str | None = None,
    created_fields: tuple[str, ...] = (),
) -> list[HistoryEntry]:
    """The latest `limit` history records of `records` (one history model), each diffed
    against the record before it of the same object; for creations, `created_fields` are
    shown as — → value."""
    # Saves that changed nothing worth showing are skipped, so read a few more than asked.
    rows = list(
        records.select_related("history_user").order_by("-history_date", "-history_id")[: limit * 3]
    )
    entries: list[HistoryEntry] = []
    model = records.model.instance_type
    for rec in rows:
        changes: list[FieldChange] = []
        if rec.history_type == "+":
            for name in created_fields:
                value = _display(model, name, getattr(rec, name, None))
                changes.append(FieldChange(_label(model, name), "—", value))
        if rec.history_type == "~":
            prev = rec.prev_record
            if prev is not None:
                delta = rec.diff_against(prev)
                for ch in delta.changes:
                    if ch.field in _EXCLUDED:
                        continue
                    changes.append(
                        FieldChange(
                            _label(model, ch.field),
                            _display(model, ch.field, ch.old),
                            _display(model, ch.field, ch.new),
                        )
                    )
            if not changes:
                continue  # a save that changed no shown field: nothing to tell anyone
        obj_label = getattr(rec, label_field) if label_field else str(rec.instance)
        entries.append(
            HistoryEntry(
                when=rec.history_date,
                user=rec.history_user,
                action=str(_TYPE_LABELS.get(rec.history_type, rec.history_type)),
                object_label=str(obj_label),
                model_label=str(capfirst(model._meta.verbose_name)),
                changes=changes,
            )
        )
        if len(entries) == limit:
            break
    return entries


def merge_entries(*lists: list[HistoryEntry], limit: int = 10) -> list[HistoryEntry]:
    merged = [e for entries in lists for e in entries]
    merged.sort(key=lambda e: e.when, reverse=True)
    return merged[:limit]
