"""Template filters for Guanxi's admin pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from guanxi.core.formatting import grouped, money

register = template.Library()


# The one formatter of sums, shared with the services that write sentences.
register.filter("money", money)
register.filter("grouped", grouped)


@register.filter
def percent_of(part: Any, whole: Any) -> str:
    try:
        if not whole:
            return "—"
        return f"{Decimal(part) / Decimal(whole) * 100:.1f}%"
    except (ArithmeticError, TypeError, ValueError):
        return "—"
