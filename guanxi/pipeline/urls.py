"""The pipeline's report pages (/pipeline/…): admin pages by their look and their login, plain
URLs so they do not depend on the opportunity admin's own URLs."""

from django.contrib import admin
from django.urls import path

from guanxi.pipeline import views

urlpatterns = [
    path("board/", admin.site.admin_view(views.board_view), name="pipeline_board"),
    path("board/move/", admin.site.admin_view(views.board_move_view), name="pipeline_board_move"),
    path("funnel/", admin.site.admin_view(views.funnel_view), name="pipeline_funnel"),
    path("forecast/", admin.site.admin_view(views.forecast_view), name="pipeline_forecast"),
    path("win-loss/", admin.site.admin_view(views.win_loss_view), name="pipeline_win_loss"),
]
