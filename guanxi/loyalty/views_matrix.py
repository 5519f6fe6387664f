"""The loyalty matrix page (/loyalty/matrix/, seed 001): behavioural loyalty (repeat purchases,
P(alive)) × attitudinal loyalty (the latest NPS / CSAT / SERVQUAL) in a 2×2 chart whose cells
open the accounts behind them (the account list filtered by `?loyalty=<cell>`); accounts
without a survey are counted apart, never guessed. Reads the stored cells (`AccountLoyalty`)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.loyalty.matrix_rules import current_cuts
from guanxi.loyalty.models import AccountLoyalty, LoyaltyCell
from guanxi.loyalty.selectors import loyalty_counts

#: (cell, behavioural high?, attitudinal high?) in the chart's reading order, top row first.
GRID = (
    (LoyaltyCell.LATENT, False, True),
    (LoyaltyCell.TRUE, True, True),
    (LoyaltyCell.NONE, False, False),
    (LoyaltyCell.SPURIOUS, True, False),
)


def cell_url(cell: str) -> str:
    return f"{reverse('admin:accounts_account_changelist')}?loyalty={cell}"


def matrix_view(request: HttpRequest) -> HttpResponse:
    counts = loyalty_counts(request.user)
    cells = [
        {
            "cell": cell.value,
            "label": str(cell.label),
            "count": counts.get(cell.value, 0),
            "url": cell_url(cell.value),
            "x": int(high_b),
            "y": int(high_a),
        }
        for cell, high_b, high_a in GRID
    ]
    cuts = current_cuts()
    latest = AccountLoyalty.objects.order_by("-as_of").values_list("as_of", flat=True).first()
    context = {
        **admin.site.each_context(request),
        "title": _("Loyalty matrix"),
        "cells": cells,
        "no_survey": {
            "count": counts.get(LoyaltyCell.NO_SURVEY, 0),
            "url": cell_url(LoyaltyCell.NO_SURVEY),
        },
        "as_of": latest,
        "chart": {
            "cells": cells,
            "x_title": _(
                "Behavioural loyalty (high: %(repeats)s+ repeat purchases, P(alive) %(p)s%%+)"
            )
            % {"repeats": cuts.min_repeats, "p": round(cuts.min_p_alive * 100)},
            "y_title": _("Attitudinal loyalty (high: NPS %(nps)s+, else CSAT %(csat).1f+)")
            % {"nps": cuts.high_nps, "csat": cuts.high_csat},
            "low": str(_("Low")),
            "high": str(_("High")),
        },
        "rules": {
            "repeats": cuts.min_repeats,
            "p_alive": round(cuts.min_p_alive * 100),
            "nps": cuts.high_nps,
            "csat": f"{cuts.high_csat:.1f}",
            "gap": f"{cuts.high_servqual_gap:+.1f}" if cuts.high_servqual_gap else "0",
        },
        "rules_url": reverse("admin:loyalty_loyaltythresholds_changelist"),
    }
    return TemplateResponse(request, "admin/loyalty/matrix.html", context)
