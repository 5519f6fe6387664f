"""Merging two accounts or two contacts (C14, issue 17): preview, merge, undo, or link as a
subsidiary instead.

A merge runs in one transaction: the survivor takes the chosen field values, every row that
points at the merged-away record is re-pointed (`engine.repoint`, clashes folded and listed),
the merged-away code is kept as an alias on the survivor (imports still match it), the
merged-away record is deleted (its snapshot kept) and the survivor's ledger rollups are
recomputed. After commit the tiers are re-evaluated (the "re-evaluate now" job: tiering, then
policy tasks), since the job reads committed data.

A dry run (the preview) moves nothing: `forecast` counts by index what would move and which
rows would clash, over the same references the merge moves; the survivor's fields are the
chosen values applied to a copy, and its tiers are said to be recomputed after the merge.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Field, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account, AccountAlias
from guanxi.accounts.models import fill_search_forms as account_forms
from guanxi.accounts.services import account_for_actor, account_update
from guanxi.contacts.models import Contact, ContactAlias
from guanxi.contacts.models import fill_search_forms as contact_forms
from guanxi.contacts.services import contact_for_actor
from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.core.models import User
from guanxi.core.services import save_as, validated
from guanxi.duplicates.services import may_merge
from guanxi.merging import undo
from guanxi.merging.engine import (
    Recorder,
    audit_moves,
    history_rows,
    kind_label,
    repoint,
    snapshot,
)
from guanxi.merging.forecast import forecast
from guanxi.merging.models import Merge, MergeKind
from guanxi.merging.outcome import TierOutcome, tiers_after, tiers_recomputed
from guanxi.merging.summary import Summary, changed_fields, summarise, summarise_forecast
from guanxi.transactions.rollups import ledger_rollups_refresh
from guanxi.workspace import flows
from guanxi.workspace.tasks import tier_reevaluate

MODELS: dict[str, type[Model]] = {MergeKind.ACCOUNT: Account, MergeKind.CONTACT: Contact}
ALIASES = {
    MergeKind.ACCOUNT: (AccountAlias, "account"),
    MergeKind.CONTACT: (ContactAlias, "contact"),
}
#: Rows the merge does not move but rebuilds for the survivor from the ledger (both sides'
#: rows are kept in the merge record, so undo puts them back exactly).
DERIVED = {MergeKind.ACCOUNT: ("transactions.accountledgerrollup", "transactions.accountmonth")}
#: What a record's save derives from its fields (the stored search forms), for the preview.
ON_SAVE: dict[str, Callable[[Any], None]] = {
    MergeKind.ACCOUNT: account_forms,
    MergeKind.CONTACT: contact_forms,
}
#: Never taken from the other record: the identity and the timestamps.
NOT_CHOSEN = {"id", "code", "created_at", "updated_at"}
KEEP, OTHER = "keep", "other"


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _filled(obj: Model) -> int:
    return sum(not _empty(getattr(obj, f.attname)) for f in obj._meta.concrete_fields)


def _richer(mine: Model, theirs: Model) -> bool:
    """Two buying-centre seats for one person: keep the one with more filled in."""
    return _filled(mine) > _filled(theirs)


PREFER = {"relationships.buyingcentremember": _richer}


@dataclass
class Pair:
    kind: str
    keep: Model
    other: Model

    @property
    def model(self) -> type[Model]:
        return MODELS[self.kind]


def _kind(kind: str) -> str:
    if kind not in MODELS:
        raise InvalidInput(_("Unknown kind of record: %(kind)s.") % {"kind": kind}, field="kind")
    return kind


def merge_pair(*, actor: User, kind: str, keep: int, other: int) -> Pair:
    """The two records, if ``actor`` may merge them: a 404 for one out of sight."""
    _kind(kind)
    if not may_merge(actor):
        raise PermissionDenied(_("Only team leads and managers merge records."))
    if keep == other:
        raise InvalidInput(_("Choose two different records."), field="other")
    if kind == MergeKind.ACCOUNT:
        found = [account_for_actor(actor=actor, account_id=pk, field=name)
                 for pk, name in ((keep, "keep"), (other, "other"))]  # fmt: skip
    else:
        found = [contact_for_actor(actor=actor, contact_id=pk, field=name)
                 for pk, name in ((keep, "keep"), (other, "other"))]  # fmt: skip
    return Pair(kind, *found)


def choosable_fields(model: type[Model]) -> list[Field]:
    return [
        f
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name not in NOT_CHOSEN
    ]


def default_choices(pair: Pair) -> dict[str, str]:
    """For every field where the two differ: the survivor's value, or the other's where the
    survivor has none."""
    choices = {}
    for f in choosable_fields(pair.model):
        mine, theirs = getattr(pair.keep, f.attname), getattr(pair.other, f.attname)
        if mine != theirs:
            choices[f.name] = OTHER if _empty(mine) and not _empty(theirs) else KEEP
    return choices


def _checked_choices(pair: Pair, given: dict[str, str] | None) -> dict[str, str]:
    choices = default_choices(pair)
    names = {f.name for f in choosable_fields(pair.model)}
    for name, side in (given or {}).items():
        if name not in names:
            raise InvalidInput(_("Unknown field: %(name)s.") % {"name": name}, field="fields")
        if side not in (KEEP, OTHER):
            raise InvalidInput(_("Choose 'keep' or 'other' for %(name)s.") % {"name": name},
                               field="fields")  # fmt: skip
        if name in choices:
            choices[name] = side
    return choices


def _apply_choices(pair: Pair, choices: dict[str, str]) -> None:
    """Set the chosen values on the survivor (not saved)."""
    keep, other = pair.keep, pair.other
    for f in choosable_fields(pair.model):
        if choices.get(f.name) == OTHER:
            setattr(keep, f.attname, getattr(other, f.attname))
    if pair.kind == MergeKind.ACCOUNT and keep.parent_id in (keep.pk, other.pk):
        # The survivor was the other's subsidiary: it takes the other's place in the group.
        keep.parent_id = other.parent_id if other.parent_id != keep.pk else None


def _drop_derived(pair: Pair) -> list[dict]:
    kept = []
    for label in DERIVED.get(pair.kind, ()):
        model = pair.model._meta.apps.get_model(label)
        rows = model._base_manager.filter(account_id__in=[pair.keep.pk, pair.other.pk])
        kept += [snapshot(row) for row in rows.order_by("pk")]
        rows.delete()
    return kept


def _execute(actor: User, pair: Pair, given: dict[str, str] | None) -> tuple[Merge, Recorder]:
    choices = _checked_choices(pair, given)
    keep, other = pair.keep, pair.other
    merge = Merge.objects.create(
        kind=pair.kind, keep_id=keep.pk, other_id=other.pk, keep_label=str(keep)[:250],
        other_label=str(other)[:250], choices=choices, actor=actor,
    )  # fmt: skip
    rec = Recorder(actor=actor, reason=_("merge #%(id)s") % {"id": merge.pk}, prefer=PREFER,
                   skip=frozenset(DERIVED.get(pair.kind, ())))  # fmt: skip
    merge.derived = _drop_derived(pair)
    before = snapshot(keep)["fields"]
    _apply_choices(pair, choices)
    repoint(pair.model, other.pk, keep.pk, rec)
    rec.delete(other, _("merged"))
    audit_moves(rec.moves, actor=actor, reason=rec.reason)
    keep._change_reason = rec.reason
    save_as(keep, actor=actor, validate_unique=False)
    # attname → [before, after] as text, read after the save: it also changes what the model
    # derives from the chosen values (updated_at, the stored search forms), which undo restores.
    after = snapshot(keep)["fields"]
    changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    alias_model, fk = ALIASES[pair.kind]
    if not alias_model.objects.filter(code=other.code).exists():
        alias_model.objects.create(**{fk: keep, "code": other.code})
        merge.alias_code = other.code
    if pair.kind == MergeKind.ACCOUNT:
        ledger_rollups_refresh([keep.pk])
    merge.changed = changed
    merge.moves, merge.clashes, merge.deleted = rec.moves, rec.clashes, rec.deleted
    merge._change_reason = rec.reason
    save_as(merge, actor=actor)
    return merge, rec


@dataclass
class Preview:
    """What `records_merge` did, or for a dry run would do (its forecast): the summary holds
    the counts, clashes, changed fields and tiers of both."""

    pair: Pair
    merge: Merge | None  # None for a dry run: nothing was written
    summary: Summary

    @property
    def dry_run(self) -> bool:
        return self.merge is None

    @property
    def tiers(self) -> list[TierOutcome]:
        return self.summary.tiers


def records_merge(
    *,
    actor: User,
    kind: str,
    keep: int,
    other: int,
    fields: dict[str, str] | None = None,
    dry_run: bool = False,
) -> Preview:
    """Merge ``other`` into ``keep`` (or, with ``dry_run``, say what that would do)."""
    pair = merge_pair(actor=actor, kind=kind, keep=keep, other=other)
    if dry_run:
        return merge_preview(pair, fields)
    with transaction.atomic():
        merge, _rec = _execute(actor, pair, fields)
        tiers = tiers_after(pair.keep.pk) if kind == MergeKind.ACCOUNT else []
        if kind == MergeKind.ACCOUNT:
            if "owner_id" in merge.changed:  # the survivor took the other's owner
                flows.owner_followed(account_ids=[pair.keep.pk])
            transaction.on_commit(tiers_reevaluate)
    return Preview(pair, merge, summarise(merge, pair.model, tiers))


def merge_preview(pair: Pair, given: dict[str, str] | None) -> Preview:
    """What merging ``pair`` would do, nothing written: rows moved per kind and the clashes
    (counted by index), the survivor's fields after the choices, the tiers recomputed after."""
    choices = _checked_choices(pair, given)
    survivor = copy.copy(pair.keep)
    before = snapshot(survivor)["fields"]
    _apply_choices(Pair(pair.kind, survivor, pair.other), choices)
    validated(survivor, validate_unique=False)  # what the merge's save would refuse
    ON_SAVE[pair.kind](survivor)
    after = snapshot(survivor)["fields"]
    changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    fc = forecast(pair.model, pair.other.pk, pair.keep.pk, prefer=PREFER,
                  skip=frozenset(DERIVED.get(pair.kind, ())))  # fmt: skip
    ids = (pair.keep.pk, pair.other.pk)
    tiers = tiers_recomputed(*ids) if pair.kind == MergeKind.ACCOUNT else []
    summary = summarise_forecast(fc, pair.model, pair.other.pk, changed_fields(changed, pair.model),
                                 tiers)  # fmt: skip
    summary.survivor = survivor
    models = pair.model._meta.apps
    summary.derived = [
        str(kind_label(models.get_model(label))) for label in DERIVED.get(pair.kind, ())
    ]
    return Preview(pair, None, summary)


def tiers_reevaluate() -> None:
    """After a merge or its undo: tiers and policy tasks from the committed data (a job)."""
    tier_reevaluate()


# --- Undo --------------------------------------------------------------------------------------


def merge_for_actor(*, actor: User, merge_id: int) -> Merge:
    """The merge if ``actor`` may merge and sees its survivor (else a 404)."""
    if not may_merge(actor):
        raise PermissionDenied(_("Only team leads and managers merge records."))
    merge = Merge.objects.filter(pk=merge_id).first()
    if merge is None:
        raise NotFound(_("Merge %(id)s not found.") % {"id": merge_id}, field="merge")
    model = MODELS[merge.kind]
    if model._base_manager.filter(pk=merge.keep_id).exists():
        merge_pair_visible(actor, merge)
    elif not actor.sees_all_accounts:  # the survivor is gone: only who sees everything
        raise NotFound(_("Merge %(id)s not found.") % {"id": merge_id}, field="merge")
    return merge


def merge_pair_visible(actor: User, merge: Merge) -> None:
    if merge.kind == MergeKind.ACCOUNT:
        account_for_actor(actor=actor, account_id=merge.keep_id, field="merge")
    else:
        contact_for_actor(actor=actor, contact_id=merge.keep_id, field="merge")


@transaction.atomic
def merge_undo(*, actor: User, merge_id: int) -> Merge:
    """Put back the state before the merge, or refuse (409) saying why (see `undo`)."""
    merge = merge_for_actor(actor=actor, merge_id=merge_id)
    merge = Merge.objects.select_for_update().get(pk=merge.pk)
    model = MODELS[merge.kind]
    problems = undo.refusals(merge, model)
    if problems:
        raise Conflict(" ".join(problems), field="merge", extra={"reasons": problems})
    reason = _("undo of merge #%(id)s") % {"id": merge.pk}
    restored = undo.revert(merge, model)
    alias_model, fk = ALIASES[merge.kind]
    alias_model.objects.filter(**{f"{fk}_id": merge.keep_id, "code": merge.alias_code}).delete()
    _audit(restored, actor=actor, reason=reason)
    audit_moves(merge.moves, actor=actor, reason=reason)
    survivor = model._base_manager.get(pk=merge.keep_id)
    history_rows(model, [survivor], update=True, default_user=actor, default_change_reason=reason)
    merge.undone_at, merge.undone_by = timezone.now(), actor
    merge._change_reason = reason
    save_as(merge, actor=actor)
    if merge.kind == MergeKind.ACCOUNT:
        transaction.on_commit(tiers_reevaluate)
    return merge


def _audit(rows: list[Model], *, actor: User, reason: str) -> None:
    """History rows ("+") for the rows re-created by a raw insert, per audited model."""
    by_model: dict[type[Model], list[Model]] = {}
    for row in rows:
        by_model.setdefault(type(row), []).append(row)
    for model, objs in by_model.items():
        if getattr(model._meta, "simple_history_manager_attribute", None):
            history_rows(model, objs, default_user=actor, default_change_reason=reason)


# --- Link as subsidiary -----------------------------------------------------------------------


def link_as_subsidiary(*, actor: User, group: int, subsidiary: int) -> Account:
    """Not duplicates but a group and its company: the second becomes the first's subsidiary."""
    pair = merge_pair(actor=actor, kind=MergeKind.ACCOUNT, keep=group, other=subsidiary)
    if pair.other.parent_id == pair.keep.pk:
        raise Conflict(_("%(name)s is already a subsidiary of this account.")
                       % {"name": pair.other}, field="other")  # fmt: skip
    return account_update(actor=actor, account=pair.other, parent=pair.keep)
