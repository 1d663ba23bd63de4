import secrets

from django.conf import settings
from django.utils import translation


class PlatformLanguageMiddleware:
    """Chinese unless the user chose otherwise with the language switch (Django's language cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language and show English to most browsers;
    a district platform is Chinese by default and English only on request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _label in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class AccessMiddleware:
    """Site-wide access rules that no single view can own.

    - `CARBONPEAK_PRIVATE=true`: every page needs a login (API routes answer 401), except the login pages, static
      files, language switch, health check and the gateways' readings endpoint (which has its own token).
    - A write that meets another one holding the database (SQLite's "database is locked") answers 409 with
      nothing half-written, instead of a 500.
    """

    OPEN_PREFIXES = ("/accounts/login/", "/admin/login/", "/static/", "/i18n/", "/healthz",
                     "/api/monitoring/readings")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from carbonpeak.core.permissions import is_private

        path = request.path_info  # without a plan prefix (/p/<code>/, core.plan)
        if is_private() and not request.user.is_authenticated and not path.startswith(self.OPEN_PREFIXES):
            if path.startswith("/api/") and request.headers.get("Authorization", "").startswith("Bearer "):
                return self.get_response(request)  # API tokens are checked by the route
            if path.startswith("/api/"):
                from django.http import JsonResponse

                return JsonResponse({"detail": "this platform is private: log in"}, status=401)
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import OperationalError
        from django.http import HttpResponse

        if isinstance(exception, OperationalError) and "locked" in str(exception).lower():
            return HttpResponse("Another change to the same data is in progress; go back and retry.", status=409,
                                content_type="text/plain; charset=utf-8")
        return None


class MemoMiddleware:
    """Reads (GET/HEAD) reuse what was computed for the same data version and day (`memo.versioned`): who the user
    is in the plan, the dashboard's rendered content. Writes always compute afresh."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        from carbonpeak.core import memo

        with memo.versioned():
            return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A Content-Security-Policy on every response: scripts and style sheets from this site, or inline ones that
    carry the request's nonce (`nonce="{{ request.csp_nonce }}"` in a template); no plugins, no framing, forms
    post only here. Style attributes (`style="height:320px"`) stay allowed: they cannot run code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.csp_nonce = secrets.token_urlsafe(16)
        response = self.get_response(request)
        if "Content-Security-Policy" not in response.headers:
            response.headers["Content-Security-Policy"] = policy(request.csp_nonce)
        return response


def policy(nonce: str) -> str:
    """The Content-Security-Policy header value for a response whose inline tags carry ``nonce``."""
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{nonce}'",
        f"style-src 'self' 'nonce-{nonce}'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])
