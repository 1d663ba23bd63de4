from django.urls import path

from carbonpeak.monitoring import views

urlpatterns = [
    path("", views.index, name="index"),
    path("sites/<slug:code>/", views.site, name="site"),
    path("rejects/", views.rejects, name="rejects"),
]
