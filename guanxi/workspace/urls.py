from django.contrib import admin
from django.urls import path

from guanxi.workspace import views

urlpatterns = [
    path(
        "export/",
        admin.site.admin_view(views.chart_export_view),
        name="dashboard_export",
    ),
    path(
        "cohort/",
        admin.site.admin_view(views.cohort_accounts_view),
        name="dashboard_cohort",
    ),
]
