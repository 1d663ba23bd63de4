from django.urls import path

from carbonpeak.review import views

urlpatterns = [
    path("", views.index, name="index"),
    path("new/", views.new, name="new"),
    path("template.xlsx", views.template_xlsx, name="template_xlsx"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/decide/", views.decide, name="decide"),
]
