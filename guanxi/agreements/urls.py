"""The money pages of agreements (/agreements/…): admin pages by their look and their login."""

from django.contrib import admin
from django.urls import path

from guanxi.agreements import views

app_name = "agreements"

urlpatterns = [
    path(
        "<int:agreement_id>/performance/",
        admin.site.admin_view(views.performance_view),
        name="performance",
    ),
    path(
        "<int:agreement_id>/settlements/",
        admin.site.admin_view(views.settlement_create_view),
        name="settlement_create",
    ),
    path(
        "settlements/<int:settlement_id>/",
        admin.site.admin_view(views.statement_view),
        name="statement",
    ),
    path(
        "settlements/<int:settlement_id>/xlsx/",
        admin.site.admin_view(views.statement_xlsx_view),
        name="statement_xlsx",
    ),
    path(
        "settlements/<int:settlement_id>/confirm/",
        admin.site.admin_view(views.settlement_confirm_view),
        name="settlement_confirm",
    ),
    path(
        "settlements/<int:settlement_id>/payments/",
        admin.site.admin_view(views.settlement_payment_view),
        name="settlement_payment",
    ),
]
