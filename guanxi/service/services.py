"""Writes of service cases: open, move through the life-cycle, the LSPCAS steps, compensation
and the customer's rating. Every step is a `CaseEvent`; the case saves through `save_as` (the
audit history names the actor).

The life-cycle, and only these moves (`MOVES`); anything else is a Conflict (409):
    new → acknowledged / in progress (the first response)
    acknowledged, in progress, reopened → waiting on the customer (the SLA clock stops) / resolved
    acknowledged, reopened → in progress;  waiting → in progress / resolved (the clock runs again,
    the due times moved by the pause)
    resolved → closed (with the customer's rating, optional) / reopened;  closed → reopened
Access follows the accounts app: whoever sees the account works its cases; a case or an account
out of sight is NotFound.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_is_visible
from guanxi.accounts.services import account_for_actor
from guanxi.contacts.models import Contact
from guanxi.core.errors import Conflict, InvalidInput
from guanxi.core.models import User
from guanxi.core.services import save_as
from guanxi.service import sla
from guanxi.service.models import (
    Case,
    CaseCategory,
    CaseChannel,
    CaseEvent,
    CaseKind,
    CaseStatus,
    CaseStep,
    EventKind,
    LspcasStep,
    Severity,
)
from guanxi.service.selectors import case_for_actor
from guanxi.surveys.models import InvitationSource, SurveyInvitation, SurveyTemplate
from guanxi.surveys.services import invitation_create
from guanxi.touchpoints.models import ServeCostKind
from guanxi.touchpoints.services import serve_costs_replace
from guanxi.transactions.models import Transaction

S = CaseStatus
#: The survey a resolved case sends its contact (surveys' seeded CSAT template).
CSAT_TEMPLATE = "csat"
MOVES: dict[str, tuple[str, ...]] = {
    S.NEW: (S.ACKNOWLEDGED, S.IN_PROGRESS),
    S.ACKNOWLEDGED: (S.IN_PROGRESS, S.WAITING, S.RESOLVED),
    S.IN_PROGRESS: (S.WAITING, S.RESOLVED),
    S.WAITING: (S.IN_PROGRESS, S.RESOLVED),
    S.RESOLVED: (S.CLOSED, S.REOPENED),
    S.CLOSED: (S.REOPENED,),
    S.REOPENED: (S.IN_PROGRESS, S.WAITING, S.RESOLVED),
}


def log_event(
    case: Case, kind: str, *, at: dt.datetime, actor: User | None = None, **fields: Any
) -> CaseEvent:
    return CaseEvent.objects.create(case=case, kind=kind, at=at, actor=actor, **fields)


def _choice(value: str, choices: type, field: str, message: str) -> str:
    if value not in choices.values:
        raise InvalidInput(message, field=field)
    return value


def _contact(account: Account, contact: Contact | int | None) -> Contact | None:
    if contact is None:
        return None
    pk = contact.pk if isinstance(contact, Contact) else contact
    found = Contact.objects.filter(pk=pk, account=account).first()
    if found is None:
        raise InvalidInput(_("Choose a contact of this account."), field="contact")
    return found


def _transaction(account: Account, tx: Transaction | int | None) -> Transaction | None:
    if tx is None:
        return None
    pk = tx.pk if isinstance(tx, Transaction) else tx
    found = Transaction.objects.filter(pk=pk, account=account).first()
    if found is None:
        raise InvalidInput(_("Choose a transaction of this account."), field="transaction")
    return found


def _category(category: CaseCategory | int | None) -> CaseCategory | None:
    if category is None:
        return None
    pk = category.pk if isinstance(category, CaseCategory) else category
    found = CaseCategory.objects.filter(pk=pk, active=True).first()
    if found is None:
        raise InvalidInput(_("Choose an active category."), field="category")
    return found


def check_owner(account: Account, owner: User | None) -> None:
    if owner is None or not owner.is_active or not account_is_visible(owner, account):
        raise InvalidInput(_("Choose an owner who works on this account."), field="owner")


def check_links(
    *,
    account: Account,
    contact: Contact | None = None,
    transaction: Transaction | None = None,  # noqa: F811 (the field's name)
    owner: User | None = None,
) -> None:
    """The rules of a case's links (the admin form runs them before saving): the contact and the
    transaction belong to the account, the owner works on it."""
    _contact(account, contact)
    _transaction(account, transaction)
    if owner is not None:
        check_owner(account, owner)


@transaction.atomic
def case_open(
    *,
    actor: User,
    account: Account | int,
    kind: str,
    subject: str,
    description: str = "",
    contact: Contact | int | None = None,
    channel: str = CaseChannel.PHONE,
    category: CaseCategory | int | None = None,
    severity: str = Severity.NORMAL,
    transaction: Transaction | int | None = None,  # noqa: F811 (the field's name)
    owner: User | int | None = None,
    opened_at: dt.datetime | None = None,
) -> Case:
    """Open a case on ``account``: its SLA policy by the account's tier, its due times, owned by
    the account's KAM unless ``owner`` is given (someone who sees the account)."""
    account = account_for_actor(actor=actor, account_id=account)
    _choice(kind, CaseKind, "kind", _("Choose complaint, request or praise."))
    _choice(channel, CaseChannel, "channel", _("Choose a channel."))
    _choice(severity, Severity, "severity", _("Choose a severity."))
    subject = (subject or "").strip()
    if not subject:
        raise InvalidInput(_("Say in a few words what the case is about."), field="subject")
    if isinstance(owner, int):
        owner = User.objects.filter(pk=owner).first()
        if owner is None:
            raise InvalidInput(_("Choose an owner who works on this account."), field="owner")
    owner = owner or account.owner
    check_owner(account, owner)
    now = timezone.now()
    opened_at = opened_at or now
    if opened_at > now:
        raise InvalidInput(_("A case cannot be opened in the future."), field="opened_at")
    policy = sla.policy_for(account, on=timezone.localdate(opened_at))
    case = Case(
        account=account,
        contact=_contact(account, contact),
        kind=kind,
        channel=channel,
        category=_category(category),
        severity=severity,
        subject=subject,
        description=description or "",
        owner=owner,
        transaction=_transaction(account, transaction),
        sla_policy=policy,
        opened_at=opened_at,
        created_by=actor,
    )
    sla.set_due_times(case, sla.terms_of(policy))
    save_as(case, actor=actor)
    log_event(case, EventKind.OPENED, at=opened_at, actor=actor, to_status=case.status)
    return case


def _resolve_fields(case: Case, resolution: str | None, root_cause: str | None) -> None:
    if resolution is not None:
        case.resolution = resolution.strip()
    if root_cause is not None:
        case.root_cause = root_cause.strip()
    if case.kind != CaseKind.PRAISE and not case.resolution:
        raise InvalidInput(_("Say how the case was resolved."), field="resolution")


def _check_rating(rating: int | None) -> None:
    if rating is not None and (isinstance(rating, bool) or rating not in range(1, 6)):
        raise InvalidInput(_("A rating is 1 to 5."), field="rating")


def record_breaches(case: Case, now: dt.datetime, actor: User | None) -> None:
    """Mark a late first response or resolution, once, with an event."""
    if not case.first_response_breached and sla.first_response_late(case, now):
        case.first_response_breached = True
        log_event(case, EventKind.BREACHED, at=now, actor=actor, note="first_response")
    if not case.resolution_breached and sla.resolution_late(case, now):
        case.resolution_breached = True
        log_event(case, EventKind.BREACHED, at=now, actor=actor, note="resolution")


@transaction.atomic
def case_transition(
    *,
    actor: User,
    case: Case | int,
    to: str,
    note: str = "",
    resolution: str | None = None,
    root_cause: str | None = None,
    rating: int | None = None,
) -> Case:
    """Move ``case`` to ``to`` (see MOVES), with what the move needs: a resolution to resolve,
    a rating (1–5, optional) to close. Returns the case, saved."""
    case = case_for_actor(actor=actor, case_id=case, lock=True)
    if to not in CaseStatus.values:
        raise InvalidInput(_("Unknown status: %(status)s") % {"status": to}, field="to")
    before = case.status
    if to not in MOVES[before]:
        raise Conflict(
            _("A case cannot go from %(from)s to %(to)s.")
            % {"from": CaseStatus(before).label, "to": CaseStatus(to).label},
            field="to",
        )
    now = timezone.now()
    terms = sla.terms_of(case.sla_policy)
    if before == S.NEW and case.first_responded_at is None:
        case.first_responded_at = now
    if before == S.WAITING:
        paused = sla.shift_for_pause(case, terms, now)
        minutes = int(paused.total_seconds() // 60)
        log_event(case, EventKind.RESUMED, at=now, actor=actor, note=f"{minutes} min")
    if to == S.WAITING:
        case.paused_at = now
        log_event(case, EventKind.PAUSED, at=now, actor=actor)
    if to == S.RESOLVED:
        _resolve_fields(case, resolution, root_cause)
        case.resolved_at = now
    if to == S.CLOSED:
        _check_rating(rating)
        case.closed_at = now
        if rating is not None:
            case.rating = rating
            log_event(case, EventKind.RATED, at=now, actor=actor, note=str(rating))
    if to == S.REOPENED:
        case.resolved_at = case.closed_at = None
        sla.reset_resolution_due(case, terms, now)
    record_breaches(case, now, actor)
    case.status = to
    if to == S.RESOLVED:
        case.survey = csat_invite(case, actor=actor) or case.survey
    save_as(case, actor=actor)
    log_event(
        case,
        EventKind.STATUS,
        at=now,
        actor=actor,
        from_status=before,
        to_status=to,
        note=note or "",
    )
    return case


def survey_reference(case: Case) -> str:
    return f"case:{case.pk}"


def csat_invite(case: Case, *, actor: User | None) -> SurveyInvitation | None:
    """The CSAT link for the case's contact once it is resolved (source "case", reference
    "case:<id>"): complaints and requests with a contact, once per case (a case resolved again
    after reopening keeps its first link), and only while the CSAT template is active."""
    if case.kind == CaseKind.PRAISE or case.contact_id is None:
        return None
    ref = survey_reference(case)
    if SurveyInvitation.objects.filter(source=InvitationSource.CASE, reference=ref).exists():
        return None
    template = SurveyTemplate.objects.filter(code=CSAT_TEMPLATE, active=True).first()
    if template is None:
        return None
    return invitation_create(
        actor=actor,
        template=template,
        account=case.account,
        contact=case.contact,
        source=InvitationSource.CASE,
        reference=ref,
    )


@transaction.atomic
def case_step_mark(
    *, actor: User, case: Case | int, step: str, done: bool = True, note: str = ""
) -> CaseStep | None:
    """Tick an LSPCAS step on the case (or untick it with ``done=False``); logged. A closed
    case's steps stay as they were (Conflict): reopen the case to work on it again."""
    case = case_for_actor(actor=actor, case_id=case)
    _choice(step, LspcasStep, "step", _("Unknown handling step."))
    if case.status == CaseStatus.CLOSED:
        raise Conflict(_("The case is closed: reopen it to change its handling steps."))
    now = timezone.now()
    existing = CaseStep.objects.filter(case=case, step=step).first()
    if not done:
        if existing is not None:
            existing.delete()
            log_event(case, EventKind.STEP, at=now, actor=actor, note=f"-{step}")
        return None
    if existing is not None:
        return existing
    row = CaseStep.objects.create(case=case, step=step, done_at=now, done_by=actor, note=note)
    log_event(case, EventKind.STEP, at=now, actor=actor, note=step)
    return row


def _money(amount: Any) -> Decimal:
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        raise InvalidInput(_("Enter an amount."), field="compensation_cost") from None
    if not value.is_finite() or value < 0:
        raise InvalidInput(_("The compensation cannot be negative."), field="compensation_cost")
    return value.quantize(Decimal("0.01"))


def compensation_reference(case: Case) -> str:
    return f"case:{case.pk}"


@transaction.atomic
def case_compensation_set(*, actor: User, case: Case | int, amount: Any) -> Case:
    """What the case cost us in compensation (a room upgrade, a refund, a gift): stored on the
    case and posted as a cost to serve (`touchpoints.ServeCost`, kind "compensation", dated the
    day it was recorded), replaced whole when changed."""
    case = case_for_actor(actor=actor, case_id=case, lock=True)
    value = _money(amount)
    if value == case.compensation_cost:
        return case
    case.compensation_cost = value
    save_as(case, actor=actor)
    now = timezone.now()
    ref = compensation_reference(case)
    serve_costs_replace(
        kind=ServeCostKind.COMPENSATION,
        references=[ref],
        rows=[(case.account_id, timezone.localdate(now), value, ref)],
    )
    log_event(case, EventKind.COMPENSATION, at=now, actor=actor, note=str(value))
    return case


PLAIN_FIELDS = ("subject", "description", "root_cause", "resolution")


@transaction.atomic
def case_update(*, actor: User, case: Case | int, **fields: Any) -> Case:
    """Change what a case says (subject, description, root cause, resolution, category,
    severity, channel, contact, owner); status and SLA move only through the services above."""
    case = case_for_actor(actor=actor, case_id=case, lock=True)
    allowed = {*PLAIN_FIELDS, "category", "severity", "channel", "contact", "owner"}
    unknown = set(fields) - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(_("Unknown field '%(name)s'.") % {"name": name}, field=name)
    for name in PLAIN_FIELDS:
        if name in fields:
            setattr(case, name, (fields[name] or "").strip())
    if "category" in fields:
        case.category = _category(fields["category"])
    if "severity" in fields:
        case.severity = _choice(fields["severity"], Severity, "severity", _("Choose a severity."))
    if "channel" in fields:
        case.channel = _choice(fields["channel"], CaseChannel, "channel", _("Choose a channel."))
    if "contact" in fields:
        case.contact = _contact(case.account, fields["contact"])
    if "owner" in fields:
        check_owner(case.account, fields["owner"])
        case.owner = fields["owner"]
    if not case.subject:
        raise InvalidInput(_("Say in a few words what the case is about."), field="subject")
    return save_as(case, actor=actor)
