from django.urls import path

from carbonpeak.plan import views

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:plan_code>/", views.overview, name="overview"),
    path("<slug:plan_code>/actions/<int:number>/", views.action, name="action"),
    path("<slug:plan_code>/tasks/<str:code>/", views.task, name="task"),
    path("<slug:plan_code>/districts/", views.districts, name="districts"),
    path("<slug:plan_code>/units/", views.units, name="units"),
    path("<slug:plan_code>/units/<slug:code>/", views.unit, name="unit"),
    path("<slug:plan_code>/indicators/", views.indicators, name="indicators"),
    path("<slug:plan_code>/indicators/<slug:code>/", views.indicator, name="indicator"),
]
