"""The home dashboard's figures that other pages own, and its summary counts, as plain JSON so the
nightly step (`workspace.snapshots`) stores them per viewer's scope beside the charts of
`workspace.charts`: the pipeline funnel, warning lights, NPS by month, SOP compliance with the
privilege cost, the forecast against target, agreements ending and their pace, and the counts at
the top of the page (accounts, revenue, top and dormant accounts) with the coming birthdays.

Each figure is read through the selector its own page uses (`pipeline.reports.funnel`,
`loyalty.selectors.light_counts`, `surveys.results.results_by`, `activities.selectors.compliance`,
`pipeline.forecast.forecast`, `agreements.selectors.ending_within`,
`agreements.performance.agreements_pace`, `workspace.selectors.dashboard_summary`,
`contacts.selectors.upcoming_birthdays`) with that
page's default period as of the snapshot's day, so the numbers agree with the page a chart links
to. Ids and numbers only: names are the page's business, in its language (`admin_sections`,
`admin_plans_ahead`). Money is a string (exact) where the page shows it as money, a float rounded
to the cent where a chart draws it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.db.models.functions import TruncMonth

from guanxi.activities.selectors import compliance
from guanxi.agreements.performance import agreements_pace, pace_band
from guanxi.agreements.selectors import agreements_visible_to, ending_within, in_force_on
from guanxi.contacts.selectors import upcoming_birthdays
from guanxi.core.dates import add_months
from guanxi.core.models import User
from guanxi.loyalty.selectors import light_counts
from guanxi.pipeline.forecast import COMPANY, KAM, TEAM, Forecast, Row, forecast
from guanxi.pipeline.reports import default_period, funnel
from guanxi.surveys.results import results_by
from guanxi.workspace.charts import month_span
from guanxi.workspace.selectors import dashboard_summary

#: Agreements ending within this many days are shown (a value of the agreement list's filter).
RENEWAL_DAYS = 90
#: Months of the forecast chart, from the snapshot's month.
FORECAST_MONTHS = 6
#: Birthdays shown: the next this many days, at most `BIRTHDAYS_SHOWN` of them.
BIRTHDAY_DAYS, BIRTHDAYS_SHOWN = 30, 20
#: The pace bands in the order the chart draws them (`agreements.performance.pace_band`).
PACE_BANDS = ("behind", "close", "ahead", "none")


def _amount(value: Decimal | None) -> float | None:
    return round(float(value), 2) if value is not None else None


def summary_figures(actor: User, today: dt.date) -> dict[str, Any]:
    """The cards and lists at the top of the page (`dashboard_summary`): account types as their
    codes, the accounts as ids (the page reads their names, still visible to the viewer)."""
    s = dashboard_summary(actor, today=today)
    return {
        "accounts_total": s.accounts_total,
        "accounts_by_type": [[code, n] for code, n in s.accounts_by_type],
        "revenue_month": str(s.revenue_month),
        "revenue_year": str(s.revenue_year),
        "top": [[a.pk, str(total)] for a, total in s.top_accounts],
        "dormant_count": s.dormant_count,
        "dormant": [[a.pk, a.last_transaction_at.isoformat()] for a in s.dormant_accounts],
    }


def birthday_figures(actor: User, today: dt.date) -> list[list[Any]]:
    """The visible contacts' birthdays in the next `BIRTHDAY_DAYS` days from ``today``, soonest
    first, as [day, contact id] (`contacts.selectors.upcoming_birthdays`: a scan of every
    contact's birthday, not a page's work at 100,000 contacts)."""
    rows = upcoming_birthdays(actor, today=today, days=BIRTHDAY_DAYS, limit=BIRTHDAYS_SHOWN)
    return [[day.isoformat(), contact.pk] for day, contact in rows]


def funnel_figures(actor: User, today: dt.date) -> dict[str, Any]:
    start, end = default_period(today)
    data = funnel(actor, start=start, end=end)
    steps = [{"stage": s.stage.pk, "entered": s.entered, "advanced": s.advanced, "won": s.won}
             for s in data.steps]  # fmt: skip
    return {"start": start.isoformat(), "end": end.isoformat(), "steps": steps}


def nps_figures(actor: User, today: dt.date) -> dict[str, Any]:
    """NPS and answers per month of the last 12 (a month without answers is left out)."""
    span = month_span(today)
    last = add_months(span[-1], 1) - dt.timedelta(days=1)
    rows = results_by(actor=actor, group="month", first=span[0], last=last)
    return {
        "months": [m.isoformat() for m in span],
        "rows": {r.key[:7]: {"answers": r.answers, "nps": r.nps} for r in rows},
    }


def compliance_figures(actor: User, today: dt.date) -> dict[str, Any]:
    """This month's SOP compliance up to ``today`` (the compliance page's "this month" and the
    task list's SOP filter, `activities.selectors.sop_outcome`) and the privilege cost by tier."""
    start = today.replace(day=1)
    report = compliance(actor=actor, start=start, end=today, as_of=today)
    t = report.total
    return {
        "start": start.isoformat(),
        "end": today.isoformat(),
        "on_time": t.on_time,
        "late": t.late,
        "open_overdue": t.open_overdue,
        "cost_by_tier": [
            {
                "tier": c.tier.pk if c.tier else None,
                "cost": str(c.cost),
                "touchpoints": c.touchpoints,
            }
            for c in report.cost_by_tier
        ],
        "cost_total": str(report.cost_total),
    }


def _own_row(data: Forecast, actor: User) -> Row | None:
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


def forecast_figures(actor: User, today: dt.date) -> dict[str, Any]:
    """The forecast page's numbers of the actor's own row, month by month from ``today``'s."""
    start = today.replace(day=1)
    row = _own_row(forecast(actor, start=start, months=FORECAST_MONTHS), actor)
    cells = row.months if row is not None else []
    return {
        "start": start.isoformat(),
        "months": [
            {"month": c.start.isoformat(), "target": _amount(c.target), "won": _amount(c.won),
             "weighted": _amount(c.weighted), "forecast": _amount(c.forecast)}
            for c in cells
        ],
    }  # fmt: skip


def renewals_figures(actor: User, today: dt.date) -> dict[str, Any]:
    """Agreements ending within `RENEWAL_DAYS` of ``today``, per month of their end."""
    qs = ending_within(agreements_visible_to(actor), RENEWAL_DAYS, today=today)
    counts = {
        r["m"]: r["n"]
        for r in qs.order_by().annotate(m=TruncMonth("ends_on")).values("m").annotate(n=Count("id"))
    }
    months = [add_months(today.replace(day=1), i) for i in range(4)]
    return {"days": RENEWAL_DAYS, "months": [[m.isoformat(), counts.get(m, 0)] for m in months]}


def pace_figures(actor: User, today: dt.date) -> dict[str, Any]:
    """Agreements in force on ``today`` per pace band of their volume commitments."""
    in_force = in_force_on(agreements_visible_to(actor), today)
    paces = agreements_pace(list(in_force.values_list("id", flat=True)), as_of=today)
    counts = dict.fromkeys(PACE_BANDS, 0)
    for pace in paces.values():
        counts[pace_band(pace)] += 1
    return {"agreements": len(paces), "bands": counts}


def section_figures(actor: User, today: dt.date) -> dict[str, Any]:
    """Every figure of this module over what ``actor`` sees, as of ``today`` (JSON-ready)."""
    return {
        "summary": summary_figures(actor, today),
        "birthdays": birthday_figures(actor, today),
        "funnel": funnel_figures(actor, today),
        "lights": light_counts(actor),
        "nps": nps_figures(actor, today),
        "compliance": compliance_figures(actor, today),
        "forecast": forecast_figures(actor, today),
        "renewals": renewals_figures(actor, today),
        "pace": pace_figures(actor, today),
    }
