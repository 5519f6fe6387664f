"""Template filters for Guanxi's admin pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any, places: int = 0) -> str:
    """¥12,345: whole yuan grouped by thousands in every language (Django's zh-hans locale
    groups by nothing, which makes large sums hard to read); overview pages need no cents,
    ledgers ask for them with `places=2` (¥84,493.63)."""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(value):,.{int(places)}f}"


@register.filter
def percent_of(part: Any, whole: Any) -> str:
    try:
        if not whole:
            return "—"
        return f"{Decimal(part) / Decimal(whole) * 100:.1f}%"
    except (ArithmeticError, TypeError, ValueError):
        return "—"
