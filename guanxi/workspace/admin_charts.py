"""The home dashboard's charts as the page draws them: for each chart its Chart.js
configuration, the list behind every cell (an admin list with filters) and the table its XLSX
export writes. The figures come from `workspace.snapshots.dashboard_figures` (ids and numbers);
names are put in here, in the page's language."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from guanxi.core.dates import add_months
from guanxi.core.formatting import localised
from guanxi.tiers.models import Tier
from guanxi.transactions.models import ProductCategory

#: Colours of the series (tiers, categories): unfold's primary red, then calm neighbours.
PALETTE = ("#dc2626", "#f97316", "#eab308", "#16a34a", "#0891b2", "#2563eb", "#7c3aed",
           "#db2777", "#64748b", "#a16207")  # fmt: skip


@dataclass
class Chart:
    """One chart of the page: ``config`` is handed to Chart.js as is; ``links[i]`` is the list
    behind the i-th cell (data point, bar, flow or heat-map cell); ``headers``/``rows`` are what
    the XLSX export writes. ``empty``: nothing to draw (the page says "no data")."""

    key: str
    title: str
    kind: str
    config: dict[str, Any]
    links: list[Any] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    rows: list[list[Any]] = field(default_factory=list)
    empty: bool = False
    note: str = ""
    plugins: tuple[str, ...] = ()
    list_url: str = ""  # the whole list the chart summarises
    gaps: list[str] = field(default_factory=list)  # months shown as "no data"


def _url(name: str, **params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{reverse(name)}?{query}" if query else reverse(name)


def month_label(iso: str) -> str:
    return date_format(dt.date.fromisoformat(iso), "YEAR_MONTH_FORMAT")


def tier_names(ids: set) -> dict[Any, str]:
    names: dict[Any, str] = {
        t.pk: localised(t.name, t.name_en) for t in Tier.objects.filter(pk__in=ids - {None})
    }
    names[None] = pgettext("tier", "No tier")
    return names


def tier_colours(ids: set) -> dict[Any, str]:
    """Each tier's own colour (set on the tier), else one of the palette by rank."""
    tiers = Tier.objects.filter(pk__in=ids - {None}).order_by("rank", "id")
    colours: dict[Any, str] = {
        t.pk: t.colour if t.colour.startswith("#") else PALETTE[i % len(PALETTE)]
        for i, t in enumerate(tiers)
    }
    colours[None] = "#94a3b8"
    return colours


def pyramid_chart(data: dict[str, Any]) -> Chart:
    rows = data["rows"]
    names = tier_names({r["tier"] for r in rows})
    accounts_url = "admin:accounts_account_changelist"
    links = [_url(accounts_url, tier=r["tier"]) if r["tier"] else None for r in rows]
    config = {
        "type": "bar",
        "data": {
            "labels": [names.get(r["tier"], "?") for r in rows],
            "datasets": [
                {
                    "label": _("Share of accounts (%)"),
                    "data": [r["account_share"] for r in rows],
                    "backgroundColor": "#94a3b8",
                },
                {
                    "label": _("Share of 12-month revenue (%)"),
                    "data": [r["revenue_share"] for r in rows],
                    "backgroundColor": PALETTE[0],
                },
            ],  # fmt: skip
        },
        "options": {"indexAxis": "y", "guanxi": {"percent": True}},
    }
    return Chart(
        "pyramid", _("Customer pyramid"), "bar", config, links,
        [_("tier"), _("accounts"), _("share of accounts (%)"), _("12-month revenue"),
         _("share of revenue (%)")],
        [[names.get(r["tier"], "?"), r["accounts"], r["account_share"], r["revenue"],
          r["revenue_share"]] for r in rows],
        empty=not data["accounts"], list_url=reverse(accounts_url),
    )  # fmt: skip


def pareto_chart(data: dict[str, Any]) -> Chart:
    points = data["points"]
    accounts_url = "admin:accounts_account_changelist"
    links = [_url(accounts_url, revenue_12m__gte=p["threshold"]) for p in points]
    radius = [6 if p["x"] == 20 else 2 for p in points]
    config = {
        "type": "line",
        "data": {
            "labels": [f"{p['x']}%" for p in points],
            "datasets": [
                {
                    "label": _("Cumulative share of revenue (%)"),
                    "data": [p["y"] for p in points],
                    "borderColor": PALETTE[0],
                    "backgroundColor": PALETTE[0],
                    "pointRadius": radius,
                    "pointStyle": "circle",
                },
                {
                    "label": _("Equal shares"),
                    "data": [p["x"] for p in points],
                    "borderColor": "#94a3b8",
                    "borderDash": [4, 4],
                    "pointStyle": False,
                },
            ],  # fmt: skip
        },
        "options": {"guanxi": {"percent": True}},
    }
    note = ""
    if data["top20_share"] is not None:
        note = _("The best 20 %% of buying accounts bring %(share)s %% of 12-month revenue.") % {
            "share": data["top20_share"]
        }
    return Chart(
        "pareto", _("Pareto curve"), "line", config, links,
        [_("share of accounts (%)"), _("cumulative share of revenue (%)"),
         _("12-month revenue of the last account in")],
        [[p["x"], p["y"], p["threshold"]] for p in points],
        empty=not points, note=note, list_url=links[3] if len(links) > 3 else "",
    )  # fmt: skip


def rfm_chart(data: dict[str, Any]) -> Chart:
    cells = data["cells"]
    peak = max((c["accounts"] for c in cells), default=0) or 1
    accounts_url = "admin:accounts_account_changelist"
    links = [_url(accounts_url, score_rfm_cell__startswith=f"{c['r']}{c['f']}") for c in cells]
    config = {
        "type": "matrix",
        "data": {
            "datasets": [
                {
                    "label": _("Accounts"),
                    "data": [
                        {
                            "x": str(c["f"]),
                            "y": str(c["r"]),
                            "v": c["accounts"],
                            "value": c["value"],
                        }
                        for c in cells
                    ],
                    "guanxiAlpha": [round(0.15 + 0.85 * c["accounts"] / peak, 3) for c in cells],
                }
            ]
        },
        "options": {
            "guanxi": {
                "grid": [5, 5],
                "xLabels": ["1", "2", "3", "4", "5"],
                "yLabels": ["5", "4", "3", "2", "1"],
                "xTitle": _("Frequency (F)"),
                "yTitle": _("Recency (R)"),
            }
        },
    }
    return Chart(
        "rfm", _("RFM grid"), "matrix", config, links,
        [_("recency score (R)"), _("frequency score (F)"), _("accounts"), _("revenue to date")],
        [[c["r"], c["f"], c["accounts"], c["value"]] for c in cells],
        empty=not cells, plugins=("matrix",), list_url=reverse(accounts_url),
    )  # fmt: skip


def migration_chart(data: dict[str, Any]) -> Chart:
    flows = data["flows"]
    names = tier_names({f["from"] for f in flows} | {f["to"] for f in flows})
    since = data.get("since")
    links = []
    for f in flows:
        if f["from"] == f["to"]:
            params = {"scheme__id__exact": data["scheme"], "tier__id__exact": f["to"]}
            links.append(_url("admin:tiers_accounttier_changelist", **params) if f["to"] else None)
        else:
            params = {"scheme__id__exact": data["scheme"], "to_tier__id__exact": f["to"],
                      "effective_on_from": since}  # fmt: skip
            links.append(_url("admin:tiers_tierchange_changelist", **params))
    last_month, now = _("last month"), _("now")
    labels, colours = {}, {}
    tier_colour = tier_colours({f["from"] for f in flows} | {f["to"] for f in flows})
    for f in flows:
        colours[f"L{f['from']}"] = tier_colour.get(f["from"], "#94a3b8")
        colours[f"R{f['to']}"] = tier_colour.get(f["to"], "#94a3b8")
        labels[f"L{f['from']}"] = f"{names.get(f['from'], '?')} ({last_month})"
        labels[f"R{f['to']}"] = f"{names.get(f['to'], '?')} ({now})"
    config = {
        "type": "sankey",
        "data": {
            "datasets": [
                {
                    "label": _("Tier migration"),
                    "data": [
                        {"from": f"L{f['from']}", "to": f"R{f['to']}", "flow": f["accounts"]}
                        for f in flows
                    ],
                    "labels": labels,
                }
            ]
        },
        "options": {"guanxi": {"colours": colours}},
    }
    return Chart(
        "migration", _("Tier migration, last month → now"), "sankey", config, links,
        [_("tier at the end of last month"), _("tier now"), _("accounts")],
        [[names.get(f["from"], "?"), names.get(f["to"], "?"), f["accounts"]] for f in flows],
        empty=not flows, plugins=("sankey",),
        list_url=_url("admin:tiers_tierchange_changelist", scheme__id__exact=data["scheme"],
                      effective_on_from=since) if data["scheme"] else "",
    )  # fmt: skip


def cohort_chart(data: dict[str, Any]) -> Chart:
    cohorts = data["cohorts"]
    points, links, rows = [], [], []
    for c in cohorts:
        label = month_label(c["cohort"])
        rows.append([label, c["size"] if c["size"] else _("no data")] + [
            m["share"] if m["share"] is not None else _("no data") for m in c["months"]
        ])  # fmt: skip
        if not c["size"]:
            continue
        for m in c["months"]:
            points.append({"x": str(m["k"]), "y": label, "v": m["share"], "n": m["accounts"]})
            links.append(_url("dashboard_cohort", cohort=c["cohort"], k=m["k"]))
    config = {
        "type": "matrix",
        "data": {
            "datasets": [
                {
                    "label": _("Retention (%)"),
                    "data": points,
                    "guanxiAlpha": [round(0.1 + 0.9 * (p["v"] or 0) / 100, 3) for p in points],
                }
            ]
        },
        "options": {
            "guanxi": {
                "grid": [len(cohorts), len(cohorts)],
                "xLabels": [str(k) for k in range(len(cohorts))],
                "yLabels": [month_label(c["cohort"]) for c in cohorts],
                "xTitle": _("Months since the first purchase"),
                "percent": True,
            }
        },
    }
    headers = [_("first purchase"), _("accounts")] + [
        _("month %(k)s (%%)") % {"k": k} for k in range(len(cohorts))
    ]
    return Chart(
        "cohorts", _("Cohort retention"), "matrix", config, links, headers, rows,
        empty=not points, plugins=("matrix",),
        gaps=[month_label(c["cohort"]) for c in cohorts if not c["size"]],
    )  # fmt: skip


def category_chart(data: dict[str, Any]) -> Chart:
    months, series = data["months"], data["series"]
    names = {
        c.pk: localised(c.name, c.name_en)
        for c in ProductCategory.objects.filter(pk__in=[s["category"] for s in series])
    }
    datasets, links = [], []
    for i, s in enumerate(series):
        colour = PALETTE[i % len(PALETTE)]
        datasets.append({"label": names.get(s["category"], "?"), "data": s["values"],
                         "backgroundColor": colour, "stack": "revenue"})  # fmt: skip
        links.append([])
        for m in months:
            first = dt.date.fromisoformat(m)
            last = add_months(first, 1) - dt.timedelta(days=1)
            links[-1].append(_url("admin:transactions_transaction_changelist",
                              category__id__exact=s["category"],
                              occurred_at_from=first.isoformat(),
                              occurred_at_to=last.isoformat()))  # fmt: skip
    config = {
        "type": "bar",
        "data": {"labels": [month_label(m) for m in months], "datasets": datasets},
        "options": {"scales": {"x": {"stacked": True}, "y": {"stacked": True}}},
    }
    no_data = _("no data")
    rows = [
        [month_label(m)] + [s["values"][j] if s["values"][j] is not None else no_data
                            for s in series]
        for j, m in enumerate(months)
    ]  # fmt: skip
    return Chart(
        "categories", _("Revenue by category"), "bar", config, links,
        [_("month")] + [names.get(s["category"], "?") for s in series], rows,
        empty=not series, list_url=reverse("admin:transactions_transaction_changelist"),
        gaps=[month_label(m) for j, m in enumerate(months)
              if series and all(s["values"][j] is None for s in series)],
    )  # fmt: skip


def core_charts(data: dict[str, Any]) -> dict[str, Chart]:
    built = (
        pyramid_chart(data["pyramid"]),
        pareto_chart(data["pareto"]),
        rfm_chart(data["rfm"]),
        migration_chart(data["migration"]),
        cohort_chart(data["cohorts"]),
        category_chart(data["categories"]),
    )
    return {c.key: c for c in built}
