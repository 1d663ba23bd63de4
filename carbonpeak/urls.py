from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from carbonpeak.api import api
from carbonpeak.tracking.views import LoginView

urlpatterns = [
    path("", include("carbonpeak.core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("accounts/login/", LoginView.as_view(), name="login"),  # rate-limited (tracking.forms)
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
]

for app in settings.DOMAIN_APPS:
    if find_spec(f"carbonpeak.{app}.urls"):
        module = import_module(f"carbonpeak.{app}.urls")
        urlpatterns.append(path(f"{app}/", include((module.urlpatterns, app), namespace=app)))

urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT) if settings.DEBUG else []
