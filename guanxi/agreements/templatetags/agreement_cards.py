"""`{% account_agreements_card account %}`: the account's agreements on its 360° page — its own
and the group agreements that chose it as a covered subsidiary — with status, period and
renewal date, the ones in force today marked, and links to each and to the filtered list."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from guanxi.accounts.selectors import account_is_visible
from guanxi.agreements.selectors import agreements_of_account, is_in_force, renewal_date_of

register = template.Library()

#: Agreements shown on the card (newest first); the rest are one click away in the list.
SHOWN = 6


@register.inclusion_tag("admin/agreements/account_agreements_card.html", takes_context=True)
def account_agreements_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not account_is_visible(user, account):
        # The 360° page checked already; a template reused elsewhere must not leak either.
        return {"visible": False}
    found = list(agreements_of_account([account.pk])[: SHOWN + 1])
    today = timezone.localdate()
    rows = [
        {
            "agreement": a,
            "own": a.account_id == account.pk,
            "in_force": is_in_force(a, today),  # each covers the account: in force today?
            "renewal_date": renewal_date_of(a),
        }
        for a in found[:SHOWN]
    ]
    return {
        "visible": True,
        "rows": rows,
        "more": len(found) > SHOWN,
        "add_url": f"{reverse('admin:agreements_agreement_add')}?"
        + urlencode({"account": account.pk}),
        "list_url": reverse("admin:agreements_agreement_changelist")
        + "?"
        + urlencode({"account__id__exact": account.pk}),
    }
