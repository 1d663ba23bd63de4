from django.urls import path

from carbonpeak.assessment import views

urlpatterns = [
    path("", views.index, name="index"),
    path("allocations/", views.allocations, name="allocations"),
    path("allocations/<int:pk>/", views.allocation, name="allocation"),
    path("allocations/<int:pk>/approve/", views.allocation_approve, name="allocation_approve"),
    path("energy-use-reports/", views.energy_use_reports, name="energy_use_reports"),
    path("energy-use-reports/<int:pk>/<str:step>/", views.energy_use_report_step, name="energy_use_report_step"),
    path("<int:year>/", views.sheet, name="sheet"),
    path("<int:year>/adjust/", views.adjust, name="adjust"),
    path("<int:year>/approve/", views.approve, name="approve"),
    path("<int:year>/barometer/", views.barometer, name="barometer"),
    path("<int:year>/notice/", views.notice, name="notice"),
    path("<int:year>/notice.xlsx", views.notice_xlsx, name="notice_xlsx"),
    path("<int:year>/notice.pdf", views.notice_pdf, name="notice_pdf"),
    path("<int:year>/reward/", views.reward, name="reward"),
]
