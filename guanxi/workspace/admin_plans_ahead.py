"""The dashboard's charts of what lies ahead: the sales forecast against the target
(`pipeline.forecast.forecast`, the forecast page's own numbers) and the agreements coming up for
renewal (`agreements.selectors.ending_within`, the agreement list's "ending within" filter) and
how the agreements in force keep pace with their volume commitments
(`agreements.performance.agreements_pace`, the performance page's pace)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.agreements.performance import agreements_pace, pace_band
from guanxi.agreements.selectors import agreements_visible_to, ending_within, in_force_on
from guanxi.core.dates import add_months
from guanxi.core.models import User
from guanxi.pipeline.forecast import COMPANY, KAM, TEAM, Forecast, forecast
from guanxi.workspace.admin_charts import PALETTE, Chart, _url, month_label

#: Agreements ending within this many days are shown (a value of the list's filter).
RENEWAL_DAYS = 90


def _own_row(data: Forecast, actor: User):
    """The row of the forecast that is the actor's whole view: the company, their team, or
    themselves; a company row has no target of its own, so it takes the teams' sum."""
    company = data.row(COMPANY)
    if company is not None:
        teams = [r for r in data.rows if r.kind == TEAM]
        for i, cell in enumerate(company.months):
            targets = [t.months[i].target for t in teams if t.months[i].target is not None]
            cell.target = sum(targets, Decimal(0)) if targets else None
        return company
    if actor.leads_team and data.row(TEAM, actor.team_id) is not None:
        return data.row(TEAM, actor.team_id)
    return data.row(KAM, actor.pk)


def forecast_chart(actor: User, today: dt.date) -> Chart:
    data = forecast(actor, start=today.replace(day=1), months=6)
    row = _own_row(data, actor)
    cells = row.months if row is not None else []
    labels = [month_label(c.start.isoformat()) for c in cells]
    money = lambda v: round(float(v), 2) if v is not None else None  # noqa: E731
    config = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {"type": "line", "label": _("Target"), "data": [money(c.target) for c in cells],
                 "borderColor": PALETTE[0], "backgroundColor": PALETTE[0], "pointStyle": "circle"},
                {"label": _("Won"), "data": [money(c.won) for c in cells],
                 "backgroundColor": PALETTE[3], "stack": "f"},
                {"label": _("Weighted open deals"), "data": [money(c.weighted) for c in cells],
                 "backgroundColor": PALETTE[5], "stack": "f"},
            ],
        },
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    }  # fmt: skip
    link = _url("pipeline_forecast", start=today.replace(day=1).isoformat(), months=6)
    no_target = _("no target")
    rows = [
        [label, money(c.target) if c.target is not None else no_target, money(c.won),
         money(c.weighted), money(c.forecast)]
        for label, c in zip(labels, cells, strict=True)
    ]  # fmt: skip
    return Chart(
        "forecast", _("Forecast against target"), "bar", config, [link] * len(cells),
        [_("month"), _("target"), _("won"), _("weighted open deals"), _("forecast")], rows,
        empty=not any(c.target or c.won or c.weighted for c in cells), list_url=link,
    )  # fmt: skip


def renewals_chart(actor: User, today: dt.date) -> Chart:
    qs = ending_within(agreements_visible_to(actor), RENEWAL_DAYS, today=today)
    counts = {
        r["m"]: r["n"]
        for r in qs.order_by().annotate(m=TruncMonth("ends_on")).values("m").annotate(n=Count("id"))
    }
    months = [add_months(today.replace(day=1), i) for i in range(4)]
    labels = [month_label(m.isoformat()) for m in months]
    link = f"{reverse('admin:agreements_agreement_changelist')}?ending_within={RENEWAL_DAYS}"
    # Each month's bar opens that month's agreements among those ending within the window.
    links = [f"{link}&ending_month={m:%Y-%m}" for m in months]
    ending = [counts.get(m, 0) for m in months]
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
        [[label, counts.get(m, 0)] for label, m in zip(labels, months, strict=True)],
        empty=not counts, list_url=link,
    )  # fmt: skip


def pace_chart(actor: User, today: dt.date) -> Chart:
    in_force = in_force_on(agreements_visible_to(actor), today)
    paces = agreements_pace(list(in_force.values_list("id", flat=True)), as_of=today)
    words = {
        "behind": _("Behind (under %(low)s)") % {"low": "80 %"},
        "close": _("Close (%(low)s to %(high)s)") % {"low": "80 %", "high": "100 %"},
        "ahead": _("On pace (%(high)s or more)") % {"high": "100 %"},
        "none": _("No commitment under way"),
    }
    counts = dict.fromkeys(words, 0)
    for pace in paces.values():
        counts[pace_band(pace)] += 1
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
        empty=not paces, list_url=link,
    )  # fmt: skip
