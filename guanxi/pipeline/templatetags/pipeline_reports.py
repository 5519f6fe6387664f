"""Filters of the pipeline's report pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def share(value: Any) -> str:
    """A ratio (0.4) as a percentage ("40.0%"); "—" when there is none (nothing to divide)."""
    if value is None or value == "":
        return "—"
    try:
        return f"{float(value) * 100:.1f}%"
    except (TypeError, ValueError):
        return "—"


@register.filter
def bar(value: Any) -> int:
    """A ratio as a bar width in per cent, 0–100."""
    try:
        return max(0, min(100, round(float(value or 0) * 100)))
    except (TypeError, ValueError):
        return 0
