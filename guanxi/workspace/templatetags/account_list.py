"""Lighter cells for the account list: unfold gives every cell ~480 bytes of utility classes (its
mobile card layout); 50 rows × 11 columns of them were most of the page. The list's template
swaps them for one short class whose rules it states once (change_list_results.html)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString, mark_safe
from unfold.templatetags.unfold_list import CHECKBOX_CLASSES, ROW_CLASSES

register = template.Library()

_SHORT = ((" ".join(ROW_CLASSES), "gx-cell"), (" ".join(CHECKBOX_CLASSES), "gx-cell gx-check"))


@register.filter
def light_cell(cell: str) -> SafeString:
    """The rendered cell with unfold's cell classes replaced by ``gx-cell`` (unchanged if unfold
    renders them differently: the page then only stays as heavy as before)."""
    html = str(cell)
    for long, short in _SHORT:
        html = html.replace(long, short, 1)
    return mark_safe(html)  # noqa: S308 - unfold's own HTML, only class names swapped
