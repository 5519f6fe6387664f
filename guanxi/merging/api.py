"""The merge API: merge two accounts or two contacts (or preview it with dry_run), undo."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Path, Router, Schema, Status

from guanxi.core.schemas import MAX_ID, Id, InputSchema
from guanxi.merging import services
from guanxi.merging.models import Merge, MergeKind
from guanxi.merging.services import Preview
from guanxi.merging.summary import Summary, summarise

router = Router(tags=["merging"])
MergeId = Path(..., ge=1, le=MAX_ID)


class MergeIn(InputSchema):
    keep: Id = Field(..., description="The record that survives")
    other: Id = Field(..., description="The record merged into it (deleted, its code kept as "
                      "an alias)")  # fmt: skip
    fields: dict[str, str] = Field(
        default_factory=dict,
        description="Field name → 'keep' or 'other': whose value the survivor keeps (default: "
        "the survivor's, or the other's where the survivor has none)",
    )
    dry_run: bool = Field(False, description="Only say what the merge would do")


class MovedOut(Schema):
    model: str
    kind: str
    count: int


class ClashOut(Schema):
    model: str
    kind: str
    kept: int
    folded: int
    why: str


class ChangedOut(Schema):
    field: str
    label: str
    before: str
    after: str


class TierOut(Schema):
    scheme: str
    before: str | None = Field(..., description="The survivor's tier now")
    after: str | None = Field(..., description="The tier after the merge (none in a preview: "
                              "recomputed after the merge)")  # fmt: skip
    by_hand: bool
    other: str | None = Field(None, description="The merged-away record's tier now (preview)")
    recomputed: bool = Field(False, description="The tier is recomputed after the merge")


class MergeOut(Schema):
    id: int | None = Field(..., description="The merge record (none for a dry run)")
    kind: str
    keep: int
    other: int
    dry_run: bool
    moved: list[MovedOut]
    clashes: list[ClashOut]
    changed: list[ChangedOut]
    deleted: int = Field(..., description="Rows deleted to resolve clashes (kept in the record)")
    tiers: list[TierOut]
    undone_at: dt.datetime | None = None


def _out(merge: Merge, summary: Summary | None = None) -> dict:
    if summary is None:
        summary = summarise(merge, services.MODELS[merge.kind])
    head = {"id": merge.pk, "kind": merge.kind, "keep": merge.keep_id, "other": merge.other_id}
    return {**head, **_summary_out(summary, dry_run=False), "undone_at": merge.undone_at}


def _preview_out(done: Preview) -> dict:
    pair = done.pair
    head = {"id": None, "kind": pair.kind, "keep": pair.keep.pk, "other": pair.other.pk}
    return {**head, **_summary_out(done.summary, dry_run=True), "undone_at": None}


def _summary_out(summary: Summary, *, dry_run: bool) -> dict:
    return {
        "dry_run": dry_run,
        "moved": [vars(m) for m in summary.moved],
        "clashes": [vars(c) for c in summary.clashes],
        "changed": [vars(c) for c in summary.changed],
        "deleted": summary.deleted,
        "tiers": [
            {
                "scheme": str(t.scheme),
                "before": str(t.before) if t.before else None,
                "after": str(t.after) if t.after else None,
                "by_hand": t.by_hand,
                "other": str(t.other) if t.other else None,
                "recomputed": t.recomputed,
            }
            for t in summary.tiers
        ],  # fmt: skip
    }


def _merged(request: HttpRequest, kind: str, payload: MergeIn) -> Status:
    done: Preview = services.records_merge(actor=request.auth, kind=kind, **payload.model_dump())
    if done.dry_run:
        return Status(200, _preview_out(done))
    return Status(201, _out(done.merge, done.summary))


@router.post(
    "/accounts",
    response={200: MergeOut, 201: MergeOut},
    summary="Merge two accounts (team leads and managers; both in sight); dry_run previews",
)
def merge_accounts(request: HttpRequest, payload: MergeIn):
    return _merged(request, MergeKind.ACCOUNT, payload)


@router.post(
    "/contacts",
    response={200: MergeOut, 201: MergeOut},
    summary="Merge two contacts (team leads and managers; both in sight); dry_run previews",
)
def merge_contacts(request: HttpRequest, payload: MergeIn):
    return _merged(request, MergeKind.CONTACT, payload)


@router.post(
    "/{merge_id}/undo",
    response=MergeOut,
    summary="Undo a merge: the exact state before it, or 409 saying why not",
)
def undo_merge(request: HttpRequest, merge_id: int = MergeId):
    merge = services.merge_undo(actor=request.auth, merge_id=merge_id)
    return _out(merge)
