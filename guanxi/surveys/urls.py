"""The public survey page: /s/<token>/ (no login)."""

from django.urls import path

from guanxi.surveys import views

urlpatterns = [path("<str:token>/", views.answer_view, name="surveys_answer")]
