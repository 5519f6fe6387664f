"""The dashboard's charts of figures other pages own: the pipeline funnel, warning lights, NPS
over time, SOP compliance with the privilege cost, and the relationship coverage (the stored
coverage score of `relationships.health`, in bands; each band opens the account list filtered
to it). The figures are the stored snapshot's (`workspace.figures`, read through the selector
each page uses, with that page's default period), so the numbers agree with the page the chart
links to; names are put in here, in the page's language."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from guanxi.activities.selectors import ComplianceRow
from guanxi.core.dates import add_months
from guanxi.pipeline.models import Stage
from guanxi.relationships.health import COVERAGE_BANDS, NO_SCORE
from guanxi.workspace.admin_charts import PALETTE, Chart, _url, month_label, tier_names


def funnel_chart(data: dict[str, Any]) -> Chart:
    steps = data["steps"]
    stages = Stage.objects.in_bulk([s["stage"] for s in steps])
    link = _url("pipeline_funnel", start=data["start"], end=data["end"])
    # The funnel page's names (a built-in stage's in the page's language).
    labels = [str(stages[s["stage"]]) if s["stage"] in stages else "?" for s in steps]
    config = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [{"label": _("Deals entered"), "data": [s["entered"] for s in steps],
                          "backgroundColor": PALETTE[5]},
                         {"label": _("Won"), "data": [s["won"] for s in steps],
                          "backgroundColor": PALETTE[3]}],
        },
        "options": {"indexAxis": "y"},
    }  # fmt: skip
    return Chart(
        "funnel", _("Pipeline funnel"), "bar", config, [link for _s in steps],
        [_("stage"), _("deals entered"), _("went on"), _("won")],
        [[label, s["entered"], s["advanced"], s["won"]]
         for label, s in zip(labels, steps, strict=True)],
        empty=not any(s["entered"] for s in steps), list_url=link,
        note=_("%(start)s to %(end)s") % {"start": data["start"], "end": data["end"]},
    )  # fmt: skip


def lights_chart(counts: dict[str, int]) -> Chart:
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


def nps_chart(data: dict[str, Any]) -> Chart:
    span = [dt.date.fromisoformat(m) for m in data["months"]]
    rows = data["rows"]
    keys = [m.isoformat()[:7] for m in span]
    values = [rows[k]["nps"] if k in rows else None for k in keys]
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
        [month_label(m.isoformat()), rows[k]["answers"] if k in rows else no_data,
         rows[k]["nps"] if k in rows and rows[k]["nps"] is not None else no_data]
        for m, k in zip(span, keys, strict=True)
    ]  # fmt: skip
    return Chart(
        "nps", _("NPS by month"), "line", config, links, [_("month"), _("answers"), "NPS"], table,
        empty=not rows, list_url=results,
        gaps=[month_label(m.isoformat()) for m, k in zip(span, keys, strict=True) if k not in rows],
    )  # fmt: skip


def compliance_chart(data: dict[str, Any]) -> Chart:
    parts = [
        (_("On time"), data["on_time"], PALETTE[3], "on_time"),
        (_("Late"), data["late"], PALETTE[2], "late"),
        (_("Overdue, still open"), data["open_overdue"], PALETTE[0], "open_overdue"),
    ]
    row = ComplianceRow(**{k: data[k] for k in ("on_time", "late", "open_overdue")})
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
    names = tier_names({c["tier"] for c in data["cost_by_tier"]})
    cost_rows = [
        [names.get(c["tier"], names[None]), float(c["cost"]), c["touchpoints"]]
        for c in data["cost_by_tier"]
    ]
    note = _("On time: %(share)s; privilege cost this month: %(cost)s") % {
        "share": f"{row.share_on_time * 100:.0f} %" if row.decided else _("no data"),
        "cost": f"{Decimal(data['cost_total']):,.0f}",
    }
    return Chart(
        "compliance", _("SOP compliance"), "doughnut", config, part_links,
        [_("tier"), _("privilege cost"), _("touchpoints")], cost_rows,
        empty=not row.decided, note=note, list_url=link,
    )  # fmt: skip


def coverage_chart(counts: dict[str, int]) -> Chart:
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


def section_charts(data: dict[str, Any]) -> dict[str, Chart]:
    built = (
        funnel_chart(data["funnel"]),
        lights_chart(data["lights"]),
        nps_chart(data["nps"]),
        compliance_chart(data["compliance"]),
        coverage_chart(data["coverage"]),
    )
    return {c.key: c for c in built}


def as_json(chart: Chart) -> dict[str, Any]:
    return {"config": chart.config, "links": chart.links}
