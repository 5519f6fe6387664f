"""Writes for leads (线索): create (reporting likely duplicates, never blocking), update, the MAN
checklist (money 有购买力, authority 有决定权, need 有购买需求) with evidence, qualify,
disqualify with a reason from the list, reopen, attach to an existing account, and the records
of a conversion (`lead_convert_records`; the opportunity is `pipeline.convert.lead_convert`).

Access: `selectors.leads_visible_to` (owner; a team lead the team's; managers all); a lead out
of sight is NotFound. Every write saves with `save_as`, so the audit history names the actor.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account, AccountStatus, AccountType
from guanxi.accounts.names import mobile_key
from guanxi.accounts.services import account_create, account_for_actor, assignable_owners
from guanxi.contacts.models import Contact
from guanxi.contacts.services import contact_create, contact_for_actor
from guanxi.core.errors import Conflict, InvalidInput, PermissionDenied
from guanxi.core.formatting import join_words
from guanxi.core.models import User
from guanxi.core.services import UNSET, check_fields, save_as, validated
from guanxi.leads.duplicates import Duplicate, contact_matches, likely_duplicates, same_company
from guanxi.leads.models import (
    Answer,
    CriterionKind,
    DisqualifyReason,
    Lead,
    LeadSource,
    LeadStatus,
    SelectionAssessment,
    SourceKind,
)
from guanxi.leads.selection import active_criteria, as_rows, assessment_terms, totals
from guanxi.leads.selectors import lead_for_actor

LEAD_FIELDS = frozenset(
    {
        "company", "person_name", "job_title", "mobile", "email", "wechat", "city", "industry",
        "campaign", "notes",
    }
)  # fmt: skip
MAN = ("money", "authority", "need")
OPEN = frozenset({LeadStatus.NEW, LeadStatus.WORKING})


def _label(name: str) -> str:
    return str(Lead._meta.get_field(name).verbose_name)


def _source(source: int | LeadSource) -> LeadSource:
    pk = source.pk if isinstance(source, LeadSource) else source
    found = LeadSource.objects.filter(pk=pk, active=True).first()
    if found is None:
        raise InvalidInput(_("Choose a lead source from the list."), field="source")
    return found


def _owner(actor: User, owner: int | User | None) -> User:
    if owner is None:
        return actor
    pk = owner.pk if isinstance(owner, User) else owner
    found = assignable_owners(actor, User.objects.filter(is_active=True)).filter(pk=pk).first()
    if found is None:
        raise PermissionDenied(_("You may not give leads to that owner."), field="owner")
    return found


def _referrals(lead: Lead, *, actor: User, account: Any, contact: Any) -> None:
    """A referral names who referred; the actor must see them (they are customers' data)."""
    if account is not UNSET:
        lead.referred_by_account = (
            None
            if account is None
            else account_for_actor(actor=actor, account_id=account, field="referred_by_account")
        )
    if contact is not UNSET:
        lead.referred_by_contact = (
            None
            if contact is None
            else contact_for_actor(actor=actor, contact_id=contact, field="referred_by_contact")
        )
    _check_referrer(lead)


def _check_referrer(lead: Lead) -> None:
    """The person who referred works at the referring account, when both are named (the
    referral the lead makes names them together)."""
    contact = lead.referred_by_contact if lead.referred_by_contact_id else None
    if contact is not None and lead.referred_by_account_id not in (None, contact.account_id):
        raise InvalidInput(
            _("The person does not work at the referring account."), field="referred_by_contact"
        )


def lead_rules(*, actor: User, lead: Lead) -> None:
    """The rules a lead's form must keep (the admin form runs them before saving through the
    services below): a company, an active source, an owner the actor may choose, a referring
    person at the referring account, evidence for every MAN "yes"."""
    if not (lead.company or "").strip():
        raise InvalidInput(_("Name the company."), field="company")
    _source(lead.source_id)
    if lead.owner_id is not None and lead.owner_id != actor.pk:
        _owner(actor, lead.owner_id)
    _check_referrer(lead)
    _check_evidence(lead)


def _check_evidence(lead: Lead) -> None:
    for name in MAN:
        if getattr(lead, name) == Answer.YES and not getattr(lead, f"{name}_evidence").strip():
            raise InvalidInput(
                _("Give the evidence for “%(what)s”.") % {"what": _label(name)},
                field=f"{name}_evidence",
            )


def _check_open(lead: Lead) -> None:
    if lead.status == LeadStatus.CONVERTED:
        raise Conflict(_("This lead is already converted."), field="status")


@transaction.atomic
def lead_create(
    *,
    actor: User,
    company: str,
    source: int | LeadSource,
    owner: int | User | None = None,
    referred_by_account: int | Account | None = None,
    referred_by_contact: int | Contact | None = None,
    **fields: Any,
) -> tuple[Lead, list[Duplicate]]:
    """A new lead, and the likely duplicates found among accounts and contacts (shown to the
    actor to attach instead; they do not block)."""
    check_fields(fields, LEAD_FIELDS)
    company = (company or "").strip()
    if not company:
        raise InvalidInput(_("Name the company."), field="company")
    lead_owner = _owner(actor, owner)
    lead = Lead(company=company, source=_source(source), owner=lead_owner, **fields)
    lead.team_id = lead_owner.team_id
    _referrals(lead, actor=actor, account=referred_by_account, contact=referred_by_contact)
    _check_reachable(lead)
    save_as(lead, actor=actor)
    return lead, lead_duplicates(actor=actor, lead=lead)


_PHONE_CHARS = re.compile(r"^\+?[\d\s()\-]+$")


def _check_reachable(lead: Lead) -> None:
    """A mobile of digits (a leading +, spaces, dashes and brackets allowed, 7 to 15 digits)
    and a well-formed e-mail: a typo here would make the lead unreachable and its duplicate
    check blind."""
    mobile = (lead.mobile or "").strip()
    if mobile and (not _PHONE_CHARS.match(mobile) or not 7 <= len(mobile_key(mobile)) <= 15):
        raise InvalidInput(_("Enter the mobile as digits, e.g. 13800138000."), field="mobile")
    email = (lead.email or "").strip()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(_("Enter a valid e-mail address."), field="email") from None


def lead_duplicates(*, actor: User, lead: Lead) -> list[Duplicate]:
    return likely_duplicates(actor, company=lead.company, mobile=lead.mobile, email=lead.email)


@transaction.atomic
def lead_update(
    *,
    actor: User,
    lead: int | Lead,
    owner: int | User = UNSET,
    source: int | LeadSource = UNSET,
    referred_by_account: int | Account | None = UNSET,
    referred_by_contact: int | Contact | None = UNSET,
    **fields: Any,
) -> Lead:
    """Change the given fields only; the team follows a new owner."""
    lead = lead_for_actor(actor=actor, lead=lead)
    _check_open(lead)
    check_fields(fields, LEAD_FIELDS)
    if owner is not UNSET and owner is not None:
        lead.owner = _owner(actor, owner)
        lead.team_id = lead.owner.team_id
    if source is not UNSET:
        lead.source = _source(source)
    _referrals(lead, actor=actor, account=referred_by_account, contact=referred_by_contact)
    for name, value in fields.items():
        setattr(lead, name, value)
    if "company" in fields and not (lead.company or "").strip():
        raise InvalidInput(_("Name the company."), field="company")
    _check_reachable(lead)
    return save_as(lead, actor=actor)


def _man_errors(lead: Lead) -> dict[str, str]:
    """What keeps the lead from qualifying: each MAN answer not "yes", or "yes" without
    evidence."""
    errors = {}
    for name in MAN:
        if getattr(lead, name) != Answer.YES:
            errors[name] = _("“%(what)s” is not answered yes.") % {"what": _label(name)}
        elif not getattr(lead, f"{name}_evidence").strip():
            errors[f"{name}_evidence"] = _("Give the evidence for “%(what)s”.") % {
                "what": _label(name)
            }
    return errors


@transaction.atomic
def lead_man_set(*, actor: User, lead: int | Lead, **answers: Any) -> Lead:
    """Record MAN answers and their evidence (any of money, money_evidence, authority, …). A
    "yes" needs its evidence; the first answer moves a new lead to working."""
    lead = lead_for_actor(actor=actor, lead=lead)
    _check_open(lead)
    allowed = frozenset(MAN) | {f"{name}_evidence" for name in MAN}
    check_fields(answers, allowed)
    for name, value in answers.items():
        if name in MAN and value not in Answer.values:
            raise InvalidInput(_("Answer yes, no or leave it unknown."), field=name)
        setattr(lead, name, value if name in MAN else (value or "").strip())
    _check_evidence(lead)
    if lead.status == LeadStatus.NEW and any(getattr(lead, n) for n in MAN):
        lead.status = LeadStatus.WORKING
    return save_as(lead, actor=actor)


@transaction.atomic
def lead_qualify(*, actor: User, lead: int | Lead) -> Lead:
    """Qualified only when money, authority and need are all "yes" with evidence; otherwise
    InvalidInput naming each one missing."""
    lead = lead_for_actor(actor=actor, lead=lead)
    if lead.status not in OPEN:
        raise Conflict(_("Only a new or working lead can be qualified."), field="status")
    errors = _man_errors(lead)
    if errors:
        missing = join_words(dict.fromkeys(_label(n.removesuffix("_evidence")) for n in errors))
        raise InvalidInput(
            _("Not qualified yet; missing: %(missing)s.") % {"missing": missing},
            field=next(iter(errors)),
            errors=errors,
        )
    lead.status = LeadStatus.QUALIFIED
    return save_as(lead, actor=actor)


@transaction.atomic
def lead_disqualify(
    *, actor: User, lead: int | Lead, reason: int | DisqualifyReason | None, note: str = ""
) -> Lead:
    lead = lead_for_actor(actor=actor, lead=lead)
    _check_open(lead)
    pk = reason.pk if isinstance(reason, DisqualifyReason) else reason
    found = DisqualifyReason.objects.filter(pk=pk, active=True).first() if pk else None
    if found is None:
        raise InvalidInput(_("Choose a reason from the list."), field="reason")
    lead.status = LeadStatus.DISQUALIFIED
    lead.disqualify_reason = found
    lead.disqualify_note = (note or "").strip()
    return save_as(lead, actor=actor)


@transaction.atomic
def lead_reopen(*, actor: User, lead: int | Lead) -> Lead:
    """Back to working from qualified or disqualified (the reason is cleared, the history
    keeps it)."""
    lead = lead_for_actor(actor=actor, lead=lead)
    _check_open(lead)
    if lead.status in OPEN:
        raise Conflict(_("This lead is already open."), field="status")
    lead.status = LeadStatus.WORKING
    lead.disqualify_reason = None
    lead.disqualify_note = ""
    return save_as(lead, actor=actor)


def _account_and_contact(
    actor: User, account: int | Account, contact: int | Contact | None
) -> tuple[Account, Contact | None]:
    found = account_for_actor(actor=actor, account_id=account)
    if contact is None:
        return found, None
    person = contact_for_actor(actor=actor, contact_id=contact)
    if person.account_id != found.pk:
        raise InvalidInput(_("The contact does not belong to that account."), field="contact")
    return found, person


@transaction.atomic
def lead_attach(
    *, actor: User, lead: int | Lead, account: int | Account, contact: int | Contact | None = None
) -> Lead:
    """The lead is about an account (and person) already on file: link them, so converting
    uses them instead of making copies."""
    lead = lead_for_actor(actor=actor, lead=lead)
    _check_open(lead)
    lead.account, lead.contact = _account_and_contact(actor, account, contact)
    return save_as(lead, actor=actor)


def _refuse_copy(dup: Duplicate, what: str) -> None:
    if dup.visible:
        message = _("%(what)s '%(name)s' already exists; choose it or another one.") % {
            "what": what,
            "name": dup.name,
        }
        extra = {"kind": dup.kind, "id": dup.id, "name": dup.name}
    else:
        message = _("%(what)s like this already exists, owned by %(owner)s; ask them.") % {
            "what": what,
            "owner": dup.owner_name,
        }
        extra = {"kind": dup.kind, "owner": dup.owner_name}
    raise Conflict(message, field=dup.kind, extra=extra)


def _free_code(model: type[Account] | type[Contact], base: str) -> str:
    code, n = base, 1
    while model.objects.filter(code=code).exists():
        n += 1
        code = f"{base}-{n}"
    return code


def _new_account(actor: User, lead: Lead) -> Account:
    dup = same_company(actor, lead.company)
    if dup is not None:
        _refuse_copy(dup, _("An account"))
    return account_create(
        actor=actor,
        code=_free_code(Account, f"L{lead.pk:06d}"),
        name=lead.company,
        account_type=AccountType.OTA if lead.source.kind == SourceKind.OTA else AccountType.OTHER,
        owner=lead.owner,
        status=AccountStatus.PROSPECT,
        industry=lead.industry,
        city=lead.city,
    )


def _new_contact(actor: User, lead: Lead, account: Account) -> Contact | None:
    if not lead.person_name.strip():
        return None
    same = contact_matches(actor, mobile=lead.mobile, email=lead.email)
    if not same:
        named = account.contacts.filter(name=lead.person_name.strip()).first()
        if named is not None:
            same = [Duplicate(kind="contact", reason="name", score=100, visible=True,
                              owner_name=str(account.owner), id=named.pk, name=named.name,
                              account_id=account.pk, account_name=account.name)]  # fmt: skip
    if same:
        _refuse_copy(sorted(same, key=lambda d: not d.visible)[0], _("A contact"))
    return contact_create(
        actor=actor,
        account=account,
        code=_free_code(Contact, f"L{lead.pk:06d}"),
        name=lead.person_name.strip(),
        title=lead.job_title,
        mobile=lead.mobile,
        email=lead.email,
        wechat=lead.wechat,
        is_primary=not account.contacts.exists(),
    )


@transaction.atomic
def lead_convert_records(
    *,
    actor: User,
    lead: int | Lead,
    account: int | Account | None = None,
    contact: int | Contact | None = None,
) -> tuple[Account, Contact | None]:
    """Turn a qualified lead into an account (status prospect) and a contact, or use the given
    (or attached) ones. Never a second copy: with nothing given, an account of the same company
    key or a contact with the same mobile/e-mail (or name, on the account) is a Conflict naming
    the match (only its owner when the actor cannot see it), so the caller chooses."""
    lead = lead_for_actor(actor=actor, lead=lead)
    _check_open(lead)
    if lead.status != LeadStatus.QUALIFIED:
        raise Conflict(_("Qualify the lead before converting it."), field="status")
    if account is None and lead.account_id is not None:
        account, contact = lead.account_id, contact if contact is not None else lead.contact_id
    if account is not None:
        found, person = _account_and_contact(actor, account, contact)
    else:
        if contact is not None:
            raise InvalidInput(_("Choose the contact's account too."), field="account")
        found, person = _new_account(actor, lead), None
    if person is None:
        person = _new_contact(actor, lead, found)
    lead.account, lead.contact = found, person
    lead.status = LeadStatus.CONVERTED
    lead.converted_at = timezone.now()
    save_as(lead, actor=actor)
    return found, person


# --- Key-account selection score ---------------------------------------------------------------


@transaction.atomic
def selection_assess(
    *, actor: User, account: int | Account, scores: dict[str, int], notes: str = ""
) -> SelectionAssessment:
    """Assess an account the actor sees: the KAM's 1–5 for every active qualitative criterion
    (by key), the data's for the rest; a new row with its terms and totals, the newest of its
    account (the ones before stay as its history)."""
    found = account_for_actor(actor=actor, account_id=account)
    criteria = active_criteria()
    given: dict[str, int] = {}
    for criterion in criteria:
        if criterion.kind != CriterionKind.QUALITATIVE:
            continue
        value = scores.get(criterion.key)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 5:
            raise InvalidInput(
                _("Score %(what)s from 1 to 5.") % {"what": criterion}, field=criterion.key
            )
        given[criterion.key] = value
    unknown = sorted(set(scores) - set(given))
    if unknown:
        raise InvalidInput(
            _("Unknown criterion '%(name)s'.") % {"name": unknown[0]}, field=unknown[0]
        )
    terms = assessment_terms(found, given, criteria)
    total, value_score = totals(terms)
    # Locked, so two assessments at once leave exactly one latest.
    list(Account.objects.select_for_update().filter(pk=found.pk).values_list("pk"))
    SelectionAssessment.objects.filter(account=found, is_latest=True).update(is_latest=False)
    assessment = SelectionAssessment(
        account=found, assessed_by=actor, assessed_at=timezone.now(), total=total,
        value_score=value_score, terms=as_rows(terms), notes=(notes or "").strip(),
    )  # fmt: skip
    validated(assessment)
    assessment.save()
    return assessment
