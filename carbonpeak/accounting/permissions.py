"""Who may write accounting data (on `carbonpeak.core.permissions`), and the audited import every route uses.

GDP, factor sets and any unit's records are district-wide: the district office's. A town's (or street's)
reporter may add and delete records of its own town only. The leader, reviewers, departments' reporters and
anonymous visitors write nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from carbonpeak.accounting import services
from carbonpeak.accounting.models import ImportBatch
from carbonpeak.core import permissions
from carbonpeak.core.audit import audit
from carbonpeak.plan.models import Plan, ResponsibleUnit

TOWN_KINDS = (ResponsibleUnit.Kind.TOWN, ResponsibleUnit.Kind.STREET)


def town_scope(actor: permissions.Actor) -> ResponsibleUnit | None:
    """The town a writer is limited to (None: the office, any town); `PermissionDenied` for anyone else."""
    if permissions.can_write_district(actor):
        return None
    permissions.require(actor.role == permissions.Role.REPORTER and actor.unit is not None
                        and actor.unit.kind in TOWN_KINDS,
                        "Only the district office or a town's reporters may add energy records.")
    return actor.unit


def import_as(actor: permissions.Actor, plan: Plan, source: Any, filename: str, kind: str) -> ImportBatch:
    """Store a file's records as `actor` (its own town's only, unless the office), with an audit entry."""
    with transaction.atomic():
        batch = services.import_records(plan, source, filename, kind, actor.db_user, only_town=town_scope(actor))
        audit(actor, "import", batch, after={"filename": filename, "rows": batch.rows, "plan": plan.code})
    return batch
