"""The renewal page (/agreements/renewals/): admin look and login, a plain URL."""

from django.contrib import admin
from django.urls import path

from guanxi.agreements import views_renewal

urlpatterns = [
    path("", admin.site.admin_view(views_renewal.renewals_view), name="agreements_renewals"),
]
