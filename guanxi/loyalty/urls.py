"""The loyalty pages: admin look and login, plain URLs (/loyalty/…)."""

from django.contrib import admin
from django.urls import path

from guanxi.loyalty import views, views_matrix

urlpatterns = [
    path("lights/", admin.site.admin_view(views.lights_view), name="loyalty_lights"),
    path(
        "lights/export.xlsx",
        admin.site.admin_view(views.lights_export),
        name="loyalty_lights_export",
    ),
    path("lights/<int:light_id>/", admin.site.admin_view(views.light_view), name="loyalty_light"),
    path("referrals/", admin.site.admin_view(views.referrals_view), name="loyalty_referrals"),
    path(
        "referrals/export.xlsx",
        admin.site.admin_view(views.referrals_export),
        name="loyalty_referrals_export",
    ),
    path("matrix/", admin.site.admin_view(views_matrix.matrix_view), name="loyalty_matrix"),
]
