"""Tags (标签) in the admin. The account list and the account's 360° page put tiers, value and
relationship risks beside the account, so they live on the top floor: `guanxi.workspace.admin`."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from guanxi.accounts.models import Tag
from guanxi.core.admin_mixins import StaffModelAdmin
from guanxi.core.formatting import localised


@admin.register(Tag)
class TagAdmin(StaffModelAdmin):
    list_display = ("name", "description_shown")
    search_fields = ("name",)

    @admin.display(description=_("description"))
    def description_shown(self, obj: Tag) -> str:
        return localised(obj.description, obj.description_en)
