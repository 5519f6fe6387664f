"""`{% account_deals_card account %}`: the account's deals on its 360° page — the open ones with
stage and amount, how many were won and lost, and a link to add one."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from guanxi.accounts.selectors import account_is_visible
from guanxi.pipeline.models import Outcome
from guanxi.pipeline.selectors import open_deals_of_account, outcome_counts

register = template.Library()

#: Open deals shown on the card; the rest are one click away in the filtered list.
SHOWN = 5


def _counts(account: Any) -> dict[str, int]:
    """Deals per outcome: read with the account on the 360° page
    (`workspace.selectors.account_360_queryset`), else counted."""
    if hasattr(account, "deals_open"):
        return {Outcome.OPEN: account.deals_open, Outcome.WON: account.deals_won,
                Outcome.LOST: account.deals_lost}  # fmt: skip
    return outcome_counts(account.pk)


@register.inclusion_tag("admin/pipeline/account_deals_card.html", takes_context=True)
def account_deals_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not account_is_visible(user, account):
        # The 360° page checked already; a template reused elsewhere must not leak either.
        return {"visible": False}
    counts = _counts(account)
    deals = list(open_deals_of_account(account.pk)[:SHOWN])
    query = urlencode({"account": account.pk})
    return {
        "visible": True,
        "deals": deals,
        "more": max(counts["open"] - len(deals), 0),
        "counts": counts,
        "add_url": f"{reverse('admin:pipeline_opportunity_add')}?{query}",
        "list_url": reverse("admin:pipeline_opportunity_changelist")
        + "?"
        + urlencode({"account__id__exact": account.pk}),
    }
