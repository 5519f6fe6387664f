"""The key-account selection score (选择标准) in the admin: the criteria and their weights
(managers edit), the ranking of the accounts the user sees by their latest assessment with each
term explained, an assessment form for a KAM, and every assessment kept as history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.widgets import (
    UnfoldAdminRadioSelectWidget,
    UnfoldAdminSelectWidget,
    UnfoldAdminTextareaWidget,
)

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.accounts.selectors import accounts_visible_to
from guanxi.core.admin_mixins import ConfigAccessMixin, show_service_error
from guanxi.core.errors import ApplicationError
from guanxi.leads.models import SelectionAssessment, SelectionCriterion
from guanxi.leads.selection import explain, qualitative_criteria
from guanxi.leads.selectors import criteria_by_id, selection_history, selection_ranking
from guanxi.leads.services import selection_assess

#: The assessment form offers at most this many accounts (by name); others by ?account=<id>.
ACCOUNT_CHOICES = 300
SCORES = [(str(n), str(n)) for n in range(1, 6)]


@admin.register(SelectionCriterion)
class SelectionCriterionAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = ("__str__", "kind", "weight", "active", "position")
    list_editable = ("weight", "active")
    fields = ("name", "kind", "weight", "description", "position", "active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # A quantitative criterion is read from the data: only its weight is the manager's.
        return ("kind",) if obj is not None and obj.builtin else ()


class AssessForm(forms.Form):
    account = forms.TypedChoiceField(label=gettext_lazy("account"), coerce=int,
                                     widget=UnfoldAdminSelectWidget)  # fmt: skip
    notes = forms.CharField(label=gettext_lazy("notes"), required=False,
                            widget=UnfoldAdminTextareaWidget(attrs={"rows": 3}))  # fmt: skip

    def __init__(self, *args: Any, actor: Any, account: int | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        visible = accounts_visible_to(actor)
        choices = list(visible.order_by("name").values_list("pk", "name")[:ACCOUNT_CHOICES])
        if account and account not in {pk for pk, _n in choices}:
            choices = list(visible.filter(pk=account).values_list("pk", "name")) + choices
        self.fields["account"].choices = choices
        self.fields["account"].initial = account
        self.criteria = qualitative_criteria()
        for criterion in self.criteria:
            self.fields[criterion.key] = forms.TypedChoiceField(
                label=str(criterion), choices=SCORES, coerce=int,
                help_text=criterion.description, widget=UnfoldAdminRadioSelectWidget,
            )  # fmt: skip

    def scores(self) -> dict[str, int]:
        return {c.key: self.cleaned_data[c.key] for c in self.criteria}


def explained(assessments: list[SelectionAssessment]) -> list[dict[str, Any]]:
    """Each assessment with its terms labelled and explained, and the one-line summary of the
    counted terms, built here once rather than by template tags per row."""
    criteria = criteria_by_id()
    rows = []
    for assessment in assessments:
        terms = [
            {**term, "label": str(criteria.get(term["criterion"], term["key"])),
             "explanation": explain(term), "counted": term["score"] is not None}
            for term in assessment.terms
        ]  # fmt: skip
        summary = " · ".join(
            f"{t['label']} {t['score']}×{t['weight']}" for t in terms if t["counted"]
        )
        rows.append({"assessment": assessment, "terms": terms, "summary": summary,
                     "account_url": reverse("admin:accounts_account_change",
                                            args=(assessment.account_id,))})  # fmt: skip
    return rows


@admin.register(SelectionAssessment)
class SelectionAssessmentAdmin(ScopedModelAdmin):
    list_display = ("account", "total", "value_score", "assessed_by", "assessed_at", "is_latest")
    list_select_related = ("account", "assessed_by")
    list_filter = ("is_latest",)
    search_fields = ("account__name", "account__code")
    ordering = ("-assessed_at", "-id")
    readonly_fields = ("account", "total", "value_score", "terms", "notes", "assessed_by",
                       "assessed_at", "is_latest")  # fmt: skip

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # through the assessment form, which reads the data

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("ranking/", view(self.ranking_view), name="leads_selectionassessment_ranking"),
            path("assess/", view(self.assess_view), name="leads_selectionassessment_assess"),
            *super().get_urls(),
        ]

    def ranking_view(self, request: HttpRequest) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Key-account selection"),
            "rows": explained(selection_ranking(actor=request.user)),
            "assess_url": reverse("admin:leads_selectionassessment_assess"),
        }
        return TemplateResponse(request, "admin/leads/selection/ranking.html", context)

    def assess_view(self, request: HttpRequest) -> HttpResponse:
        raw = request.GET.get("account", "")
        account = int(raw) if raw.isdigit() else None
        data = request.POST if request.method == "POST" else None
        form = AssessForm(data, actor=request.user, account=account)
        if data is not None and form.is_valid():
            try:
                selection_assess(
                    actor=request.user,
                    account=form.cleaned_data["account"],
                    scores=form.scores(),
                    notes=form.cleaned_data["notes"],
                )
            except ApplicationError as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, _("The assessment is saved."))
                return HttpResponseRedirect(reverse("admin:leads_selectionassessment_ranking"))
        history = selection_history(actor=request.user, account=account) if account else []
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Assess an account"),
            "form": form,
            "history": explained(history),
        }
        return TemplateResponse(request, "admin/leads/selection/assess.html", context)
