"""Who sees what in assessment, through tracking's permission layer (the one place these calls are made).

The office (district admin) allocates, scores and approves; the leader sees everything, read-only; a unit's
reporter or reviewer sees only its own rows (its allocation, barometer, result; key units in its town); anyone
without a membership sees nothing.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from carbonpeak.tracking.permissions import Actor, actor_for
from carbonpeak.tracking.views import member_required

__all__ = ["Actor", "actor_for", "can_manage", "member_required", "own_rows", "require_district", "require_office"]


def can_manage(actor: Actor) -> bool:
    """Allocate, adjust, approve: district office users only (never an API token)."""
    return actor.is_admin and actor.token is None


def require_office(actor: Actor) -> None:
    if not can_manage(actor):
        raise PermissionDenied(_("Only the district office may do this."))


def require_district(actor: Actor) -> None:
    """District-wide views (previews, the 通报 notice): the office and leaders."""
    if not actor.sees_all:
        raise PermissionDenied(_("Only the district office and leaders see this."))


def own_rows(actor: Actor, rows: list[dict]) -> list[dict]:
    """The rows (each with "code" and, for key units, "town") the actor may see."""
    if actor.sees_all:
        return rows
    if actor.unit is None or not actor.is_member:
        return []
    return [r for r in rows if r.get("code") == actor.unit.code or r.get("town") == actor.unit.name_zh]
