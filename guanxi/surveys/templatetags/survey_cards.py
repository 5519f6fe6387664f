"""`{% account_surveys_card account %}`: the account's surveys on its 360° page — its latest
NPS (with its category), CSAT and SERVQUAL gap, the latest answers with their comments, the
links still open, a "send a survey" button and a link to all its answers."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from guanxi.accounts.selectors import account_is_visible
from guanxi.surveys.models import SurveyInvitation, SurveyResponse, nps_category
from guanxi.surveys.selectors import SCORE_COLUMNS, latest_scores, scores_from

register = template.Library()

#: Answers shown on the card (newest first); the rest are one click away in the list.
SHOWN = 4


@register.inclusion_tag("admin/surveys/account_surveys_card.html", takes_context=True)
def account_surveys_card(context: Any, account: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None) if request is not None else context.get("user")
    if user is None or not account_is_visible(user, account):
        # The 360° page checked already; a template reused elsewhere must not leak either.
        return {"visible": False}
    if hasattr(account, SCORE_COLUMNS[0]):  # read with the account (the 360° page)
        scores = scores_from(tuple(getattr(account, c) for c in SCORE_COLUMNS))
    else:
        scores = latest_scores([account.pk]).get(account.pk)
    answers = list(
        SurveyResponse.objects.filter(account=account)
        .select_related("template", "contact")
        .order_by("-answered_at", "-id")[:SHOWN]
    )
    open_links = getattr(account, "survey_links_open", None)
    if open_links is None:
        open_links = SurveyInvitation.objects.filter(
            account=account, answered_at__isnull=True, expires_at__gt=timezone.now()
        ).count()
    return {
        "visible": True,
        "scores": scores,
        "category": nps_category(scores.nps) if scores else None,
        "answers": answers,
        "open_links": open_links,
        "send_url": f"{reverse('admin:surveys_surveyinvitation_add')}?"
        + urlencode({"account": account.pk}),
        "list_url": reverse("admin:surveys_surveyresponse_changelist")
        + "?"
        + urlencode({"q": account.code}),
    }
