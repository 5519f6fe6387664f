"""The dashboard's charts of what lies ahead: the sales forecast against the target (the
forecast page's own numbers; each month's bars open that month on the forecast page), the
agreements coming up for renewal (the agreement list's "ending within" filter) and how the
agreements in force keep pace with their volume commitments (the performance page's pace). The
figures are the stored snapshot's (`workspace.figures`); names and links are put in here."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.workspace.admin_charts import PALETTE, Chart, _url, month_label


def forecast_chart(data: dict[str, Any]) -> Chart:
    cells = data["months"]
    labels = [month_label(c["month"]) for c in cells]
    config = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {"type": "line", "label": _("Target"), "data": [c["target"] for c in cells],
                 "borderColor": PALETTE[0], "backgroundColor": PALETTE[0], "pointStyle": "circle"},
                {"label": _("Won"), "data": [c["won"] for c in cells],
                 "backgroundColor": PALETTE[3], "stack": "f"},
                {"label": _("Weighted open deals"), "data": [c["weighted"] for c in cells],
                 "backgroundColor": PALETTE[5], "stack": "f"},
            ],
        },
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    }  # fmt: skip
    link = _url("pipeline_forecast", start=data["start"], months=len(cells) or None)
    # Each month's bars (and its target point) open the forecast page for that month alone.
    links = [_url("pipeline_forecast", start=c["month"], months=1) for c in cells]
    no_target = _("no target")
    rows = [
        [label, c["target"] if c["target"] is not None else no_target, c["won"], c["weighted"],
         c["forecast"]]
        for label, c in zip(labels, cells, strict=True)
    ]  # fmt: skip
    return Chart(
        "forecast", _("Forecast against target"), "bar", config, links,
        [_("month"), _("target"), _("won"), _("weighted open deals"), _("forecast")], rows,
        empty=not any(c["target"] or c["won"] or c["weighted"] for c in cells), list_url=link,
    )  # fmt: skip


def renewals_chart(data: dict[str, Any]) -> Chart:
    months = [(dt.date.fromisoformat(m), n) for m, n in data["months"]]
    labels = [month_label(m.isoformat()) for m, _n in months]
    link = f"{reverse('admin:agreements_agreement_changelist')}?ending_within={data['days']}"
    # Each month's bar opens that month's agreements among those ending within the window.
    links = [f"{link}&ending_month={m:%Y-%m}" for m, _n in months]
    ending = [n for _m, n in months]
    config = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [{"label": _("Agreements ending"), "data": ending,
                          "backgroundColor": PALETTE[1]}],
        },
        "options": {},
    }  # fmt: skip
    return Chart(
        "renewals", _("Agreements ending in the next 90 days"), "bar", config, links,
        [_("month"), _("agreements ending")],
        [[label, n] for label, n in zip(labels, ending, strict=True)],
        empty=not any(ending), list_url=link,
    )  # fmt: skip


def pace_chart(data: dict[str, Any]) -> Chart:
    words = {
        "behind": _("Behind (under %(low)s)") % {"low": "80 %"},
        "close": _("Close (%(low)s to %(high)s)") % {"low": "80 %", "high": "100 %"},
        "ahead": _("On pace (%(high)s or more)") % {"high": "100 %"},
        "none": _("No commitment under way"),
    }
    counts = data["bands"]
    # Each bar opens its agreements: the list's pace filter uses the same bands.
    changelist = reverse("admin:agreements_agreement_changelist")
    links = [f"{changelist}?pace={key}" for key in words]
    link = f"{changelist}?status__exact=active"
    config = {
        "type": "bar",
        "data": {
            "labels": list(words.values()),
            "datasets": [{"label": _("Agreements in force"), "data": list(counts.values()),
                          "backgroundColor": [PALETTE[0], PALETTE[2], PALETTE[3], "#94a3b8"]}],
        },
        "options": {"indexAxis": "y"},
    }  # fmt: skip
    return Chart(
        "pace", _("Agreement pace"), "bar", config, links,
        [_("pace"), _("agreements")], [[words[k], counts[k]] for k in words],
        empty=not data["agreements"], list_url=link,
    )  # fmt: skip


def ahead_charts(data: dict[str, Any]) -> dict[str, Chart]:
    built = (forecast_chart(data["forecast"]), renewals_chart(data["renewals"]),
             pace_chart(data["pace"]))  # fmt: skip
    return {c.key: c for c in built}
