"""Reads of leads. The access rule for leads (they reach an account only once converted, so the
account rule cannot apply): a KAM sees the leads they own, a team lead also their team's,
managers and admins all. What the actor may not see is NotFound, never "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import visible_to
from guanxi.core.errors import NotFound
from guanxi.core.models import User
from guanxi.leads.models import (
    DisqualifyReason,
    Lead,
    LeadSource,
    SelectionAssessment,
    SelectionCriterion,
)

#: At most this many leads per list page or API call.
LIST_CAP = 200


def leads_visible_to(actor: User | None) -> QuerySet[Lead]:
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return Lead.objects.none()
    if actor.sees_all_accounts:
        return Lead.objects.all()
    if actor.leads_team:
        return Lead.objects.filter(Q(owner=actor) | Q(team_id=actor.team_id))
    return Lead.objects.filter(owner=actor)


def lead_for_actor(*, actor: User | None, lead: int | Lead, field: str = "id") -> Lead:
    pk = lead.pk if isinstance(lead, Lead) else lead
    found = leads_visible_to(actor).select_related("owner", "source").filter(pk=pk).first()
    if found is None:
        raise NotFound(_("Lead %(id)s not found.") % {"id": pk}, field=field)
    return found


@dataclass
class LeadFilters:
    status: str | None = None
    source: int | None = None
    owner: int | None = None
    q: str | None = None


def lead_list(*, actor: User | None, filters: LeadFilters) -> QuerySet[Lead]:
    """Visible leads narrowed by the filters, newest first (the indexes lead with owner/team
    and status, then created_at)."""
    qs = leads_visible_to(actor).select_related("owner", "source", "disqualify_reason")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.source:
        qs = qs.filter(source_id=filters.source)
    if filters.owner:
        qs = qs.filter(owner_id=filters.owner)
    if filters.q:
        qs = qs.filter(
            Q(company__icontains=filters.q)
            | Q(person_name__icontains=filters.q)
            | Q(mobile__icontains=filters.q)
        )
    return qs.order_by("-created_at", "-id")


def active_sources() -> QuerySet[LeadSource]:
    return LeadSource.objects.filter(active=True)


def active_disqualify_reasons() -> QuerySet[DisqualifyReason]:
    return DisqualifyReason.objects.filter(active=True)


# --- Key-account selection score ---------------------------------------------------------------

#: The ranking shows at most this many accounts.
RANKING_CAP = 50


def selection_ranking(*, actor: User | None, limit: int = RANKING_CAP) -> list[SelectionAssessment]:
    """The latest assessment of each account the actor sees, best total first: stored rows read
    through the (is_latest, -total) index, no figures computed here."""
    qs = SelectionAssessment.objects.filter(is_latest=True)
    qs = visible_to(qs, actor, prefix="account__").select_related("account__owner", "assessed_by")
    return list(qs.order_by("-total", "account_id")[: min(limit, RANKING_CAP)])


def selection_history(*, actor: User | None, account: int) -> list[SelectionAssessment]:
    """An account's assessments, newest first (empty when the actor cannot see it)."""
    qs = visible_to(SelectionAssessment.objects.filter(account_id=account), actor,
                    prefix="account__")  # fmt: skip
    return list(qs.select_related("assessed_by").order_by("-assessed_at", "-id")[:50])


def criteria_by_id() -> dict[int, SelectionCriterion]:
    return {c.pk: c for c in SelectionCriterion.objects.all()}
