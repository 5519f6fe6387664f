"""The assessment pages: the checklists (data: questions, options, weights; managers edit
them), the assessments (every one kept; read-only once scored) and the form a KAM fills in for
an account (/admin/assessments/assessment/fill/<account id>/, reached from the 360° page)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.accounts.services import account_for_actor
from guanxi.assessments.forms import AssessmentForm
from guanxi.assessments.models import Answer, Assessment, Checklist, Option, Question
from guanxi.assessments.selectors import account_assessments
from guanxi.assessments.services import active_checklists, assessment_create
from guanxi.core.admin_mixins import ConfigAccessMixin, show_service_error
from guanxi.core.errors import ApplicationError, NotFound


class QuestionInline(TabularInline):
    model = Question
    fields = ("position", "text", "text_en", "weight")
    extra = 0
    show_change_link = True


@admin.register(Checklist)
class ChecklistAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = ("code", "name", "name_en", "kind", "is_active", "high_from", "medium_from")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_en")
    inlines = [QuestionInline]


class OptionInline(TabularInline):
    model = Option
    fields = ("position", "label", "label_en", "points")
    extra = 0


@admin.register(Question)
class QuestionAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = ("checklist", "position", "text", "text_en", "weight")
    list_filter = ("checklist",)
    inlines = [OptionInline]

    def has_module_permission(self, request: HttpRequest) -> bool:
        return False  # reached from a checklist


class AnswerInline(TabularInline):
    model = Answer
    fields = ("question", "option")
    readonly_fields = ("question", "option")
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(ScopedModelAdmin):
    list_display = (
        "account", "assessed_on", "assessed_by", "willingness_score", "willingness_band",
        "quality_score", "quality_band", "is_latest",
    )  # fmt: skip
    list_select_related = ("account", "assessed_by")
    list_filter = (
        ("willingness_band", ChoicesDropdownFilter),
        ("quality_band", ChoicesDropdownFilter),
        "is_latest",
    )
    search_fields = ("account__name", "account__code")
    readonly_fields = (
        "account", "assessed_on", "assessed_by", "willingness_score", "willingness_band",
        "quality_score", "quality_band", "is_latest", "created_at",
    )  # fmt: skip
    fields = (*readonly_fields, "note")
    inlines = [AnswerInline]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # filled in through the form of an account (fill_view)

    def get_urls(self) -> list:
        fill = self.admin_site.admin_view(self.fill_view)
        return [
            path("fill/<int:account_id>/", fill, name="assessments_assessment_fill"),
            *super().get_urls(),
        ]

    def fill_view(self, request: HttpRequest, account_id: int) -> HttpResponse:
        try:
            account = account_for_actor(actor=request.user, account_id=account_id)
        except NotFound:
            raise Http404 from None
        checklists = sorted(active_checklists().values(), key=lambda c: c.kind, reverse=True)
        form = AssessmentForm(request.POST or None, checklists=checklists)
        if request.method == "POST" and form.is_valid():
            try:
                assessment_create(
                    actor=request.user, account=account, answers=form.answers(),
                    assessed_on=form.day(), note=form.cleaned_data["note"],
                )  # fmt: skip
            except ApplicationError as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, _("The assessment was saved."))
                return HttpResponseRedirect(
                    reverse("admin:accounts_account_view_360", args=(account.pk,))
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Assess %(account)s") % {"account": account.name},
            "account": account,
            "form": form,
            "sections": [(c, [form[n] for n in names]) for c, names in form.sections],
            "history": list(account_assessments(account)[:5]),
        }
        status = 400 if request.method == "POST" else 200
        return TemplateResponse(request, "admin/assessments/fill.html", context, status=status)
