"""`{% account_assessment_card account %}`: the account's 客户状态分析表 on its 360° page — the
latest willingness and quality scores with their bands, the trend of the last assessments, a
button to fill in a new one and a link to every one."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.http import urlencode

from guanxi.accounts.selectors import account_is_visible
from guanxi.assessments.selectors import account_assessments

register = template.Library()

#: Assessments in the card's trend (newest last).
TREND = 6


@register.inclusion_tag("admin/assessments/account_card.html", takes_context=True)
def account_assessment_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not account_is_visible(user, account):
        return {"visible": False}
    recent = list(account_assessments(account)[:TREND])
    return {
        "visible": True,
        "latest": recent[0] if recent else None,
        "trend": list(reversed(recent)),
        "fill_url": reverse("admin:assessments_assessment_fill", args=(account.pk,)),
        "list_url": reverse("admin:assessments_assessment_changelist")
        + "?"
        + urlencode({"account__id__exact": account.pk}),
    }
