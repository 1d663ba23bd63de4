"""Who may write scenarios (on `carbonpeak.core.permissions`), and the audited writes every route uses.

The official `plan` and `baseline` scenarios are district-wide: only the district office changes them. The
office and units' reporters may copy any scenario into a custom one, and change their own custom scenarios
(the office: any). The leader, reviewers and anonymous visitors read and run, and write nothing; an anonymous
run stores no row.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from carbonpeak.core import permissions
from carbonpeak.core.audit import audit, snapshot
from carbonpeak.scenarios import services
from carbonpeak.scenarios.models import Scenario

OFFICIAL = (Scenario.Kind.PLAN, Scenario.Kind.BASELINE)


def can_create(actor: permissions.Actor) -> bool:
    return actor.token is None and actor.can_write


def can_edit(actor: permissions.Actor, scenario: Scenario) -> bool:
    if scenario.kind in OFFICIAL:
        return permissions.can_write_district(actor)
    if permissions.can_write_district(actor):
        return True
    return can_create(actor) and scenario.created_by_id is not None and scenario.created_by_id == actor.user.pk


def copy_as(actor: permissions.Actor, source: Scenario, name: str) -> Scenario:
    permissions.require(can_create(actor), "Only the district office and units' reporters may create scenarios.")
    with transaction.atomic():
        new = services.copy_scenario(source, name, user=actor.user)
        audit(actor, "create", new, after=snapshot(new), comment=f"copy of {source.slug}")
    return new


def update_as(actor: permissions.Actor, scenario: Scenario, levers: dict[str, Any] | None = None,
              drivers: dict[str, Any] | None = None, horizon: int | None = None,
              description: str | None = None) -> Scenario:
    """Merge changes as `actor` (refused unless it may edit the scenario), one new version, audited."""
    permissions.require(can_edit(actor, scenario), "You may not change this scenario.")
    with transaction.atomic():
        before = snapshot(scenario)
        if description is not None:
            scenario.description = description
        services.update_parameters(scenario, levers, drivers, horizon, user=actor.user)
        audit(actor, "update", scenario, before=before, after=snapshot(scenario))
    return scenario


def run_as(actor: permissions.Actor, scenario: Scenario, draws: int, seed: int):
    """A run; stored (cached) for logged-in users only."""
    return services.run(scenario, draws=draws, seed=seed, store=actor.is_authenticated)
