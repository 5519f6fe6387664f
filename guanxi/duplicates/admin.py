"""The review queue for managers: candidate pairs side by side, best score first, with the
reasons in words; "not a duplicate", "link as subsidiary" (for a pair that looks like a group
and its company), and "merge…" (the merge pages,
`merge_accounts` / `merge_contacts`, shown only where that URL exists)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, path, reverse
from django.utils.translation import gettext as _
from unfold.admin import ModelAdmin

from guanxi.core.admin_mixins import service_error_text
from guanxi.core.errors import ApplicationError
from guanxi.duplicates.matching import AccountFacts, explain, group_and_member
from guanxi.duplicates.models import Candidate, Kind
from guanxi.duplicates.selectors import review_queue
from guanxi.duplicates.services import (
    candidate_dismiss,
    candidate_link_subsidiary,
    may_review,
)

PER_PAGE = 25
QUEUE = "admin:duplicates_candidate_queue"


def merge_url(kind: str, keep: int, other: int) -> str:
    """The merge page of the pair, or "" while no merge page is installed (the button hides)."""
    name = "merge_accounts" if kind == Kind.ACCOUNT else "merge_contacts"
    try:
        return reverse(name, kwargs={"keep": keep, "other": other})
    except NoReverseMatch:
        return ""


def _row(candidate: Candidate) -> dict[str, Any]:
    parent_id = None
    if candidate.kind == Kind.ACCOUNT:
        a, b = candidate.account_a, candidate.account_b
        url = "admin:accounts_account_change"
        # "Link as subsidiary" only for what looks like a group and its company.
        group = group_and_member(AccountFacts.of(a), AccountFacts.of(b))
        parent_id = group[0].id if group else None
    else:
        a, b = candidate.contact_a, candidate.contact_b
        url = "admin:contacts_contact_change"
    return {
        "candidate": candidate,
        "a": a,
        "b": b,
        "a_url": reverse(url, args=(a.pk,)),
        "b_url": reverse(url, args=(b.pk,)),
        "explanation": explain(candidate.reasons),
        "merge_url": merge_url(candidate.kind, a.pk, b.pk),
        "parent_id": parent_id,
        "decide_url": reverse("admin:duplicates_candidate_decide", args=(candidate.pk,)),
    }


@admin.register(Candidate)
class CandidateAdmin(ModelAdmin):
    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_review(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return may_review(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("queue/", view(self.queue_view), name="duplicates_candidate_queue"),
            path("<int:pk>/decide/", view(self.decide_view), name="duplicates_candidate_decide"),
            *super().get_urls(),
        ]

    def changelist_view(self, request: HttpRequest, extra_context: dict | None = None):
        return HttpResponseRedirect(reverse(QUEUE))

    def queue_view(self, request: HttpRequest) -> HttpResponse:
        if not may_review(request.user):
            raise PermissionDenied
        kind = request.GET.get("kind", Kind.ACCOUNT)
        kind = kind if kind in Kind.values else Kind.ACCOUNT
        page = Paginator(review_queue(kind=kind), PER_PAGE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Duplicates to review"),
            "kind": kind,
            "kinds": Kind.choices,
            "page": page,
            "rows": [_row(c) for c in page.object_list],
        }
        return TemplateResponse(request, "admin/duplicates/queue.html", context)

    def decide_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        action = request.POST.get("action")
        parent = request.POST.get("parent", "")
        try:
            if action == "link" and parent.isdigit():
                candidate_link_subsidiary(
                    actor=request.user, candidate_id=pk, parent_id=int(parent)
                )
                messages.success(request, _("Linked as subsidiary."))
            else:
                candidate_dismiss(actor=request.user, candidate_id=pk)
                messages.success(request, _("Marked as not a duplicate."))
        except ApplicationError as exc:
            messages.error(request, service_error_text(exc))
        kind = request.POST.get("kind", Kind.ACCOUNT)
        return HttpResponseRedirect(f"{reverse(QUEUE)}?kind={kind}")
