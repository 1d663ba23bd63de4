from django.urls import path

from carbonpeak.accounting import views

urlpatterns = [
    path("", views.index, name="index"),
    path("inventory/<int:year>/", views.inventory, name="inventory"),
    path("upload/", views.upload, name="upload"),
    path("factors/", views.factor_sets, name="factors"),
]
