from django.urls import path

from carbonpeak.scenarios import views

urlpatterns = [
    path("", views.index, name="index"),
    path("copy/", views.copy, name="copy"),
    path("progress/", views.progress, name="progress"),
    path("<slug:slug>/", views.editor, name="editor"),
    path("<slug:slug>/levers/", views.save_levers, name="save_levers"),
    path("<slug:slug>/result/", views.result, name="result"),
]
