"""Undoing a merge: the exact state before it, or a clear refusal.

What undo restores: the merged-away record (its pk, code and timestamps), every moved row's old
foreign key, every row deleted to resolve a clash, the survivor's changed fields, the survivor's
derived rows (rollups) as they were, and the alias is removed.

When it refuses (nothing is written): the merge was already undone; the survivor is gone; a later
merge into or of the survivor still stands (undo that first); the merged-away pk or code has been
taken since; **a moved row was since deleted or re-pointed elsewhere** (putting the rest back would
split what belongs together); a field of the survivor the merge changed was edited since (undo
would overwrite that edit); a deleted row's pk was taken. Other edits made since to moved rows
(an amount, a status) are kept: undo puts back where a row points, not what it says.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Model
from django.utils.translation import gettext as _

from guanxi.core import bulk
from guanxi.merging.engine import CHUNK, decoded, kind_label, restore
from guanxi.merging.models import Merge


def _model(label: str) -> type[Model]:
    return apps.get_model(label)


def _main_snapshot(merge: Merge) -> dict:
    return merge.deleted[-1]


def refusals(merge: Merge, model: type[Model]) -> list[str]:
    """Why ``merge`` cannot be undone now (empty when it can)."""
    if merge.undone_at is not None:
        return [_("This merge was already undone.")]
    manager = model._base_manager
    if not manager.filter(pk=merge.keep_id).exists():
        return [_("The surviving record no longer exists.")]
    problems = []
    later = Merge.objects.filter(kind=merge.kind, undone_at__isnull=True, pk__gt=merge.pk)
    if (
        later.filter(keep_id=merge.keep_id).exists()
        or later.filter(other_id=merge.keep_id).exists()
    ):
        problems.append(_("A later merge involving the survivor must be undone first."))
    main = _main_snapshot(merge)
    if manager.filter(pk=merge.other_id).exists():
        problems.append(_("The merged-away record's id is in use again."))
    code = main["fields"].get("code")
    if code and manager.filter(code=code).exists():
        problems.append(_("Code %(code)s has since been given to another record.") % {"code": code})
    problems += _moved_problems(merge)
    problems += _changed_problems(merge, model)
    for snap in merge.deleted[:-1]:
        if _model(snap["model"])._base_manager.filter(pk=snap["pk"]).exists():
            problems.append(
                _("A deleted %(kind)s row's id is in use again.")
                % {"kind": kind_label(_model(snap["model"]))}
            )
    return problems


def _moved_problems(merge: Merge) -> list[str]:
    problems = []
    for move in merge.moves:
        model = _model(move["model"])
        still = sum(
            model._base_manager.filter(pk__in=chunk, **{move["field"]: move["new"]}).count()
            for chunk in bulk.chunks(move["pks"], CHUNK)
        )
        missing = len(move["pks"]) - still
        if missing:
            problems.append(
                _("%(n)s %(kind)s moved by the merge were since deleted or moved elsewhere.")
                % {"n": missing, "kind": kind_label(model)}
            )
    return problems


def _changed_problems(merge: Merge, model: type[Model]) -> list[str]:
    survivor = model._base_manager.get(pk=merge.keep_id)
    after = decoded({"model": model._meta.label_lower, "fields": {
        name: values[1] for name, values in merge.changed.items()
    }})  # fmt: skip
    fields = {f.attname: f for f in model._meta.concrete_fields}
    return [
        _("The survivor's %(field)s was edited after the merge.")
        % {"field": fields[name].verbose_name}
        for name, value in after.items()
        if getattr(survivor, name) != value and not getattr(fields[name], "auto_now", False)
    ]


def revert(merge: Merge, model: type[Model]) -> list[Model]:
    """Write the before-state back (the checks passed). Returns the rows re-created. Foreign
    keys are checked at commit (Django creates them deferrable), so only unique constraints
    dictate the order: rows go back to the merged-away side before deleted rows return."""
    main = restore(_main_snapshot(merge))
    for move in reversed(merge.moves):
        for chunk in bulk.chunks(move["pks"], CHUNK):
            rows = _model(move["model"])._base_manager.filter(pk__in=chunk)
            rows.update(**{move["field"]: move["old"]})
    restored = [main] + [restore(snap) for snap in reversed(merge.deleted[:-1])]
    before = decoded({"model": model._meta.label_lower, "fields": {
        name: values[0] for name, values in merge.changed.items()
    }})  # fmt: skip
    if before:
        model._base_manager.filter(pk=merge.keep_id).update(**before)
    for label in {snap["model"] for snap in merge.derived}:
        derived = _model(label)
        derived._base_manager.filter(account_id__in=[merge.keep_id, merge.other_id]).delete()
    restored += [restore(snap) for snap in merge.derived]
    return restored
