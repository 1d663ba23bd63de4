"""Which plan a request is about: plan-scoped URLs (`/p/<plan code>/…`), the user's selected plan, the default.

Every page and API path may carry the prefix `/p/<plan code>/`. `PlanScopeMiddleware` strips it from
`request.path_info` (so the URL patterns stay plan-free), resolves the plan — a 404 when no such plan is loaded or
the user may not see it (`permissions.can_view_plan`) — and makes it the script prefix while the request is served,
so every `reverse()` / `{% url %}` made for this request carries the prefix: links stay in the plan without any
template knowing about it. `request.path` keeps the prefix, so `get_full_path()` (the login page's `next=`, the
language switch) keeps it too.

Without a prefix the plan is, in this order: `?plan=CODE` (API routes that always took it; it must agree with a
prefix), the plan of the request's API token, the plan the user last chose (stored in the session) while they may
still see it (logged-in users), the user's only plan, the default landing plan (`CARBONPEAK_PLAN`) if visible, their first visible.
Views ask `carbonpeak.plan.selectors.current_plan(request)`, which calls `request_plan` once per request.
"""

from __future__ import annotations

import copy

from django.http import Http404
from django.urls import get_script_prefix, set_script_prefix

from carbonpeak.core import memo
from carbonpeak.plan.models import Plan

URL_PREFIX = "p"
"""Plan-scoped URLs start with `/p/<plan code>/`."""
SESSION_KEY = "carbonpeak_plan"
"""The plan the user last visited through a plan-scoped URL: where an unprefixed URL lands."""


def split_prefix(path_info: str) -> tuple[str | None, str]:
    """`/p/<code>/rest` → (code, `/rest`); any other path → (None, path)."""
    head = f"/{URL_PREFIX}/"
    if not path_info.startswith(head):
        return None, path_info
    code, _slash, rest = path_info[len(head):].partition("/")
    return (code or None), "/" + rest


def request_plan(request) -> Plan | None:
    """The plan `request` is about (see the module doc); Http404 for a named plan the user may not see."""
    from carbonpeak.core.permissions import can_view_plan

    user = getattr(request, "user", None)
    code = named_plan_code(request)
    if code is not None:
        plan = Plan.objects.filter(code=code).select_related("parent").first()
        if plan is None or not can_view_plan(user, plan):
            raise Http404(f"no plan {code!r}")
        return plan
    token_plan = _token_plan(request)
    if token_plan is not None:
        return token_plan
    return _landing_plan(request)


def named_plan_code(request) -> str | None:
    """The plan code the URL names (`/p/<code>/` or `?plan=`; 404 when they disagree), None if it names none."""
    prefixed = getattr(request, "_carbonpeak_plan_code", None)
    asked = request.GET.get("plan") or None
    if prefixed and asked and asked != prefixed:
        raise Http404(f"?plan={asked} disagrees with the URL's plan {prefixed!r}")
    return prefixed or asked


def _token_plan(request) -> Plan | None:
    from carbonpeak.tracking.models import ApiToken

    token = getattr(request, "auth", None)
    return token.unit.plan if isinstance(token, ApiToken) else None


def _landing_plan(request) -> Plan | None:
    from carbonpeak.core.permissions import sees_every_plan
    from carbonpeak.plan.selectors import default_plan

    session = getattr(request, "session", None)
    chosen = session.get(SESSION_KEY) if session is not None and session.session_key else None
    if sees_every_plan(getattr(request, "user", None)):
        plan = memo.shared(("landing_plan", chosen),
                           lambda: (Plan.objects.filter(code=chosen).first() if chosen else None) or default_plan())
        return copy.copy(plan)  # the request's own: the cached one is shared by threads
    visible = request_visible_plans(request)
    for plan in visible:
        if plan.code == chosen:
            return copy.copy(plan)
    if len(visible) == 1:
        return copy.copy(visible[0])
    default = memo.shared(("landing_plan", None), default_plan)
    return copy.copy(default if default in visible else (visible[0] if visible else None))


def request_visible_plans(request) -> list[Plan]:
    """`permissions.visible_plans` of the request's user, read once per request."""
    from carbonpeak.core.permissions import visible_plans

    if not hasattr(request, "_carbonpeak_visible_plans"):
        user = getattr(request, "user", None)
        key = ("visible_plans", user.pk, user.is_superuser) if user is not None and user.is_authenticated else \
            ("visible_plans", None)
        request._carbonpeak_visible_plans = memo.shared(key, lambda: tuple(visible_plans(user)))
    return request._carbonpeak_visible_plans


def remember(request, plan: Plan) -> None:
    """Store the plan a logged-in user went to, so unprefixed URLs (`/`, a bookmark) land there next time.
    (Not for anonymous visitors: no session per visit of a crawler or an API client; their links carry the prefix.)"""
    session = getattr(request, "session", None)
    user = getattr(request, "user", None)
    if session is None or user is None or not user.is_authenticated:
        return
    if session.get(SESSION_KEY) != plan.code:
        session[SESSION_KEY] = plan.code


def switch_url(request, plan: Plan) -> str:
    """The same app's page in `plan`: `/p/<code>/<app>/` (its index; an object of one plan has no twin in another)."""
    base = getattr(request, "_carbonpeak_base_prefix", None) or get_script_prefix()
    app = request.path_info.strip("/").split("/", 1)[0]
    return f"{base}{URL_PREFIX}/{plan.code}/" + (f"{app}/" if app else "")


class PlanScopeMiddleware:
    """Strips `/p/<code>/` from the path, resolves the plan (404 if unknown or not visible) and serves the request
    with the prefix as script prefix, reset afterwards (servers and the test client may reuse the thread)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from carbonpeak.plan.selectors import current_plan

        code, rest = split_prefix(request.path_info)
        if code is None:
            return self.get_response(request)
        outer = get_script_prefix()
        request._carbonpeak_plan_code = code
        request.path_info = rest
        request._carbonpeak_base_prefix = outer
        try:
            set_script_prefix(f"{outer}{URL_PREFIX}/{code}/")
            remember(request, current_plan(request))
            return self.get_response(request)
        finally:
            set_script_prefix(outer)
