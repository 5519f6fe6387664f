"""Leads (线索) in the admin: the list (status, source, owner; search by company, person, mobile),
the lead's form with its MAN checklist, pages to qualify, disqualify (with a reason from the list),
reopen, see the likely duplicates and attach the lead to one, and convert it (into an account and
contact on file or new ones, and optionally an opportunity). The lists kept as data (sources,
disqualification reasons) are managers' to edit.

Leads reach an account only once converted, so rows are scoped by `leads_visible_to` (owner, the
team lead's team, managers all) rather than the account rule; every write goes through the
services, so the rules and the audit history are the API's.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import ChoicesDropdownFilter, RelatedDropdownFilter
from unfold.decorators import action, display

from guanxi.accounts.admin_base import ScopedModelAdmin
from guanxi.accounts.services import assignable_owners
from guanxi.core.admin_mixins import (
    ColleagueDropdownFilter,
    ConfigAccessMixin,
    service_error_text,
)
from guanxi.core.errors import ApplicationError
from guanxi.core.models import User
from guanxi.imports.admin_rows import export_actions, row_import_page
from guanxi.leads import (
    admin_selection,  # noqa: F401 (registers the selection-score pages)
    services,
)
from guanxi.leads.forms import ConvertForm, DisqualifyForm, LeadForm
from guanxi.leads.models import DisqualifyReason, Lead, LeadSource, LeadStatus
from guanxi.leads.selectors import active_sources, lead_for_actor, leads_visible_to
from guanxi.pipeline.convert import lead_convert
from guanxi.transactions.admin import CountedPaginator
from guanxi.workspace import flows

STATUS_COLOURS = {
    LeadStatus.NEW: "info",
    LeadStatus.WORKING: "warning",
    LeadStatus.QUALIFIED: "success",
    LeadStatus.DISQUALIFIED: "danger",
    LeadStatus.CONVERTED: "",
}
MAN_FIELDS = ("money", "money_evidence", "authority", "authority_evidence", "need",
              "need_evidence")  # fmt: skip
PLAIN_FIELDS = tuple(sorted(services.LEAD_FIELDS))
RELATED = ("owner", "source", "referred_by_account", "referred_by_contact")
TEMPLATE = "admin/leads/lead/{}.html"


def _look_like_records_on_file(result: Any) -> str:
    n = result.flagged
    return ngettext(
        "%(n)s of them looks like a record already on file (see its likely duplicates).",
        "%(n)s of them look like records already on file (see their likely duplicates).",
        n,
    ) % {"n": n}


def _lead_file_format():
    # deferred: the file format's module is the importer's, which loads polars
    from guanxi.leads.importer import LEADS, lead_export_rows

    return LEADS, lead_export_rows


@admin.register(Lead)
class LeadAdmin(ScopedModelAdmin):
    form = LeadForm
    actions = export_actions(_lead_file_format)
    list_display = ("company", "person_name", "mobile", "source", "owner", "status_display",
                    "created_at")  # fmt: skip
    list_select_related = ("owner", "source")
    list_filter = (
        ("status", ChoicesDropdownFilter),
        ("source", RelatedDropdownFilter),
        ("owner", ColleagueDropdownFilter),
    )
    # No COUNT(*) over a big list: PostgreSQL's estimate above 50,000 rows.
    paginator = CountedPaginator
    search_fields = ("company", "person_name", "mobile")
    search_help_text = gettext_lazy("Company, contact person or mobile")
    ordering = ("-created_at", "-id")
    actions_detail = ("qualify", "disqualify", "reopen", "duplicates", "convert")
    #: The statuses each button starts from (as the services allow); the others are hidden.
    ACTION_FROM = {
        "qualify": (LeadStatus.NEW, LeadStatus.WORKING),
        "disqualify": (LeadStatus.NEW, LeadStatus.WORKING),
        "reopen": (LeadStatus.QUALIFIED, LeadStatus.DISQUALIFIED),
        "duplicates": (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.QUALIFIED),
        "convert": (LeadStatus.QUALIFIED,),
    }

    #: The steps sit in a row under the lead's name, not in the header beside it: with three or
    #: four of them there the name was cut to a few characters at 1024 px.
    change_form_outer_before_template = "admin/leads/lead/_steps.html"

    def render_change_form(self, request: HttpRequest, context: dict, *args: Any,
                           **kwargs: Any) -> HttpResponse:  # fmt: skip
        obj = kwargs.get("obj")
        shown = self.get_actions_detail(request, obj.pk) if obj is not None else []
        context["lead_steps"] = [
            {"name": a.method.__name__, "title": a.description, "icon": a.icon,
             "path": reverse(f"{self.admin_site.name}:{a.action_name}", args=(obj.pk,))}
            for a in shown
        ]  # fmt: skip
        context["actions_detail"] = []
        return super().render_change_form(request, context, *args, **kwargs)

    def get_actions_detail(self, request: HttpRequest, object_id: Any) -> list:
        shown = super().get_actions_detail(request, object_id)
        try:
            lead = lead_for_actor(actor=request.user, lead=int(object_id))
        except (ApplicationError, TypeError, ValueError):
            return []
        return [a for a in shown if lead.status in self.ACTION_FROM[a.method.__name__]]

    readonly_fields = ("status", "disqualify_reason", "disqualify_note", "account", "contact",
                       "converted_at", "created_at", "updated_at")  # fmt: skip
    fieldsets = (
        (
            None,
            {
                "fields": (
                    ("company", "industry", "city"),
                    ("person_name", "job_title"),
                    ("mobile", "email", "wechat"),
                    ("source", "campaign"),
                    ("referred_by_account", "referred_by_contact"),
                    "owner",
                    "notes",
                )
            },
        ),
        (
            gettext_lazy("Qualification (MAN)"),
            {
                "classes": ["tab"],
                "description": gettext_lazy(
                    "Money, authority and need, each with its evidence: a lead qualifies only "
                    "when all three are yes."
                ),
                "fields": MAN_FIELDS,
            },
        ),
        (
            gettext_lazy("Outcome"),
            {
                "classes": ["tab"],
                "fields": (
                    "status",
                    ("disqualify_reason", "disqualify_note"),
                    ("account", "contact", "converted_at"),
                    ("created_at", "updated_at"),
                ),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest):
        return leads_visible_to(request.user).select_related("owner", "source")

    @display(description=gettext_lazy("status"), ordering="status", label=STATUS_COLOURS)
    def status_display(self, obj: Lead) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    # --- form ---------------------------------------------------------------------------------

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "owner":
            kwargs["queryset"] = assignable_owners(request.user,
                                                   User.objects.filter(is_active=True))  # fmt: skip
            kwargs["initial"] = request.user.pk
        elif db_field.name == "source":
            kwargs["queryset"] = active_sources()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status == LeadStatus.CONVERTED:
            return fields + PLAIN_FIELDS + MAN_FIELDS + RELATED
        return fields

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # A converted lead is a record of what happened: read-only.
        if isinstance(obj, Lead) and obj.status == LeadStatus.CONVERTED:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Lead, form: Any, change: bool) -> None:
        """Through the services: the team follows the owner, the first MAN answer starts work,
        a new lead's likely duplicates are shown (after saving) to attach to; through the flows,
        so its referrer is a referral on the referrals page."""
        data = form.cleaned_data
        plain = {n: data[n] for n in PLAIN_FIELDS if n in form.changed_data or not change}
        related = {n: data.get(n) for n in RELATED if n in form.changed_data}
        man = {n: data[n] for n in MAN_FIELDS if n in form.changed_data}
        if change:
            lead = flows.lead_change(actor=request.user, lead=obj, **related, **plain)
        else:
            related["source"] = data["source"]
            lead, found = flows.lead_record(actor=request.user, **related, **plain)
            request._lead_duplicates = found
        if man:
            lead = services.lead_man_set(actor=request.user, lead=lead, **man)
        obj.pk, obj.status, obj.team_id = lead.pk, lead.status, lead.team_id
        obj._state.adding = False

    def response_add(self, request: HttpRequest, obj: Lead, post_url_continue: Any = None):
        found = getattr(request, "_lead_duplicates", [])
        if found:
            messages.warning(
                request,
                _(
                    "The lead is saved. It looks like %(n)s record(s) already on file: see "
                    "below before you work it."
                )
                % {"n": len(found)},  # fmt: skip
            )
            return HttpResponseRedirect(reverse("admin:leads_lead_duplicates", args=(obj.pk,)))
        return super().response_add(request, obj, post_url_continue)

    # --- import -------------------------------------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("import/", view(self.import_view), name="leads_lead_import"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        # deferred: the importer loads polars, which only this page needs
        from guanxi.leads.importer import LEADS, lead_import

        return row_import_page(
            request,
            self,
            spec=LEADS,
            run=lead_import,
            title=_("Import leads"),
            flagged_text=_look_like_records_on_file,
        )

    # --- pages of one lead --------------------------------------------------------------------

    def _lead(self, request: HttpRequest, object_id: str) -> Lead:
        if not str(object_id).isdigit():
            raise Http404
        try:
            return lead_for_actor(actor=request.user, lead=int(object_id))
        except ApplicationError:
            raise Http404 from None

    def _back(self, lead: Lead) -> HttpResponseRedirect:
        return HttpResponseRedirect(reverse("admin:leads_lead_change", args=(lead.pk,)))

    def _page(self, request: HttpRequest, name: str, lead: Lead, **context: Any) -> HttpResponse:
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "lead": lead,
            "back_url": reverse("admin:leads_lead_change", args=(lead.pk,)),
            **context,
        }
        return TemplateResponse(request, TEMPLATE.format(name), context)

    def _run(self, request: HttpRequest, lead: Lead, write: Any, done: str) -> HttpResponse:
        try:
            write()
        except ApplicationError as exc:
            messages.error(request, service_error_text(exc))
        else:
            messages.success(request, done)
        return self._back(lead)

    @action(description=gettext_lazy("Qualify"), url_path="qualify", icon="verified")
    def qualify(self, request: HttpRequest, object_id: str) -> HttpResponse:
        lead = self._lead(request, object_id)
        if request.method != "POST":
            return self._page(request, "confirm", lead, title=_("Qualify"), step="qualify")
        return self._run(request, lead,
                         lambda: services.lead_qualify(actor=request.user, lead=lead),
                         _("The lead is qualified."))  # fmt: skip

    @action(description=gettext_lazy("Reopen"), url_path="reopen", icon="undo")
    def reopen(self, request: HttpRequest, object_id: str) -> HttpResponse:
        lead = self._lead(request, object_id)
        if request.method != "POST":
            return self._page(request, "confirm", lead, title=_("Reopen"), step="reopen")
        return self._run(request, lead,
                         lambda: services.lead_reopen(actor=request.user, lead=lead),
                         _("The lead is open again."))  # fmt: skip

    @action(description=gettext_lazy("Disqualify"), url_path="disqualify", icon="block")
    def disqualify(self, request: HttpRequest, object_id: str) -> HttpResponse:
        lead = self._lead(request, object_id)
        form = DisqualifyForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            return self._run(
                request, lead,
                lambda: services.lead_disqualify(actor=request.user, lead=lead,
                                                 reason=form.cleaned_data["reason"],
                                                 note=form.cleaned_data["note"]),
                _("The lead is disqualified."),
            )  # fmt: skip
        return self._page(request, "disqualify", lead, title=_("Disqualify"), form=form)

    @action(description=gettext_lazy("Likely duplicates"), url_path="duplicates", icon="join")
    def duplicates(self, request: HttpRequest, object_id: str) -> HttpResponse:
        lead = self._lead(request, object_id)
        if request.method == "POST":
            account, contact = request.POST.get("account", ""), request.POST.get("contact", "")
            if not account.isdigit() or (contact and not contact.isdigit()):
                raise Http404
            return self._run(
                request, lead,
                lambda: services.lead_attach(actor=request.user, lead=lead, account=int(account),
                                             contact=int(contact) if contact else None),
                _("The lead is attached; converting it will use what is on file."),
            )  # fmt: skip
        found = services.lead_duplicates(actor=request.user, lead=lead)
        return self._page(request, "duplicates", lead, title=_("Likely duplicates"),
                          duplicates=found, any_visible=any(d.visible for d in found),
                          any_hidden=any(not d.visible for d in found))  # fmt: skip

    @action(description=gettext_lazy("Convert"), url_path="convert", icon="switch_access_shortcut")
    def convert(self, request: HttpRequest, object_id: str) -> HttpResponse:
        lead = self._lead(request, object_id)
        found = services.lead_duplicates(actor=request.user, lead=lead)
        data = request.POST if request.method == "POST" else None
        form = ConvertForm(data, lead=lead, duplicates=found)
        if data is not None and form.is_valid():
            account, contact = form.chosen()
            try:
                account, _person, _deal = lead_convert(
                    actor=request.user, lead=lead, account=account, contact=contact,
                    opportunity=form.opportunity(),
                )  # fmt: skip
            except ApplicationError as exc:
                messages.error(request, service_error_text(exc))
            else:
                messages.success(request, _("The lead is converted."))
                return HttpResponseRedirect(
                    reverse("admin:accounts_account_change", args=(account.pk,))
                )
        return self._page(request, "convert", lead, title=_("Convert"), form=form,
                          duplicates=found)  # fmt: skip


@admin.register(LeadSource)
class LeadSourceAdmin(ConfigAccessMixin, ModelAdmin):
    list_display = ("__str__", "kind", "position", "active")
    fields = ("name", "kind", "position", "active")


@admin.register(DisqualifyReason)
class DisqualifyReasonAdmin(ConfigAccessMixin, ModelAdmin):
    list_display = ("__str__", "position", "active")
    fields = ("name", "position", "active")
