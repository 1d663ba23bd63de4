"""Who a user is in a plan (their membership, the plans they see) is read once per data version for GET requests
(core.memo, MemoMiddleware): a change of membership holds from the very next request, and a write request never
uses a cached value."""

from __future__ import annotations

import pytest

from carbonpeak.core.permissions import actor_for
from carbonpeak.tracking.models import Membership

pytestmark = pytest.mark.django_db


def _actor(client, method: str = "get"):
    response = getattr(client, method)("/")
    return actor_for(response.wsgi_request)


def test_a_changed_or_removed_membership_holds_from_the_next_request(client, members):
    client.force_login(members["reporter-a"])
    first = _actor(client)
    assert (first.role, first.unit.code) == ("reporter", "zhujiajiao")
    assert _actor(client) == first  # cached: the same again

    Membership.objects.filter(user=members["reporter-a"]).update(role="reviewer")  # a queryset update, no signal
    assert _actor(client).role == "reviewer"
    Membership.objects.filter(user=members["reporter-a"]).delete()
    after = _actor(client)
    assert after.role is None and after.unit is None


def test_a_user_made_superuser_sees_every_plan_at_once(client, members, qingpu_plan):
    """auth_user is not domain data (no new data version): the superuser flag is part of the cached key."""
    from carbonpeak.core.plan import request_visible_plans
    from carbonpeak.plan.models import Plan

    other = Plan.objects.create(code="other-2024", name_zh="另一区方案", district_zh="另一区")
    client.force_login(members["reporter-a"])
    assert request_visible_plans(client.get("/").wsgi_request) == (qingpu_plan,)
    members["reporter-a"].is_superuser = True
    members["reporter-a"].save()
    client.force_login(members["reporter-a"])
    assert set(request_visible_plans(client.get("/").wsgi_request)) == {qingpu_plan, other}
