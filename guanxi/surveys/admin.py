"""Survey pages: templates (configuration: managers change them), invitations (each link as
a URL and a QR code to send by WeChat; "send a survey" is the add page, also reached from an
account or a contact with ``?account=`` / ``?contact=``), answers, and the results page.
Invitations and answers follow the account access rule (ScopedModelAdmin)."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin, TabularInline

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.core.admin_mixins import ConfigAccessMixin, is_staff
from guanxi.core.errors import ApplicationError
from guanxi.imports.admin_rows import row_import_page
from guanxi.surveys import admin_results
from guanxi.surveys.models import (
    Language,
    SurveyInvitation,
    SurveyItem,
    SurveyResponse,
    SurveyTemplate,
)
from guanxi.surveys.services import invitation_create, invitation_url
from guanxi.workspace import flows


def absolute_url(request: HttpRequest, invitation: SurveyInvitation) -> str:
    return request.build_absolute_uri(invitation_url(invitation))


def qr_svg(url: str) -> str:
    """The link as an inline SVG QR code (for WeChat's scanner), drawn here: no image host."""
    return segno.make(url, error="m").svg_inline(scale=4, border=2)


class SurveyItemInline(TabularInline):
    model = SurveyItem
    extra = 0
    fields = ("position", "answer", "dimension", "text", "text_en", "required")


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(ConfigAccessMixin, SimpleHistoryAdmin, ModelAdmin):
    list_display = ("code", "name", "name_en", "kind", "active")
    list_filter = ("kind", "active")
    search_fields = ("code", "name", "name_en")
    inlines = [SurveyItemInline]


class InvitationForm(forms.ModelForm):
    expires_days = forms.IntegerField(
        label=gettext_lazy("Link valid for (days)"), min_value=1, max_value=366, initial=30
    )

    class Meta:
        model = SurveyInvitation
        fields = ("template", "account", "contact", "language")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        account, contact = data.get("account"), data.get("contact")
        if account is not None and contact is not None and contact.account_id != account.pk:
            self.add_error("contact", _("Choose a contact of this account."))
        return data


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ScopedModelAdmin):
    form = InvitationForm
    list_display = (
        "template",
        "account",
        "contact",
        "source",
        "sent_at",
        "expires_at",
        "answered_at",
        "link",
    )
    list_select_related = ("template", "account", "contact")
    list_filter = ("template", "source", ("answered_at", admin.EmptyFieldListFilter))
    search_fields = ("account__name", "account__code", "contact__name", "reference")
    autocomplete_fields = ("account", "contact")
    date_hierarchy = "sent_at"
    readonly_fields = (
        "template",
        "account",
        "contact",
        "language",
        "source",
        "reference",
        "sent_by",
        "sent_at",
        "expires_at",
        "answered_at",
    )

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple:
        return self.readonly_fields if obj is not None else ()

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return ("template", "account", "contact", "language", "expires_days")
        return self.readonly_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("template", SurveyTemplate.objects.filter(code="nps").first())
        initial.setdefault("language", Language.ZH_HANS)
        return initial

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a link is sent, not edited

    @admin.display(description=gettext_lazy("Link"))
    def link(self, obj: SurveyInvitation) -> str:
        return format_html(
            '<a href="{}" data-survey-link="{}" target="_blank" rel="noopener">{}</a>',
            reverse("admin:surveys_surveyinvitation_change", args=(obj.pk,)),
            obj.pk,
            _("URL and QR code"),
        )

    def changeform_view(
        self, request: HttpRequest, object_id=None, form_url="", extra_context=None
    ):
        extra_context = dict(extra_context or {})
        invitation = self.get_object(request, object_id) if object_id else None
        if invitation is not None:
            url = absolute_url(request, invitation)
            # segno's own SVG of our URL: no image host, nothing from the user.
            extra_context.update(survey_url=url, survey_qr=mark_safe(qr_svg(url)))  # noqa: S308
        return super().changeform_view(request, object_id, form_url, extra_context)

    def save_model(self, request: HttpRequest, obj: SurveyInvitation, form: Any, change: bool):
        created = invitation_create(
            actor=request.user,
            template=form.cleaned_data["template"],
            account=form.cleaned_data["account"],
            contact=form.cleaned_data.get("contact"),
            language=form.cleaned_data["language"],
            expires_days=form.cleaned_data["expires_days"],
        )
        obj.pk = created.pk
        obj.refresh_from_db()

    def _changeform_view(self, request, object_id, form_url, extra_context):
        try:
            return super()._changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:  # a rule the form could not know (template inactive …)
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(request.get_full_path())

    def response_add(self, request: HttpRequest, obj: SurveyInvitation, post_url_continue=None):
        return HttpResponseRedirect(
            reverse("admin:surveys_surveyinvitation_change", args=(obj.pk,))
        )


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ScopedModelAdmin):
    list_display = (
        "answered_at",
        "template",
        "account",
        "contact",
        "nps_score",
        "csat_score",
        "servqual_gap",
        "category",
        "recovery_task",
    )
    list_select_related = ("template", "account", "contact", "recovery_task")
    list_filter = ("template", "language")
    search_fields = ("account__name", "account__code", "contact__name", "comment")
    date_hierarchy = "answered_at"
    exclude = ("invitation",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields if f.name != "invitation"]

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False  # answers come from the link or an import

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the customer's words and scores, as given

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Answers are the customers' evidence: a KAM could otherwise remove their own
        detractors' scores. Only a superuser deletes one (a test answer, a duplicate), and
        Django's admin log records who deleted which."""
        user = request.user
        return bool(user.is_superuser) and super().has_delete_permission(request, obj)

    @admin.display(description=gettext_lazy("NPS category"))
    def category(self, obj: SurveyResponse) -> str:
        return {
            "promoter": _("Promoter"),
            "passive": _("Passive"),
            "detractor": _("Detractor"),
        }.get(obj.nps_category or "", "—")

    def get_urls(self):
        results = self.admin_site.admin_view(admin_results.results_view)
        answers_import = self.admin_site.admin_view(self.import_view)
        return [
            path("results/", results, name="surveys_results"),
            path("import/", answers_import, name="surveys_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> TemplateResponse:
        """Answers of surveys run elsewhere, from CSV or XLSX (all or nothing)."""
        # deferred: the importer loads polars, which only this page needs
        from guanxi.surveys.importer import SURVEY_ANSWERS

        if not is_staff(request):
            raise PermissionDenied
        return row_import_page(
            request,
            self,
            spec=SURVEY_ANSWERS,
            run=flows.survey_answers_imported,  # then what the answers mean for loyalty
            title=_("Import survey answers"),
            flagged_text=lambda result: (
                _("%(n)s answers already on file were skipped.") % {"n": result.flagged}
            ),
        )
