"""One speed fix to django-unfold's change lists, applied when the core app is ready.

unfold 0.91's `items_for_result` rebuilds every column header (sort links, classes) for every
cell of every row — 50 rows × 10 columns rebuilt the headers 510 times, about a fifth of a task
list's server time. The headers depend only on the change list, so they are built once per
change list and reused. Remove this module when unfold stops rebuilding them per row.
"""

from __future__ import annotations

from typing import Any

from unfold.templatetags import unfold_list

_original = unfold_list.result_headers


def _result_headers_once(cl: Any) -> list:
    headers = getattr(cl, "_guanxi_result_headers", None)
    if headers is None:
        headers = list(_original(cl))
        cl._guanxi_result_headers = headers
    return headers


def apply() -> None:
    if unfold_list.result_headers is not _result_headers_once:
        unfold_list.result_headers = _result_headers_once
