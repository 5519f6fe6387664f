"""The admin page that imports a file row by row through an app's service (`imports.rows`):
the upload form, the result with each bad line, and the file's columns. The leads and the
opportunities admin each serve it at their own `import/` URL."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from guanxi.imports.columns import Spec
from guanxi.imports.exports import export_table
from guanxi.imports.forms import RowImportForm

if TYPE_CHECKING:  # the importer loads polars, which the pages need only once a file comes
    from guanxi.imports.rows import RowImportResult


def row_import_page(
    request: HttpRequest,
    model_admin: Any,
    *,
    spec: Spec,
    title: str,
    run: Callable[..., RowImportResult],
    flagged_text: Callable[[RowImportResult], str] | None = None,
) -> TemplateResponse:
    """GET: the form; POST: ``run(actor=, content=, file_name=, dry_run=)`` and its result."""
    result = None
    form = RowImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        result = run(actor=request.user, content=upload.read(), file_name=upload.name,
                     dry_run=form.cleaned_data["dry_run"])  # fmt: skip
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": title,
        "form": form,
        "result": result,
        "spec": spec,
        "flagged_text": flagged_text(result) if result and result.flagged and flagged_text else "",
    }
    return TemplateResponse(request, "admin/imports/row_import.html", context)


FileFormat = Callable[[], tuple[Spec, Callable[[QuerySet], Any]]]


def export_actions(file_format: FileFormat) -> list[Any]:
    """The list's "export selected" actions (CSV and Excel) in the import format that
    ``file_format()`` returns: its `Spec` and a function from the selected rows to row dicts.
    The rows Django passes are the changelist's, already limited by the access rule."""

    @admin.action(description=_("Export selected as CSV (import format)"))
    def export_as_csv(model_admin: Any, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        spec, rows = file_format()
        return export_table(spec, rows(queryset), "csv")

    @admin.action(description=_("Export selected as Excel (import format)"))
    def export_as_xlsx(model_admin: Any, request: HttpRequest, queryset: QuerySet) -> HttpResponse:
        spec, rows = file_format()
        return export_table(spec, rows(queryset), "xlsx")

    return [export_as_csv, export_as_xlsx]
