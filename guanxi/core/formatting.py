"""Numbers as people read them, for pages and for the sentences services compose ("CLV ¥52,000")."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.utils.translation import get_language, pgettext


def localised(name: str, name_en: str) -> str:
    """A name kept in both languages, in the reader's: the English one on an English page when
    there is one, else the Chinese."""
    if (get_language() or "").startswith("en") and name_en:
        return name_en
    return name


def money(value: Any, places: int = 0) -> str:
    """¥12,345: whole yuan grouped by thousands in every language (Django's zh-hans locale
    groups by nothing, which makes large sums hard to read); overview pages need no cents,
    ledgers ask for them with `places=2` (¥84,493.63)."""
    if value is None or value == "":
        return "—"
    return f"¥{grouped(value, places)}"


def grouped(value: Any, places: int = 0) -> str:
    """12,345 (a quantity, not money): grouped by thousands in every language, as `money`."""
    if value is None or value == "":
        return "—"
    return f"{Decimal(value):,.{int(places)}f}"


def list_separator() -> str:
    """ ", " in English, "、" in Chinese: the separator of a list inside a sentence or a cell."""
    return pgettext("list separator", ", ")


def join_words(items: Iterable[Any]) -> str:
    """Names or labels as one list in the reader's language ("rooms, drinks" / "客房、酒水")."""
    return list_separator().join(str(item) for item in items)
