"""Reads of leads. The access rule for leads (they reach an account only once converted, so the
account rule cannot apply): a KAM sees the leads they own, a team lead also their team's,
managers and admins all. What the actor may not see is NotFound, never "forbidden".
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from guanxi.core.errors import NotFound
from guanxi.core.models import User
from guanxi.leads.models import DisqualifyReason, Lead, LeadSource

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
