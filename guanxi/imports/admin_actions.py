"""Admin actions that export the selected rows in the import format.

Add them to a ModelAdmin with `actions = [export_as_csv, export_as_xlsx]`. The queryset Django
passes is the changelist's (already limited by get_queryset's access rule); it is used as is.
"""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from guanxi.imports.exports import export_queryset, kind_for_model


@admin.action(description=_("Export selected as CSV (import format)"))
def export_as_csv(modeladmin: admin.ModelAdmin, request: HttpRequest,
                  queryset: QuerySet) -> HttpResponse:  # fmt: skip
    return export_queryset(kind_for_model(queryset.model), queryset, "csv")


@admin.action(description=_("Export selected as Excel (import format)"))
def export_as_xlsx(modeladmin: admin.ModelAdmin, request: HttpRequest,
                   queryset: QuerySet) -> HttpResponse:  # fmt: skip
    return export_queryset(kind_for_model(queryset.model), queryset, "xlsx")
