"""Template filters for Guanxi's admin pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()


@register.filter
def money(value: Any) -> str:
    """¥12,345: whole yuan grouped by thousands in every language (Django's zh-hans locale
    groups by nothing, which makes large sums hard to read); overview pages need no cents."""
    if value is None or value == "":
        return "—"
    return f"¥{Decimal(value):,.0f}"


@register.filter
def percent_of(part: Any, whole: Any) -> str:
    try:
        if not whole:
            return "—"
        return f"{Decimal(part) / Decimal(whole) * 100:.1f}%"
    except (ArithmeticError, TypeError, ValueError):
        return "—"
