"""`{% relationship_card account %}`: the relationship card of the account 360° page: coverage
score, the top three risks in words, where we stand with the organisation (supplier stage,
Kotler level), how many people are on the buying centre, and a link to the map."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse

from guanxi.accounts.selectors import account_is_visible
from guanxi.relationships.models import KotlerLevel, SupplierStage
from guanxi.relationships.risks import relationship_health
from guanxi.relationships.selectors import buying_centre

register = template.Library()

TOP_RISKS = 3


@register.inclusion_tag("admin/relationships/_relationship_card.html", takes_context=True)
def relationship_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not account_is_visible(user, account):
        # The 360° page checked already; a template reused elsewhere must not leak either.
        return {"visible": False}
    centre = buying_centre(account)
    health = relationship_health(centre)
    relationship = centre.relationship
    return {
        "visible": True,
        "account": account,
        "health": health,
        "risks": health.risks[:TOP_RISKS],
        "more_risks": max(0, len(health.risks) - TOP_RISKS),
        "people": len(centre.seats),
        "supplier_stage": SupplierStage(relationship.supplier_stage).label
        if relationship
        else None,
        "kotler_level": KotlerLevel(relationship.kotler_level).label if relationship else None,
        "map_url": reverse("admin:relationships_buyingcentremember_map", args=(account.pk,)),
    }
