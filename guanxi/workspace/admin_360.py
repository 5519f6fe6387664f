"""The 360° page's pieces that are not the page itself (see `admin.AccountAdmin.view_360`):
the revenue chart, stacked by product category."""

from __future__ import annotations

import json

from guanxi.workspace.selectors import Account360

#: One colour per product category, in the categories' order (rooms, F&B, meeting …).
PALETTE = ("#2563eb", "#f59e0b", "#10b981", "#8b5cf6", "#ef4444", "#06b6d4", "#84cc16", "#ec4899")
_GREY = "#9ca3af"

#: Chart.js options (unfold passes them as they are, in place of its defaults): bars stacked by
#: category, a legend naming the categories, a tooltip listing a month's categories; a month
#: without a transaction of a category is a gap (null), never a zero bar.
CHART_OPTIONS = {
    "animation": False,
    "responsive": True,
    "maintainAspectRatio": False,
    "datasets": {"bar": {"maxBarThickness": 18, "borderRadius": 2}},
    "plugins": {
        "legend": {
            "display": True,
            "position": "top",
            "align": "end",
            "labels": {"boxWidth": 8, "boxHeight": 8, "color": _GREY},
        },
        "tooltip": {"enabled": True, "mode": "index", "intersect": False},
    },
    "scales": {
        "x": {"stacked": True, "grid": {"display": False}, "ticks": {"color": _GREY}},
        "y": {
            "stacked": True,
            "beginAtZero": True,
            "ticks": {"color": _GREY},
            "grid": {"color": "rgba(156,163,175,0.2)"},
        },
    },
}


def revenue_chart(data: Account360) -> tuple[str, str]:
    """The chart's data and options as JSON for unfold's bar chart component."""
    chart = {
        "labels": [m.strftime("%Y-%m") for m in data.revenue_months],
        "datasets": [
            {
                "label": str(series.category),
                "data": [None if v is None else float(v) for v in series.values],
                "backgroundColor": PALETTE[i % len(PALETTE)],
                "stack": "revenue",
            }
            for i, series in enumerate(data.revenue_by_category)
        ],
    }
    return json.dumps(chart), json.dumps(CHART_OPTIONS)
