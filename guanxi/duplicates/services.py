"""The review queue's decisions: not a duplicate (remembered: the job never proposes the pair
again; also said on the merge page, `pair_dismiss`) and link as subsidiary (the group becomes
the parent). Merging is the merge pages' work (`merge_accounts`, `merge_contacts`). A record
saved on entry although it looks like others ("save anyway") puts its pairs in the queue at
once (`account_lookalikes_queue`), not at the next night's run."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_visible_to
from guanxi.accounts.services import account_for_actor, account_update
from guanxi.contacts.models import Contact
from guanxi.contacts.selectors import contacts_visible_to
from guanxi.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from guanxi.core.models import User
from guanxi.core.services import save_as
from guanxi.duplicates.entry import Lookalike, account_lookalikes, contact_lookalikes
from guanxi.duplicates.finder import pairs_store
from guanxi.duplicates.matching import (
    AccountFacts,
    ContactFacts,
    explain,
    score_accounts,
    score_contacts,
)
from guanxi.duplicates.models import Candidate, Kind, Status


def may_review(actor: User | None) -> bool:
    """Managers (who see every account) review the queue: a pair may span two owners. The
    admin's login page asks too, for a visitor not logged in (AnonymousUser)."""
    if actor is None or not actor.is_authenticated:
        return False
    return actor.sees_all_accounts


def candidate_for_actor(*, actor: User, candidate_id: int) -> Candidate:
    if not may_review(actor):
        raise PermissionDenied(_("Only managers review duplicates."))
    candidate = Candidate.objects.filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound(_("Duplicate candidate %(id)s not found.") % {"id": candidate_id})
    return candidate


def _decide(candidate: Candidate, *, actor: User, status: str) -> Candidate:
    candidate.status = status
    candidate.decided_by = actor
    candidate.decided_at = timezone.now()
    return save_as(candidate, actor=actor)


@transaction.atomic
def candidate_dismiss(*, actor: User, candidate_id: int) -> Candidate:
    """Not a duplicate: kept as dismissed, so the job never proposes the pair again."""
    candidate = candidate_for_actor(actor=actor, candidate_id=candidate_id)
    return _decide(candidate, actor=actor, status=Status.DISMISSED)


@transaction.atomic
def candidate_link_subsidiary(*, actor: User, candidate_id: int, parent_id: int) -> Candidate:
    """Two accounts of one group: ``parent_id`` (one of the pair) becomes the other's parent."""
    candidate = candidate_for_actor(actor=actor, candidate_id=candidate_id)
    pair = {candidate.account_a_id, candidate.account_b_id}
    if candidate.kind != Kind.ACCOUNT or parent_id not in pair:
        raise Conflict(_("Only one account of the pair can be the parent."), field="parent")
    (child_id,) = pair - {parent_id}
    child = account_for_actor(actor=actor, account_id=child_id)
    account_update(actor=actor, account=child, parent=Account.objects.get(pk=parent_id))
    return _decide(candidate, actor=actor, status=Status.LINKED)


def may_merge(actor: User | None) -> bool:
    """Team leads and managers decide a pair on the merge page: merge it (`merging`), or say it
    is not a duplicate (`pair_dismiss`); a KAM asks one of them. The admin's login page asks
    too, for a visitor not logged in."""
    if actor is None or not actor.is_authenticated:
        return False
    return actor.sees_all_accounts or actor.leads_team


def _pair_score(kind: str, a: int, b: int) -> tuple[int, list]:
    if kind == Kind.ACCOUNT:
        rows = Account.objects.in_bulk([a, b])
        return score_accounts(AccountFacts.of(rows[a]), AccountFacts.of(rows[b]))
    rows = Contact.objects.in_bulk([a, b])
    return score_contacts(ContactFacts.of(rows[a]), ContactFacts.of(rows[b]))


@transaction.atomic
def pair_dismiss(*, actor: User, kind: str, first: int, second: int) -> Candidate:
    """Not a duplicate, said of two records on the merge page, the same as the queue's: the
    pair's candidate (made now if the job has not found it) is kept as dismissed, so the job
    never proposes the pair again."""
    if not may_merge(actor):
        raise PermissionDenied(_("Only managers and team leads decide about duplicates."))
    if kind not in Kind.values:
        raise InvalidInput(_("Unknown kind of record."), field="kind")
    if first == second:
        raise InvalidInput(_("Choose two different records."), field="other")
    a, b = sorted((first, second))
    seen = accounts_visible_to(actor) if kind == Kind.ACCOUNT else contacts_visible_to(actor)
    if seen.filter(pk__in=(a, b)).count() != 2:
        raise NotFound(_("Record not found."), field="other")
    ids = {f"{kind}_a_id": a, f"{kind}_b_id": b}
    candidate = Candidate.objects.filter(kind=kind, **ids).first()
    if candidate is None:
        score, reasons = _pair_score(kind, a, b)
        candidate = Candidate(kind=kind, score=score, reasons=[list(r) for r in reasons],
                              found_at=timezone.now(), **ids)  # fmt: skip
    return _decide(candidate, actor=actor, status=Status.DISMISSED)


# --- On entry: a new record that looks like one on file ---------------------------------------


def account_lookalikes_queue(*, account: Account) -> int:
    """A new account saved although it looks like accounts on file ("save anyway"): its pairs
    go to the review queue now, for a manager to decide, not at the next night's run. Returns
    how many pairs are in the queue."""
    found = account_lookalikes(
        name=account.name, credit_code=account.credit_code, exclude_pk=account.pk,
        phone=account.phone, city=account.city, address=account.address,
    )  # fmt: skip
    return _queued(Kind.ACCOUNT, account.pk, found)


def contact_lookalikes_queue(*, contact: Contact) -> int:
    """A new contact saved although it looks like contacts on file: its pairs go to the review
    queue now (see account_lookalikes_queue)."""
    found = contact_lookalikes(
        name=contact.name, account_id=contact.account_id, mobile=contact.mobile,
        email=contact.email, exclude_pk=contact.pk,
    )  # fmt: skip
    return _queued(Kind.CONTACT, contact.pk, found)


def _queued(kind: str, pk: int, found: list[Lookalike]) -> int:
    pairs = {}
    for match in found:
        a, b = sorted((pk, match.obj.pk))
        pairs[(kind, a, b)] = (match.score, match.reasons)
    pairs_store(pairs, timezone.now())
    return len(pairs)


def _described(actor: User, found: list[Lookalike], account_of) -> list[dict]:
    """What a caller may learn of each match: id, name and reasons when its account is in the
    actor's sight, else only that one exists and who owns it (nothing leaks)."""
    accounts = {match.obj.pk: account_of(match.obj) for match in found}
    visible = set(
        accounts_visible_to(actor)
        .filter(pk__in=[a.pk for a in accounts.values()])
        .values_list("pk", flat=True)
    )
    out = []
    for match in found:
        account = accounts[match.obj.pk]
        seen = account.pk in visible
        out.append({
            "id": match.obj.pk if seen else None,
            "name": match.obj.name if seen else "",
            "score": match.score,
            "reasons": explain(match.reasons) if seen else "",
            "owner": str(account.owner),
        })  # fmt: skip
    return out


def account_entry_check(
    *, actor: User, name: str, credit_code: str = "", exclude_pk: int | None = None,
    phone: str = "", city: str = "", address: str = "",
) -> None:  # fmt: skip
    """Conflict (409) listing the accounts a new account looks like; the caller asks the user
    and calls again with force (the API's ``force=true``, the add form's checkbox)."""
    found = account_lookalikes(
        name=name, credit_code=credit_code, exclude_pk=exclude_pk, phone=phone, city=city,
        address=address,
    )  # fmt: skip
    if found:
        raise Conflict(
            _("This account looks like %(n)d on file; confirm to save it anyway.")
            % {"n": len(found)},
            field="name",
            extra={"candidates": _described(actor, found, lambda a: a)},
        )


def contact_entry_check(
    *, actor: User, name: str, account_id: int | None, mobile: str = "", email: str = "",
    exclude_pk: int | None = None,
) -> None:  # fmt: skip
    """Conflict (409) listing the contacts a new contact looks like (see account_entry_check)."""
    found = contact_lookalikes(
        name=name, account_id=account_id, mobile=mobile, email=email, exclude_pk=exclude_pk
    )
    if found:
        raise Conflict(
            _("This contact looks like %(n)d on file; confirm to save it anyway.")
            % {"n": len(found)},
            field="name",
            extra={"candidates": _described(actor, found, lambda c: c.account)},
        )
