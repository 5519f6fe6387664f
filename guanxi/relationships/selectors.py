"""Reads of the buying centre: each seat with what the map, the coverage score and the risks need.

`buying_centres(account_ids)` reads every seat of many accounts in a fixed number of queries
(seats, current stages, last touchpoints), so the account list's risk filter and the Today page
never query per account. A person's recency counts every touchpoint that involves them, whichever
account it was logged on (an external influencer is usually met on their own organisation's
account).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field

from django.db.models import Max

from guanxi.accounts.models import Account
from guanxi.core.bulk import chunks
from guanxi.core.models import User
from guanxi.relationships.models import (
    STAGE_ORDER,
    AccountRelationship,
    BuyingCentreMember,
    BuyingRole,
    RelationshipStageEvent,
    StanceToUs,
)
from guanxi.touchpoints.models import Touchpoint

# SQLite caps the parameters of one query; long id lists are read in chunks.
CHUNK = 2000

WARM_STANCES = frozenset({StanceToUs.CHAMPION, StanceToUs.SUPPORTER})
DECISION_ROLES = frozenset({BuyingRole.APPROVER, BuyingRole.DECISION_MAKER})


@dataclass
class Seat:
    """One person on an account's buying centre, with their current stage and recency."""

    member: BuyingCentreMember | None  # None when read by `lean_buying_centres`
    contact_id: int
    name: str
    title: str
    contact_account_id: int
    is_active: bool  # False: the contact has left (contacts.Contact.is_active)
    roles: list[str]
    stance: str
    influence: int
    reports_to_id: int | None
    rising_star: bool
    owner: User | None  # our relationship owner; the account's owner when none is named
    owner_named: bool  # True when relationship_owner is set on the seat
    stage: str | None = None  # latest RelationshipStageEvent.stage
    stage_reached_on: dt.date | None = None
    last_touch_at: dt.datetime | None = None  # latest touchpoint involving this contact

    @property
    def external(self) -> bool:
        return self.member is not None and self.contact_account_id != self.member.account_id

    @property
    def stage_rank(self) -> int:
        """0 without a stage, then 1 (goodwill) … 4 (emotion)."""
        return STAGE_ORDER.get(self.stage or "", 0)

    @property
    def warm(self) -> bool:
        return self.stance in WARM_STANCES

    @property
    def decides(self) -> bool:
        return not DECISION_ROLES.isdisjoint(self.roles)


@dataclass(frozen=True)
class AccountRef:
    """An account as `lean_buying_centres` reads it: its id and its owner's (a model instance
    per account costs more than the rest of the read)."""

    pk: int
    owner_id: int | None


@dataclass
class BuyingCentre:
    account: Account | AccountRef
    seats: list[Seat] = field(default_factory=list)
    relationship: AccountRelationship | None = None  # organisation stage, Kotler level

    def seat(self, contact_id: int) -> Seat | None:
        return next((s for s in self.seats if s.contact_id == contact_id), None)


def _stages_of(account_ids: list[int]) -> dict[tuple[int, int], tuple[str, dt.date]]:
    """(account id, contact id) → the latest stage reached and its day."""
    stages: dict[tuple[int, int], tuple[str, dt.date]] = {}
    for chunk in chunks(account_ids, CHUNK):
        for account_id, contact_id, stage, reached_on in (
            RelationshipStageEvent.objects.filter(account_id__in=chunk)
            .order_by("reached_on", "id")
            .values_list("account_id", "contact_id", "stage", "reached_on")
        ):
            stages[(account_id, contact_id)] = (stage, reached_on)  # the last one wins
    return stages


def buying_centres(
    account_ids: Collection[int], *, accounts: dict[int, Account] | None = None
) -> dict[int, BuyingCentre]:
    """account id → its BuyingCentre (an empty one for an account without seats).

    The caller applies the access rule (pass only ids the user may see)."""
    ids = list(dict.fromkeys(account_ids))
    if accounts is None:
        accounts = Account.objects.select_related("owner").in_bulk(ids)
    result = {pk: BuyingCentre(account=accounts[pk]) for pk in ids if pk in accounts}
    if not result:
        return result
    members: list[BuyingCentreMember] = []
    relationships: list[AccountRelationship] = []
    for chunk in chunks(list(result), CHUNK):
        members += (
            BuyingCentreMember.objects.filter(account_id__in=chunk)
            .select_related("contact", "relationship_owner")
            .order_by("account_id", "-influence", "contact__name", "id")
        )
        relationships += AccountRelationship.objects.filter(account_id__in=chunk)
    stages = _stages_of(list(result))
    contact_ids = {m.contact_id for m in members}
    last_touch = last_touchpoints_of(contact_ids)
    for m in members:
        centre = result[m.account_id]
        stage, reached = stages.get((m.account_id, m.contact_id), (None, None))
        owner = m.relationship_owner or centre.account.owner
        centre.seats.append(
            Seat(
                member=m,
                contact_id=m.contact_id,
                name=m.contact.name,
                title=m.contact.title,
                contact_account_id=m.contact.account_id,
                is_active=m.contact.is_active,
                roles=list(m.buying_roles or []),
                stance=m.stance,
                influence=m.influence,
                reports_to_id=m.reports_to_id,
                rising_star=m.rising_star,
                owner=owner,
                owner_named=m.relationship_owner_id is not None,
                stage=stage,
                stage_reached_on=reached,
                last_touch_at=last_touch.get(m.contact_id),
            )
        )
    for rel in relationships:
        result[rel.account_id].relationship = rel
    return result


#: A seat's columns for `lean_buying_centres`, in the order of Seat's fields after `member`.
_LEAN_SEAT = ("account_id", "contact_id", "contact__name", "contact__title",
              "contact__account_id", "contact__is_active", "buying_roles", "stance", "influence",
              "reports_to_id", "rising_star", "relationship_owner_id")  # fmt: skip


def lean_buying_centres(account_ids: Collection[int]) -> dict[int, BuyingCentre]:
    """Like `buying_centres`, reading only what the coverage score and the risks need, as plain
    rows (no model per seat or account; each user read once; seats have no `member`): the
    stored rollup reads every mapped buying centre at night."""
    ids = list(dict.fromkeys(account_ids))
    owners: dict[int, int | None] = {}
    rows: list[tuple] = []
    for chunk in chunks(ids, CHUNK):
        owners.update(Account.objects.filter(pk__in=chunk).values_list("pk", "owner_id"))
        rows += (
            BuyingCentreMember.objects.filter(account_id__in=chunk)
            .order_by("account_id", "-influence", "contact__name", "id")
            .values_list(*_LEAN_SEAT)
        )
    users = User.objects.in_bulk({*owners.values(), *(r[-1] for r in rows)} - {None})
    result = {pk: BuyingCentre(account=AccountRef(pk, o)) for pk, o in owners.items()}
    stages = _stages_of(list(result))
    last_touch = last_touchpoints_of({r[1] for r in rows})
    for account_id, contact_id, name, title, home, active, roles, stance, influence, boss, \
            rising, named in rows:  # fmt: skip
        centre = result[account_id]
        stage, reached = stages.get((account_id, contact_id), (None, None))
        centre.seats.append(
            Seat(None, contact_id, name, title, home, active, list(roles or []), stance,
                 influence, boss, rising, users.get(named or owners[account_id]),
                 named is not None, stage, reached, last_touch.get(contact_id))  # fmt: skip
        )
    return result


def buying_centre(account: Account) -> BuyingCentre:
    """One account's buying centre (see `buying_centres`)."""
    return buying_centres([account.pk], accounts={account.pk: account})[account.pk]


def last_touchpoints_of(contact_ids: Collection[int]) -> dict[int, dt.datetime]:
    """contact id → when the latest touchpoint involving them happened (none: absent)."""
    if not contact_ids:
        return {}
    through = Touchpoint.contacts.through
    found: dict[int, dt.datetime] = {}
    for chunk in chunks(list(contact_ids), CHUNK):
        found.update(
            through.objects.filter(contact_id__in=chunk)
            .values("contact_id")
            .annotate(last=Max("touchpoint__occurred_at"))
            .values_list("contact_id", "last")
        )
    return found


def accounts_with_buying_centre(queryset) -> list[int]:
    """Ids of the accounts in ``queryset`` that have at least one buying-centre seat."""
    return list(
        queryset.filter(buying_centre__isnull=False).distinct().values_list("pk", flat=True)
    )
