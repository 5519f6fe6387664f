"""The dashboard's charts of figures other pages own: the pipeline funnel, warning lights, NPS
over time, SOP compliance with the privilege cost, and the relationship coverage (the stored
coverage score of `relationships.health`, in bands; each band opens the account list filtered
to it). Each is read through the selector its own
page uses (`pipeline.reports.funnel`, `loyalty.selectors.light_counts`,
`surveys.results.results_by`, `activities.selectors.compliance`) with that page's default
period, so the numbers agree with the page the chart links to."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.activities.selectors import compliance
from guanxi.core.dates import add_months
from guanxi.core.formatting import localised
from guanxi.core.models import User
from guanxi.loyalty.selectors import light_counts
from guanxi.pipeline.reports import default_period, funnel
from guanxi.relationships.health import COVERAGE_BANDS, NO_SCORE, coverage_distribution
from guanxi.surveys.results import results_by
from guanxi.workspace.admin_charts import PALETTE, Chart, _url, month_label
from guanxi.workspace.charts import month_span


def funnel_chart(actor: User, today: dt.date) -> Chart:
    start, end = default_period(today)
    data = funnel(actor, start=start, end=end)
    steps = data.steps
    link = _url("pipeline_funnel", start=start.isoformat(), end=end.isoformat())
    labels = [localised(s.stage.name, getattr(s.stage, "name_en", "")) for s in steps]
    config = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [{"label": _("Deals entered"), "data": [s.entered for s in steps],
                          "backgroundColor": PALETTE[5]},
                         {"label": _("Won"), "data": [s.won for s in steps],
                          "backgroundColor": PALETTE[3]}],
        },
        "options": {"indexAxis": "y"},
    }  # fmt: skip
    return Chart(
        "funnel", _("Pipeline funnel"), "bar", config, [link for _s in steps],
        [_("stage"), _("deals entered"), _("went on"), _("won")],
        [[label, s.entered, s.advanced, s.won] for label, s in zip(labels, steps, strict=True)],
        empty=not any(s.entered for s in steps), list_url=link,
        note=_("%(start)s to %(end)s") % {"start": start, "end": end},
    )  # fmt: skip


def lights_chart(actor: User) -> Chart:
    counts = light_counts(actor)
    colours = [("red", _("Red lights"), PALETTE[0]), ("yellow", _("Yellow lights"), PALETTE[2])]
    config = {
        "type": "bar",
        "data": {
            "labels": [label for _k, label, _c in colours],
            "datasets": [{"label": _("Lit lights"), "data": [counts[k] for k, _l, _c in colours],
                          "backgroundColor": [c for _k, _l, c in colours]}],
        },
        "options": {},
    }  # fmt: skip
    links = [f"{reverse('loyalty_lights')}?colour={k}" for k, _l, _c in colours]
    return Chart(
        "lights", _("Warning lights"), "bar", config, links,
        [_("colour"), _("lit lights")], [[label, counts[k]] for k, label, _c in colours],
        empty=not (counts["red"] or counts["yellow"]), list_url=reverse("loyalty_lights"),
    )  # fmt: skip


def nps_chart(actor: User, today: dt.date) -> Chart:
    span = month_span(today)
    last = add_months(span[-1], 1) - dt.timedelta(days=1)
    rows = {r.key[:7]: r for r in results_by(actor=actor, group="month", first=span[0], last=last)}
    keys = [m.isoformat()[:7] for m in span]
    values = [rows[k].nps if k in rows else None for k in keys]
    results = reverse("admin:surveys_results")
    links = [f"{results}?first={m}&last={add_months(m, 1) - dt.timedelta(days=1)}" for m in span]
    config = {
        "type": "line",
        "data": {
            "labels": [month_label(m.isoformat()) for m in span],
            "datasets": [{"label": "NPS", "data": values, "borderColor": PALETTE[5],
                          "backgroundColor": PALETTE[5], "pointStyle": "circle"}],
        },
        "options": {},
    }  # fmt: skip
    no_data = _("no data")
    table = [
        [month_label(m.isoformat()), rows[k].answers if k in rows else no_data,
         rows[k].nps if k in rows and rows[k].nps is not None else no_data]
        for m, k in zip(span, keys, strict=True)
    ]  # fmt: skip
    return Chart(
        "nps", _("NPS by month"), "line", config, links, [_("month"), _("answers"), "NPS"], table,
        empty=not rows, list_url=results,
        gaps=[month_label(m.isoformat()) for m, k in zip(span, keys, strict=True) if k not in rows],
    )  # fmt: skip


def compliance_chart(actor: User, today: dt.date) -> Chart:
    start = today.replace(day=1)
    report = compliance(actor=actor, start=start, end=today)
    t = report.total
    parts = [(_("On time"), t.on_time, PALETTE[3], "on_time"),
             (_("Late"), t.late, PALETTE[2], "late"),
             (_("Overdue, still open"), t.open_overdue, PALETTE[0], "open_overdue")]  # fmt: skip
    link = f"{reverse('admin:activities_task_compliance')}?period=this_month"
    # Each part opens the tasks behind it (the task list's SOP filter, closed tasks included).
    tasks = reverse("admin:activities_task_changelist")
    part_links = [f"{tasks}?sop={p[3]}&status__exact=all" for p in parts]
    config = {
        "type": "doughnut",
        "data": {
            "labels": [p[0] for p in parts],
            "datasets": [{"label": _("Policy tasks"), "data": [p[1] for p in parts],
                          "backgroundColor": [p[2] for p in parts]}],
        },
        "options": {"plugins": {"legend": {"display": True}}},
    }  # fmt: skip
    share = t.share_on_time
    cost_rows = [
        [localised(c.tier.name, c.tier.name_en) if c.tier else _("No tier"), float(c.cost),
         c.touchpoints]
        for c in report.cost_by_tier
    ]  # fmt: skip
    note = _("On time: %(share)s; privilege cost this month: %(cost)s") % {
        "share": f"{share * 100:.0f} %" if share is not None else _("no data"),
        "cost": f"{report.cost_total:,.0f}",
    }
    return Chart(
        "compliance", _("SOP compliance"), "doughnut", config, part_links,
        [_("tier"), _("privilege cost"), _("touchpoints")], cost_rows,
        empty=not t.decided, note=note, list_url=link,
    )  # fmt: skip


def coverage_chart(actor: User, counts: dict[str, int] | None = None) -> Chart:
    """``counts``: the stored snapshot's (`charts.charts_compute`); read now when it has none
    (a snapshot stored before the chart existed)."""
    if counts is None:
        counts = coverage_distribution(accounts_visible_to(actor))
    bands = [(key, f"{key.replace('-', '–')}") for key, _l, _h in COVERAGE_BANDS]
    bands.append((NO_SCORE, _("no score")))
    colours = [PALETTE[0], PALETTE[1], PALETTE[2], PALETTE[4], PALETTE[3], PALETTE[8]]
    config = {
        "type": "bar",
        "data": {
            "labels": [label for _k, label in bands],
            "datasets": [{"label": _("Accounts"), "data": [counts[k] for k, _l in bands],
                          "backgroundColor": colours[: len(bands)]}],
        },
        "options": {},
    }  # fmt: skip
    accounts = reverse("admin:accounts_account_changelist")
    return Chart(
        "coverage", _("Relationship coverage"), "bar", config,
        [f"{accounts}?coverage={k}" for k, _l in bands],
        [_("coverage score"), _("accounts")], [[label, counts[k]] for k, label in bands],
        empty=not any(counts[k] for k, _l in bands[:-1]), list_url=accounts,
        note=_("Coverage score of the buying centre, 0–100; no score: not mapped yet"),
    )  # fmt: skip


def section_charts(actor: User, today: dt.date) -> dict[str, Chart]:
    built = (
        funnel_chart(actor, today),
        lights_chart(actor),
        nps_chart(actor, today),
        compliance_chart(actor, today),
    )
    return {c.key: c for c in built}


def as_json(chart: Chart) -> dict[str, Any]:
    return {"config": chart.config, "links": chart.links}
