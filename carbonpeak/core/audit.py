"""The one audit log of every write, in every app: who, when, from where, what changed (before/after).

Entries are `tracking.AuditEntry` rows (append-only); call `audit()` in the same transaction as the write.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models

from carbonpeak.core.permissions import Actor
from carbonpeak.tracking.models import AuditEntry

AUDIT_SKIP = {"id", "created_at", "updated_at", "supersedes", "created_by"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, models.Model):
        return value.pk
    return value


def snapshot(obj: models.Model) -> dict:
    """The record's own field values, JSON-safe (foreign keys as ids)."""
    data = {}
    for field in obj._meta.concrete_fields:
        if field.name in AUDIT_SKIP:
            continue
        data[field.name] = _jsonable(getattr(obj, field.attname))
    return data


def _diff(before: dict | None, after: dict | None) -> tuple[dict | None, dict | None]:
    if before is None or after is None:
        return before, after
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


def audit(actor: Actor, action: str, obj: models.Model, before: dict | None = None, after: dict | None = None,
          comment: str = "", object_id: int | None = None) -> AuditEntry:
    """Log `action` on `obj`; give `object_id` for an object already deleted (its pk is then None)."""
    before, after = _diff(before, after)
    return AuditEntry.objects.create(
        actor=actor.db_user, actor_name=actor.name[:150], token=actor.token, action=action,
        object_type=obj._meta.label_lower, object_id=obj.pk if object_id is None else object_id,
        object_repr=str(obj)[:200], before=before, after=after, comment=comment, ip=actor.ip,
    )
