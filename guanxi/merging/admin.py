"""The list of merges (team leads and managers; a team lead sees merges whose survivor they can
see): each row opens the merge's page, where it can be undone."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from guanxi.accounts.selectors import accounts_visible_to
from guanxi.contacts.selectors import contacts_visible_to
from guanxi.merging.models import Merge, MergeKind
from guanxi.merging.services import may_merge


@admin.register(Merge)
class MergeAdmin(ModelAdmin):
    list_display = ("record_link", "kind", "actor", "created_at", "undone_at")
    list_filter = ("kind",)
    search_fields = ("keep_label", "other_label", "alias_code")

    def has_module_permission(self, request: HttpRequest) -> bool:
        return may_merge(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Merge | None = None) -> bool:
        return may_merge(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Merge | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Merge | None = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Merge]:
        qs = super().get_queryset(request).select_related("actor")
        if request.user.sees_all_accounts:
            return qs
        accounts = accounts_visible_to(request.user).values("pk")
        contacts = contacts_visible_to(request.user).values("pk")
        return qs.filter(
            Q(kind=MergeKind.ACCOUNT, keep_id__in=accounts)
            | Q(kind=MergeKind.CONTACT, keep_id__in=contacts)
        )

    @display(description=_("merge"))
    def record_link(self, obj: Merge) -> str:
        return format_html('<a class="text-primary-600" href="{}">{}</a>',
                           reverse("merge_record", args=(obj.pk,)), obj)  # fmt: skip
