from django.urls import path

from carbonpeak.core import views

urlpatterns = [
    path("", views.home, name="home"),
    path("cockpit/", views.cockpit, name="cockpit"),
    path("dashboard.pdf", views.dashboard_pdf, name="dashboard_pdf"),
    path("healthz", views.healthz, name="healthz"),
]
