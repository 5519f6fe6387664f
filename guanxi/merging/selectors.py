"""Reads of the merge records."""

from __future__ import annotations

from guanxi.merging.models import Merge

#: A record merged into one that was itself merged later is followed this many steps at most.
MAX_CHAIN = 10


def merged_into(kind: str, record_id: int) -> int | None:
    """The id of the record that ``record_id`` (a merged-away account or contact) lives on in:
    the survivor of its latest merge not undone, followed when that survivor was merged away in
    turn; None when it was never merged (or every merge of it was undone)."""
    found = None
    seen = {record_id}
    for _ in range(MAX_CHAIN):
        keep_id = (
            Merge.objects.filter(kind=kind, other_id=record_id, undone_at__isnull=True)
            .order_by("-created_at", "-id")
            .values_list("keep_id", flat=True)
            .first()
        )
        if keep_id is None or keep_id in seen:
            return found
        found = record_id = keep_id
        seen.add(keep_id)
    return found
