"""The one permission layer: who is acting, and what a role may read and write, for every app.

Roles (`tracking.Membership.Role`):
- admin (district office, 区发改委 carbon-peak office): reads everything and writes district-wide data — GDP,
  factor sets, the official `plan`/`baseline` scenarios, any unit's records — and reviews all.
- leader: reads everything, writes nothing.
- reporter: reads and writes its own unit's data only.
- reviewer: reads its own unit's records and approves / returns its unit's submissions; writes no data.
An API token acts as a reporter of its unit (or read-only when `read_only`). Superusers without a membership act
as admins. Anonymous visitors read the plan and aggregate progress only (`CARBONPEAK_PRIVATE=true`: nothing).

Views and the API call the `require_*` functions, which raise `PermissionDenied` (403; the API answers 401 for
anonymous) so a refused call changes nothing. App-specific scopes (tracking's reports, projects) build on this in
the app's own `permissions.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from carbonpeak.core import memo
from carbonpeak.plan.models import Plan
from carbonpeak.tracking.models import ApiToken, Membership

Role = Membership.Role
READ_ONLY_TOKEN = "read_only_token"
"""The role of a read-only token: sees its own unit's records, changes nothing."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: a logged-in user with a membership, an API token, or an anonymous visitor."""

    user: object | None
    unit: object | None
    role: str | None
    token: ApiToken | None = None
    ip: str | None = None
    plan: object | None = None
    """The plan the role holds in (the request's plan); None: not bound to one (scripts, a superuser outside
    a request). Office and leader read "everything" of this plan only (`in_plan`)."""

    @property
    def name(self) -> str:
        if self.token is not None:
            return f"token:{self.token.prefix}"
        return self.user.get_username() if self.user is not None else ""

    @property
    def db_user(self):
        """The user to store in `submitted_by` etc. (None for tokens)."""
        return self.user if self.token is None else None

    @property
    def role_label(self) -> str:
        return str(dict(Role.choices).get(self.role, self.role or ""))

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None or self.token is not None

    @property
    def is_member(self) -> bool:
        return self.role is not None

    @property
    def sees_all(self) -> bool:
        return self.role in (Role.ADMIN, Role.LEADER)

    def in_plan(self, plan_id: int | None) -> bool:
        """The object of plan `plan_id` lies in this actor's plan (always true for an actor bound to none)."""
        return self.plan is None or self.plan.pk == plan_id

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN and self.token is None

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.REPORTER)

    @property
    def can_review_any(self) -> bool:
        return self.role in (Role.ADMIN, Role.REVIEWER)


def client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def actor_for_user(user, ip: str | None = None, plan=None) -> Actor:
    """The user's actor in `plan` (their membership there); without a plan, their first membership."""
    if user is None or not user.is_authenticated:
        return Actor(user=None, unit=None, role=None, ip=ip)
    membership = memo.shared(("membership", user.pk, plan.pk if plan is not None else None),
                             lambda: _membership(user, plan))
    if membership is not None:
        return Actor(user=user, unit=membership.unit, role=membership.role, ip=ip, plan=membership.unit.plan)
    if user.is_superuser:
        return Actor(user=user, unit=None, role=Role.ADMIN, ip=ip, plan=plan)
    return Actor(user=user, unit=None, role=None, ip=ip, plan=plan)


def _membership(user, plan) -> Membership | None:
    memberships = Membership.objects.select_related("unit__plan").filter(user=user)
    return (memberships.filter(plan=plan) if plan is not None else memberships).first()


def actor_for_token(token: ApiToken, ip: str | None = None, plan=None) -> Actor:
    """A token acts only inside its unit's plan: in another plan it has no role."""
    if plan is not None and token.unit.plan_id != plan.pk:
        return Actor(user=None, unit=None, role=None, token=token, ip=ip, plan=plan)
    role = READ_ONLY_TOKEN if token.read_only else Role.REPORTER
    return Actor(user=token.created_by, unit=token.unit, role=role, token=token, ip=ip, plan=token.unit.plan)


def actor_for(request) -> Actor:
    """The actor of a page or API request in the request's plan (cached on the request)."""
    from carbonpeak.plan.selectors import current_plan

    cached = getattr(request, "_carbonpeak_actor", None)
    if cached is not None:
        return cached
    token = getattr(request, "auth", None)
    plan = current_plan(request)
    if isinstance(token, ApiToken):
        actor = actor_for_token(token, client_ip(request), plan)
    else:
        actor = actor_for_user(getattr(request, "user", None), client_ip(request), plan)
    request._carbonpeak_actor = actor
    return actor


# --- which plans one may see --------------------------------------------------------------------------------

def visible_plans(user) -> QuerySet[Plan]:
    """The plans `user` may see, by their memberships: a user of one district never sees another's.

    - superuser: every plan;
    - a member: the plans they belong to, with the districts of a city plan they belong to (the city office
      reads its districts) and the parent (city) plan of their district (whose targets theirs come from);
    - anonymous, or logged in without any membership: every plan, for its public pages (with
      CARBONPEAK_PRIVATE the access middleware sends them to the login page first; an API token acts in its own
      plan only, `actor_for_token`).
    """
    plans = Plan.objects.all()
    if sees_every_plan(user):
        return plans
    mine = Q(memberships__user=user) | Q(parent__memberships__user=user) | Q(districts__memberships__user=user)
    return plans.filter(mine).distinct()


def sees_every_plan(user) -> bool:
    """Anonymous visitors, superusers and users without any membership (see `visible_plans`)."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return True
    if not hasattr(user, "_carbonpeak_has_membership"):  # asked several times per request: read once
        user._carbonpeak_has_membership = memo.shared(("has_membership", user.pk),
                                                      Membership.objects.filter(user=user).exists)
    return not user._carbonpeak_has_membership


def can_view_plan(user, plan: Plan) -> bool:
    """`plan` is among `visible_plans(user)`."""
    return sees_every_plan(user) or visible_plans(user).filter(pk=plan.pk).exists()


def is_plan_member(user) -> bool:
    """A superuser or a user with a membership in some plan: the header offers them a plan switcher."""
    return user is not None and user.is_authenticated and (user.is_superuser or not sees_every_plan(user))


# --- rules shared by every app ------------------------------------------------------------------------------

def can_write_district(actor: Actor) -> bool:
    """District-wide data (GDP, factor sets, official scenarios, any unit's records): the district office."""
    return actor.is_admin


def can_write_unit(actor: Actor, unit) -> bool:
    """A unit's own data: the district office, or a reporter of that unit (user or read-write token)."""
    if actor.is_admin:
        return unit is None or actor.in_plan(unit.plan_id)
    return actor.role == Role.REPORTER and unit is not None and actor.unit is not None and actor.unit.pk == unit.pk


def can_read_enterprise_data(actor: Actor) -> bool:
    """Per-enterprise consumption, meter lists, rejects, per-entity records: any logged-in member."""
    return actor.is_authenticated and (actor.is_member or getattr(actor.user, "is_superuser", False))


def is_private() -> bool:
    """`CARBONPEAK_PRIVATE=true`: every page and API route needs a login."""
    return bool(getattr(settings, "CARBONPEAK_PRIVATE", False))


def require(allowed: bool, message: str = "You may not do this.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def require_district_write(actor: Actor) -> None:
    require(can_write_district(actor), "Only the district office may change district-wide data.")


def require_unit_write(actor: Actor, unit) -> None:
    require(can_write_unit(actor, unit), "You may only change your own unit's data.")


def require_enterprise_read(actor: Actor) -> None:
    require(can_read_enterprise_data(actor), "Enterprise-level data needs a login.")


def members_only(view):
    """A page with enterprise-level data: anonymous visitors go to the login page, non-members get 403."""
    from functools import wraps

    from django.contrib.auth.views import redirect_to_login

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        actor = actor_for(request)
        if not actor.is_authenticated:
            return redirect_to_login(request.get_full_path())
        require_enterprise_read(actor)
        return view(request, *args, **kwargs)

    return wrapped
