"""`{% open_cases_card account %}`: the account's open service cases for the 360° page, most
urgent first, with a link to open a new one and to all its cases."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from guanxi.accounts.selectors import account_is_visible
from guanxi.service.selectors import open_cases

register = template.Library()
SHOWN = 10


@register.inclusion_tag("admin/service/open_cases_card.html", takes_context=True)
def open_cases_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not account_is_visible(user, account):
        return {"visible": False}
    qs = open_cases([account.pk]).select_related("owner", "category")
    cases = list(qs.order_by("resolution_due_at", "-opened_at")[:SHOWN])
    add = reverse("admin:service_case_add") + "?" + urlencode({"account": account.pk})
    listed = (
        reverse("admin:service_case_changelist")
        + "?"
        + urlencode({"account__id__exact": account.pk})
    )
    return {"visible": True, "account": account, "cases": cases, "add_url": add, "list_url": listed}
