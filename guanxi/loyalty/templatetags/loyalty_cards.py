"""`{% account_lights_card account %}`: the account's warning lights (lit ones first, then the
last few cleared) and its loyalty cell, for the 360° page."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from guanxi.accounts.selectors import account_is_visible, read_with
from guanxi.loyalty.selectors import account_lights, account_loyalty
from guanxi.loyalty.words import reason_words

register = template.Library()


def _loyalty(account: Any) -> Any:
    """The stored loyalty cell: read with the account on the 360° page (select_related)."""
    read, row = read_with(account, "loyalty")
    return row if read else account_loyalty(account.pk)


@register.inclusion_tag("admin/loyalty/account_lights_card.html", takes_context=True)
def account_lights_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not account_is_visible(user, account):
        return {"visible": False}
    lights = account_lights(account.pk)
    here = request.get_full_path() if request is not None else ""
    return {
        "visible": True,
        "account": account,
        "lights": [(light, reason_words(light)) for light in lights],
        "lit": sum(1 for light in lights if light.cleared_at is None),
        "loyalty": _loyalty(account),
        "next": urlencode({"next": here}),
        "table_url": reverse("loyalty_lights")
        + "?"
        + urlencode({"q": account.name, "state": "all"}),
        "matrix_url": reverse("loyalty_matrix"),
    }
