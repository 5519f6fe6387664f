"""Plain (non-admin) URLs of the activities app: the ICS feed and the /today/ shortcut."""

from django.urls import path

from guanxi.activities import views

urlpatterns = [
    path("today/", views.today_redirect, name="activities_today"),
    path(
        "calendar/<str:token>.ics",
        views.calendar_feed_view,
        name="activities_calendar_feed",
    ),
]
