"""Progress pages, included by `carbonpeak.tracking.urls` (mounted at /tracking/)."""

from django.urls import path

from carbonpeak.tracking import progress_views

urlpatterns = [
    path("indicators/<slug:code>/", progress_views.indicator_progress, name="indicator_progress"),
    path("report/", progress_views.report, name="progress_report"),
    path("report.xlsx", progress_views.report_xlsx, name="progress_report_xlsx"),
]
