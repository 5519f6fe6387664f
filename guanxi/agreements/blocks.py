"""MICE room blocks: what was picked up per night, the attrition exposure before the cut-off and
the amount owed after it; and the writes (create, change, delete a block and its nights).

**Pickup** is read from the ledger: the transactions of the accounts the agreement covers
(`coverage.covered_account_ids`: its account and the subsidiaries chosen on it) in the block's
rooms category. `Transaction.quantity` is the room nights of a line, and a line counts for the
**stay night of the local day of its ``occurred_at``** (settings.TIME_ZONE): the night of 12 May
is every line from local midnight starting 12 May to local midnight starting 13 May, so the
first night starts at local midnight of the first day and the last night ends at local midnight
after the last day. A line without a quantity counts no room nights; a refund (a line with a
negative quantity) takes its room nights off the night it is booked on.

**Attrition** is `analytics.agreements.attrition_owed`: the customer pays for at least the
allowance (80 % of the contracted room nights); below it the penalty rule charges a share of the
group rate per room night short, or brings the room revenue up to the minimum revenue.
Before the cut-off the block shows its **exposure** — what would be owed if no more rooms were
picked up, and what is owed on the pickup projected to the cut-off from the pace so far —;
after the cut-off the **amount owed** on what was picked up.

Access: a block is seen and changed by whoever sees the agreement's account (as a deal is); one
out of sight is NotFound. Writes save through `save_as`, so the audit history names the actor.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.agreements.coverage import covered_account_ids
from guanxi.agreements.models import Agreement, PenaltyRule, RoomBlock, RoomBlockNight
from guanxi.agreements.selectors import agreement_for_actor
from guanxi.analytics.agreements import attrition_owed
from guanxi.core.dates import local_midnight
from guanxi.core.errors import InvalidInput, NotFound
from guanxi.core.models import User
from guanxi.core.services import check_fields, delete_as, save_as, validated
from guanxi.transactions.models import ProductCategory, Transaction

BLOCK_FIELDS = frozenset(
    {"name", "category", "group_rate", "cutoff_on", "allowance_percent", "penalty_rule",
     "penalty_percent", "minimum_revenue", "notes"}
)  # fmt: skip
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


# --- Reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NightPickup:
    night: dt.date
    contracted: int
    picked_up: Decimal

    @property
    def share(self) -> float | None:
        """Picked up ÷ contracted (None for a night with no rooms contracted)."""
        return float(self.picked_up / self.contracted) if self.contracted else None


@dataclass
class BlockPosition:
    """Where a block stands on ``as_of``: pickup per night and what attrition costs."""

    block: RoomBlock
    as_of: dt.date
    nights: list[NightPickup]
    contracted: int
    picked_up: Decimal
    #: Room nights the customer pays for at least (contracted × allowance).
    allowance_nights: Decimal
    before_cutoff: bool
    #: After the cut-off: owed on what was picked up. None before it.
    owed: Decimal | None
    #: Before the cut-off: owed if no more rooms were picked up. None after it.
    exposure: Decimal | None
    #: Before the cut-off: pickup projected to the cut-off from the pace so far, and what that
    #: would owe. None after it, or before booking opened.
    projected_pickup: Decimal | None
    projected_exposure: Decimal | None

    @property
    def share(self) -> float | None:
        return float(self.picked_up / self.contracted) if self.contracted else None

    @property
    def at_stake(self) -> Decimal:
        """The figure to show: owed after the cut-off, the projected (else the current)
        exposure before it."""
        if not self.before_cutoff:
            return self.owed or Decimal(0)
        if self.projected_exposure is not None:
            return self.projected_exposure
        return self.exposure or Decimal(0)


def pickup_by_night(
    block: RoomBlock, *, nights: Iterable[dt.date] | None = None
) -> dict[dt.date, Decimal]:
    """Room nights picked up on each night of the block (0 where none), read from the ledger
    as the module docstring says (stay night = local day of ``occurred_at``)."""
    if nights is None:
        nights = block.nights.values_list("night", flat=True)
    nights = sorted(set(nights))
    found = dict.fromkeys(nights, Decimal(0))
    if not nights:
        return found
    agreement = block.agreement
    rows = (
        Transaction.objects.filter(
            account_id__in=covered_account_ids(agreement),
            category_id=block.category_id,
            occurred_at__gte=local_midnight(nights[0]),
            occurred_at__lt=local_midnight(nights[-1] + dt.timedelta(days=1)),
            quantity__isnull=False,
        )
        .annotate(stay=TruncDate("occurred_at", tzinfo=timezone.get_current_timezone()))
        .values("stay")
        .annotate(n=Sum("quantity"))
        .values_list("stay", "n")
    )
    for stay, n in rows:
        if stay in found:
            found[stay] = Decimal(n or 0)
    return found


def _owed(block: RoomBlock, contracted: Mapping[dt.date, int], picked: Mapping) -> Decimal:
    """`attrition_owed` on the block's nights in order; a night whose refunds outweigh its
    bookings counts as none picked up. The minimum revenue rule charges no share per night."""
    nights = sorted(contracted)
    minimum = block.penalty_rule == PenaltyRule.MINIMUM_REVENUE
    owed = attrition_owed(
        [float(contracted[n]) for n in nights],
        [max(float(picked.get(n, 0)), 0.0) for n in nights],
        allowance=float(block.allowance_percent / HUNDRED),
        penalty_rate=0.0 if minimum else float(block.penalty_percent / HUNDRED),
        group_rate=float(block.group_rate),
        minimum_revenue=float(block.minimum_revenue or 0) if minimum else None,
    )
    return Decimal(str(owed)).quantize(CENT)


def _booking_opens(block: RoomBlock) -> dt.date:
    """When rooms could first be picked up: the agreement's signing, else its start."""
    agreement = block.agreement
    return agreement.signed_on or agreement.starts_on


def _projected(block: RoomBlock, rows: list[NightPickup], as_of: dt.date) -> dict | None:
    """Each night's pickup run on at its pace so far to the cut-off (at most the block)."""
    opens = _booking_opens(block)
    elapsed, window = (as_of - opens).days, (block.cutoff_on - opens).days
    if elapsed <= 0 or window <= 0:
        return None
    factor = Decimal(window) / Decimal(elapsed)
    return {
        r.night: min(Decimal(r.contracted), max(Decimal(0), r.picked_up) * factor).quantize(CENT)
        for r in rows
    }


def block_position(block: RoomBlock, *, as_of: dt.date | None = None) -> BlockPosition:
    """Pickup per night and the attrition figures of ``block`` on ``as_of`` (local today)."""
    as_of = as_of or timezone.localdate()
    contracted = dict(block.nights.values_list("night", "rooms"))
    picked = pickup_by_night(block, nights=contracted)
    rows = [NightPickup(n, contracted[n], picked[n]) for n in sorted(contracted)]
    total = sum(contracted.values())
    before = as_of <= block.cutoff_on
    position = BlockPosition(
        block=block,
        as_of=as_of,
        nights=rows,
        contracted=total,
        picked_up=sum(picked.values(), Decimal(0)),
        allowance_nights=(total * block.allowance_percent / HUNDRED).quantize(CENT),
        before_cutoff=before,
        owed=None if before else _owed(block, contracted, picked),
        exposure=_owed(block, contracted, picked) if before else None,
        projected_pickup=None,
        projected_exposure=None,
    )
    projected = _projected(block, rows, as_of) if before else None
    if projected is not None:
        position.projected_pickup = sum(projected.values(), Decimal(0))
        position.projected_exposure = _owed(block, contracted, projected)
    return position


def agreement_blocks(agreement: Agreement, *, as_of: dt.date | None = None) -> list[BlockPosition]:
    """Every block of an agreement (the caller checked the agreement is in sight)."""
    blocks = agreement.room_blocks.select_related("agreement", "category").order_by("cutoff_on")
    return [block_position(b, as_of=as_of) for b in blocks]


def room_blocks_visible_to(actor: User | None) -> QuerySet[RoomBlock]:
    """The blocks of the agreements on accounts ``actor`` sees."""
    qs = RoomBlock.objects.select_related("agreement", "agreement__account", "category")
    return visible_to(qs, actor, prefix="agreement__account__")


def room_block_for_actor(
    actor: User | None, block: RoomBlock | int, *, agreement: int | None = None
) -> RoomBlock:
    """The block if ``actor`` sees it (and it belongs to ``agreement`` when one is named)."""
    pk = block.pk if isinstance(block, RoomBlock) else block
    qs = room_blocks_visible_to(actor).filter(pk=pk)
    if agreement is not None:
        qs = qs.filter(agreement_id=agreement)
    found = qs.first()
    if found is None:
        raise NotFound(_("Room block %(id)s not found.") % {"id": pk}, field="block")
    return found


# --- Writes -----------------------------------------------------------------------------------


def _category(value: Any) -> ProductCategory:
    if isinstance(value, ProductCategory):
        return value
    found = ProductCategory.objects.filter(pk=value).first() if str(value).isdigit() else None
    found = found or ProductCategory.objects.filter(code=str(value)).first()
    if found is None:
        raise InvalidInput(_("Unknown product category."), field="category")
    return found


def _nights(value: Any) -> dict[dt.date, int]:
    """Nights as {date: rooms} from a mapping or from (night, rooms) pairs / dicts."""
    pairs = value.items() if isinstance(value, Mapping) else value
    found: dict[dt.date, int] = {}
    for item in pairs:
        night, rooms = (item["night"], item["rooms"]) if isinstance(item, Mapping) else item
        if isinstance(night, str):
            try:
                night = dt.date.fromisoformat(night)
            except ValueError:
                raise InvalidInput(_("Not a date: write YYYY-MM-DD."), field="nights") from None
        if night in found:
            raise InvalidInput(
                _("The night %(night)s is given twice.") % {"night": night}, field="nights"
            )
        if rooms is None or int(rooms) != rooms or rooms < 0:
            raise InvalidInput(_("Rooms must be a whole number, zero or more."), field="nights")
        found[night] = int(rooms)
    return found


def room_block_check(block: RoomBlock, nights: Mapping[dt.date, int]) -> None:
    """The block's own rules (InvalidInput naming the field): the minimum revenue rule names
    a minimum revenue; the cut-off is not after the first night."""
    if block.penalty_rule == PenaltyRule.MINIMUM_REVENUE and block.minimum_revenue is None:
        raise InvalidInput(
            _("The minimum revenue rule needs a minimum revenue."), field="minimum_revenue"
        )
    if nights and block.cutoff_on > min(nights):
        raise InvalidInput(
            _("The cut-off date must not be after the first night."), field="cutoff_on"
        )


def _set_fields(block: RoomBlock, fields: Mapping[str, Any]) -> None:
    check_fields(dict(fields), BLOCK_FIELDS)
    for name, value in fields.items():
        if name == "category":
            block.category = _category(value)
        else:
            setattr(block, name, value)


def _save_nights(block: RoomBlock, nights: Mapping[dt.date, int], *, actor: User) -> None:
    """Make the block's nights exactly ``nights`` (changed, added and removed ones audited)."""
    kept = {n.night: n for n in block.nights.all()}
    for night, row in kept.items():
        if night not in nights:
            delete_as(row, actor=actor)
    for night, rooms in sorted(nights.items()):
        row = kept.get(night) or RoomBlockNight(block=block, night=night, rooms=rooms)
        if row.pk is None or row.rooms != rooms:
            row.rooms = rooms
            save_as(row, actor=actor)


@transaction.atomic
def room_block_create(
    *, actor: User, agreement: Agreement | int, nights: Any = (), **fields: Any
) -> RoomBlock:
    """A room block on an agreement the actor sees, with its nights ({night: rooms})."""
    agreement = agreement_for_actor(actor, agreement)
    block = RoomBlock(agreement=agreement)
    _set_fields(block, fields)
    wanted = _nights(nights)
    validated(block)
    room_block_check(block, wanted)
    save_as(block, actor=actor)
    _save_nights(block, wanted, actor=actor)
    return block


@transaction.atomic
def room_block_update(
    *, actor: User, block: RoomBlock | int, nights: Any = None, **fields: Any
) -> RoomBlock:
    """Change the fields given; ``nights`` (when given) replaces the block's nights."""
    block = room_block_for_actor(actor, block)
    _set_fields(block, fields)
    wanted = _nights(nights) if nights is not None else dict(
        block.nights.values_list("night", "rooms")
    )  # fmt: skip
    validated(block)
    room_block_check(block, wanted)
    save_as(block, actor=actor)
    if nights is not None:
        _save_nights(block, wanted, actor=actor)
    return block


@transaction.atomic
def room_block_delete(*, actor: User, block: RoomBlock | int) -> None:
    block = room_block_for_actor(actor, block)
    for night in block.nights.all():
        delete_as(night, actor=actor)
    delete_as(block, actor=actor)
