"""Import runs (read-only) and the "Import a file" page, in the unfold admin."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.admin import ModelAdmin
from unfold.decorators import action, display

from guanxi.core.admin_mixins import ShowsInterruptedRuns
from guanxi.imports.columns import SPECS, template_csv
from guanxi.imports.forms import ImportForm
from guanxi.imports.models import ImportRun, ImportStatus
from guanxi.imports.report import SHOWN_ERRORS, errors_as_csv_rows
from guanxi.workspace.flows import file_import

SHOWN_IN_ADMIN = 500


def _staff(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def runs_visible_to(user: Any) -> QuerySet[ImportRun]:
    """Runs are visible to the user who started them; managers and admins see all."""
    if not (user and user.is_authenticated and user.is_active):
        return ImportRun.objects.none()
    if user.sees_all_accounts:
        return ImportRun.objects.all()
    return ImportRun.objects.filter(user=user)


@admin.register(ImportRun)
class ImportRunAdmin(ShowsInterruptedRuns, ModelAdmin):
    list_display = ("id", "started_at", "kind", "file_name", "user", "show_status", "rows_read",
                    "created_count", "updated_count", "unchanged_count", "failed_count",
                    "dry_run")  # fmt: skip
    list_display_links = ("id", "file_name")
    list_filter = ("kind", "status", "dry_run")
    search_fields = ("file_name", "source")
    date_hierarchy = "started_at"
    actions_list = ["open_upload"]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "kind",
                    "file_name",
                    "source",
                    "dry_run",
                    "user",
                    "status",
                    "message",
                )
            },
        ),  # fmt: skip
        (
            gettext_lazy("Counts"),
            {
                "fields": (
                    "rows_read",
                    "created_count",
                    "updated_count",
                    "unchanged_count",
                    "failed_count",
                    "started_at",
                    "finished_at",
                    "duration",
                )
            },
        ),  # fmt: skip
        (gettext_lazy("Problems"), {"fields": ("warnings_list", "errors_table")}),
    )

    # Read-only: runs are a record of what happened.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return _staff(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return _staff(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[ImportRun]:
        return runs_visible_to(request.user).select_related("user")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f for fs in self.fieldsets for f in fs[1]["fields"]]

    def change_view(self, request: HttpRequest, object_id: str, *args: Any, **kwargs: Any):
        self._get_visible(request, object_id)
        return super().change_view(request, object_id, *args, **kwargs)

    def _get_visible(self, request: HttpRequest, object_id: Any) -> ImportRun:
        run = self.get_queryset(request).filter(pk=str(object_id)).first() if str(
            object_id
        ).isdigit() else None  # fmt: skip
        if run is None:
            raise Http404(_("No such import run."))
        return run

    @display(description=gettext_lazy("status"), label={
        ImportStatus.SUCCEEDED: "success", ImportStatus.PARTIAL: "warning",
        ImportStatus.FAILED: "danger", ImportStatus.RUNNING: "info",
        ImportStatus.INTERRUPTED: "danger",
    })  # fmt: skip
    def show_status(self, obj: ImportRun) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @display(description=gettext_lazy("duration (s)"))
    def duration(self, obj: ImportRun) -> str:
        return "—" if obj.duration_seconds is None else f"{obj.duration_seconds:.2f}"

    @display(description=gettext_lazy("warnings"))
    def warnings_list(self, obj: ImportRun) -> str:
        if not obj.warnings:
            return "—"
        return format_html_join("", "<div>{}</div>", ((w,) for w in obj.warnings))

    @display(description=gettext_lazy("row errors"))
    def errors_table(self, obj: ImportRun) -> str:
        if not obj.errors:
            return "—"
        url = reverse("admin:imports_importrun_errors", args=[obj.pk])
        rows = format_html_join(
            "",
            "<tr><td class='pr-4'>{}</td><td class='pr-4'>{}</td><td class='pr-4'>{}</td>"
            "<td>{}</td></tr>",
            ((e.get("line"), e.get("column"), e.get("value"), e.get("message"))
             for e in obj.errors[:SHOWN_IN_ADMIN]),
        )  # fmt: skip
        more = len(obj.errors) - SHOWN_IN_ADMIN
        tail = _("… and %(n)s more in the download.") % {"n": more} if more > 0 else ""
        return format_html(
            "<p class='mb-2'><a class='text-primary-600 underline' href='{}'>{}</a></p>"
            "<table><thead><tr><th class='pr-4 text-left'>{}</th><th class='pr-4 text-left'>{}"
            "</th><th class='pr-4 text-left'>{}</th><th class='text-left'>{}</th></tr></thead>"
            "<tbody>{}</tbody></table><p>{}</p>",
            url, _("Download all errors as CSV"), _("line"), _("column"), _("value"),
            _("reason"), rows, tail,
        )  # fmt: skip

    # -- extra pages -------------------------------------------------------------------------
    @action(description=gettext_lazy("Import a file"), icon="upload_file")
    def open_upload(self, request: HttpRequest) -> HttpResponse:
        return HttpResponseRedirect(reverse("admin:imports_importrun_upload"))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("upload/", wrap(self.upload_view), name="imports_importrun_upload"),
            path(
                "template/<str:kind>.csv",
                wrap(self.template_view),
                name="imports_importrun_template",
            ),  # fmt: skip
            path(
                "<path:object_id>/errors.csv",
                wrap(self.errors_view),
                name="imports_importrun_errors",
            ),  # fmt: skip
            *super().get_urls(),
        ]

    def upload_view(self, request: HttpRequest) -> HttpResponse:
        if not _staff(request):
            raise Http404
        report = None
        if request.method == "POST":
            form = ImportForm(request.POST, request.FILES)
            if form.is_valid():
                upload = form.cleaned_data["file"]
                report = file_import(
                    kind=form.cleaned_data["kind"],
                    actor=request.user,
                    content=upload.read(),
                    file_name=upload.name,
                    source=form.cleaned_data["source"] or None,
                    dry_run=form.cleaned_data["dry_run"],
                )
        else:
            form = ImportForm(initial={"kind": request.GET.get("kind", "accounts")})
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a file"),
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "shown_errors": report.errors[:SHOWN_IN_ADMIN] if report else [],
            "specs": list(SPECS.values()),
            "run_url": (
                reverse("admin:imports_importrun_change", args=[report.run_id])
                if report and report.run_id
                else ""
            ),
            "shown_limit": SHOWN_ERRORS,
        }
        return TemplateResponse(request, "imports/upload.html", context)

    def template_view(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in SPECS:
            raise Http404
        response = HttpResponse("\ufeff" + template_csv(kind), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="guanxi-{kind}-template.csv"'
        return response

    def errors_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        run = self._get_visible(request, object_id)
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{run.pk}-errors.csv"'
        response.write("\ufeff")
        csv.writer(response).writerows(errors_as_csv_rows(run))
        return response
