import json
import math
import re
import secrets
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy


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
                return JsonResponse({"detail": "this platform is private: log in"}, status=401)
            from django.contrib.auth.views import redirect_to_login

            return redirect_to_login(request.get_full_path())
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.db import OperationalError

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


NUL = "\x00"
PLACE_NAMES = {"path": gettext_lazy("path"), "query": gettext_lazy("query parameter"),
               "cookie": gettext_lazy("cookie"), "form": gettext_lazy("form field"), "body": gettext_lazy("body")}
NOT_FINITE = re.compile(rb"NaN|Infinity|[eE]\+?\d{3}")
"""What a JSON text holding a non-finite number must contain (1e400 parses as infinity): else no parse is needed."""


class UnstorableInputMiddleware:
    """Refuse a request carrying what no field of the platform takes, before any view sees it:

    - a NUL character (U+0000) in its path, a query or form field, a cookie or a JSON body: PostgreSQL can neither
      store nor compare such text (every lookup with one was a server error);
    - a number in a JSON body that is not finite (``NaN``, ``Infinity``, ``1e400``, all read by Python's JSON):
      it passed range checks (every comparison with NaN is false) and PostgreSQL's JSON refuses it.

    API routes answer 422 with the place in ``detail`` as ninja does (``loc``: ``["query", "plan"]``,
    ``["body", "readings", 3, "meter"]``); pages answer 400 with the place named. Uploaded files are their
    readers' to check (they name file, row and field)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = next(unstorable_input(request), None)
        if found is None:
            return self.get_response(request)
        problem, place = found
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": [{"type": problem, "loc": list(place), "msg": PROBLEMS[problem][0]}]},
                                status=422)
        where = " ".join([str(PLACE_NAMES[place[0]]), *(str(p) for p in place[1:])])
        return HttpResponse(PROBLEMS[problem][1] % {"place": where}, status=400,
                            content_type="text/plain; charset=utf-8")


PROBLEMS = {
    "nul_character": ("contains a NUL character (U+0000), which no field accepts",
                      gettext_lazy("The request's %(place)s contains a NUL character (U+0000), which no field "
                                   "accepts.")),
    "not_finite": ("is not a finite number (NaN, Infinity or beyond ±1.8e308), which no field accepts",
                   gettext_lazy("The request's %(place)s is not a finite number, which no field accepts.")),
}
"""Each problem: the API's message (English, as ninja's) and the page's (in the page's language)."""


def unstorable_input(request) -> Iterator[tuple[str, tuple[Any, ...]]]:
    """(problem, place) for each thing in the request no field takes; the place is ("path",), ("query", name),
    ("cookie", name), ("form", name) or ("body", key, index, ...) in a JSON body."""
    if NUL in request.path_info:
        yield "nul_character", ("path",)
    for kind, data in (("query", request.GET), ("cookie", request.COOKIES)):
        yield from (("nul_character", (kind, key)) for key, value in _pairs(data) if NUL in key or NUL in value)
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    content_type = request.content_type or ""
    if content_type.endswith("json"):
        if b"\\u0000" not in request.body and not NOT_FINITE.search(request.body):
            return  # the only ways a JSON text holds either: skip the parse
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return  # not JSON: the route answers 400 for that
        yield from ((problem, ("body", *loc)) for problem, loc in _json_unstorable(body))
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        yield from (("nul_character", ("form", key)) for key, value in _pairs(request.POST)
                    if NUL in key or NUL in value)


def _pairs(data) -> Iterator[tuple[str, str]]:
    lists = data.lists() if hasattr(data, "lists") else ((k, [v]) for k, v in data.items())
    return ((key, value) for key, values in lists for value in values)


def _json_unstorable(value: Any, loc: tuple = ()) -> Iterator[tuple[str, tuple]]:
    if isinstance(value, str):
        if NUL in value:
            yield "nul_character", loc
    elif isinstance(value, float):
        if not math.isfinite(value):
            yield "not_finite", loc
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from (("nul_character", (*loc, key)),) if NUL in key else _json_unstorable(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _json_unstorable(item, (*loc, i))
