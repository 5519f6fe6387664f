from django.conf import settings
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from guanxi.api import api

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    # Browsers ask for /favicon.ico on every page that names no icon (the survey page, errors).
    path("favicon.ico", RedirectView.as_view(url=static("guanxi/favicon.svg"), permanent=True)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", api.urls),
    # The touchpoint pages moved with their app (issue 11); old bookmarks keep working.
    re_path(
        r"^admin/activities/touchpoint/(?P<rest>.*)$",
        RedirectView.as_view(url="/admin/touchpoints/touchpoint/%(rest)s", query_string=True),
    ),
    path("admin/", admin.site.urls),
    path("agreements/renewals/", include("guanxi.agreements.urls_renewal")),  # renewal rate, risk
    path("pipeline/", include("guanxi.pipeline.urls")),  # board, funnel, forecast, win/loss
    path("agreements/", include("guanxi.agreements.urls")),  # performance, statements
    path("dashboard/", include("guanxi.workspace.urls")),  # chart exports, cohort cells
    path("loyalty/", include("guanxi.loyalty.urls")),  # warning lights table, loyalty matrix
    path("reports/", include("guanxi.reports.urls")),  # customer distribution
    path("merge/", include("guanxi.merging.urls")),  # merge two accounts or contacts, undo
    path("s/", include("guanxi.surveys.urls")),  # public survey answer page (no login)
    path("", include("guanxi.activities.urls")),  # /today/, /calendar/<token>.ics
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
