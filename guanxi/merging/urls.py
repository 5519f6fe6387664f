"""The merge pages: admin look and login, plain URLs (/merge/…). The duplicate review queue
links to `merge_accounts` and `merge_contacts` (kwargs keep, other)."""

from django.contrib import admin
from django.urls import path

from guanxi.merging import views

urlpatterns = [
    path("accounts/<int:keep>/", admin.site.admin_view(views.pick_account),
         name="merge_accounts_pick"),
    path("accounts/<int:keep>/<int:other>/", admin.site.admin_view(views.merge_accounts),
         name="merge_accounts"),
    path("contacts/<int:keep>/", admin.site.admin_view(views.pick_contact),
         name="merge_contacts_pick"),
    path("contacts/<int:keep>/<int:other>/", admin.site.admin_view(views.merge_contacts),
         name="merge_contacts"),
    path("<int:merge_id>/", admin.site.admin_view(views.merge_record), name="merge_record"),
    path("<int:merge_id>/undo/", admin.site.admin_view(views.merge_undo), name="merge_undo"),
]  # fmt: skip
