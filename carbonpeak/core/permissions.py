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


def actor_for_user(user, ip: str | None = None) -> Actor:
    if user is None or not user.is_authenticated:
        return Actor(user=None, unit=None, role=None, ip=ip)
    membership = Membership.objects.select_related("unit__plan").filter(user=user).first()
    if membership is not None:
        return Actor(user=user, unit=membership.unit, role=membership.role, ip=ip)
    if user.is_superuser:
        return Actor(user=user, unit=None, role=Role.ADMIN, ip=ip)
    return Actor(user=user, unit=None, role=None, ip=ip)


def actor_for_token(token: ApiToken, ip: str | None = None) -> Actor:
    role = READ_ONLY_TOKEN if token.read_only else Role.REPORTER
    return Actor(user=token.created_by, unit=token.unit, role=role, token=token, ip=ip)


def actor_for(request) -> Actor:
    """The actor of a page or API request (cached on the request)."""
    cached = getattr(request, "_carbonpeak_actor", None)
    if cached is not None:
        return cached
    token = getattr(request, "auth", None)
    if isinstance(token, ApiToken):
        actor = actor_for_token(token, client_ip(request))
    else:
        actor = actor_for_user(getattr(request, "user", None), client_ip(request))
    request._carbonpeak_actor = actor
    return actor


# --- rules shared by every app ------------------------------------------------------------------------------

def can_write_district(actor: Actor) -> bool:
    """District-wide data (GDP, factor sets, official scenarios, any unit's records): the district office."""
    return actor.is_admin


def can_write_unit(actor: Actor, unit) -> bool:
    """A unit's own data: the district office, or a reporter of that unit (user or read-write token)."""
    if actor.is_admin:
        return True
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
