"""Writes for the buying centre and relationship stages. Each checks the account rule (what the
user cannot see is not found) and the data's own rules, and raises ApplicationError with the field
at fault."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_is_visible
from guanxi.contacts.models import Contact
from guanxi.core.errors import ApplicationError, NotFound
from guanxi.core.models import User
from guanxi.relationships.health import health_refresh
from guanxi.relationships.models import (
    AccountRelationship,
    BuyingCentreMember,
    BuyingRole,
    KotlerLevel,
    RelationshipStage,
    RelationshipStageEvent,
    StanceToUs,
    SupplierStage,
)
from guanxi.touchpoints.models import Touchpoint


def _visible(actor: User | None, account: Account) -> None:
    if actor is not None and not account_is_visible(actor, account):
        raise NotFound(_("No account %(id)s.") % {"id": account.pk}, field="account")


def _reporting_cycle(account: Account, contact: Contact, boss: Contact) -> bool:
    """Would `contact` reporting to `boss` close a loop in the account's reporting lines?"""
    lines = dict(
        BuyingCentreMember.objects.filter(account=account, reports_to__isnull=False)
        .exclude(contact=contact)
        .values_list("contact_id", "reports_to_id")
    )
    seen, current = set(), boss.pk
    while current is not None and current not in seen:
        if current == contact.pk:
            return True
        seen.add(current)
        current = lines.get(current)
    return False


def buying_centre_member_check(
    *,
    account: Account,
    contact: Contact,
    actor: User | None,
    buying_roles: list[str] | tuple[str, ...] = (),
    stance: str = StanceToUs.NEUTRAL,
    influence: int = 3,
    reports_to: Contact | None = None,
    relationship_owner: User | None = None,
) -> list[str]:
    """The rules of a seat, without writing: raises ApplicationError naming the field at fault,
    returns the roles cleaned (order kept, repeats dropped). The admin form calls it too.

    A relationship owner must be an active staff user who may see the account (else they
    could not follow the relationship they own)."""
    _visible(actor, account)
    roles = list(dict.fromkeys(buying_roles))  # keep order, drop repeats
    unknown = [r for r in roles if r not in BuyingRole.values]
    if unknown:
        raise ApplicationError(
            _("Unknown buying role: %(roles)s.") % {"roles": _(", ").join(unknown)},
            field="buying_roles",
        )
    if stance not in StanceToUs.values:
        raise ApplicationError(_("Unknown attitude: %(s)s.") % {"s": stance}, field="stance")
    try:
        influence = int(influence)
    except (TypeError, ValueError):
        influence = 0
    if not 1 <= influence <= 5:
        raise ApplicationError(_("Influence is from 1 to 5."), field="influence")
    if (
        contact.account_id != account.pk
        and actor is not None
        and not account_is_visible(actor, contact.account_id)
    ):
        raise NotFound(_("No contact %(id)s.") % {"id": contact.pk}, field="contact")
    if reports_to is not None:
        if reports_to.pk == contact.pk:
            raise ApplicationError(_("A person cannot report to themselves."), field="reports_to")
        if (
            reports_to.account_id != account.pk
            and not BuyingCentreMember.objects.filter(account=account, contact=reports_to).exists()
        ):
            raise ApplicationError(
                _("%(boss)s is neither a contact of this account nor on its buying centre.")
                % {"boss": reports_to.name},
                field="reports_to",
            )
        if _reporting_cycle(account, contact, reports_to):
            raise ApplicationError(
                _("%(boss)s already reports, directly or not, to %(name)s.")
                % {"boss": reports_to.name, "name": contact.name},
                field="reports_to",
            )
    if relationship_owner is not None and not (
        relationship_owner.is_active
        and relationship_owner.is_staff
        and account_is_visible(relationship_owner, account)
    ):
        raise ApplicationError(
            _(
                "%(user)s cannot own a relationship on %(account)s: only our staff who may see "
                "the account can."
            )
            % {"user": relationship_owner, "account": account.name},
            field="relationship_owner",
        )
    return roles


@transaction.atomic
def buying_centre_member_set(
    *,
    account: Account,
    contact: Contact,
    actor: User | None,
    buying_roles: list[str] | tuple[str, ...] = (),
    stance: str = StanceToUs.NEUTRAL,
    influence: int = 3,
    reports_to: Contact | None = None,
    rising_star: bool = False,
    relationship_owner: User | None = None,
    notes: str = "",
) -> BuyingCentreMember:
    """Put a contact on the account's buying centre, or update their seat (one per account)."""
    roles = buying_centre_member_check(
        account=account,
        contact=contact,
        actor=actor,
        buying_roles=buying_roles,
        stance=stance,
        influence=influence,
        reports_to=reports_to,
        relationship_owner=relationship_owner,
    )
    member, _created = BuyingCentreMember.objects.update_or_create(
        account=account,
        contact=contact,
        defaults={
            "buying_roles": roles,
            "stance": stance,
            "influence": int(influence),
            "reports_to": reports_to,
            "rising_star": rising_star,
            "relationship_owner": relationship_owner,
            "notes": notes,
        },
    )
    health_refresh([account.pk])
    return member


def relationship_stage_check(
    *,
    account: Account,
    contact: Contact,
    stage: str,
    actor: User | None,
    reached_on: dt.date | None = None,
    evidence: Touchpoint | None = None,
) -> dt.date:
    """The rules of a stage record, without writing (the admin form calls it too): raises
    ApplicationError naming the field at fault, returns the day (today when not given)."""
    _visible(actor, account)
    if stage not in RelationshipStage.values:
        raise ApplicationError(
            _("Unknown relationship stage: %(s)s.") % {"s": stage}, field="stage"
        )
    reached_on = reached_on or timezone.localdate()
    if reached_on > timezone.localdate():
        raise ApplicationError(_("The day a stage was reached cannot be in the future."),
                               field="reached_on")  # fmt: skip
    if evidence is not None:
        if evidence.account_id != account.pk:
            raise ApplicationError(
                _("The evidence must be a touchpoint with this account."), field="evidence"
            )
        if not evidence.contacts.filter(pk=contact.pk).exists():
            raise ApplicationError(
                _("The evidence touchpoint does not involve %(name)s.") % {"name": contact.name},
                field="evidence",
            )
    if RelationshipStageEvent.objects.filter(
        account=account, contact=contact, stage=stage, reached_on=reached_on
    ).exists():
        # A second identical row would only double the history and the map's timeline.
        raise ApplicationError(
            _("%(name)s reaching %(stage)s on %(day)s is already recorded.")
            % {"name": contact.name, "stage": RelationshipStage(stage).label, "day": reached_on},
            field="stage",
        )
    return reached_on


@transaction.atomic
def relationship_stage_record(
    *,
    account: Account,
    contact: Contact,
    stage: str,
    actor: User | None,
    reached_on: dt.date | None = None,
    evidence: Touchpoint | None = None,
    note: str = "",
) -> RelationshipStageEvent:
    """Record that a contact reached a relationship stage (好感 → 信任 → 利益 → 情感)."""
    reached_on = relationship_stage_check(account=account, contact=contact, stage=stage,
                                          actor=actor, reached_on=reached_on,
                                          evidence=evidence)  # fmt: skip
    event = RelationshipStageEvent.objects.create(
        account=account,
        contact=contact,
        stage=stage,
        reached_on=reached_on,
        evidence=evidence,
        note=note[:300],
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    health_refresh([account.pk])
    return event


@transaction.atomic
def relationship_stages_delete(*, events: list[RelationshipStageEvent]) -> None:
    """Delete stage records made in error (the admin's delete; the caller checked access)."""
    accounts = {e.account_id for e in events}
    RelationshipStageEvent.objects.filter(pk__in=[e.pk for e in events]).delete()
    health_refresh(accounts)


@transaction.atomic
def account_relationship_set(
    *,
    account: Account,
    actor: User | None,
    supplier_stage: str | None = None,
    kotler_level: str | None = None,
    notes: str | None = None,
) -> AccountRelationship:
    """Set where we stand with the organisation; what is not given stays as it is."""
    _visible(actor, account)
    if supplier_stage is not None and supplier_stage not in SupplierStage.values:
        raise ApplicationError(_("Unknown supplier stage: %(s)s.") % {"s": supplier_stage},
                               field="supplier_stage")  # fmt: skip
    if kotler_level is not None and kotler_level not in KotlerLevel.values:
        raise ApplicationError(_("Unknown relationship level: %(s)s.") % {"s": kotler_level},
                               field="kotler_level")  # fmt: skip
    # One save per call, so the history holds one row per change, the first included.
    row = AccountRelationship.objects.select_for_update().filter(account=account).first()
    row = row or AccountRelationship(account=account)
    for field, value in (
        ("supplier_stage", supplier_stage),
        ("kotler_level", kotler_level),
        ("notes", notes),
    ):
        if value is not None:
            setattr(row, field, value)
    row.save()
    return row


@transaction.atomic
def buying_centre_member_remove(*, account: Account, contact: Contact, actor: User | None) -> None:
    """Take a person off the account's buying centre. Those who reported to them keep their
    seats and then report to nobody (their boss is no longer on the map)."""
    _visible(actor, account)
    member = (
        BuyingCentreMember.objects.select_for_update()
        .filter(account=account, contact=contact)
        .first()
    )
    if member is None:
        raise NotFound(
            _("%(name)s is not on the buying centre of %(account)s.")
            % {"name": contact.name, "account": account.name},
            field="contact",
        )
    # One save per report (not a bulk update) so each keeps a history row of the change.
    for report in BuyingCentreMember.objects.filter(account=account, reports_to=contact):
        report.reports_to = None
        report.save(update_fields=["reports_to"])
    member.delete()
    health_refresh([account.pk])
