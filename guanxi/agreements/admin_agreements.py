"""The agreement list and page (协议). Every write goes through `agreements.services`: a new
agreement through `agreement_create`, a change through `agreement_update` (on a signed agreement
an amendment: a new version), documents through `document_add` / `document_delete`, rates
through the rate services (`admin_rates`), and the life-cycle through its steps (negotiate,
sign, terminate with a reason, renew: `admin_steps`). The form runs the services' rules first,
so a broken rule is a field error and nothing is saved.

Access is the account rule (`ScopedModelAdmin`): a KAM sees the agreements of their accounts, a
team lead their team's, managers all; another's agreement is a 404.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from unfold.admin import ModelAdmin
from unfold.contrib.filters.admin import (
    ChoicesDropdownFilter,
    DropdownFilter,
    RelatedDropdownFilter,
)
from unfold.decorators import display

from guanxi.accounts.admin_base import ScopedModelAdmin, visible_contacts
from guanxi.accounts.models import Account
from guanxi.accounts.selectors import accounts_visible_to, staff_users
from guanxi.accounts.services import assignable_owners
from guanxi.agreements import services
from guanxi.agreements.admin_blocks import AgreementImportMixin
from guanxi.agreements.admin_forms import AgreementForm, DocumentForm
from guanxi.agreements.admin_rates import RateInline, save_rates
from guanxi.agreements.admin_steps import AgreementStepsMixin, performance_url
from guanxi.agreements.admin_terms import CommitmentInline, RebateScheduleInline, save_commitments
from guanxi.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementStatus,
    AgreementType,
    Amendment,
    VolumeCommitment,
)
from guanxi.agreements.performance import agreements_pace, pace_band
from guanxi.agreements.selectors import ending_within, in_force_on, renewal_date_of
from guanxi.core.admin_mixins import (
    ColleagueDropdownFilter,
    ConfigAccessMixin,
    ScopedTabularInline,
)
from guanxi.core.dates import add_months
from guanxi.core.services import delete_as
from guanxi.transactions.admin import CountedPaginator

S = AgreementStatus
STATUS_COLOURS = {
    S.DRAFT: "",
    S.NEGOTIATING: "info",
    S.ACTIVE: "success",
    S.EXPIRED: "warning",
    S.TERMINATED: "danger",
    S.RENEWED: "",
}
#: What the form passes to agreement_create / agreement_update besides the account and name.
EDIT_FIELDS = (
    "reference", "name", "agreement_type", "account", "covered_accounts", "owner", "our_signer",
    "their_signers", "starts_on", "ends_on", "notice_days", "renewal_date", "auto_renew",
    "review_cadence", "notes",
)  # fmt: skip
#: Written only by the life-cycle's steps.
STEP_FIELDS = ("status", "signed_on", "terminated_on", "termination_reason", "successor")


def iso(day: dt.date | None) -> str:
    return day.isoformat() if day else "—"


class EndingWithinFilter(DropdownFilter):
    """Open agreements whose last day falls within the next 30 or 90 days."""

    title = gettext_lazy("ending within")
    parameter_name = "ending_within"
    DAYS = ("30", "90")

    def lookups(self, request: HttpRequest, model_admin: Any):
        return [
            ("30", gettext_lazy("30 days")),
            ("90", gettext_lazy("90 days")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in self.DAYS:
            return ending_within(queryset, int(value))
        return queryset


class EndingMonthFilter(DropdownFilter):
    """Agreements whose last day falls in one month (YYYY-MM): a month's bar of the dashboard's
    renewals chart opens its own agreements."""

    title = gettext_lazy("ending in")
    parameter_name = "ending_month"

    def lookups(self, request: HttpRequest, model_admin: Any):
        first = timezone.localdate().replace(day=1)
        return [(f"{m:%Y-%m}", f"{m:%Y-%m}") for m in (add_months(first, i) for i in range(4))]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        try:
            start = dt.datetime.strptime(self.value() or "", "%Y-%m").date()
        except ValueError:
            return queryset
        return queryset.filter(ends_on__gte=start, ends_on__lt=add_months(start, 1))


class PaceFilter(DropdownFilter):
    """Agreements in force by pace band (`performance.pace_band`): the dashboard's pace bars."""

    title = gettext_lazy("pace")
    parameter_name = "pace"

    def lookups(self, request: HttpRequest, model_admin: Any):
        return [
            ("behind", pgettext_lazy("pace", "Behind")),
            ("close", pgettext_lazy("pace", "Close")),
            ("ahead", pgettext_lazy("pace", "On pace")),
            ("none", gettext_lazy("No commitment under way")),
        ]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        band = self.value()
        if band not in {"behind", "close", "ahead", "none"}:
            return queryset
        today = timezone.localdate()
        in_force = in_force_on(queryset, today)
        paces = agreements_pace(list(in_force.values_list("id", flat=True)), as_of=today)
        return queryset.filter(pk__in=[pk for pk, p in paces.items() if pace_band(p) == band])


class DocumentInline(ScopedTabularInline):
    """Files stored under the data directory; new ones through `document_add`."""

    model = AgreementDocument
    form = DocumentForm
    extra = 0
    tab = True
    fields = ("title", "file", "uploaded_by", "uploaded_at")
    readonly_fields = ("uploaded_by", "uploaded_at")
    verbose_name_plural = gettext_lazy("Documents")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a document is replaced, not edited: delete it and upload the new one


class AmendmentInline(ScopedTabularInline):
    """The versions of a signed agreement: what changed, from when, by whom (read-only)."""

    model = Amendment
    extra = 0
    tab = True
    can_delete = False
    fields = ("version", "summary", "changes_text", "effective_on", "made_by", "made_at")
    readonly_fields = fields
    ordering = ("-version",)
    verbose_name_plural = gettext_lazy("Amendments")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @display(description=gettext_lazy("changes"))
    def changes_text(self, obj: Amendment) -> str:
        return (
            "; ".join(
                f"{name}: {before} → {after}"
                for name, (before, after) in sorted((obj.changes or {}).items())
            )
            or "—"
        )


@admin.register(Agreement)
class AgreementAdmin(AgreementImportMixin, AgreementStepsMixin, ScopedModelAdmin):
    form = AgreementForm
    list_display = ("reference_display", "name", "agreement_type", "account", "owner",
                    "status_display", "period", "renewal_display")  # fmt: skip
    list_display_links = ("reference_display", "name")
    list_select_related = ("account", "agreement_type", "owner")
    list_filter = (
        ("agreement_type", RelatedDropdownFilter),
        ("status", ChoicesDropdownFilter),
        ("owner", ColleagueDropdownFilter),
        EndingWithinFilter,
        EndingMonthFilter,
        PaceFilter,
    )
    # No COUNT(*) over a big list: PostgreSQL's estimate above 50,000 rows.
    paginator = CountedPaginator
    search_fields = ("name", "reference", "account__name", "account__code")
    search_help_text = gettext_lazy("Name or reference, or the account's name or code")
    ordering = ("ends_on", "id")
    autocomplete_fields = ("account", "covered_accounts", "their_signers")
    inlines = (DocumentInline, RateInline, CommitmentInline, RebateScheduleInline,
               AmendmentInline)  # fmt: skip
    readonly_fields = ("status", "signed_on", "terminated_on", "termination_reason",
                       "successor_link", "predecessor_link", "performance_link", "schedules_link",
                       "created_at", "updated_at")  # fmt: skip
    fieldsets = (
        (None, {"fields": (("reference", "name"), ("agreement_type", "account"),
                           "covered_accounts", ("owner", "our_signer"), "their_signers",
                           ("starts_on", "ends_on"), "amendment_summary")}),
        (gettext_lazy("Renewal and review"), {"classes": ["tab"],
                                               "fields": (("notice_days", "renewal_date"),
                                                          ("auto_renew", "review_cadence"),
                                                          "notes")}),
        (gettext_lazy("Status"), {"classes": ["tab"],
                                  "fields": (("status", "signed_on"),
                                             ("terminated_on", "termination_reason"),
                                             ("predecessor_link", "successor_link"),
                                             ("performance_link", "schedules_link"),
                                             ("created_at", "updated_at"))}),
    )  # fmt: skip

    # --- the list -----------------------------------------------------------------------------

    @display(description=gettext_lazy("reference"), ordering="reference")
    def reference_display(self, obj: Agreement) -> str:
        return obj.reference or "—"

    @display(description=gettext_lazy("status"), ordering="status", label=STATUS_COLOURS)
    def status_display(self, obj: Agreement) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    @display(description=gettext_lazy("period"), ordering="starts_on")
    def period(self, obj: Agreement) -> str:
        return f"{iso(obj.starts_on)} – {iso(obj.ends_on)}"

    @display(description=gettext_lazy("renewal date"), ordering="renewal_date")
    def renewal_display(self, obj: Agreement) -> str:
        day = renewal_date_of(obj)
        soon = obj.status in (S.ACTIVE, S.NEGOTIATING) and day <= timezone.localdate()
        css = "text-red-600 font-medium" if soon else ""
        return format_html('<span class="{}" data-renewal="{}">{}</span>', css, obj.pk, iso(day))

    # --- the page -----------------------------------------------------------------------------

    @display(description=gettext_lazy("renewed by"))
    def successor_link(self, obj: Agreement) -> str:
        return self._link(obj.successor if obj.pk else None)

    @display(description=gettext_lazy("renews"))
    def predecessor_link(self, obj: Agreement) -> str:
        if obj.pk is None:
            return "—"
        return self._link(Agreement.objects.filter(successor=obj).first())

    def _link(self, other: Agreement | None) -> str:
        if other is None:
            return "—"
        url = reverse("admin:agreements_agreement_change", args=(other.pk,))
        return format_html('<a class="text-primary-600" href="{}" data-agreement-link="{}">{}'
                           "</a>", url, other.pk, other)  # fmt: skip

    @display(description=gettext_lazy("performance"))
    def performance_link(self, obj: Agreement) -> str:
        url = performance_url(obj) if obj.pk else None
        if url is None:
            return "—"
        return format_html('<a class="text-primary-600" href="{}" data-performance-link>{}</a>',
                           url, _("Pace, projection and rebates"))  # fmt: skip

    @display(description=gettext_lazy("rebate schedules"))
    def schedules_link(self, obj: Agreement) -> str:
        if obj.pk is None:
            return "—"
        url = reverse("admin:agreements_rebateschedule_add") + f"?agreement={obj.pk}"
        return format_html('<a class="text-primary-600" href="{}" data-add-schedule>{}</a>',
                           url, _("Add a rebate schedule"))  # fmt: skip

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        fields = tuple(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status in services.CLOSED:
            # A closed agreement is kept as it was; renewing it makes a successor to change.
            return fields + tuple(f for f in EDIT_FIELDS if f not in fields)
        if obj is not None and obj.status == S.ACTIVE:
            return fields + ("account",)  # a signed agreement stays with its account
        return fields

    def get_fieldsets(self, request: HttpRequest, obj: Any = None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.status == S.ACTIVE:
            return fieldsets
        # The summary of an amendment is asked only where a change makes one.
        main = fieldsets[0][1]
        fields = tuple(f for f in main["fields"] if f != "amendment_summary")
        return ((fieldsets[0][0], {**main, "fields": fields}), *fieldsets[1:])

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name in ("owner", "our_signer"):
            kwargs["queryset"] = staff_users()
        elif db_field.name == "agreement_type":
            kwargs["queryset"] = AgreementType.objects.filter(active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any):
        if db_field.name == "covered_accounts":
            kwargs["queryset"] = accounts_visible_to(request.user)
        elif db_field.name == "their_signers":
            kwargs["queryset"] = visible_contacts(request.user)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        owner = form.base_fields.get("owner")
        if owner is not None:
            allowed = assignable_owners(request.user, owner.queryset)
            keep = [request.user.pk] + ([obj.owner_id, obj.account.owner_id] if obj else [])
            owner.queryset = owner.queryset.filter(Q(pk__in=allowed.values("pk")) | Q(pk__in=keep))
        covered = form.base_fields.get("covered_accounts")
        if covered is not None and obj is not None:
            # Chosen subsidiaries stay valid on re-save even when out of the user's sight.
            current = obj.covered_accounts.values("pk")
            covered.queryset = Account.objects.filter(
                Q(pk__in=covered.queryset.values("pk")) | Q(pk__in=current)
            )
        return form

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("owner", request.user.pk)
        return initial

    # --- saving through the services ----------------------------------------------------------

    def save_model(self, request: HttpRequest, obj: Agreement, form: Any, change: bool) -> None:
        data, actor = form.cleaned_data, request.user
        if not change:
            plain = {f: data[f] for f in services.PLAIN_FIELDS if f in data}
            plain = {k: v for k, v in plain.items() if v is not None}
            saved = services.agreement_create(
                actor=actor, account=data["account"], name=data["name"],
                agreement_type=data["agreement_type"], starts_on=data["starts_on"],
                ends_on=data["ends_on"], covered_accounts=data.get("covered_accounts") or (),
                their_signers=data.get("their_signers") or (), owner=data.get("owner"),
                our_signer=data.get("our_signer"), **plain,
            )  # fmt: skip
        else:
            fields = {f: data[f] for f in EDIT_FIELDS if f in form.changed_data and f in data}
            if fields.get("owner", True) is None:
                fields.pop("owner")
            saved = obj
            if fields:
                saved = services.agreement_update(
                    actor=actor, agreement=obj.pk,
                    summary=data.get("amendment_summary") or "", **fields,
                )  # fmt: skip
        obj.pk, obj._state.adding = saved.pk, False
        obj._state.db = saved._state.db

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        # The covered accounts and signers were set by the service (no form.save_m2m).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        # What the change message reads (Django's formset.save() would set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        agreement = form.instance.pk
        if formset.model is AgreementDocument:
            save_documents(request, agreement, formset)
        elif formset.model.__name__ == "NegotiatedRate":
            save_rates(request, agreement, formset)
        elif formset.model is VolumeCommitment:
            save_commitments(request, agreement, formset)

    # --- deleting: drafts only, as nothing yet binds -----------------------------------------

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if isinstance(obj, Agreement) and obj.status != S.DRAFT:
            return False  # a signed or negotiated agreement is history
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict:
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # a bulk delete would skip the draft-only rule
        return actions

    def delete_model(self, request: HttpRequest, obj: Agreement) -> None:
        delete_as(obj, actor=request.user)  # the audit history names who deleted the draft


def save_documents(request: HttpRequest, agreement: int, formset: Any) -> None:
    """New files through `document_add`, removed ones through `document_delete`."""
    for row in formset.forms:
        if formset._should_delete_form(row):
            if row.instance.pk is not None:
                services.document_delete(actor=request.user, document=row.instance.pk)
                formset.deleted_objects.append(row.instance)
        elif row.instance.pk is None and row.has_changed():
            data = row.cleaned_data
            added = services.document_add(
                actor=request.user, agreement=agreement, file=data["file"],
                title=data.get("title") or "",
            )  # fmt: skip
            formset.new_objects.append(added)


@admin.register(AgreementType)
class AgreementTypeAdmin(ConfigAccessMixin, ModelAdmin):
    """The kinds of agreement, kept as data: every user reads them, managers change them."""

    list_display = ("__str__", "kind", "position", "active")
    fields = ("name", "kind", "position", "active")
