"""Writes of agreements (协议): create, change (an amendment on an active one), the status
life-cycle, renewal (a successor), documents, and the nightly expiry.

Status moves, and only these:
    draft → negotiating → active (signed);  draft → active (signed straight away);
    active → expired (nightly, after the last day; an auto-renewing one gets its successor
    instead) / terminated (a date and a reason) / renewed (when its successor is signed).
Anything else is refused with a Conflict naming both statuses.

Access follows the accounts app: whoever sees the account works its agreements; an agreement
or an account out of sight is NotFound. Every write saves through `save_as`, so the audit
history names the actor; every change of an active agreement is also an `Amendment` (a version:
field → [before, after], a summary, effective date, who made it).

Negotiated rates and the off-rate check are in `agreements.rates`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import account_descendant_ids, account_is_visible
from guanxi.accounts.services import account_for_actor, assignable_owners
from guanxi.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementStatus,
    AgreementType,
    Amendment,
)
from guanxi.agreements.selectors import agreement_for_actor
from guanxi.contacts.models import Contact
from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.core.models import User
from guanxi.core.services import check_fields, delete_as, save_as

S = AgreementStatus
#: The moves the life-cycle allows: from → the statuses it may go to.
MOVES: dict[str, tuple[str, ...]] = {
    S.DRAFT: (S.NEGOTIATING, S.ACTIVE),
    S.NEGOTIATING: (S.DRAFT, S.ACTIVE),
    S.ACTIVE: (S.EXPIRED, S.TERMINATED, S.RENEWED),
    S.EXPIRED: (S.RENEWED,),
    S.TERMINATED: (),
    S.RENEWED: (),
}
CLOSED = (S.EXPIRED, S.TERMINATED, S.RENEWED)

# Plain fields a client may set besides the named arguments of `agreement_create`.
PLAIN_FIELDS = frozenset(
    {"reference", "notice_days", "renewal_date", "auto_renew", "review_cadence", "notes"}
)
RELATED_FIELDS = frozenset({"agreement_type", "owner", "our_signer"})
M2M_FIELDS = frozenset({"covered_accounts", "their_signers"})
UPDATE_FIELDS = (
    PLAIN_FIELDS | RELATED_FIELDS | M2M_FIELDS | {"name", "starts_on", "ends_on", "account"}
)

DOCUMENT_MAX_BYTES = 20 * 1024 * 1024
DOCUMENT_TYPES = frozenset(
    {".pdf", ".doc", ".docx", ".xls", ".xlsx", ".odt", ".ods", ".png", ".jpg", ".jpeg", ".txt"}
)


# --- resolving what a client names ----------------------------------------------------------


def resolve_type(value: AgreementType | int | str) -> AgreementType:
    """An active agreement type, by instance, id or built-in key (framework, rebate …)."""
    if isinstance(value, AgreementType):
        found = value
    else:
        lookup = {"pk": value} if isinstance(value, int) else {"builtin": value}
        found = AgreementType.objects.filter(**lookup).first()
    if found is None or not found.active:
        raise InvalidInput(
            _("Unknown agreement type: %(t)s.") % {"t": value}, field="agreement_type"
        )
    return found


def _user(value: User | int | None, field: str) -> User | None:
    if value is None or isinstance(value, User):
        return value
    found = User.objects.filter(pk=value).first()
    if found is None:
        raise InvalidInput(_("User %(id)s does not exist.") % {"id": value}, field=field)
    return found


def resolve_owner(*, actor: User, account: Account, owner: User | int | None, keep=None) -> User:
    """The owner (the actor when none is named): an active user who sees the account, and one
    the actor may name (themselves, the account's owner, whom they may assign accounts to)."""
    owner = _user(owner, "owner") or actor
    if not owner.is_active or not account_is_visible(owner, account.pk):
        raise InvalidInput(
            _("%(user)s cannot see the account %(account)s, so cannot own its agreements.")
            % {"user": owner, "account": account},
            field="owner",
        )
    if owner.pk in {actor.pk, account.owner_id, keep}:
        return owner
    if not assignable_owners(actor).filter(pk=owner.pk).exists():
        raise PermissionDenied(
            _("You may make only yourself or the account's owner the owner of this agreement."),
            field="owner",
        )
    return owner


def resolve_covered(account: Account, accounts: Iterable[Account | int]) -> list[int]:
    """The subsidiaries chosen: each must be a subsidiary (any depth) of the agreement's account;
    a sister company or any other account is refused. The account itself is left out."""
    ids = list(dict.fromkeys(a.pk if isinstance(a, Account) else int(a) for a in accounts))
    ids = [i for i in ids if i != account.pk]
    if not ids:
        return []
    descendants = set(account_descendant_ids(account))
    outside = [i for i in ids if i not in descendants]
    if outside:
        names = Account.objects.filter(pk__in=outside).values_list("name", flat=True)
        shown = ", ".join(sorted(names)) or ", ".join(str(i) for i in outside)
        raise InvalidInput(
            _(
                "An agreement covers only subsidiaries of its account %(account)s; "
                "not a subsidiary: %(names)s."
            )
            % {"account": account, "names": shown},
            field="covered_accounts",
        )
    return ids


def resolve_signers(account_ids: list[int], contacts: Iterable[Contact | int]) -> list[int]:
    """Their signers: contacts of the agreement's account or of a covered subsidiary."""
    ids = list(dict.fromkeys(c.pk if isinstance(c, Contact) else int(c) for c in contacts))
    found = set(
        Contact.objects.filter(pk__in=ids, account_id__in=account_ids).values_list("pk", flat=True)
    )
    missing = [i for i in ids if i not in found]
    if missing:
        raise InvalidInput(
            _("Contact %(id)s is not a contact of the accounts this agreement covers.")
            % {"id": missing[0]},
            field="their_signers",
        )
    return ids


def check_dates(agreement: Agreement) -> None:
    """The period runs forward; the renewal date falls on or before the last day."""
    if agreement.starts_on and agreement.ends_on and agreement.ends_on < agreement.starts_on:
        raise InvalidInput(_("The agreement cannot end before it starts."), field="ends_on")
    if agreement.renewal_date and agreement.ends_on and agreement.renewal_date > agreement.ends_on:
        raise InvalidInput(
            _("The renewal date must fall on or before the agreement's last day."),
            field="renewal_date",
        )


def check_move(agreement: Agreement, to: str) -> None:
    """Conflict unless the life-cycle allows the move."""
    if to not in MOVES.get(agreement.status, ()):
        raise Conflict(
            _("An agreement cannot go from %(from)s to %(to)s.")
            % {"from": S(agreement.status).label, "to": S(to).label},
            field="status",
        )


# --- create and change ----------------------------------------------------------------------


@transaction.atomic
def agreement_create(
    *,
    actor: User,
    account: Account | int,
    name: str,
    agreement_type: AgreementType | int | str,
    starts_on: dt.date,
    ends_on: dt.date,
    covered_accounts: Iterable[Account | int] = (),
    their_signers: Iterable[Contact | int] = (),
    owner: User | int | None = None,
    our_signer: User | int | None = None,
    status: str = S.DRAFT,
    **fields: Any,
) -> Agreement:
    """A new agreement (a draft, or in negotiation) with an account the actor sees."""
    account = account_for_actor(actor=actor, account_id=account)
    check_fields(fields, PLAIN_FIELDS)
    if status not in (S.DRAFT, S.NEGOTIATING):
        raise InvalidInput(
            _("A new agreement is a draft or in negotiation; sign it to make it active."),
            field="status",
        )
    agreement = Agreement(
        account=account,
        name=(name or "").strip(),
        agreement_type=resolve_type(agreement_type),
        starts_on=starts_on,
        ends_on=ends_on,
        status=status,
        owner=resolve_owner(actor=actor, account=account, owner=owner),
        our_signer=_user(our_signer, "our_signer"),
        **{k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()},
    )
    check_dates(agreement)
    covered = resolve_covered(account, covered_accounts)
    signers = resolve_signers([account.pk, *covered], their_signers)
    save_as(agreement, actor=actor)
    agreement.covered_accounts.set(covered)
    agreement.their_signers.set(signers)
    return agreement


def _plain(value: Any) -> Any:
    """A value as the amendment's JSON keeps it: dates ISO, records by id, decimals as text."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, bool | int | str | list) or value is None:
        return value
    return str(value)


def fields_snapshot(agreement: Agreement, names: Iterable[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in names:
        if name in M2M_FIELDS:
            values[name] = sorted(getattr(agreement, name).values_list("pk", flat=True))
        else:
            values[name] = _plain(getattr(agreement, name))
    return values


def next_version(agreement: Agreement) -> int:
    latest = agreement.amendments.aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def amendment_write(
    *,
    actor: User | None,
    agreement: Agreement,
    changes: dict[str, list[Any]],
    summary: str = "",
    effective_on: dt.date | None = None,
) -> Amendment:
    """The next version of an active agreement: what changed, from when, by whom."""
    summary = (summary or "").strip() or _("Changed: %(fields)s.") % {
        "fields": ", ".join(sorted(changes))
    }
    return Amendment.objects.create(
        agreement=agreement,
        version=next_version(agreement),
        summary=summary[:300],
        changes=changes,
        effective_on=effective_on or timezone.localdate(),
        made_by=actor,
    )


def amend_if_active(
    actor: User | None, agreement: Agreement, key: str, before: Any, after: Any
) -> None:
    """A change of one of an active agreement's terms (a rate, a commitment, a rebate schedule)
    is an amendment, as a change of its own fields is; drafts change freely."""
    if agreement.status == S.ACTIVE and before != after:
        amendment_write(actor=actor, agreement=agreement, changes={key: [before, after]})


@transaction.atomic
def agreement_update(
    *,
    actor: User,
    agreement: Agreement | int,
    summary: str = "",
    effective_on: dt.date | None = None,
    **fields: Any,
) -> Agreement:
    """Change the given fields. The status changes by the moves (sign, terminate, renew …),
    never here; the account only before signing; a closed agreement stays as it was. On an
    active agreement every change is an amendment: version + 1, field → [before, after]."""
    if "status" in fields:
        raise InvalidInput(
            _("Change the status with its action (sign, terminate, renew), not by editing it."),
            field="status",
        )
    check_fields(fields, UPDATE_FIELDS)
    pk = agreement.pk if isinstance(agreement, Agreement) else agreement
    agreement_for_actor(actor, pk)
    agreement = Agreement.objects.select_for_update().select_related("account").get(pk=pk)
    if agreement.status in CLOSED:
        raise Conflict(
            _("A %(status)s agreement is kept as it was; renew it to change its terms.")
            % {"status": S(agreement.status).label},
            field="status",
        )
    before = fields_snapshot(agreement, fields)
    _apply(actor, agreement, fields)
    check_dates(agreement)
    after = _snapshot_pending(agreement, fields)
    changes = {k: [before[k], after[k]] for k in fields if before[k] != after[k]}
    if not changes:
        return agreement
    save_as(agreement, actor=actor)
    for name in M2M_FIELDS & set(changes):
        getattr(agreement, name).set(after[name])
    if agreement.status == S.ACTIVE:
        amendment_write(
            actor=actor,
            agreement=agreement,
            changes=changes,
            summary=summary,
            effective_on=effective_on,
        )
    return agreement


def _apply(actor: User, agreement: Agreement, fields: dict[str, Any]) -> None:
    """Set the given fields on `agreement` (the many-to-many ones are checked and kept aside in
    `agreement._pending` until it is saved)."""
    pending: dict[str, list[int]] = {}
    if "account" in fields:
        new = account_for_actor(actor=actor, account_id=fields["account"])
        if new.pk != agreement.account_id and agreement.status == S.ACTIVE:
            raise InvalidInput(_("A signed agreement stays with its account."), field="account")
        agreement.account = new
    for name, value in fields.items():
        if name == "agreement_type":
            agreement.agreement_type = resolve_type(value)
        elif name == "owner":
            agreement.owner = resolve_owner(
                actor=actor, account=agreement.account, owner=value, keep=agreement.owner_id
            )
        elif name == "our_signer":
            agreement.our_signer = _user(value, "our_signer")
        elif name in PLAIN_FIELDS | {"name", "starts_on", "ends_on"}:
            setattr(agreement, name, value.strip() if isinstance(value, str) else value)
    covered = (
        resolve_covered(agreement.account, fields["covered_accounts"] or ())
        if "covered_accounts" in fields
        else list(agreement.covered_accounts.values_list("pk", flat=True))
    )
    if "covered_accounts" in fields or "account" in fields:
        pending["covered_accounts"] = sorted(covered)
    if "their_signers" in fields or "covered_accounts" in fields or "account" in fields:
        signers = (
            fields["their_signers"] or ()
            if "their_signers" in fields
            else agreement.their_signers.values_list("pk", flat=True)
        )
        pending["their_signers"] = sorted(
            resolve_signers([agreement.account_id, *covered], signers)
        )
    agreement._pending = pending  # type: ignore[attr-defined]


def _snapshot_pending(agreement: Agreement, names: Iterable[str]) -> dict[str, Any]:
    pending = getattr(agreement, "_pending", {})
    return {
        name: pending[name] if name in pending else fields_snapshot(agreement, [name])[name]
        for name in names
    }


# --- the life-cycle --------------------------------------------------------------------------


def _locked(actor: User | None, agreement: Agreement | int) -> Agreement:
    pk = agreement.pk if isinstance(agreement, Agreement) else agreement
    if actor is not None:
        agreement_for_actor(actor, pk)
    found = Agreement.objects.select_for_update().filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Agreement %(id)s not found.") % {"id": pk}, field="agreement")
    return found


@transaction.atomic
def agreement_negotiate(*, actor: User, agreement: Agreement | int) -> Agreement:
    """draft → negotiating."""
    agreement = _locked(actor, agreement)
    check_move(agreement, S.NEGOTIATING)
    agreement.status = S.NEGOTIATING
    return save_as(agreement, actor=actor)


@transaction.atomic
def agreement_sign(
    *,
    actor: User | None,
    agreement: Agreement | int,
    signed_on: dt.date | None = None,
    our_signer: User | int | None = None,
) -> Agreement:
    """draft / negotiating → active: signed on `signed_on` (today) by `our_signer` (the one set,
    else the actor). Signing a successor marks the agreement it renews as renewed.
    `actor=None`: the system (the nightly automatic renewal)."""
    agreement = _locked(actor, agreement)
    check_move(agreement, S.ACTIVE)
    signer = _user(our_signer, "our_signer") or agreement.our_signer or actor
    if signer is None:
        raise InvalidInput(_("Name who signs for us."), field="our_signer")
    agreement.our_signer = signer
    agreement.signed_on = signed_on or timezone.localdate()
    if agreement.signed_on > agreement.ends_on:
        raise InvalidInput(
            _("An agreement cannot be signed after its last day."), field="signed_on"
        )
    agreement.status = S.ACTIVE
    save_as(agreement, actor=actor)
    predecessor = Agreement.objects.select_for_update().filter(successor=agreement).first()
    if predecessor is not None and predecessor.status in (S.ACTIVE, S.EXPIRED):
        predecessor.status = S.RENEWED
        save_as(predecessor, actor=actor)
    return agreement


@transaction.atomic
def agreement_terminate(
    *,
    actor: User,
    agreement: Agreement | int,
    reason: str,
    terminated_on: dt.date | None = None,
) -> Agreement:
    """active → terminated, from `terminated_on` (today; the agreement binds until the day
    before), for a reason that is kept."""
    agreement = _locked(actor, agreement)
    check_move(agreement, S.TERMINATED)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the agreement is terminated."), field="reason")
    day = terminated_on or timezone.localdate()
    if day < agreement.starts_on or day > agreement.ends_on:
        raise InvalidInput(
            _("The termination date must fall within the agreement's period."),
            field="terminated_on",
        )
    agreement.status = S.TERMINATED
    agreement.terminated_on = day
    agreement.termination_reason = reason[:300]
    return save_as(agreement, actor=actor)


@transaction.atomic
def agreement_renew(
    *,
    actor: User | None,
    agreement: Agreement | int,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    name: str = "",
) -> Agreement:
    """The successor of an active (or expired) agreement: a draft copying its type, account,
    covered subsidiaries, signers, terms and negotiated rates, for the next period (the day
    after the last one, as long as this one, unless given). The old agreement becomes renewed
    when the successor is signed."""
    agreement = _locked(actor, agreement)
    check_move(agreement, S.RENEWED)
    if agreement.successor_id is not None:
        raise Conflict(
            _("This agreement already has a successor: %(name)s.") % {"name": agreement.successor},
            field="successor",
        )
    start = starts_on or agreement.ends_on + dt.timedelta(days=1)
    end = ends_on or start + (agreement.ends_on - agreement.starts_on)
    successor = Agreement(
        name=(name or "").strip() or agreement.name,
        agreement_type=agreement.agreement_type,
        account=agreement.account,
        owner=agreement.owner,
        our_signer=agreement.our_signer,
        starts_on=start,
        ends_on=end,
        status=S.DRAFT,
        notice_days=agreement.notice_days,
        auto_renew=agreement.auto_renew,
        review_cadence=agreement.review_cadence,
        notes=agreement.notes,
    )
    check_dates(successor)
    save_as(successor, actor=actor)
    successor.covered_accounts.set(agreement.covered_accounts.all())
    successor.their_signers.set(agreement.their_signers.all())
    for rate in agreement.rates.all():
        rate.pk = None
        rate.agreement = successor
        save_as(rate, actor=actor)
    agreement.successor = successor
    save_as(agreement, actor=actor)
    return successor


def agreements_expire(*, as_of: dt.date | None = None, progress: bool = False) -> dict:
    """The nightly step: every active agreement whose last day has passed expires; one that
    renews automatically gets its successor signed instead (a draft successor already made is
    signed as it is) and becomes renewed. Returns {"expired": n, "renewed": n}."""
    today = as_of or timezone.localdate()
    due = Agreement.objects.filter(status=S.ACTIVE, ends_on__lt=today).order_by("ends_on", "id")
    counts = {"expired": 0, "renewed": 0}
    for pk, auto_renew in due.values_list("pk", "auto_renew"):
        with transaction.atomic():
            if auto_renew:
                _auto_renew(pk, today)
                counts["renewed"] += 1
            else:
                agreement = Agreement.objects.select_for_update().get(pk=pk)
                agreement.status = S.EXPIRED
                save_as(agreement, actor=None)
                counts["expired"] += 1
        if progress and (counts["expired"] + counts["renewed"]) % 100 == 0:
            print(f"  agreements: {counts}", flush=True)
    return counts


def _auto_renew(pk: int, today: dt.date) -> None:
    agreement = Agreement.objects.get(pk=pk)
    successor = agreement.successor
    if successor is None:
        successor = agreement_renew(actor=None, agreement=agreement)
    if successor.status in (S.DRAFT, S.NEGOTIATING):
        agreement_sign(actor=None, agreement=successor, signed_on=min(today, successor.ends_on))
    else:  # the successor was terminated or is already signed: this one is done
        agreement.status = S.RENEWED
        save_as(agreement, actor=None)


# --- documents --------------------------------------------------------------------------------


@transaction.atomic
def document_add(
    *, actor: User, agreement: Agreement | int, file: UploadedFile, title: str = ""
) -> AgreementDocument:
    """Attach a file (stored under the data directory) to an agreement the actor sees."""
    agreement = agreement_for_actor(actor, agreement)
    document_check(file)
    name = Path(file.name or "").name
    document = AgreementDocument(
        agreement=agreement,
        title=(title or "").strip() or Path(name).stem,
        file=file,
        uploaded_by=actor,
    )
    return save_as(document, actor=actor)


def document_check(file: UploadedFile) -> None:
    """A file that may be attached: a known type, not empty, at most 20 MB (InvalidInput on
    `file` otherwise); the admin's upload form runs it before anything is saved."""
    name = Path(file.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in DOCUMENT_TYPES:
        raise InvalidInput(
            _("Files of type %(type)s cannot be attached; allowed: %(allowed)s.")
            % {"type": suffix or "?", "allowed": ", ".join(sorted(DOCUMENT_TYPES))},
            field="file",
        )
    if file.size is None or file.size > DOCUMENT_MAX_BYTES:
        raise InvalidInput(
            _("The file is larger than %(mb)s MB.") % {"mb": DOCUMENT_MAX_BYTES // (1024 * 1024)},
            field="file",
        )
    if file.size == 0:
        raise InvalidInput(_("The file is empty."), field="file")


@transaction.atomic
def document_delete(*, actor: User, document: AgreementDocument | int) -> None:
    """Remove a document and its file."""
    pk = document.pk if isinstance(document, AgreementDocument) else document
    found = AgreementDocument.objects.filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Document %(id)s not found.") % {"id": pk}, field="document")
    agreement_for_actor(actor, found.agreement_id)
    storage, name = found.file.storage, found.file.name
    delete_as(found, actor=actor)
    transaction.on_commit(lambda: storage.delete(name) if name else None)
