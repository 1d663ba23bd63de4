"""The REST API (django-ninja). OpenAPI docs at /api/docs. Each domain app contributes `router` in its api.py."""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from ninja import NinjaAPI

import carbonpeak

api = NinjaAPI(
    title="Carbonpeak API",
    version=carbonpeak.__version__,
    description="District carbon peak plan registry, progress tracking, accounting, monitoring and scenarios.",
    urls_namespace="api",
)

for _app in settings.DOMAIN_APPS:
    if find_spec(f"carbonpeak.{_app}.api"):
        api.add_router(f"/{_app}/", import_module(f"carbonpeak.{_app}.api").router)
