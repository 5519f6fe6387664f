"""The review queue's decisions: not a duplicate (remembered: the job never proposes the pair
again) and link as subsidiary (the smaller-named account gets the group as parent). Merging is
the merge pages' work (`merge_accounts`, `merge_contacts`)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from guanxi.accounts.models import Account
from guanxi.accounts.services import account_for_actor, account_update
from guanxi.core.errors import Conflict, NotFound, PermissionDenied
from guanxi.core.models import User
from guanxi.core.services import save_as
from guanxi.duplicates.models import Candidate, Kind, Status


def may_review(actor: User) -> bool:
    """Managers (who see every account) review the queue: a pair may span two owners."""
    return bool(actor and actor.sees_all_accounts)


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
