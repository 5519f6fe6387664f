"""Writes of people on the warning lights (the KAM's feedback, the company's countermeasure,
the status) and the referrals, those entered here and those a lead's "referred by" keeps in step
(`lead_referral_follow`). The lights themselves are raised and cleared by the nightly
evaluation (`lights.lights_evaluate`), not here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import account_is_visible
from guanxi.accounts.services import check_account_visible
from guanxi.contacts.selectors import contacts_visible_to
from guanxi.core.errors import InvalidInput, NotFound, PermissionDenied
from guanxi.core.models import User
from guanxi.core.services import UNSET, delete_as, save_as
from guanxi.leads.models import Lead, LeadStatus
from guanxi.leads.selectors import lead_for_actor
from guanxi.loyalty.models import AccountLight, LightStatus, Referral
from guanxi.loyalty.selectors import light_get

TEXT_MAX = 4000


def may_set_countermeasure(actor: User | None) -> bool:
    """The company's countermeasure (对策) is decided above the KAM: team leads, managers."""
    return actor is not None and (actor.sees_all_accounts or actor.leads_team)


def _text(value: str, field: str) -> str:
    value = (value or "").strip()
    if len(value) > TEXT_MAX:
        raise InvalidInput(_("Keep it under %(n)s characters.") % {"n": TEXT_MAX}, field=field)
    return value


@transaction.atomic
def light_update(
    *,
    actor: User,
    light: AccountLight | int,
    kam_feedback: str = UNSET,
    countermeasure: str = UNSET,
    status: str = UNSET,
) -> AccountLight:
    """Record the KAM's feedback, the company's countermeasure or the status of a light on an
    account the actor sees (any other is not found). Feedback moves an open light to
    acknowledged. A light cleared by the evaluation still takes feedback and countermeasures
    (the table keeps them) but its status stays resolved."""
    light_id = light.pk if isinstance(light, AccountLight) else light
    light = light_get(actor=actor, light_id=light_id)
    now = timezone.now()
    before = light.status
    if countermeasure is not UNSET:
        if not may_set_countermeasure(actor):
            raise PermissionDenied(
                _("Only a team lead or a manager sets the company's countermeasure."),
                field="countermeasure",
            )
        light.countermeasure = _text(countermeasure, "countermeasure")
        light.countermeasure_by, light.countermeasure_at = actor, now
    if kam_feedback is not UNSET:
        light.kam_feedback = _text(kam_feedback, "kam_feedback")
        light.feedback_by, light.feedback_at = actor, now
        if light.status == LightStatus.OPEN and light.kam_feedback:
            light.status = LightStatus.ACKNOWLEDGED
    if status is not UNSET and status != before:  # a form sends the status it showed
        if status not in LightStatus.values:
            raise InvalidInput(_("Choose a status."), field="status")
        if light.cleared_at is not None and status != LightStatus.RESOLVED:
            raise InvalidInput(_("This light has cleared; it stays resolved."), field="status")
        light.status = status
    return save_as(light, actor=actor)


def referral_check(*, actor: User | None, referral: Referral) -> None:
    """The rules of a referral (the API and the admin form share them): the referring account
    and the referred account or lead are ones the actor sees, the contact belongs to the
    referring account, something was referred, and not the referrer itself."""
    if referral.referrer_account_id is None:
        raise InvalidInput(
            errors={"referrer_account": _("Name the account or the contact who referred.")}
        )
    check_account_visible(actor=actor, account=referral.referrer_account)
    contact = referral.referrer_contact
    if contact is not None and contact.account_id != referral.referrer_account_id:
        raise InvalidInput(
            _("The contact does not belong to the referring account."), field="referrer_contact"
        )
    if referral.referred_account_id is None and referral.referred_lead_id is None:
        raise InvalidInput(
            errors={"referred_account": _("Name the account or the lead that was referred.")}
        )
    if referral.referred_account_id is not None:
        if referral.referred_account_id == referral.referrer_account_id:
            raise InvalidInput(_("An account cannot refer itself."), field="referred_account")
        if not account_is_visible(actor, referral.referred_account_id):
            raise NotFound(_("Account not found."), field="referred_account")
    if referral.referred_lead_id is not None:
        lead_for_actor(actor=actor, lead=referral.referred_lead_id, field="referred_lead")


@transaction.atomic
def referral_create(
    *,
    actor: User,
    referrer_account_id: int | None = None,
    referrer_contact_id: int | None = None,
    referred_account_id: int | None = None,
    referred_lead_id: int | None = None,
    referred_on: dt.date | None = None,
    note: str = "",
) -> Referral:
    """Record who referred whom (转介绍): a contact (its account is the referrer unless named)
    or an account → an account or a lead, each one the actor sees."""
    contact = None
    if referrer_contact_id:
        contact = contacts_visible_to(actor).filter(pk=referrer_contact_id).first()
        if contact is None:
            raise NotFound(_("Contact not found."), field="referrer_contact")
        referrer_account_id = referrer_account_id or contact.account_id
    referral = Referral(
        referrer_account_id=referrer_account_id,
        referrer_contact=contact,
        referred_account_id=referred_account_id,
        referred_lead_id=referred_lead_id,
        referred_on=referred_on or timezone.localdate(),
        note=_text(note, "note"),
        recorded_by=actor,
    )
    referral_check(actor=actor, referral=referral)
    return save_as(referral, actor=actor)


@dataclass(frozen=True)
class LeadReferrer:
    """Who a lead names as its referrer (转介绍), as stored: the account, the person, and the
    person's account."""

    account_id: int | None = None
    contact_id: int | None = None
    contact_account_id: int | None = None

    @classmethod
    def of(cls, lead: Lead) -> LeadReferrer:
        """The referrer of a lead read with its ``referred_by_contact``."""
        contact = lead.referred_by_contact
        return cls(lead.referred_by_account_id, lead.referred_by_contact_id,
                   contact.account_id if contact is not None else None)  # fmt: skip

    @property
    def referring_account_id(self) -> int | None:
        """The referring account: the one named, else the person's."""
        return self.account_id or self.contact_account_id

    @property
    def referring_contact_id(self) -> int | None:
        """The referring person, dropped when they work at another account than the one named."""
        return self.contact_id if self.contact_account_id == self.referring_account_id else None


def lead_referrer(lead: Lead | int) -> LeadReferrer:
    """Who ``lead`` names as its referrer as stored now, one query (nobody for no such lead):
    `lead_referral_follow` reads it, and the flows before a lead changes (its ``before``)."""
    pk = lead.pk if isinstance(lead, Lead) else lead
    row = (
        Lead.objects.filter(pk=pk)
        .values_list(
            "referred_by_account_id", "referred_by_contact_id", "referred_by_contact__account_id"
        )
        .first()
    )
    return LeadReferrer(*row) if row else LeadReferrer()


def _lead_referral_rows(lead: Lead, account_id: int | None) -> list[Referral]:
    """The referrals of the lead, and (once converted) those recorded by hand for the account
    it became, oldest first, locked."""
    rows = Referral.objects.filter(referred_lead=lead)
    if account_id is not None:
        rows = rows | Referral.objects.filter(referred_account_id=account_id, referred_lead=None)
    return list(rows.select_for_update().order_by("id"))


def _save_if_changed(row: Referral, actor: User | None, **wanted: int | None) -> Referral:
    if row.pk is not None and all(getattr(row, k) == v for k, v in wanted.items()):
        return row
    for name, value in wanted.items():
        setattr(row, name, value)
    return save_as(row, actor=actor)


@transaction.atomic
def lead_referral_follow(
    *, actor: User | None, lead: Lead | int, before: int | None = None
) -> Referral | None:
    """Keep the referrals (转介绍) of a lead in step with its "referred by" (the flows call this
    after a lead is created or its referrer changes, `pipeline.convert` after a conversion): one
    row per lead and referring account, pointing at the lead, and at its account once converted.
    A row already naming the lead (or, once converted, its account) and that referrer — entered
    by hand on the referrals page, or kept before — is updated, never doubled; when the referrer
    changed from ``before`` (the referring account the lead named until now) that row moves to
    the new referrer, and a referrer cleared deletes it. Every write names ``actor`` in the audit
    history. No access check: it follows a write of the lead that was checked. Returns the
    lead's referral, None when it names no referrer."""
    lead = Lead.objects.select_related("referred_by_contact").get(
        pk=lead.pk if isinstance(lead, Lead) else lead
    )
    named = LeadReferrer.of(lead)
    account_id, contact_id = named.referring_account_id, named.referring_contact_id
    became = lead.account_id if lead.status == LeadStatus.CONVERTED else None
    rows = _lead_referral_rows(lead, became)
    kept = None
    if account_id is not None:
        kept = next((r for r in rows if r.referrer_account_id == account_id), None) or next(
            (r for r in rows if before is not None and r.referrer_account_id == before), None
        )
        kept = kept or Referral(referred_on=timezone.localdate(lead.created_at), recorded_by=actor)
        referred = became or kept.referred_account_id
        if referred == account_id:  # converted into the referrer itself: not a referral of it
            referred = None
        kept = _save_if_changed(
            kept, actor, referrer_account_id=account_id, referrer_contact_id=contact_id,
            referred_lead_id=lead.pk, referred_account_id=referred,
        )  # fmt: skip
    for row in rows:
        if row.pk == getattr(kept, "pk", None):
            continue
        if account_id is None and before is not None and row.referrer_account_id == before:
            if row.referred_lead_id == lead.pk:  # the lead no longer says so
                delete_as(row, actor=actor)
        elif became and row.referred_account_id is None and row.referrer_account_id != became:
            _save_if_changed(row, actor, referred_account_id=became)
    return kept
