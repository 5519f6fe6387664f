"""Two speed fixes to django-unfold's change lists, applied when the core app is ready.

- unfold 0.91's `items_for_result` rebuilds every column header (sort links, classes) for every
  cell of every row — 50 rows × 10 columns rebuilt the headers 510 times, about a fifth of a task
  list's server time. The headers depend only on the change list: built once per list.
- Its row checkbox renders a form widget template per row (~15 % of a list's time); the markup
  differs only by the row's id, so it is rendered once per language and the id put in.

Remove them when unfold stops doing this work per row (`test_unfold_patches` shows the markup
stays unfold's own).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.admin import helpers
from django.db.models import Model
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from unfold import admin as unfold_admin
from unfold.templatetags import unfold_list

_original = unfold_list.result_headers
_original_checkbox = unfold_admin.ModelAdmin.action_checkbox
_PK = "__guanxi_pk__"


def _result_headers_once(cl: Any) -> list:
    headers = getattr(cl, "_guanxi_result_headers", None)
    if headers is None:
        headers = list(_original(cl))
        cl._guanxi_result_headers = headers
    return headers


@cache
def _checkbox_markup(language: str | None) -> str:
    # Once per language: the markup holds a translated label ("Select record", 选择记录).
    return str(unfold_admin.checkbox.render(helpers.ACTION_CHECKBOX_NAME, _PK))


def _action_checkbox(self: Any, obj: Model) -> SafeString:
    markup = _checkbox_markup(get_language())
    return mark_safe(markup.replace(_PK, escape(str(obj.pk))))  # noqa: S308


def apply() -> None:
    if unfold_list.result_headers is not _result_headers_once:
        unfold_list.result_headers = _result_headers_once
    if unfold_admin.ModelAdmin.action_checkbox is _original_checkbox:
        # Keep the column's header (the select-all box) that unfold's @display gave it.
        _action_checkbox.__dict__.update(_original_checkbox.__dict__)
        unfold_admin.ModelAdmin.action_checkbox = _action_checkbox
