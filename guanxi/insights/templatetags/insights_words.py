"""The value analysis in words on other pages (the 360° page's status line)."""

from __future__ import annotations

from typing import Any

from django import template

from guanxi.insights.wording import status_disagreement

register = template.Library()


@register.simple_tag
def status_note(account: Any, score: Any) -> str:
    """Why the account's status and its latest score disagree ("" when they agree)."""
    return status_disagreement(account.status, score)
