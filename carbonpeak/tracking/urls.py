from django.urls import path, re_path
from django.views.generic import RedirectView

from carbonpeak.tracking import views

KINDS = r"^(?P<kind>indicator-reports|task-reports|projects)/(?P<pk>[0-9]+)/"

urlpatterns = [
    path("", views.index, name="index"),
    path("periods/<int:period_pk>/", views.my_sheet, name="my_sheet"),
    path("periods/<int:period_pk>/units/<slug:unit_code>/", views.sheet, name="sheet"),
    path("periods/<int:period_pk>/units/<slug:unit_code>/indicators/<int:indicator_pk>/", views.indicator_row,
         name="indicator_row"),
    path("periods/<int:period_pk>/units/<slug:unit_code>/tasks/<int:task_pk>/", views.task_row, name="task_row"),
    path("periods/<int:period_pk>/units/<slug:unit_code>/submit/", views.submit_all, name="submit_all"),
    path("periods/<int:period_pk>/units/<slug:unit_code>/template.xlsx", views.excel_template,
         name="excel_template"),
    path("periods/<int:period_pk>/units/<slug:unit_code>/upload/", views.excel_upload, name="excel_upload"),
    path("review/", views.review_queue, name="review"),
    path("review/approve/", views.review_bulk, name="review_bulk"),
    path("reminders/", views.reminders, name="reminders"),
    path("reminders/send/", views.reminders_send, name="reminders_send"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("indicator-reports/<int:pk>/", views.record, {"kind": "indicator-reports"}, name="indicator_report"),
    path("task-reports/<int:pk>/", views.record, {"kind": "task-reports"}, name="task_report"),
    path("projects/<int:pk>/", views.record, {"kind": "projects"}, name="project"),
    re_path(KINDS + r"submit/$", views.record_submit, name="record_submit"),
    re_path(KINDS + r"review/$", views.record_review, name="record_review"),
    re_path(KINDS + r"withdraw/$", views.record_withdraw, name="record_withdraw"),
    re_path(KINDS + r"correct/$", views.record_correct, name="record_correct"),
    re_path(KINDS + r"delete/$", views.record_delete, name="record_delete"),
    path("task-reports/<int:pk>/evidence/", views.evidence_upload, name="evidence_upload"),
    path("evidence/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("evidence/<int:pk>/delete/", views.evidence_delete, name="evidence_delete"),
    path("projects/", views.projects, name="projects"),
    path("projects/new/", views.project_edit, name="project_new"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
    path("tokens/", views.tokens, name="tokens"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/role/", views.user_role, name="user_role"),
    path("users/<int:pk>/active/", views.user_active, name="user_active"),
    path("periods/", views.periods, name="periods"),
    path("periods/<int:pk>/closed/", views.period_closed, name="period_closed"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
# The progress pages moved to the progress app (/progress/); their old addresses redirect, query string kept.
urlpatterns += [
    path(old, RedirectView.as_view(pattern_name=f"progress:{name}", query_string=True, permanent=True))
    for old, name in (("indicators/<slug:code>/", "indicator"), ("report/", "report"), ("report.xlsx", "report_xlsx"))
]
