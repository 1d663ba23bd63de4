"""Progress pages, mounted at /progress/ (the old /tracking/ addresses redirect here)."""

from django.urls import path

from carbonpeak.progress import views

urlpatterns = [
    path("", views.report, name="index"),
    path("indicators/<slug:code>/", views.indicator_progress, name="indicator"),
    path("indicators/<slug:code>/issued/", views.issue, name="issue"),
    path("report/", views.report, name="report"),
    path("report.xlsx", views.report_xlsx, name="report_xlsx"),
    path("report.pdf", views.report_pdf, name="report_pdf"),
]
