"""Negotiated rates (协议价) on the agreement page, and the off-rate reviews: sales priced off an
agreement's rate wait in a list for a manager's decision (accepted as they are, or to be
corrected with a note the KAM reads), as discounts below the tier floor do. KAMs read their
accounts' reviews; the list is a work queue (open ones first), within the account access rule.
Rates are written through `rate_create` / `rate_update` / `rate_delete` (on a signed agreement
each is an amendment), decisions through `rate_review_decide`."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from unfold.contrib.filters.admin import DropdownFilter
from unfold.decorators import action, display

from guanxi.agreements import rates
from guanxi.agreements.admin_forms import RateDecisionForm, RateForm
from guanxi.agreements.models import NegotiatedRate, RateReview, RateReviewStatus
from guanxi.agreements.services import CLOSED
from guanxi.core.admin_mixins import ScopedTabularInline, is_manager, show_service_error
from guanxi.core.errors import ApplicationError
from guanxi.tiers.admin.shared import SaleReviewAdmin

RATE_FIELDS = ("category", "label", "basis", "value", "tolerance")


class RateInline(ScopedTabularInline):
    model = NegotiatedRate
    form = RateForm
    extra = 0
    tab = True
    fields = RATE_FIELDS
    verbose_name_plural = gettext_lazy("Negotiated rates")

    def _open(self, obj: Any) -> bool:
        return obj is None or obj.status not in CLOSED  # a closed agreement keeps its rates

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._open(obj) and super().has_delete_permission(request, obj)

    def get_formset(self, request: HttpRequest, obj: Any = None, **kwargs: Any):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form.actor = request.user
        return formset


def save_rates(request: HttpRequest, agreement: int, formset: Any) -> None:
    """Each changed row through its rate service (an amendment on a signed agreement)."""
    actor = request.user
    for row in formset.forms:
        deleting = formset._should_delete_form(row)
        if not row.has_changed() and not deleting:
            continue
        rate, data = row.instance, row.cleaned_data
        values = {f: data.get(f) for f in RATE_FIELDS}
        values["label"] = values["label"] or ""
        if deleting:
            if rate.pk is not None:
                rates.rate_delete(actor=actor, rate=rate.pk)
                formset.deleted_objects.append(rate)
        elif rate.pk is None:
            formset.new_objects.append(rates.rate_create(actor=actor, agreement=agreement,
                                                         **values))  # fmt: skip
        else:
            changed = {f: values[f] for f in row.changed_data if f in values}
            rates.rate_update(actor=actor, rate=rate.pk, **changed)
            formset.changed_objects.append((rate, row.changed_data))


# --- off-rate reviews -----------------------------------------------------------------------


class RateReviewStatusFilter(DropdownFilter):
    """Status, open by default: the list is a work queue; "all" shows the decisions."""

    title = gettext_lazy("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any):
        return [*RateReviewStatus.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or RateReviewStatus.OPEN.value

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in RateReviewStatus.values:
            return queryset.filter(status=value)
        return queryset


def review_title(review: RateReview) -> str:
    return _("%(account)s: charged %(actual)s, agreed %(expected)s") % {
        "account": review.account,
        "actual": review.actual.normalize(),
        "expected": review.expected.normalize(),
    }


@admin.register(RateReview)
class RateReviewAdmin(SaleReviewAdmin):
    review_title = staticmethod(review_title)
    list_display = ("account", "agreement", "txn_date", "category", "amount", "rate_display",
                    "status_display", "decided_by", "decided_at")  # fmt: skip
    list_select_related = ("account", "agreement", "transaction__category", "decided_by")
    list_filter = (RateReviewStatusFilter,)
    search_fields = ("account__name", "account__code", "agreement__name", "agreement__reference")
    readonly_fields = ("account", "agreement", "transaction", "rate", "basis", "expected",
                       "actual", "status", "flagged_at", "decided_by", "decided_at",
                       "note")  # fmt: skip
    fields = readonly_fields
    actions_detail = ("accept", "correct")
    actions = ("accept_selected",)

    @display(description=gettext_lazy("charged / agreed"))
    def rate_display(self, obj: RateReview) -> str:
        return f"{obj.actual.normalize()} / {obj.expected.normalize()}"

    @display(
        description=gettext_lazy("status"),
        label={
            RateReviewStatus.OPEN: "warning",
            RateReviewStatus.ACCEPTED: "success",
            RateReviewStatus.CORRECTED: "danger",
        },
    )
    def status_display(self, obj: RateReview) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    def has_decide_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return is_manager(request)  # KAMs read their accounts' reviews; managers decide

    def _decide(self, request: HttpRequest, object_id: str, status: str) -> HttpResponse:
        review = self._review(request, object_id)
        if review is None:
            raise Http404
        form = RateDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                rates.rate_review_decide(actor=request.user, review=review, status=status,
                                         note=form.cleaned_data["note"])  # fmt: skip
            except ApplicationError as exc:
                show_service_error(form, exc)
            else:
                messages.success(request, _("Review recorded."))
                return HttpResponseRedirect(reverse("admin:agreements_ratereview_changelist"))
        accepting = status == RateReviewStatus.ACCEPTED
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Accept the price") if accepting else _("Mark to be corrected"),
            "review": review,
            "heading": review_title(review),
            "form": form,
            "status": status,
        }
        return TemplateResponse(request, "admin/agreements/ratereview/decide.html", context)

    @action(description=gettext_lazy("Accept"), icon="check", permissions=["decide"])
    def accept(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, RateReviewStatus.ACCEPTED)

    @action(description=gettext_lazy("To be corrected"), icon="edit_note", permissions=["decide"])
    def correct(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, RateReviewStatus.CORRECTED)

    @action(description=gettext_lazy("Accept the selected prices"), permissions=["decide"])
    def accept_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        n = 0
        for review in queryset:
            rates.rate_review_decide(actor=request.user, review=review.pk,
                                     status=RateReviewStatus.ACCEPTED)  # fmt: skip
            n += 1
        messages.success(request, _("%(n)s reviews recorded.") % {"n": n})
