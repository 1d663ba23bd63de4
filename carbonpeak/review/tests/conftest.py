"""The Qingpu plan with users per role: the office (区发改委), a leader, reporter and reviewer of 白鹤镇 (A) and
练塘镇 (B)."""

from __future__ import annotations

import pytest
from django.db import transaction

from carbonpeak.core.tests.members import make_members
from carbonpeak.review import services
from carbonpeak.review.models import ProjectProposal, ReviewDecision
from carbonpeak.tracking.models import AuditEntry, Membership

ROLE_USERS = {
    "office": ("fgw", Membership.Role.ADMIN),
    "leader": ("fgw", Membership.Role.LEADER),
    "a-reporter": ("baihe", Membership.Role.REPORTER),
    "a-reviewer": ("baihe", Membership.Role.REVIEWER),
    "b-reporter": ("liantang", Membership.Role.REPORTER),
    "b-reviewer": ("liantang", Membership.Role.REVIEWER),
}


@pytest.fixture
def users(qingpu_plan):
    return make_members(qingpu_plan, ROLE_USERS, password=None)



DRAWS = 200
ROLES = ["anon", "nobody", "office", "leader", "a-reporter", "a-reviewer", "b-reporter", "b-reviewer"]


def proposal(town: str = "白鹤镇", **over) -> dict:
    return {"name": f"{town}新厂房", "town": town, "sector": "electronics", "kind": "industrial", "start_year": 2027,
            "added_value_10k_yuan": 20000,
            "energy": [{"carrier": "electricity", "quantity": 2000, "unit": "万kWh"}]} | over


def review_state():
    """What a refused call must leave unchanged: proposals and their decisions, decisions, audit entries."""
    return (list(ProjectProposal.objects.values_list("pk", "decision")), ReviewDecision.objects.count(),
            AuditEntry.objects.count())


@pytest.fixture
def world(actors, qingpu_plan):
    """A proposal of 白鹤镇 (A) and one of 练塘镇 (B), submitted by the office."""
    return {"a": services.submit(actors["office"], qingpu_plan, proposal("白鹤镇"), draws=DRAWS),
            "b": services.submit(actors["office"], qingpu_plan, proposal("练塘镇"), draws=DRAWS)}


def walk_roles(client, users, url: str, expected, send, refused: tuple[int, ...]) -> None:
    """Call `url` as each role of ROLES (`send(client, url)` makes the request) and assert its status: a GET or a
    refused call (a status in `refused`, or anonymous) leaves `review_state()` unchanged, an accepted write changes
    it. Each call runs in a savepoint rolled back after its checks, so every role meets the same state."""
    for role, status in zip(ROLES, expected):
        client.logout()
        if role != "anon":
            client.force_login(users[role])
        before = review_state()
        with transaction.atomic():
            r = send(client, url)
            assert r.status_code == status, (role, url, r.content[:300])
            if role == "anon" or status in refused or r.request["REQUEST_METHOD"] == "GET":
                assert review_state() == before, (role, url)
            else:
                assert review_state() != before, (role, url)
            transaction.set_rollback(True)
