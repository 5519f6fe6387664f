"""`{% deal_odds_card opportunity %}`: the deal's predicted probability beside the stage's, with
the reasons in points against the base rate ("+18 points: …"), for the opportunity's page.

`deal_odds_html(request, opportunity)` renders the same card as a string, for an admin readonly
field: ``def deal_odds(self, obj): return deal_odds_html(self.request, obj)``.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse

from guanxi.accounts.selectors import account_is_visible
from guanxi.pipeline.models import Opportunity, Outcome
from guanxi.pipeline.odds import latest_odds_attempt, latest_odds_model, status_message
from guanxi.pipeline.odds_words import deal_odds_explained

register = template.Library()

TEMPLATE = "admin/pipeline/opportunity/_odds.html"


def _card(request: HttpRequest | None, opportunity: Opportunity) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not account_is_visible(user, opportunity.account):
        # The change page checked already; a template reused elsewhere must not leak either.
        return {"visible": False}
    out: dict[str, Any] = {"visible": True, "opportunity": opportunity}
    # Managers get the calibration page's link (core.admin_mixins.is_manager's rule; importing
    # it here would load unfold's admin while the template engine starts).
    if user.is_staff and getattr(user, "sees_all_accounts", False):
        out["calibration_url"] = reverse("admin:pipeline_oddsmodel_calibration")
    if opportunity.outcome != Outcome.OPEN:
        out["closed"] = True
        return out
    record = latest_odds_model()
    if record is None:
        attempt = latest_odds_attempt()
        out["message"] = status_message(attempt) if attempt is not None else ""
        return out
    out["odds"] = deal_odds_explained(opportunity, record=record)
    return out


@register.inclusion_tag(TEMPLATE, takes_context=True)
def deal_odds_card(context: Any, opportunity: Opportunity) -> dict[str, Any]:
    return _card(context.get("request"), opportunity)


def deal_odds_html(request: HttpRequest, opportunity: Opportunity) -> str:
    return render_to_string(TEMPLATE, _card(request, opportunity), request=request)
