"""`{% account_plan_card account %}`: this year's account plan (一企一策) on the account 360° page —
status, actions done vs due, goals reached, next review and the next open actions — or a link to
create it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from guanxi.accounts.selectors import account_is_visible, read_with
from guanxi.plans.models import AccountPlan, ActionStatus
from guanxi.plans.selectors import plan_progress
from guanxi.relationships.health import stored_health

register = template.Library()

NEXT_ACTIONS = 3


@register.inclusion_tag("admin/plans/account_plan_card.html", takes_context=True)
def account_plan_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not account_is_visible(user, account):
        # The 360° page checked already; a template reused elsewhere must not leak either.
        return {"visible": False}
    today = timezone.localdate()
    plan = (
        AccountPlan.objects.select_related("account", "owner")
        .filter(account=account, year=today.year)
        .first()
    )
    out: dict[str, Any] = {"visible": True, "account": account, "year": today.year, "plan": plan}
    if plan is None:
        out["create_url"] = (
            reverse("admin:plans_accountplan_add") + "?" + urlencode({"account": account.pk})
        )
        out["plans_url"] = (
            reverse("admin:plans_accountplan_changelist")
            + "?"
            + urlencode({"account__id__exact": account.pk})
        )
        return out
    # The stored health read with the account (the 360° page) serves the coverage goals.
    stored = read_with(account, "relationship_health")[1]
    out["progress"] = plan_progress(
        plan, today=today, health=stored_health(stored) if stored is not None else None
    )
    out["next_actions"] = list(
        plan.actions.filter(status=ActionStatus.OPEN)
        .select_related("owner")
        .order_by("due_on", "id")[:NEXT_ACTIONS]
    )
    out["today"] = today
    out["change_url"] = reverse("admin:plans_accountplan_change", args=(plan.pk,))
    out["print_url"] = reverse("admin:plans_accountplan_print_plan", args=(plan.pk,))
    return out
