"""`{% switching_costs_card account %}`: the account's switching costs (seed 001: search,
trial and learning, relationship, contractual/legal, financial), strongest first, for the 360°
page beside the agreements."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from guanxi.accounts.selectors import account_is_visible
from guanxi.agreements.reviews import switching_costs_of

register = template.Library()
SHOWN = 10


@register.inclusion_tag("admin/agreements/switching_costs_card.html", takes_context=True)
def switching_costs_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not account_is_visible(user, account):
        return {"visible": False}
    costs = list(switching_costs_of(account.pk).select_related("recorded_by")[:SHOWN])
    add = reverse("admin:agreements_switchingcost_add") + "?" + urlencode({"account": account.pk})
    listed = (
        reverse("admin:agreements_switchingcost_changelist")
        + "?"
        + urlencode({"account__id__exact": account.pk})
    )
    return {"visible": True, "account": account, "costs": costs, "add_url": add, "list_url": listed}
