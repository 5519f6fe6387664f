"""The duplicates a merge resolves (its clashes), as a person reads them on the merge and record
pages: each row by its name, linked to its page where it has one, and why the two were one too
many in words ("the same tag", or that both records had one), never the rows' ids or the
columns of a unique constraint (a task's internal key)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from guanxi.core.formatting import join_words
from guanxi.merging.engine import decoded, kind_label
from guanxi.merging.summary import Clash


@dataclass
class ClashRow:
    model: str
    kind: str
    kept: SafeString
    folded: SafeString
    why: str  # "" when the rows have nothing a person would name in common


def _label(row: Model, merged: type[Model]) -> str:
    """A row by its name; a link between two records (an account's tag) by what it links."""
    meta = row._meta
    try:
        if meta.auto_created:
            other = next(f for f in meta.concrete_fields
                         if f.is_relation and f.related_model is not merged)  # fmt: skip
            return str(getattr(row, other.name))
        return str(row)
    except (ObjectDoesNotExist, StopIteration):
        return capfirst(str(meta.verbose_name))


def _shown(row: Model | None, merged: type[Model], gone: bool) -> SafeString:
    if row is None:
        return format_html("{}", _("a row no longer there"))
    label = _label(row, merged)
    meta = row._meta
    if not gone and not meta.auto_created:
        try:
            url = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=(row.pk,))
        except NoReverseMatch:
            url = ""
        if url:
            return format_html('<a class="text-primary-600" href="{}">“{}”</a>', url, label)
    return format_html("“{}”", label)


def _why(model: type[Model], fields: str, merged: type[Model]) -> str:
    """What the two rows shared, in words: the records they point at besides the merged one
    ("the same tag"); "" when only internal columns (a task's key) made them one too many."""
    words = []
    for name in fields.split(", "):
        f = model._meta.get_field(name)
        if f.is_relation and f.related_model is not merged:
            words.append(str(f.related_model._meta.verbose_name))
    return join_words(words)


def clash_rows(
    clashes: list[Clash], merged: type[Model], deleted: list[dict[str, Any]] | None = None
) -> list[ClashRow]:
    """``clashes`` of a preview (every row still there) or of a merge done (``deleted``: the
    snapshots of the rows it removed, read for their names)."""
    snaps = {(s["model"], s["pk"]): s for s in deleted or []}
    wanted: dict[str, set[int]] = {}
    for c in clashes:
        wanted.setdefault(c.model, set()).update((c.kept, c.folded))
    rows = {label: apps.get_model(label)._base_manager.in_bulk(sorted(pks))
            for label, pks in wanted.items()}  # fmt: skip
    out = []
    for c in clashes:
        model = apps.get_model(c.model)
        kept = rows[c.model].get(c.kept)
        folded, gone = rows[c.model].get(c.folded), False
        if folded is None and (c.model, c.folded) in snaps:
            folded, gone = model(**decoded(snaps[(c.model, c.folded)])), True
        kind = kind_label(model) if model._meta.auto_created else model._meta.verbose_name
        shown = (_shown(kept, merged, False), _shown(folded, merged, gone))
        out.append(ClashRow(c.model, capfirst(str(kind)), *shown, _why(model, c.fields, merged)))
    return out
