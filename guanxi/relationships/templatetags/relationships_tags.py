"""`{% relationship_card account %}`: the relationship card of the account 360° page: coverage
score, the top three risks in words, where we stand with the organisation (supplier stage,
Kotler level), how many people are on the buying centre, and a link to the map."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from guanxi.accounts.selectors import account_is_visible, read_with
from guanxi.relationships.health import stored_health
from guanxi.relationships.models import AccountRelationship, KotlerLevel, SupplierStage
from guanxi.relationships.risks import RelationshipHealth, relationship_health
from guanxi.relationships.selectors import buying_centre

register = template.Library()

TOP_RISKS = 3


def _reads(account: Any) -> tuple[RelationshipHealth, int, AccountRelationship | None]:
    """The health, the number of people on the buying centre and the organisation relationship.
    Read with the account on the 360° page (`workspace.selectors.account_360_queryset`: the
    stored health, its size, the relationship row): no query. Else, or when the stored health
    is missing (not refreshed yet), computed from the buying centre."""
    if hasattr(account, "buying_centre_size"):
        people = account.buying_centre_size
        row = read_with(account, "relationship_health")[1]
        if row is not None or people == 0:
            health = stored_health(row) if row else RelationshipHealth(account.pk, None)
            return health, people, read_with(account, "relationship")[1]
    centre = buying_centre(account)
    return relationship_health(centre), len(centre.seats), centre.relationship


@register.inclusion_tag("admin/relationships/_relationship_card.html", takes_context=True)
def relationship_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not account_is_visible(user, account):
        # The 360° page checked already; a template reused elsewhere must not leak either.
        return {"visible": False}
    health, people, relationship = _reads(account)
    return {
        "visible": True,
        "account": account,
        "health": health,
        "risks": health.risks[:TOP_RISKS],
        "more_risks": max(0, len(health.risks) - TOP_RISKS),
        "people": people,
        "supplier_stage": SupplierStage(relationship.supplier_stage).label
        if relationship
        else None,
        "kotler_level": KotlerLevel(relationship.kotler_level).label if relationship else None,
        "map_url": reverse("admin:relationships_buyingcentremember_map", args=(account.pk,)),
    }
