"""Product categories as an imported file names them: by code, Chinese or English name."""

from __future__ import annotations

from django.utils.translation import get_language

from guanxi.transactions.models import ProductCategory
from guanxi.transactions.selectors import category_key


def _in_a_list(cat: ProductCategory) -> str:
    """In English the code and the Chinese name (both are what a file may say: "rooms (客房)");
    in Chinese the name alone."""
    if (get_language() or "").startswith("en"):
        return f"{cat.code} ({cat.name})"
    return cat.name


def category_lookup() -> tuple[dict[str, int], list[str]]:
    """Code, Chinese and English name (any case) → id; and the categories as a message lists
    them ("rooms (客房)" in English, "客房" in Chinese)."""
    lookup: dict[str, int] = {}
    known: list[str] = []
    for cat in ProductCategory.objects.all():
        known.append(_in_a_list(cat))
        for name in (cat.code, cat.name, cat.name_en):
            if name:
                lookup.setdefault(category_key(name), cat.pk)
    return lookup, known
