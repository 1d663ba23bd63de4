"""The REST API (django-ninja). OpenAPI docs at /api/docs. Each domain app contributes `router` in its api.py.

Refusals from the permission layer (`PermissionDenied`) answer 401 to anonymous callers and 403 to others; a
write that meets another one holding the database (SQLite's "database is locked") answers 409, with nothing
half-written, so the caller retries.
"""

from importlib import import_module
from importlib.util import find_spec

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from ninja import NinjaAPI

import carbonpeak

ERROR_RESPONSES = {
    "400": "Malformed request (e.g. a body that is not UTF-8 JSON)",
    "401": "Not logged in (or no valid token)",
    "403": "Logged in, but this role or unit may not do it",
    "404": "No such object, or not visible to the caller",
    "409": "Conflicts with the stored state or with a concurrent change; retry",
    "413": "Too large",
    "422": "Invalid input: `detail` says what and where",
}
ERROR_SCHEMA = {"type": "object", "required": ["detail"], "properties": {"detail": {}},
                "additionalProperties": True}


class CarbonpeakAPI(NinjaAPI):
    """NinjaAPI whose OpenAPI document lists the error answers every operation may give (not only its 200)."""

    def get_openapi_schema(self, **kwargs):
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema["paths"].values():
            for operation in operations.values():
                responses = operation.setdefault("responses", {})
                for code, text in ERROR_RESPONSES.items():
                    responses.setdefault(code, {"description": text,
                                                "content": {"application/json": {"schema": ERROR_SCHEMA}}})
        return schema


api = CarbonpeakAPI(
    title="Carbonpeak API",
    version=carbonpeak.__version__,
    description="District carbon peak plan registry, progress tracking, accounting, monitoring and scenarios.",
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def _refused(request, exc: PermissionDenied):
    anonymous = getattr(request, "auth", None) is None and not request.user.is_authenticated
    status = 401 if anonymous else 403
    return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=status)


@api.exception_handler(OperationalError)
def _busy(request, exc: OperationalError):
    if "locked" not in str(exc).lower():
        raise exc
    return api.create_response(request, {"detail": "another change to the same data is in progress; retry"},
                               status=409)


for _app in settings.DOMAIN_APPS:
    if find_spec(f"carbonpeak.{_app}.api"):
        api.add_router(f"/{_app}/", import_module(f"carbonpeak.{_app}.api").router)
