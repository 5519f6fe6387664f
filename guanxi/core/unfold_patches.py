"""Two speed fixes to django-unfold's change lists and a guard on simple-history's page,
applied when the core app is ready.

- unfold 0.91's `items_for_result` rebuilds every column header (sort links, classes) for every
  cell of every row — 50 rows × 10 columns rebuilt the headers 510 times, about a fifth of a task
  list's server time. The headers depend only on the change list: built once per list.
- Its row checkbox renders a form widget template per row (~15 % of a list's time); the markup
  differs only by the row's id, so it is rendered once per language and the id put in.

Remove them when unfold stops doing this work per row (`test_unfold_patches` shows the markup
stays unfold's own).

- simple-history's history page fails with a 500 on a model it does not track (an admin that
  takes `SimpleHistoryAdmin` for a model without `HistoricalRecords`: product categories,
  pipelines): such a model shows Django's own change log instead.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.contrib.admin import ModelAdmin as DjangoModelAdmin
from django.contrib.admin import helpers
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from simple_history.admin import SimpleHistoryAdmin
from unfold import admin as unfold_admin
from unfold.templatetags import unfold_list

_original = unfold_list.result_headers
_original_checkbox = unfold_admin.ModelAdmin.action_checkbox
_PK = "__guanxi_pk__"
_original_history_view = SimpleHistoryAdmin.history_view


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


def _history_view(
    self: Any, request: HttpRequest, object_id: str, extra_context: Any = None
) -> HttpResponse:
    if hasattr(self.model._meta, "simple_history_manager_attribute"):
        return _original_history_view(self, request, object_id, extra_context)
    # The template is simple-history's, which lists `historical_records`: none here.
    context = {**(extra_context or {}), "historical_records": []}
    return DjangoModelAdmin.history_view(self, request, object_id, context)


def apply() -> None:
    if unfold_list.result_headers is not _result_headers_once:
        unfold_list.result_headers = _result_headers_once
    if unfold_admin.ModelAdmin.action_checkbox is _original_checkbox:
        # Keep the column's header (the select-all box) that unfold's @display gave it.
        _action_checkbox.__dict__.update(_original_checkbox.__dict__)
        unfold_admin.ModelAdmin.action_checkbox = _action_checkbox
    if SimpleHistoryAdmin.history_view is _original_history_view:
        SimpleHistoryAdmin.history_view = _history_view
