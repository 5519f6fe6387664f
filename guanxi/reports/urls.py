"""The report pages: admin look and login, plain URLs (/reports/…)."""

from django.contrib import admin
from django.urls import path

from guanxi.reports import views

urlpatterns = [
    path(
        "distribution/",
        admin.site.admin_view(views.distribution_view),
        name="reports_distribution",
    ),
    path(
        "distribution/export.xlsx",
        admin.site.admin_view(views.distribution_export),
        name="reports_distribution_export",
    ),
]
