"""Discount reviews: sales priced below the account's tier floor wait here for a manager's
decision (approve, or reject with a note the KAM reads). KAMs read their accounts' reviews;
the list is a work queue (waiting ones first), within the account access rule."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from unfold.contrib.filters.admin import DropdownFilter
from unfold.decorators import action, display

from guanxi.core.admin_mixins import is_manager
from guanxi.tiers.admin.shared import SaleReviewAdmin, badge_column
from guanxi.tiers.forms import ReviewForm
from guanxi.tiers.models import DiscountReview, DiscountReviewStatus
from guanxi.tiers.services import discount_review_decide


def zhe(rate: Decimal) -> str:
    """0.85 as each reader writes a discount: "8.5折" in Chinese (as the seed does), "85%" in
    English."""
    # The Chinese translation uses %(zhe)s, which the English text does not show.
    # xgettext:no-python-format
    return pgettext("discount as a share of list price", "%(percent)s") % {
        "percent": f"{rate * 100:.0f}%",
        "zhe": f"{(rate * 10).normalize():f}",
    }


def review_title(review: DiscountReview) -> str:
    return _("%(account)s: %(given)s < %(floor)s") % {
        "account": review.account,
        "given": zhe(review.discount_rate),
        "floor": zhe(review.floor),
    }


class ReviewStatusFilter(DropdownFilter):
    """Status, waiting for review by default: the list is a work queue; "all" shows history."""

    title = gettext_lazy("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request: HttpRequest, model_admin: Any):
        return [*DiscountReviewStatus.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or DiscountReviewStatus.PENDING.value

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        value = self.value()
        if value in DiscountReviewStatus.values:
            return queryset.filter(status=value)
        return queryset


@admin.register(DiscountReview)
class DiscountReviewAdmin(SaleReviewAdmin):
    # The model's str() shows raw rates (0.850 < 0.900); people read 折.
    review_title = staticmethod(review_title)
    list_display = ("account", "txn_date", "category", "amount", "discount_display",
                    "tier_display", "status_display", "reviewed_by", "reviewed_at")  # fmt: skip
    list_select_related = ("account", "transaction__category", "tier", "reviewed_by")
    list_filter = (ReviewStatusFilter,)
    search_fields = ("account__name", "account__code")
    readonly_fields = ("account", "transaction", "discount_rate", "floor", "tier", "status",
                       "flagged_at", "reviewed_by", "reviewed_at", "review_note")  # fmt: skip
    fields = readonly_fields
    actions_detail = ("approve", "reject")
    actions = ("approve_selected", "reject_selected")

    tier_display = badge_column("tier", gettext_lazy("tier"))

    @display(description=gettext_lazy("discount given / floor"))
    def discount_display(self, obj: DiscountReview) -> str:
        return f"{zhe(obj.discount_rate)} / {zhe(obj.floor)}"

    @display(
        description=gettext_lazy("status"),
        label={
            DiscountReviewStatus.PENDING: "warning",
            DiscountReviewStatus.APPROVED: "success",
            DiscountReviewStatus.REJECTED: "danger",
        },
    )
    def status_display(self, obj: DiscountReview) -> tuple[str, str]:
        return obj.status, obj.get_status_display()

    def has_review_permission(self, request: HttpRequest, object_id: Any = None) -> bool:
        return is_manager(request)  # KAMs read their accounts' reviews; managers decide

    def _decide(self, request: HttpRequest, object_id: str, status: str) -> HttpResponse:
        review = self._review(request, object_id)
        if review is None:
            raise Http404
        form = ReviewForm(
            request.POST or None, note_required=status == DiscountReviewStatus.REJECTED
        )
        if request.method == "POST" and form.is_valid():
            discount_review_decide(
                review=review, status=status, note=form.cleaned_data["note"], actor=request.user
            )
            messages.success(request, _("Review recorded."))
            return HttpResponseRedirect(reverse("admin:tiers_discountreview_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Approve the discount")
            if status == DiscountReviewStatus.APPROVED
            else _("Reject the discount"),
            "review": review,
            "heading": review_title(review),
            "given": zhe(review.discount_rate),
            "floor": zhe(review.floor),
            "form": form,
            "status": status,
        }
        return TemplateResponse(request, "admin/tiers/discountreview/decide.html", context)

    @action(description=gettext_lazy("Approve"), icon="check", permissions=["review"])
    def approve(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, DiscountReviewStatus.APPROVED)

    @action(description=gettext_lazy("Reject"), icon="close", permissions=["review"])
    def reject(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return self._decide(request, object_id, DiscountReviewStatus.REJECTED)

    def _decide_many(self, request: HttpRequest, queryset: QuerySet, status: str) -> None:
        n = 0
        for review in queryset.select_related("transaction"):
            discount_review_decide(review=review, status=status, note="", actor=request.user)
            n += 1
        messages.success(request, _("%(n)s reviews recorded.") % {"n": n})

    @action(description=gettext_lazy("Approve the selected discounts"), permissions=["review"])
    def approve_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide_many(request, queryset, DiscountReviewStatus.APPROVED)

    @action(description=gettext_lazy("Reject the selected discounts"), permissions=["review"])
    def reject_selected(self, request: HttpRequest, queryset: QuerySet) -> None:
        # A rejection must say why (the KAM reads it); there is no note in a bulk action.
        messages.error(
            request,
            _("A rejection needs a note: open the discount and reject it there, with the reason."),
        )
