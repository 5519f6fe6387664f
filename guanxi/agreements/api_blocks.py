"""/api/agreements/{agreement_id}/blocks: an agreement's MICE room blocks — list, create, read,
change, delete — each with its pickup per night and its attrition (the exposure before the
cut-off, the amount owed after it; `agreements.blocks`).

Access: a block is seen and changed by whoever sees the agreement's account; an agreement or a
block out of sight is a 404. Errors: 404 missing or out of sight, 422 bad input naming the field
(a night given twice, a cut-off after the first night, the minimum revenue rule without a
minimum revenue, an unknown category)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema, Status

from guanxi.agreements import blocks
from guanxi.agreements.models import PenaltyRule, RoomBlock
from guanxi.agreements.selectors import agreement_for_actor
from guanxi.core.schemas import MAX_ID, Day, InputSchema, patch_schema

router = Router(tags=["agreements"])

AgreementId = Path(..., ge=1, le=MAX_ID)
BlockId = Path(..., ge=1, le=MAX_ID)
MONEY = {"max_digits": 14, "decimal_places": 2, "ge": 0}
PERCENT = {"max_digits": 5, "decimal_places": 2, "ge": 0, "le": 100}


class BlockNightIn(InputSchema):
    night: Day
    rooms: int = Field(..., ge=0, le=100_000, description="Rooms contracted on that night")


class BlockIn(InputSchema):
    name: str = Field(..., min_length=1, max_length=200)
    category: str | None = Field(
        None, max_length=30, description="Product category code; default: rooms"
    )
    group_rate: Decimal = Field(..., **MONEY)
    cutoff_on: Day = Field(..., description="Rooms not picked up by then go back to sale")
    allowance_percent: Decimal = Field(
        Decimal(80), description="The share of the block the customer pays for at least", **PERCENT
    )
    penalty_rule: PenaltyRule = PenaltyRule.PER_ROOM_NIGHT
    penalty_percent: Decimal = Field(
        Decimal(75), description="Of the group rate, per room night short", **PERCENT
    )
    minimum_revenue: Decimal | None = Field(None, **MONEY)
    notes: str = Field("", max_length=20000)
    nights: list[BlockNightIn] = Field(default_factory=list, max_length=400)


BlockPatch = patch_schema(BlockIn, "BlockPatch")


class AsOfQuery(InputSchema):
    as_of: Day | None = Field(None, description="The day the figures are for; default: today")


class NightOut(Schema):
    night: dt.date
    contracted: int
    picked_up: Decimal = Field(..., description="Room nights read from the ledger")
    share: float | None = Field(None, description="Picked up ÷ contracted")


class BlockOut(Schema):
    id: int
    agreement: int
    name: str
    category: str
    group_rate: Decimal
    cutoff_on: dt.date
    allowance_percent: Decimal
    penalty_rule: str
    penalty_percent: Decimal
    minimum_revenue: Decimal | None = None
    notes: str
    as_of: dt.date
    contracted: int = Field(..., description="Room nights contracted")
    picked_up: Decimal
    allowance_nights: Decimal = Field(..., description="Room nights paid for at least")
    before_cutoff: bool
    owed: Decimal | None = Field(None, description="After the cut-off: attrition owed")
    exposure: Decimal | None = Field(
        None, description="Before the cut-off: owed if no more rooms were picked up"
    )
    projected_pickup: Decimal | None = None
    projected_exposure: Decimal | None = Field(
        None, description="Before the cut-off: owed on the pickup projected to the cut-off"
    )
    nights: list[NightOut]


def _out(block: RoomBlock, as_of: dt.date | None) -> dict:
    p = blocks.block_position(block, as_of=as_of)
    return {
        **{name: getattr(block, name) for name in (
            "id", "name", "group_rate", "cutoff_on", "allowance_percent", "penalty_rule",
            "penalty_percent", "minimum_revenue", "notes")},
        **{name: getattr(p, name) for name in (
            "as_of", "contracted", "picked_up", "allowance_nights", "before_cutoff", "owed",
            "exposure", "projected_pickup", "projected_exposure")},
        "agreement": block.agreement_id,
        "category": block.category.code,
        "nights": [{"night": n.night, "contracted": n.contracted, "picked_up": n.picked_up,
                    "share": n.share} for n in p.nights],
    }  # fmt: skip


def _block(request: HttpRequest, agreement_id: int, block_id: int) -> RoomBlock:
    agreement_for_actor(request.auth, agreement_id)
    return blocks.room_block_for_actor(request.auth, block_id, agreement=agreement_id)


def _fields(data: dict) -> dict:
    if "nights" in data and data["nights"] is not None:
        data["nights"] = [(n["night"], n["rooms"]) for n in data["nights"]]
    if data.get("category", 0) is None:
        data.pop("category")
    return data


@router.get(
    "/{agreement_id}/blocks",
    response=list[BlockOut],
    summary="An agreement's room blocks with their pickup per night and attrition",
)
def list_blocks(request: HttpRequest, query: Query[AsOfQuery], agreement_id: int = AgreementId):
    agreement = agreement_for_actor(request.auth, agreement_id)
    found = agreement.room_blocks.select_related("agreement", "category").order_by("cutoff_on")
    return [_out(b, query.as_of) for b in found]


@router.post(
    "/{agreement_id}/blocks",
    response={201: BlockOut},
    summary="Add a room block (rooms per night, group rate, cut-off, attrition rule)",
)
def create_block(request: HttpRequest, payload: BlockIn, agreement_id: int = AgreementId):
    data = _fields(payload.model_dump())
    block = blocks.room_block_create(actor=request.auth, agreement=agreement_id, **data)
    return Status(201, _out(block, None))


@router.get(
    "/{agreement_id}/blocks/{block_id}",
    response=BlockOut,
    summary="A room block with its pickup per night and attrition on a day",
)
def get_block(
    request: HttpRequest,
    query: Query[AsOfQuery],
    agreement_id: int = AgreementId,
    block_id: int = BlockId,
):
    return _out(_block(request, agreement_id, block_id), query.as_of)


@router.patch(
    "/{agreement_id}/blocks/{block_id}",
    response=BlockOut,
    summary="Change a room block (only the fields sent; nights sent replace the nights)",
)
def update_block(
    request: HttpRequest,
    payload: BlockPatch,
    agreement_id: int = AgreementId,
    block_id: int = BlockId,
):
    block = _block(request, agreement_id, block_id)
    data = _fields(payload.model_dump(exclude_unset=True))
    block = blocks.room_block_update(actor=request.auth, block=block.pk, **data)
    return _out(block, None)


@router.delete(
    "/{agreement_id}/blocks/{block_id}", response={204: None}, summary="Delete a room block"
)
def delete_block(request: HttpRequest, agreement_id: int = AgreementId, block_id: int = BlockId):
    block = _block(request, agreement_id, block_id)
    blocks.room_block_delete(actor=request.auth, block=block.pk)
    return Status(204, None)
